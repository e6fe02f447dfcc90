//! Model-predictive choice of the next level over a short horizon, under uncertainty.
//!
//! The objective is the linear QoE itself (bitrate − rebuffer penalty × stall − switch
//! penalty × |Δbitrate|), summed over the next few fragments. Uncertainty enters as equally
//! likely throughput scenarios (multipliers of the point prediction, taken from the
//! estimator's recent prediction errors) instead of RobustMPC's single worst-case discount, so
//! a deep buffer is spent when it is safe and kept when the link is erratic.
//!
//! Plans have the shape "level `a` for the next fragment, then level `b` for the rest of the
//! horizon": multi-switch plans are rarely worth their switch penalties over a few fragments,
//! and the restriction keeps a decision at N² × scenarios × horizon steps. With the adaptive
//! tail, `b` is chosen per scenario (the player will learn the scenario after a fragment or
//! two), so only the first fragment is committed under uncertainty.
//!
//! Two terminal terms stand for what happens after the horizon:
//! - buffer value: at throughput T, one fragment of duration D fetched at a bitrate lower by
//!   δ saves δ·D/T seconds, so a second of buffer is worth T/D in the QoE's per-fragment
//!   units. It is only worth that if the rest of the presentation can use it, so the value
//!   saturates, `S·(1 − e^(−b/S))`, on the scale S of the media left after the horizon; buffer
//!   above the capacity is worth nothing (the player would idle), at the end nothing;
//! - terminal switch: a plan that ends above (or below) the level its scenario sustains will
//!   have to switch later, so that switch is charged now.

/// What the planner needs to know; all rates in bit/s, sizes in bits, times in seconds.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    /// Utility of each level (Mbit/s), ascending.
    pub utilities: &'a [f64],
    /// Highest level allowed (inclusive).
    pub max_level: usize,
    /// Level of the previous fragment, if any (for the switch penalty).
    pub last_level: Option<usize>,
    /// Buffer now.
    pub buffer_s: f64,
    /// Buffer capacity: above it the player idles.
    pub buffer_cap_s: f64,
    /// Media duration of each fragment of the horizon.
    pub durations_s: &'a [f64],
    /// Bits to download, `bits[step * levels + level]`.
    pub bits: &'a [f64],
    /// The presentation ends after the horizon (no terminal value).
    pub ends_after_horizon: bool,
    /// Point prediction of throughput.
    pub throughput_bps: f64,
    /// Request latency added to each download.
    pub latency_s: f64,
    /// Equally likely multipliers of the throughput prediction.
    pub scenarios: &'a [f64],
    /// QoE penalty per second of stall.
    pub rebuffer_penalty: f64,
    /// QoE penalty per Mbit/s of change.
    pub switch_penalty: f64,
    /// Weight of the terminal buffer value (1 = priced at its exchange value).
    pub buffer_value: f64,
    /// Scale of the buffer value's saturation (seconds): the value of `b` seconds is
    /// `S·(1 − e^(−b/S))`, so the first seconds count fully and deep buffers little; 0 = linear.
    pub buffer_value_scale_s: f64,
    /// Fragments left after the horizon (`None`: unknown, unbounded); bounds how much buffer
    /// can still be turned into bitrate.
    pub fragments_after_horizon: Option<usize>,
    /// Saturate the buffer value within the media left after the horizon.
    pub scale_by_remaining: bool,
    /// Charge the switch from the final level to the one each scenario sustains.
    pub terminal_switch: bool,
    /// Assume the scenario becomes known after the first fragment (closed-loop tail).
    pub adaptive_tail: bool,
}

/// The planner's answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    /// Level for the next fragment.
    pub level: usize,
    /// Expected objective of the best plan.
    pub value: f64,
}

/// Chooses the level of the next fragment; `None` when the input is empty or inconsistent.
pub fn plan(input: &PlanInput<'_>) -> Option<Plan> {
    let n = input.utilities.len();
    let h = input.durations_s.len();
    if n == 0 || h == 0 || input.bits.len() < n * h || input.scenarios.is_empty() {
        return None;
    }
    let top = input.max_level.min(n - 1);
    let weight = 1.0 / input.scenarios.len() as f64;
    // Per-scenario quantities that do not depend on the plan, computed once.
    let scenarios: Vec<Scenario> = input
        .scenarios
        .iter()
        .map(|&r| {
            let rate = (input.throughput_bps * r).max(1.0);
            Scenario {
                rate,
                sustained: if input.terminal_switch {
                    sustainable_utility(input, rate)
                } else {
                    0.0
                },
            }
        })
        .collect();
    let mut best: Option<Plan> = None;
    for a in 0..=top {
        let value = if input.adaptive_tail {
            scenarios
                .iter()
                .map(|sc| {
                    (0..=top)
                        .map(|b| evaluate(input, a, b, sc))
                        .fold(f64::NEG_INFINITY, f64::max)
                })
                .sum::<f64>()
                * weight
        } else {
            (0..=top)
                .map(|b| {
                    scenarios
                        .iter()
                        .map(|sc| evaluate(input, a, b, sc))
                        .sum::<f64>()
                        * weight
                })
                .fold(f64::NEG_INFINITY, f64::max)
        };
        // Strictly greater: ties keep the lower level, the safer choice.
        if best.is_none_or(|p| value > p.value + 1e-12) {
            best = Some(Plan { level: a, value });
        }
    }
    best
}

/// One throughput scenario: its rate and the utility of the level that rate sustains.
struct Scenario {
    rate: f64,
    sustained: f64,
}

/// QoE of plan (a, b, b, …) in scenario `sc`.
fn evaluate(input: &PlanInput<'_>, a: usize, b: usize, sc: &Scenario) -> f64 {
    let n = input.utilities.len();
    let rate = sc.rate;
    let mut buffer = input.buffer_s.max(0.0);
    let mut prev = input.last_level;
    let mut total = 0.0;
    for (step, &dur) in input.durations_s.iter().enumerate() {
        let level = if step == 0 { a } else { b };
        let bits = input.bits.get(step * n + level).copied().unwrap_or(0.0);
        let download = input.latency_s + bits / rate;
        let stall = (download - buffer).max(0.0);
        buffer = (buffer - download).max(0.0) + dur;
        buffer = buffer.min(input.buffer_cap_s.max(dur));
        let q = input.utilities.get(level).copied().unwrap_or(0.0);
        let switch = prev
            .and_then(|p| input.utilities.get(p))
            .map_or(0.0, |&pq| (q - pq).abs());
        total += q - input.rebuffer_penalty * stall - input.switch_penalty * switch;
        prev = Some(level);
    }
    if !input.ends_after_horizon && input.terminal_switch {
        let sustained = sc.sustained;
        let last = prev
            .and_then(|p| input.utilities.get(p))
            .copied()
            .unwrap_or(0.0);
        total -= input.switch_penalty * (last - sustained).abs();
    }
    if !input.ends_after_horizon {
        let mean_dur = input.durations_s.iter().sum::<f64>() / h_len(input);
        if mean_dur > 0.0 {
            let b = buffer.min(input.buffer_cap_s);
            let mut s = input.buffer_value_scale_s;
            if input.scale_by_remaining
                && let Some(m) = input.fragments_after_horizon
            {
                // Buffer only has value if the rest of the presentation can use it.
                let remaining_s = m as f64 * mean_dur;
                s = if s > 0.0 {
                    s.min(remaining_s)
                } else {
                    remaining_s
                };
            }
            let worth = if s > 0.0 {
                s * (1.0 - (-b / s).exp())
            } else {
                b
            };
            total += input.buffer_value * (rate / 1e6) / mean_dur * worth;
        }
    }
    total
}

/// Utility of the highest level whose mean bitrate over the horizon `rate` sustains.
fn sustainable_utility(input: &PlanInput<'_>, rate: f64) -> f64 {
    let n = input.utilities.len();
    let total_s: f64 = input.durations_s.iter().sum();
    if total_s <= 0.0 {
        return 0.0;
    }
    let mut best = input.utilities.first().copied().unwrap_or(0.0);
    for level in 0..=input.max_level.min(n.saturating_sub(1)) {
        let bits: f64 = (0..input.durations_s.len())
            .map(|s| input.bits.get(s * n + level).copied().unwrap_or(0.0))
            .sum();
        if bits / total_s <= rate {
            best = input.utilities.get(level).copied().unwrap_or(best);
        }
    }
    best
}

fn h_len(input: &PlanInput<'_>) -> f64 {
    input.durations_s.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const UTIL: [f64; 4] = [0.5, 1.0, 2.0, 4.0];

    fn bits_for(h: usize, dur: f64) -> Vec<f64> {
        (0..h)
            .flat_map(|_| UTIL.iter().map(move |u| u * 1e6 * dur))
            .collect()
    }

    fn input<'a>(bits: &'a [f64], durs: &'a [f64], scen: &'a [f64]) -> PlanInput<'a> {
        PlanInput {
            utilities: &UTIL,
            max_level: 3,
            last_level: Some(1),
            buffer_s: 10.0,
            buffer_cap_s: 30.0,
            durations_s: durs,
            bits,
            ends_after_horizon: false,
            throughput_bps: 2.5e6,
            latency_s: 0.05,
            scenarios: scen,
            rebuffer_penalty: 4.3,
            switch_penalty: 1.0,
            buffer_value: 1.0,
            buffer_value_scale_s: 0.0,
            fragments_after_horizon: None,
            scale_by_remaining: false,
            terminal_switch: false,
            adaptive_tail: false,
        }
    }

    #[test]
    fn steady_link_picks_the_sustainable_level() {
        let durs = [2.0; 5];
        let bits = bits_for(5, 2.0);
        let scen = [1.0];
        let mut i = input(&bits, &durs, &scen);
        i.last_level = Some(2);
        let p = plan(&i).map(|p| p.level);
        assert_eq!(p, Some(2));
    }

    #[test]
    fn empty_buffer_and_slow_link_go_low() {
        let durs = [2.0; 5];
        let bits = bits_for(5, 2.0);
        let scen = [0.5, 1.0, 1.5];
        let mut i = input(&bits, &durs, &scen);
        i.buffer_s = 0.5;
        i.throughput_bps = 0.8e6;
        i.last_level = Some(3);
        assert_eq!(plan(&i).map(|p| p.level), Some(0));
    }

    #[test]
    fn cap_is_respected() {
        let durs = [2.0; 5];
        let bits = bits_for(5, 2.0);
        let scen = [1.0];
        let mut i = input(&bits, &durs, &scen);
        i.throughput_bps = 100e6;
        i.max_level = 1;
        assert_eq!(plan(&i).map(|p| p.level), Some(1));
    }

    #[test]
    fn end_of_presentation_spends_the_buffer() {
        let durs = [2.0; 2];
        let bits = bits_for(2, 2.0);
        let scen = [1.0];
        let mut i = input(&bits, &durs, &scen);
        i.buffer_s = 25.0;
        i.throughput_bps = 1.5e6;
        i.ends_after_horizon = true;
        assert_eq!(plan(&i).map(|p| p.level), Some(3));
        i.ends_after_horizon = false;
        i.buffer_s = 3.0;
        assert!(plan(&i).map_or(3, |p| p.level) < 3);
    }

    #[test]
    fn wider_error_spread_is_more_cautious() {
        let durs = [2.0; 5];
        let bits = bits_for(5, 2.0);
        let narrow = [0.95, 1.0, 1.05];
        let wide = [0.3, 1.0, 1.7];
        let mut i = input(&bits, &durs, &narrow);
        i.buffer_s = 4.0;
        i.throughput_bps = 2.2e6;
        let a = plan(&i).map_or(0, |p| p.level);
        i.scenarios = &wide;
        let b = plan(&i).map_or(9, |p| p.level);
        assert!(b < a, "narrow {a} wide {b}");
    }

    #[test]
    fn inconsistent_input_gives_none() {
        let durs = [2.0; 5];
        let bits = bits_for(1, 2.0);
        let scen = [1.0];
        assert_eq!(plan(&input(&bits, &durs, &scen)), None);
    }
}
