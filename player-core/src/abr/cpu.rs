//! CPU awareness: cap the decode cost when the decoder cannot keep up, lift it with care.
//!
//! The governor watches the level being *decoded* (which lags the level being downloaded by
//! the buffer). When, over a window of a few seconds, the dropped-frame ratio or the
//! decode-time ratio (decode time per frame ÷ frame duration) exceeds its threshold, it
//! estimates the decoder's capacity from what it saw (cost × kept fraction, or cost ÷ decode
//! ratio) and caps the decode cost below it, so the next fragment goes straight to the highest
//! level the decoder sustains instead of stepping down one level per window.
//!
//! A decoder taking twice the frame duration or more is judged on a quarter of the evidence
//! (`early_coverage_s`): it drops nearly every picture, and each report it waits costs them.
//! (Decode times of a lower level do not predict a higher one on a busy machine: short
//! bursts of decoding run at full speed between other processes' time slices, sustained
//! decoding gets only its share, so the prediction errs low by an order of magnitude.)
//!
//! Lifting: when decode times are reported, the capacity measured at the capped level tells
//! whether a higher level fits; the cap is raised to it once `probe_interval_s` has passed
//! since the last change. Without decode times the governor can only probe blind, one level
//! up, after a hold-off that doubles each time a probe fails. A few percent of random drops
//! stay under the threshold and change nothing.

use std::collections::VecDeque;

/// Tuning of the CPU governor.
#[derive(Debug, Clone, PartialEq)]
pub struct CpuConfig {
    /// Window over which ratios are measured (seconds of playback).
    pub window_s: f64,
    /// Playback seconds the window must cover before a verdict.
    pub min_coverage_s: f64,
    /// Dropped-frame ratio at or above which the level is overloaded.
    pub drop_threshold: f64,
    /// Decode-time ratio at or above which the level is overloaded.
    pub decode_ratio_threshold: f64,
    /// Fraction of the estimated capacity a level may use.
    pub headroom: f64,
    /// Minimum time between two raises of the cap, and between a cap and its first raise.
    pub probe_interval_s: f64,
    /// Longest hold-off of blind probes.
    pub max_holdoff_s: f64,
    /// Playback seconds of pictures before a verdict on a decoder that takes twice the
    /// frame duration (no doubt needs less evidence than `min_coverage_s`).
    pub early_coverage_s: f64,
}

impl Default for CpuConfig {
    fn default() -> Self {
        CpuConfig {
            window_s: 2.0,
            min_coverage_s: 1.5,
            drop_threshold: 0.08,
            decode_ratio_threshold: 1.0,
            headroom: 0.9,
            probe_interval_s: 30.0,
            max_holdoff_s: 240.0,
            early_coverage_s: 0.5,
        }
    }
}

/// One report from the decoder: counts since the previous report, for one level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecoderObservation {
    /// Level of the frames decoded.
    pub level: usize,
    /// Frames decoded (shown or not) since the last report.
    pub frames_decoded: u64,
    /// Frames dropped (late or skipped) since the last report.
    pub frames_dropped: u64,
    /// Mean decode time per frame, when the decoder reports it.
    pub decode_time_per_frame_s: Option<f64>,
    /// Frame duration at this level (1 / fps).
    pub frame_duration_s: f64,
    /// Time of the report.
    pub now_s: f64,
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    level: usize,
    frames: f64,
    dropped: f64,
    decode_ratio: Option<f64>,
    span_s: f64,
    now_s: f64,
}

/// Tracks decoder health and keeps a decode-cost cap.
#[derive(Debug, Clone)]
pub struct CpuGovernor {
    cfg: CpuConfig,
    samples: VecDeque<Sample>,
    cap_cost: Option<f64>,
    last_change_s: f64,
    holdoff_s: f64,
    probing: bool,
}

impl CpuGovernor {
    /// A governor with no cap.
    pub fn new(cfg: CpuConfig) -> Self {
        CpuGovernor {
            holdoff_s: cfg.probe_interval_s,
            cfg,
            samples: VecDeque::new(),
            cap_cost: None,
            last_change_s: f64::NEG_INFINITY,
            probing: false,
        }
    }

    /// Highest decode cost (pixels/s) currently allowed, if capped.
    pub fn cap_cost(&self) -> Option<f64> {
        self.cap_cost
    }

    /// Feeds one decoder report; `costs` are the decode costs of the levels.
    pub fn observe(&mut self, obs: &DecoderObservation, costs: &[f64]) {
        let frames = (obs.frames_decoded + obs.frames_dropped) as f64;
        if frames <= 0.0 || !obs.now_s.is_finite() {
            return;
        }
        let frame_s = if obs.frame_duration_s > 0.0 {
            obs.frame_duration_s
        } else {
            1.0 / 30.0
        };
        let decode_ratio = obs
            .decode_time_per_frame_s
            .filter(|d| d.is_finite() && *d >= 0.0)
            .map(|d| d / frame_s);
        // A change of level restarts the window: ratios of two levels do not mix.
        if self.samples.back().is_some_and(|s| s.level != obs.level) {
            self.samples.clear();
        }
        self.samples.push_back(Sample {
            level: obs.level,
            frames,
            dropped: obs.frames_dropped as f64,
            decode_ratio,
            span_s: frames * frame_s,
            now_s: obs.now_s,
        });
        let horizon = obs.now_s - self.cfg.window_s;
        while self.samples.len() > 1 && self.samples.front().is_some_and(|s| s.now_s <= horizon) {
            self.samples.pop_front();
        }
        while self.samples.len() > 4096 {
            self.samples.pop_front();
        }
        self.evaluate(obs.level, costs, obs.now_s);
    }

    fn evaluate(&mut self, level: usize, costs: &[f64], now_s: f64) {
        let Some(&cost) = costs.get(level) else {
            return;
        };
        if cost <= 0.0 {
            return;
        }
        let span: f64 = self.samples.iter().map(|s| s.span_s).sum();
        if span < self.cfg.early_coverage_s.min(self.cfg.min_coverage_s) {
            return;
        }
        let frames: f64 = self.samples.iter().map(|s| s.frames).sum();
        let dropped: f64 = self.samples.iter().map(|s| s.dropped).sum();
        let drop_ratio = if frames > 0.0 { dropped / frames } else { 0.0 };
        let (ratio_sum, ratio_w) = self
            .samples
            .iter()
            .filter_map(|s| s.decode_ratio.map(|r| (r * s.frames, s.frames)))
            .fold((0.0, 0.0), |(a, b), (x, w)| (a + x, b + w));
        let decode_ratio = (ratio_w > 0.0).then(|| ratio_sum / ratio_w);
        let threshold = self.cfg.decode_ratio_threshold;
        let overloaded = if span >= self.cfg.min_coverage_s {
            drop_ratio >= self.cfg.drop_threshold || decode_ratio.is_some_and(|r| r >= threshold)
        } else {
            decode_ratio.is_some_and(|r| r >= 2.0 * threshold)
        };
        if overloaded {
            self.on_overload(cost, drop_ratio, decode_ratio, now_s);
            return;
        }
        if span < self.cfg.min_coverage_s {
            return;
        }
        self.lift(cost, costs, decode_ratio, now_s);
    }

    /// Caps below the capacity the overloaded level showed.
    fn on_overload(&mut self, cost: f64, drop_ratio: f64, decode_ratio: Option<f64>, now_s: f64) {
        let kept = cost * (1.0 - drop_ratio);
        let by_time = decode_ratio.filter(|r| *r > 0.0).map_or(kept, |r| cost / r);
        let capacity = kept.min(by_time);
        let new_cap = (capacity * self.cfg.headroom).min(cost * 0.999);
        if self.cap_cost.is_none_or(|c| new_cap < c) {
            self.holdoff_s = if self.probing {
                (self.holdoff_s * 2.0).min(self.cfg.max_holdoff_s)
            } else {
                self.cfg.probe_interval_s
            };
            self.cap_cost = Some(new_cap);
            self.last_change_s = now_s;
            self.probing = false;
            self.samples.clear();
        }
    }

    /// Raises a cap set by an overload once the interval has passed.
    fn lift(&mut self, cost: f64, costs: &[f64], decode_ratio: Option<f64>, now_s: f64) {
        let Some(cap) = self.cap_cost else {
            return;
        };
        if now_s - self.last_change_s < self.cfg.probe_interval_s {
            return;
        }
        if let Some(r) = decode_ratio.filter(|r| *r > 0.0) {
            // Measured headroom: raise straight to what the decoder showed it can do.
            let capacity = cost / r;
            let allowed = capacity * self.cfg.headroom;
            if allowed > cap * 1.0001 {
                let top = costs.iter().copied().fold(0.0, f64::max);
                self.cap_cost = (allowed < top).then_some(allowed);
                self.last_change_s = now_s;
                self.probing = false;
                self.holdoff_s = self.cfg.probe_interval_s;
            }
        } else if now_s - self.last_change_s >= self.holdoff_s {
            // Blind probe: allow the next level up.
            let next = costs
                .iter()
                .copied()
                .filter(|c| *c > cap)
                .fold(f64::INFINITY, f64::min);
            if next.is_finite() {
                self.cap_cost = Some(next);
                self.probing = true;
                self.last_change_s = now_s;
            } else {
                self.cap_cost = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COSTS: [f64; 4] = [1.0e6, 4.0e6, 9.0e6, 16.0e6];

    fn report(
        g: &mut CpuGovernor,
        level: usize,
        capacity: f64,
        t: f64,
        timed: bool,
        extra_drop: u64,
    ) {
        let cost = COSTS[level];
        let frames = 15u64; // 0.5 s at 30 fps
        let keep = (capacity / cost).min(1.0);
        let dropped = ((1.0 - keep) * frames as f64).round() as u64 + extra_drop;
        let obs = DecoderObservation {
            level,
            frames_decoded: frames - dropped.min(frames),
            frames_dropped: dropped.min(frames),
            decode_time_per_frame_s: timed.then_some(cost / capacity / 30.0),
            frame_duration_s: 1.0 / 30.0,
            now_s: t,
        };
        g.observe(&obs, &COSTS);
    }

    #[test]
    fn overload_caps_below_capacity_in_one_step() {
        let mut g = CpuGovernor::new(CpuConfig::default());
        let mut t = 0.0;
        while g.cap_cost().is_none() && t < 10.0 {
            report(&mut g, 3, 11.0e6, t, true, 0);
            t += 0.5;
        }
        let cap = g.cap_cost().unwrap_or(f64::MAX);
        assert!(t <= 2.5, "took {t} s to notice");
        assert!((COSTS[2]..11.0e6).contains(&cap), "cap {cap}");
    }

    #[test]
    fn a_decoder_at_three_times_real_time_is_capped_within_half_a_second() {
        let mut g = CpuGovernor::new(CpuConfig::default());
        let mut t = 0.0;
        // Small pictures decode fast (as short bursts do on a busy machine)...
        while t < 1.0 {
            report(&mut g, 0, 100.0e6, t, true, 0);
            t += 0.25;
        }
        assert_eq!(g.cap_cost(), None);
        // ...but the top level takes three times its frame duration: capped within half a
        // second of its pictures, not after the full window.
        let from = t;
        while g.cap_cost().is_none() && t < from + 5.0 {
            report(&mut g, 3, 16.0e6 / 3.0, t, true, 0);
            t += 0.25;
        }
        assert!(t - from <= 0.75, "took {} s", t - from);
        assert!(g.cap_cost().is_some_and(|c| c < 16.0e6 / 3.0));
        // That cap is held for the probe interval, whatever the small pictures say (their
        // bursts run at full speed between other processes' time slices).
        report(&mut g, 0, 100.0e6, t, true, 0);
        assert!(g.cap_cost().is_some());
    }

    #[test]
    fn random_drops_do_not_cap() {
        let mut g = CpuGovernor::new(CpuConfig::default());
        for i in 0..200 {
            // 1 drop in 60 frames: 1.7 %
            report(
                &mut g,
                3,
                100.0e6,
                f64::from(i) * 0.5,
                false,
                u64::from(i % 4 == 0),
            );
        }
        assert_eq!(g.cap_cost(), None);
    }

    #[test]
    fn measured_headroom_lifts_the_cap_after_the_interval() {
        let mut g = CpuGovernor::new(CpuConfig::default());
        let mut t = 0.0;
        while g.cap_cost().is_none() {
            report(&mut g, 3, 6.0e6, t, true, 0);
            t += 0.5;
        }
        let capped_at = t;
        // Still loaded: the capped level reports the same capacity; no raise.
        while t < capped_at + 40.0 {
            report(&mut g, 1, 6.0e6, t, true, 0);
            t += 0.5;
        }
        assert!(g.cap_cost().is_some_and(|c| c < COSTS[2]));
        // Load ends: decoder is fast again; the cap goes within one interval.
        let end = t;
        while g.cap_cost().is_some() && t < end + 60.0 {
            report(&mut g, 1, 100.0e6, t, true, 0);
            t += 0.5;
        }
        assert_eq!(g.cap_cost(), None, "cap never lifted");
        assert!(t - end <= 31.0, "lifted after {} s", t - end);
    }

    #[test]
    fn blind_probes_back_off() {
        let mut g = CpuGovernor::new(CpuConfig::default());
        let mut t = 0.0;
        let mut raises = Vec::new();
        let mut last = None;
        while t < 400.0 {
            let cap = g.cap_cost();
            let level = COSTS
                .iter()
                .rposition(|c| cap.is_none_or(|k| *c <= k))
                .unwrap_or(0);
            report(&mut g, level, 5.0e6, t, false, 0);
            if let (Some(a), Some(b)) = (last, g.cap_cost())
                && b > a
            {
                raises.push(t);
            }
            last = g.cap_cost();
            t += 0.5;
        }
        assert!(raises.len() >= 2, "{raises:?}");
        for w in raises.windows(2) {
            assert!(w[1] - w[0] >= 30.0, "{raises:?}");
        }
        assert!(
            raises[1] - raises[0] >= 60.0,
            "hold-off did not grow: {raises:?}"
        );
    }
}
