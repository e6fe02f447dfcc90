//! The ABR controller: observations in, a level and a reason out. Sans-IO: time is an input.

use super::abandon::{self, AbandonParams, InFlight};
use super::config::AbrConfig;
use super::cpu::{CpuGovernor, DecoderObservation};
use super::decision::{Decision, DecisionContext, DownloadObservation, Reason, UserCaps};
use super::estimator::BandwidthEstimator;
use super::level::Level;
use super::planner::{self, PlanInput};

/// A ladder the controller cannot work with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AbrError {
    /// No levels at all.
    #[error("ABR ladder is empty")]
    NoLevels,
    /// Bitrates must not decrease, and must be positive.
    #[error(
        "ABR ladder level {index}: bitrate {bitrate_bps} bit/s is zero or below the previous level's"
    )]
    BadBitrate {
        /// Index of the offending level.
        index: usize,
        /// Its bitrate.
        bitrate_bps: u64,
    },
}

/// Fragment duration assumed before any is known.
const DEFAULT_FRAGMENT_S: f64 = 2.0;

/// Adaptive bitrate controller for one stream (video); see the module docs.
#[derive(Debug, Clone)]
pub struct Controller {
    levels: Vec<Level>,
    utilities: Vec<f64>,
    costs: Vec<f64>,
    cfg: AbrConfig,
    estimator: BandwidthEstimator,
    cpu: CpuGovernor,
    viewport: Option<(u32, u32)>,
    caps: UserCaps,
    manual: Option<usize>,
    last_level: Option<usize>,
    last_duration_s: f64,
    error_until_s: Vec<f64>,
    error_backoff_s: Vec<f64>,
    scratch_bits: Vec<f64>,
    scratch_durs: Vec<f64>,
    scenarios: Vec<f64>,
    rebuffered: bool,
    /// The live latency target of the last decision (it bounds the buffer).
    live_target_s: Option<f64>,
}

impl Controller {
    /// A controller for `levels` (ascending bitrate).
    pub fn new(levels: Vec<Level>, cfg: AbrConfig) -> Result<Self, AbrError> {
        if levels.is_empty() {
            return Err(AbrError::NoLevels);
        }
        let mut prev = 0;
        for (index, l) in levels.iter().enumerate() {
            if l.bitrate_bps == 0 || l.bitrate_bps < prev {
                return Err(AbrError::BadBitrate {
                    index,
                    bitrate_bps: l.bitrate_bps,
                });
            }
            prev = l.bitrate_bps;
        }
        let n = levels.len();
        Ok(Controller {
            utilities: levels.iter().map(Level::mbps).collect(),
            costs: levels.iter().map(Level::decode_cost).collect(),
            estimator: BandwidthEstimator::new(cfg.estimator.clone()),
            cpu: CpuGovernor::new(cfg.cpu.clone()),
            scenarios: vec![1.0; cfg.scenarios.clamp(1, 15)],
            levels,
            cfg,
            viewport: None,
            caps: UserCaps::default(),
            manual: None,
            last_level: None,
            last_duration_s: DEFAULT_FRAGMENT_S,
            error_until_s: vec![f64::NEG_INFINITY; n],
            error_backoff_s: vec![0.0; n],
            rebuffered: false,
            live_target_s: None,
            scratch_bits: Vec::new(),
            scratch_durs: Vec::new(),
        })
    }

    /// The ladder.
    pub fn levels(&self) -> &[Level] {
        &self.levels
    }

    /// Current throughput prediction (bit/s), or the startup estimate before any sample.
    pub fn bandwidth_estimate_bps(&self) -> f64 {
        self.estimator
            .prediction_bps()
            .unwrap_or_else(|| self.startup_bps())
    }

    fn startup_bps(&self) -> f64 {
        self.cfg
            .initial_bandwidth_bps
            .filter(|b| b.is_finite() && *b > 0.0)
            .unwrap_or(self.cfg.conservative_bandwidth_bps)
            .max(1.0)
    }

    /// Records a finished or abandoned download.
    pub fn on_download(&mut self, obs: &DownloadObservation) {
        let ttfb = if obs.ttfb_s.is_finite() {
            obs.ttfb_s.clamp(0.0, obs.total_s.max(0.0))
        } else {
            0.0
        };
        self.estimator.add(obs.bytes, ttfb, obs.total_s - ttfb);
        if !obs.abandoned && obs.level < self.levels.len() {
            self.last_level = Some(obs.level);
            if let Some(b) = self.error_backoff_s.get_mut(obs.level) {
                *b = 0.0;
            }
        }
        if obs.duration_s.is_finite() && obs.duration_s > 0.0 {
            self.last_duration_s = obs.duration_s;
        }
    }

    /// Records a download that failed at `level`: the level and those above it are avoided
    /// for a back-off that doubles while errors repeat.
    pub fn on_error(&mut self, level: usize, now_s: f64) {
        let base = self.cfg.error_backoff_s;
        if let (Some(b), Some(u)) = (
            self.error_backoff_s.get_mut(level),
            self.error_until_s.get_mut(level),
        ) {
            *b = if *b > 0.0 {
                (*b * 2.0).min(base * 16.0)
            } else {
                base
            };
            *u = now_s + *b;
        }
    }

    /// Records a playback stall: the next decision that does not go up reports "buffer".
    /// (The planner itself already sees the empty buffer in the decision context.)
    pub fn on_rebuffer(&mut self, stall_s: f64, _now_s: f64) {
        if stall_s > 0.0 {
            self.rebuffered = true;
        }
    }

    /// Records decoder health for the level being played.
    pub fn on_decoder(&mut self, obs: &DecoderObservation) {
        self.cpu.observe(obs, &self.costs);
    }

    /// Sets the size of the surface the video is shown on (`None`: unknown, no cap).
    pub fn set_viewport(&mut self, size: Option<(u32, u32)>) {
        self.viewport = size;
    }

    /// Sets the user caps.
    pub fn set_caps(&mut self, caps: UserCaps) {
        self.caps = caps;
    }

    /// Forces a level (`None` returns to automatic selection).
    pub fn set_manual(&mut self, level: Option<usize>) {
        self.manual = level;
    }

    /// The highest level allowed by caps, and the reason of the tightest one.
    /// Live, the buffer can never grow past the latency target: a drop in throughput finds
    /// little to spend, so levels are kept well within the predicted throughput.
    fn live_ceiling(
        &self,
        (top, reason): (usize, Option<Reason>),
        startup: bool,
    ) -> (usize, Option<Reason>) {
        let Some(target) = self.live_target_s else {
            return (top, reason);
        };
        if startup || target >= self.cfg.buffer_capacity_s {
            return (top, reason);
        }
        let allowed = self.cfg.live_throughput_margin * self.bandwidth_estimate_bps();
        let within = (0..=top)
            .rev()
            .find(|&i| {
                self.levels
                    .get(i)
                    .is_some_and(|l| l.bitrate_bps as f64 <= allowed)
            })
            .unwrap_or(0);
        if within < top {
            (within, Some(Reason::Bandwidth))
        } else {
            (top, reason)
        }
    }

    /// The highest level the decoder keeps up with, when the CPU governor caps it.
    pub fn cpu_ceiling(&self) -> Option<usize> {
        let cap = self.cpu.cap_cost()?;
        Some(
            (0..self.levels.len())
                .rev()
                .find(|&i| self.levels[i].decode_cost() <= cap)
                .unwrap_or(0),
        )
    }

    fn ceiling(&self, now_s: f64) -> (usize, Option<Reason>) {
        let n = self.levels.len();
        let mut top = n - 1;
        let mut reason = None;
        let mut tighten = |allowed: &dyn Fn(&Level, usize) -> bool, why: Reason| {
            let t = (0..n)
                .rev()
                .find(|&i| self.levels.get(i).is_some_and(|l| allowed(l, i)))
                .unwrap_or(0);
            if t < top {
                top = t;
                reason = Some(why);
            }
        };
        let caps = self.caps;
        tighten(
            &|l, _| {
                caps.max_bitrate_bps.is_none_or(|m| l.bitrate_bps <= m)
                    && caps.max_width.is_none_or(|m| l.width <= m)
                    && caps.max_height.is_none_or(|m| l.height <= m)
            },
            Reason::Manual,
        );
        if let Some((vw, vh)) = self.viewport {
            let f = self.cfg.viewport_factor.max(0.0);
            tighten(
                &|l, _| {
                    f64::from(l.width) <= f64::from(vw) * f
                        && f64::from(l.height) <= f64::from(vh) * f
                },
                Reason::Viewport,
            );
        }
        if let Some(cap) = self.cpu.cap_cost() {
            tighten(&|l, _| l.decode_cost() <= cap, Reason::Cpu);
        }
        let first_banned = self.error_until_s.iter().position(|u| now_s < *u);
        if let Some(b) = first_banned {
            tighten(&|_, i| i < b, Reason::Error);
        }
        (top, reason)
    }

    /// Chooses the level of the next fragment.
    pub fn next_level(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        let n = self.levels.len();
        if let Some(m) = self.manual {
            let level = m.min(n - 1);
            self.last_level = Some(level);
            return Decision {
                level,
                reason: Reason::Manual,
            };
        }
        let startup = self.estimator.sample_count() == 0;
        self.live_target_s = ctx
            .live_latency_target_s
            .filter(|t| t.is_finite() && *t > 0.0);
        let (top, cap_reason) = self.live_ceiling(self.ceiling(ctx.now_s), startup);
        let throughput = self.bandwidth_estimate_bps();
        self.fill_horizon(ctx);
        self.estimator.error_quantiles(&mut self.scenarios);
        let cap_s = ctx
            .live_latency_target_s
            .filter(|t| t.is_finite() && *t > 0.0)
            .map_or(self.cfg.buffer_capacity_s, |t| {
                t.min(self.cfg.buffer_capacity_s)
            });
        let ends = ctx
            .remaining_fragments
            .is_some_and(|r| r <= self.scratch_durs.len());
        let mut input = PlanInput {
            utilities: &self.utilities,
            max_level: n - 1,
            last_level: self.last_level,
            buffer_s: if ctx.buffer_s.is_finite() {
                ctx.buffer_s.max(0.0)
            } else {
                0.0
            },
            buffer_cap_s: cap_s,
            durations_s: &self.scratch_durs,
            bits: &self.scratch_bits,
            ends_after_horizon: ends,
            throughput_bps: throughput,
            latency_s: self.estimator.latency_s(),
            scenarios: &self.scenarios,
            rebuffer_penalty: self.cfg.rebuffer_penalty,
            switch_penalty: self.cfg.switch_penalty,
            buffer_value: self.cfg.buffer_value,
            buffer_value_scale_s: self.cfg.buffer_value_scale_s,
            fragments_after_horizon: ctx
                .remaining_fragments
                .map(|r| r.saturating_sub(self.scratch_durs.len())),
            scale_by_remaining: self.cfg.scale_by_remaining,
            terminal_switch: self.cfg.terminal_switch,
            adaptive_tail: self.cfg.adaptive_tail,
        };
        let free = planner::plan(&input).map_or(0, |p| p.level);
        let (level, reason) = if free > top {
            input.max_level = top;
            let capped = planner::plan(&input).map_or(0, |p| p.level);
            (capped, cap_reason.unwrap_or(Reason::Bandwidth))
        } else if startup {
            (free, Reason::Startup)
        } else if self.rebuffered && self.last_level.is_some_and(|l| free <= l) {
            (free, Reason::Buffer)
        } else {
            (free, self.network_reason(free, throughput))
        };
        self.rebuffered = false;
        self.last_level = Some(level);
        Decision { level, reason }
    }

    /// "buffer" when the choice departs from the throughput-sustainable level because of
    /// the buffer (spending it above, protecting it below), else "bandwidth".
    fn network_reason(&self, level: usize, throughput: f64) -> Reason {
        let sustainable = self
            .levels
            .iter()
            .rposition(|l| (l.bitrate_bps as f64) <= throughput)
            .unwrap_or(0);
        let changed_down = self.last_level.is_some_and(|l| level < l);
        if level > sustainable || (changed_down && level < sustainable) {
            Reason::Buffer
        } else {
            Reason::Bandwidth
        }
    }

    /// Fills the scratch horizon: given fragments, then the last duration repeated.
    fn fill_horizon(&mut self, ctx: &DecisionContext<'_>) {
        let n = self.levels.len();
        let horizon = self.cfg.horizon.clamp(1, 32);
        let len = ctx
            .remaining_fragments
            .map_or(horizon, |r| r.clamp(1, horizon));
        self.scratch_durs.clear();
        self.scratch_bits.clear();
        let mut dur = ctx
            .upcoming
            .first()
            .map_or(self.last_duration_s, |u| u.duration_s);
        for step in 0..len {
            let up = ctx.upcoming.get(step);
            if let Some(u) = up.filter(|u| u.duration_s.is_finite() && u.duration_s > 0.0) {
                dur = u.duration_s;
            }
            if !(dur.is_finite() && dur > 0.0) {
                dur = DEFAULT_FRAGMENT_S;
            }
            self.scratch_durs.push(dur);
            let sizes = up.and_then(|u| u.sizes_bytes).filter(|s| s.len() >= n);
            for (i, l) in self.levels.iter().enumerate() {
                let bits = sizes
                    .and_then(|s| s.get(i))
                    .map_or(l.bitrate_bps as f64 * dur, |b| *b as f64 * 8.0);
                self.scratch_bits.push(bits);
            }
        }
    }

    /// Whether to cancel an in-flight download, and the level to refetch at.
    pub fn should_abandon(&self, flight: &InFlight, sizes_bytes: Option<&[u64]>) -> Option<usize> {
        if !self.cfg.abandonment || self.manual.is_some() {
            return None;
        }
        let rates: Vec<u64> = self.levels.iter().map(|l| l.bitrate_bps).collect();
        let sizes: Vec<f64> = match sizes_bytes.filter(|s| s.len() >= rates.len()) {
            Some(s) => s.iter().map(|b| *b as f64).collect(),
            None => rates
                .iter()
                .map(|r| *r as f64 * flight.duration_s / 8.0)
                .collect(),
        };
        let min_elapsed_s = match self.live_target_s {
            Some(_) => self
                .cfg
                .live_abandon_min_elapsed_s
                .min(self.cfg.abandon_min_elapsed_s),
            None => self.cfg.abandon_min_elapsed_s,
        };
        let p = AbandonParams {
            rebuffer_penalty: self.cfg.rebuffer_penalty,
            margin: self.cfg.abandon_margin,
            min_elapsed_s,
        };
        abandon::should_abandon(
            flight,
            &rates,
            &sizes,
            self.estimator.latency_s(),
            self.estimator.prediction_bps(),
            &p,
        )
    }
}
