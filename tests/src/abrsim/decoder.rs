//! A time-stepped player model for CPU-awareness and player-flow tests: network (with
//! abandonment of downloads that would stall), buffer, playback and a decoder whose capacity
//! can change over time.
//!
//! Each level costs width × height × fps pixels per second; a decoder of capacity C keeps
//! up with a level of cost c when c ≤ C and otherwise drops the fraction 1 − C/c of its
//! frames; its decode time per frame is the frame duration × c/C. On top, each frame may be
//! dropped at random with a fixed probability (seeded), as a busy desktop does.

use player_core::abr::{
    AbrConfig, Controller, Decision, DecisionContext, DecoderObservation, DownloadObservation,
    InFlight, Level, Reason, Upcoming,
};

use super::trace::SplitMix64;

/// Scenario of a CPU test run.
pub struct CpuScenario<'a> {
    /// The ladder (with sizes and frame rates).
    pub levels: Vec<Level>,
    /// Link throughput at time t (Mbit/s).
    pub network_mbps: &'a dyn Fn(f64) -> f64,
    /// Decoder capacity at time t (pixels/s); `None`: the decoder is never reported.
    pub capacity: Option<&'a dyn Fn(f64) -> f64>,
    /// Probability that any frame is dropped at random.
    pub random_drop: f64,
    /// Seed of the random drops.
    pub seed: u64,
    /// Fragment duration (seconds).
    pub fragment_s: f64,
    /// Session length (seconds of virtual time).
    pub duration_s: f64,
    /// Controller configuration.
    pub config: AbrConfig,
}

/// Decoder activity over one playback tick.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlaybackTick {
    /// Time at the end of the tick.
    pub t: f64,
    /// Level played.
    pub level: usize,
    /// Frames in the tick.
    pub frames: u64,
    /// Frames dropped.
    pub dropped: u64,
}

/// What happened in a run.
#[derive(Debug, Clone, Default)]
pub struct CpuRun {
    /// Decisions: time, level, reason.
    pub decisions: Vec<(f64, Decision)>,
    /// Playback ticks.
    pub ticks: Vec<PlaybackTick>,
    /// Stall seconds.
    pub stall_s: f64,
    /// Downloads abandoned and refetched lower.
    pub abandoned: u32,
}

impl CpuRun {
    /// Dropped-frame ratio over ticks ending in `[from, to)`.
    pub fn drop_ratio(&self, from: f64, to: f64) -> f64 {
        let (f, d) = self
            .ticks
            .iter()
            .filter(|t| t.t >= from && t.t < to)
            .fold((0u64, 0u64), |(f, d), t| (f + t.frames, d + t.dropped));
        if f == 0 { 0.0 } else { d as f64 / f as f64 }
    }

    /// Decisions made in `[from, to)`.
    pub fn decisions_between(&self, from: f64, to: f64) -> Vec<(f64, Decision)> {
        self.decisions
            .iter()
            .copied()
            .filter(|(t, _)| *t >= from && *t < to)
            .collect()
    }

    /// Times of decisions going up while the reason is, or just was, the CPU.
    pub fn upward_probes(&self) -> Vec<f64> {
        let mut out = Vec::new();
        let mut capped = false;
        for w in self.decisions.windows(2) {
            let (prev, next) = (w[0].1, w[1].1);
            capped |= prev.reason == Reason::Cpu;
            if capped && next.level > prev.level {
                out.push(w[1].0);
            }
        }
        out
    }
}

const TICK_S: f64 = 0.1;
const REPORT_S: f64 = 0.5;
const BUFFER_CAP_S: f64 = 30.0;
const LATENCY_S: f64 = 0.05;

/// Runs the scenario; `None` when the ladder is unusable.
pub fn run_cpu(s: &CpuScenario<'_>) -> Option<CpuRun> {
    let cfg = AbrConfig {
        buffer_capacity_s: BUFFER_CAP_S,
        ..s.config.clone()
    };
    let mut c = Controller::new(s.levels.clone(), cfg).ok()?;
    let mut rng = SplitMix64(s.seed);
    let mut run = CpuRun::default();
    let mut queue: std::collections::VecDeque<(usize, f64)> = std::collections::VecDeque::new();
    let mut buffer = 0.0;
    let mut playing = false;
    // In flight: level, bytes total, bytes received, start time.
    let mut flight: Option<(usize, f64, f64, f64)> = None;
    let mut acc = (0usize, 0u64, 0u64, 0.0f64); // level, frames, dropped, frame debt
    let mut since_report = 0.0;
    let mut t = 0.0;
    let upcoming = [Upcoming {
        duration_s: s.fragment_s,
        sizes_bytes: None,
    }];
    while t < s.duration_s {
        if flight.is_none() && buffer + s.fragment_s <= BUFFER_CAP_S + 1e-9 {
            let d = c.next_level(&DecisionContext {
                now_s: t,
                buffer_s: buffer,
                upcoming: &upcoming,
                remaining_fragments: None,
                live_latency_target_s: None,
            });
            run.decisions.push((t, d));
            let bytes = c
                .levels()
                .get(d.level)
                .map_or(0.0, |l| l.bitrate_bps as f64 * s.fragment_s / 8.0);
            flight = Some((d.level, bytes, 0.0, t));
        }
        t += TICK_S;
        if let Some((level, total, got, start)) = flight.as_mut() {
            if t - *start > LATENCY_S {
                *got += (s.network_mbps)(t) * 1e6 / 8.0 * TICK_S;
            }
            let abandon = c.should_abandon(
                &InFlight {
                    level: *level,
                    bytes_received: *got as u64,
                    bytes_expected: Some(*total as u64),
                    elapsed_s: t - *start,
                    duration_s: s.fragment_s,
                    buffer_s: buffer,
                },
                None,
            );
            if let Some(lower) = abandon.filter(|_| *got < *total) {
                c.on_download(&DownloadObservation {
                    level: *level,
                    bytes: *got as u64,
                    ttfb_s: LATENCY_S,
                    total_s: t - *start,
                    duration_s: s.fragment_s,
                    abandoned: true,
                    now_s: t,
                });
                run.abandoned += 1;
                let bytes = c
                    .levels()
                    .get(lower)
                    .map_or(0.0, |l| l.bitrate_bps as f64 * s.fragment_s / 8.0);
                *level = lower;
                *total = bytes;
                *got = 0.0;
                *start = t;
            } else if *got >= *total {
                c.on_download(&DownloadObservation {
                    level: *level,
                    bytes: *total as u64,
                    ttfb_s: LATENCY_S,
                    total_s: t - *start,
                    duration_s: s.fragment_s,
                    abandoned: false,
                    now_s: t,
                });
                queue.push_back((*level, s.fragment_s));
                buffer += s.fragment_s;
                flight = None;
            }
        }
        playing |= buffer >= s.fragment_s;
        if !playing {
            continue;
        }
        let Some(front) = queue.front_mut() else {
            run.stall_s += TICK_S;
            continue;
        };
        let level = front.0;
        front.1 -= TICK_S;
        buffer = (buffer - TICK_S).max(0.0);
        if front.1 <= 1e-9 {
            queue.pop_front();
        }
        let Some(l) = c.levels().get(level).copied() else {
            continue;
        };
        let fps = if l.fps > 0.0 { l.fps } else { 30.0 };
        if acc.0 != level {
            acc = (level, 0, 0, 0.0);
        }
        acc.3 += fps * TICK_S;
        let frames = acc.3.floor() as u64;
        acc.3 -= frames as f64;
        let cap = s.capacity.map_or(f64::INFINITY, |f| f(t));
        let keep = (cap / l.decode_cost().max(1.0)).min(1.0);
        let overload = ((1.0 - keep) * frames as f64).round() as u64;
        let random = (overload..frames)
            .filter(|_| rng.next_f64() < s.random_drop)
            .count() as u64;
        let dropped = overload + random;
        run.ticks.push(PlaybackTick {
            t,
            level,
            frames,
            dropped,
        });
        acc.1 += frames;
        acc.2 += dropped;
        since_report += TICK_S;
        if since_report >= REPORT_S - 1e-9 {
            if s.capacity.is_some() {
                c.on_decoder(&DecoderObservation {
                    level,
                    frames_decoded: acc.1 - acc.2,
                    frames_dropped: acc.2,
                    decode_time_per_frame_s: Some(l.decode_cost() / cap / fps),
                    frame_duration_s: 1.0 / fps,
                    now_s: t,
                });
            }
            acc.1 = 0;
            acc.2 = 0;
            since_report = 0.0;
        }
    }
    Some(run)
}

/// A 240p–1080p ladder at 30 fps.
pub fn hd_ladder() -> Vec<Level> {
    [
        (400_000, 426, 240),
        (800_000, 640, 360),
        (1_400_000, 960, 540),
        (2_500_000, 1280, 720),
        (5_000_000, 1920, 1080),
    ]
    .iter()
    .map(|&(b, w, h)| Level {
        bitrate_bps: b,
        width: w,
        height: h,
        fps: 30.0,
    })
    .collect()
}
