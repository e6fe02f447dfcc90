//! Our heuristic in the simulator: `player_core::abr::Controller`, fed exactly what the
//! `abr-eval stdio` protocol carries (level, bytes, download time with latency, buffer).

use player_core::abr::{
    AbrConfig, Controller, DecisionContext, DownloadObservation, InFlight, Level, Upcoming,
};

use crate::abrsim::session::{Algorithm, Observation, Progress};
use crate::abrsim::video::Video;

/// Adapter from the simulator to the player's controller.
#[derive(Debug, Default)]
pub struct Ours {
    /// Configuration template (the buffer capacity is set per session).
    pub config: AbrConfig,
    controller: Option<Controller>,
    /// Sizes and duration of the chunk being downloaded, for abandonment.
    current: (Vec<u64>, f64),
}

impl Ours {
    /// With a custom configuration (for tuning).
    pub fn with_config(config: AbrConfig) -> Self {
        Ours {
            config,
            controller: None,
            current: (Vec::new(), 0.0),
        }
    }
}

impl Algorithm for Ours {
    fn name(&self) -> &str {
        "ours"
    }

    fn start(&mut self, video: &Video, buffer_cap_s: f64) {
        let levels = video
            .bitrates_bps
            .iter()
            .map(|b| Level::from_bitrate(*b))
            .collect();
        let cfg = AbrConfig {
            buffer_capacity_s: buffer_cap_s,
            ..self.config.clone()
        };
        self.controller = Controller::new(levels, cfg).ok();
    }

    fn choose(&mut self, obs: &Observation<'_>) -> usize {
        let Some(c) = self.controller.as_mut() else {
            return 0;
        };
        if let Some(l) = obs.last {
            c.on_download(&DownloadObservation {
                level: l.level,
                bytes: l.bytes,
                ttfb_s: 0.0,
                total_s: l.download_s,
                duration_s: obs.video.duration(obs.chunk_index.saturating_sub(1)),
                abandoned: false,
                now_s: obs.now_s,
            });
        }
        let k = obs.chunk_index;
        self.current = (
            obs.video.sizes_bytes.get(k).cloned().unwrap_or_default(),
            obs.video.duration(k),
        );
        decide(c, obs.video, k, obs.buffer_s, obs.now_s)
    }

    fn can_abandon(&self) -> bool {
        true
    }

    fn abandon(&mut self, p: &Progress) -> Option<usize> {
        let c = self.controller.as_mut()?;
        let f = InFlight {
            level: p.level,
            bytes_received: p.bytes_received,
            bytes_expected: Some(p.bytes_expected),
            elapsed_s: p.elapsed_s,
            duration_s: self.current.1,
            buffer_s: p.buffer_s,
        };
        let new = c.should_abandon(&f, Some(&self.current.0))?;
        c.on_download(&DownloadObservation {
            level: p.level,
            bytes: p.bytes_received,
            ttfb_s: 0.0,
            total_s: p.elapsed_s,
            duration_s: 0.0,
            abandoned: true,
            now_s: p.now_s,
        });
        Some(new)
    }
}

/// One decision of the controller for chunk `k` of `video` (shared with `abr-eval stdio`).
pub fn decide(c: &mut Controller, video: &Video, k: usize, buffer_s: f64, now_s: f64) -> usize {
    let end = video.chunks().min(k + 8);
    let upcoming: Vec<Upcoming<'_>> = (k..end)
        .map(|i| Upcoming {
            duration_s: video.duration(i),
            sizes_bytes: video.sizes_bytes.get(i).map(Vec::as_slice),
        })
        .collect();
    let ctx = DecisionContext {
        now_s,
        buffer_s,
        upcoming: &upcoming,
        remaining_fragments: Some(video.chunks().saturating_sub(k)),
        live_latency_target_s: None,
    };
    c.next_level(&ctx).level
}

/// Applies one `key=value` override to our configuration (for `abr-eval run --ours`).
pub fn apply_override(cfg: &mut AbrConfig, spec: &str) -> Result<(), String> {
    let (key, value) = spec
        .split_once('=')
        .ok_or_else(|| format!("override {spec:?} is not key=value"))?;
    let num = || {
        value
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("override {key}: {value:?} is not a number"))
    };
    let count = || num().map(|v| v.clamp(1.0, 64.0) as usize);
    let flag = || match value {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(format!("override {key}: {value:?} is not true/false")),
    };
    match key {
        "buffer_value" => cfg.buffer_value = num()?,
        "buffer_scale" => cfg.buffer_value_scale_s = num()?,
        "adaptive_tail" => cfg.adaptive_tail = flag()?,
        "scale_by_remaining" => cfg.scale_by_remaining = flag()?,
        "terminal_switch" => cfg.terminal_switch = flag()?,
        "horizon" => cfg.horizon = count()?,
        "scenarios" => cfg.scenarios = count()?,
        "switch_penalty" => cfg.switch_penalty = num()?,
        "rebuffer_penalty" => cfg.rebuffer_penalty = num()?,
        "conservative_bps" => cfg.conservative_bandwidth_bps = num()?,
        "abandonment" => cfg.abandonment = flag()?,
        "abandon_margin" => cfg.abandon_margin = num()?,
        "prior_log_sd" => cfg.estimator.prior_log_sd = num()?,
        "error_window" => cfg.estimator.error_window = count()?,
        "harmonic_window" => cfg.estimator.harmonic_window = count()?,
        "fast_half_life" => cfg.estimator.fast_half_life_s = num()?,
        "slow_half_life" => cfg.estimator.slow_half_life_s = num()?,
        "recent_worst" => cfg.estimator.recent_worst = num()?.clamp(0.0, 64.0) as usize,
        "extreme_quantiles" => cfg.estimator.extreme_quantiles = flag()?,
        _ => return Err(format!("unknown override key {key:?}")),
    }
    Ok(())
}
