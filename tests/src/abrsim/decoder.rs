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

use std::collections::VecDeque;

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
    let mut sim = CpuSim {
        s,
        c: Controller::new(s.levels.clone(), cfg).ok()?,
        rng: SplitMix64(s.seed),
        run: CpuRun::default(),
        queue: VecDeque::new(),
        buffer: 0.0,
        playing: false,
        flight: None,
        tally: Tally::default(),
        since_report: 0.0,
    };
    let upcoming = [Upcoming {
        duration_s: s.fragment_s,
        sizes_bytes: None,
    }];
    let mut t = 0.0;
    while t < s.duration_s {
        if sim.flight.is_none() && sim.buffer + s.fragment_s <= BUFFER_CAP_S + 1e-9 {
            sim.request(t, &upcoming);
        }
        t += TICK_S;
        sim.download(t);
        sim.playing |= sim.buffer >= s.fragment_s;
        if sim.playing {
            sim.play(t);
        }
    }
    Some(sim.run)
}

/// A fragment being downloaded.
struct Flight {
    level: usize,
    /// Its size.
    total: f64,
    /// Bytes received so far.
    got: f64,
    /// When it was requested.
    start: f64,
}

/// Frames played at one level since the last decoder report.
#[derive(Default)]
struct Tally {
    level: usize,
    frames: u64,
    dropped: u64,
    /// The fraction of a frame carried to the next tick.
    debt: f64,
}

/// Bytes of one fragment of `fragment_s` seconds at `level`.
fn fragment_bytes(c: &Controller, level: usize, fragment_s: f64) -> f64 {
    c.levels()
        .get(level)
        .map_or(0.0, |l| l.bitrate_bps as f64 * fragment_s / 8.0)
}

/// The model's state between ticks.
struct CpuSim<'s, 'a> {
    s: &'s CpuScenario<'a>,
    c: Controller,
    rng: SplitMix64,
    run: CpuRun,
    /// Fragments buffered: level, seconds left to play.
    queue: VecDeque<(usize, f64)>,
    buffer: f64,
    playing: bool,
    flight: Option<Flight>,
    tally: Tally,
    since_report: f64,
}

impl CpuSim<'_, '_> {
    /// Asks the controller for the next fragment's level and starts its download.
    fn request(&mut self, t: f64, upcoming: &[Upcoming]) {
        let d = self.c.next_level(&DecisionContext {
            now_s: t,
            buffer_s: self.buffer,
            upcoming,
            remaining_fragments: None,
            live_latency_target_s: None,
        });
        self.run.decisions.push((t, d));
        self.flight = Some(Flight {
            level: d.level,
            total: fragment_bytes(&self.c, d.level, self.s.fragment_s),
            got: 0.0,
            start: t,
        });
    }

    /// One tick of the download in flight: bytes arrive after the latency; the controller
    /// may abandon it for a lower level; a complete fragment joins the buffer.
    fn download(&mut self, t: f64) {
        let s = self.s;
        let Some(f) = self.flight.as_mut() else {
            return;
        };
        if t - f.start > LATENCY_S {
            f.got += (s.network_mbps)(t) * 1e6 / 8.0 * TICK_S;
        }
        let abandon = self.c.should_abandon(
            &InFlight {
                level: f.level,
                bytes_received: f.got as u64,
                bytes_expected: Some(f.total as u64),
                elapsed_s: t - f.start,
                duration_s: s.fragment_s,
                buffer_s: self.buffer,
            },
            None,
        );
        if let Some(lower) = abandon.filter(|_| f.got < f.total) {
            self.c.on_download(&DownloadObservation {
                level: f.level,
                bytes: f.got as u64,
                ttfb_s: LATENCY_S,
                total_s: t - f.start,
                duration_s: s.fragment_s,
                abandoned: true,
                now_s: t,
            });
            self.run.abandoned += 1;
            *f = Flight {
                level: lower,
                total: fragment_bytes(&self.c, lower, s.fragment_s),
                got: 0.0,
                start: t,
            };
        } else if f.got >= f.total {
            self.c.on_download(&DownloadObservation {
                level: f.level,
                bytes: f.total as u64,
                ttfb_s: LATENCY_S,
                total_s: t - f.start,
                duration_s: s.fragment_s,
                abandoned: false,
                now_s: t,
            });
            self.queue.push_back((f.level, s.fragment_s));
            self.buffer += s.fragment_s;
            self.flight = None;
        }
    }

    /// One tick of playback: plays from the buffer (or stalls), decodes the tick's frames
    /// with the drops the decoder's capacity causes, and reports the decoder every
    /// `REPORT_S`.
    fn play(&mut self, t: f64) {
        let Some(level) = self.drain_buffer() else {
            self.run.stall_s += TICK_S;
            return;
        };
        let Some(l) = self.c.levels().get(level).copied() else {
            return;
        };
        let fps = if l.fps > 0.0 { l.fps } else { 30.0 };
        if self.tally.level != level {
            self.tally = Tally {
                level,
                ..Tally::default()
            };
        }
        self.tally.debt += fps * TICK_S;
        let frames = self.tally.debt.floor() as u64;
        self.tally.debt -= frames as f64;
        let cap = self.s.capacity.map_or(f64::INFINITY, |f| f(t));
        let keep = (cap / l.decode_cost().max(1.0)).min(1.0);
        let overload = ((1.0 - keep) * frames as f64).round() as u64;
        let random = (overload..frames)
            .filter(|_| self.rng.next_f64() < self.s.random_drop)
            .count() as u64;
        let dropped = overload + random;
        self.run.ticks.push(PlaybackTick {
            t,
            level,
            frames,
            dropped,
        });
        self.tally.frames += frames;
        self.tally.dropped += dropped;
        self.since_report += TICK_S;
        if self.since_report >= REPORT_S - 1e-9 {
            self.report_decoder(t, level, l.decode_cost() / cap / fps, fps);
        }
    }

    /// Plays one tick from the front fragment; its level, or `None` when the buffer is empty.
    fn drain_buffer(&mut self) -> Option<usize> {
        let front = self.queue.front_mut()?;
        let level = front.0;
        front.1 -= TICK_S;
        self.buffer = (self.buffer - TICK_S).max(0.0);
        if front.1 <= 1e-9 {
            self.queue.pop_front();
        }
        Some(level)
    }

    /// Tells the controller what the decoder did since the last report (when the scenario
    /// reports the decoder at all), and starts a new tally.
    fn report_decoder(&mut self, t: f64, level: usize, decode_s: f64, fps: f64) {
        if self.s.capacity.is_some() {
            self.c.on_decoder(&DecoderObservation {
                level,
                frames_decoded: self.tally.frames - self.tally.dropped,
                frames_dropped: self.tally.dropped,
                decode_time_per_frame_s: Some(decode_s),
                frame_duration_s: 1.0 / fps,
                now_s: t,
            });
        }
        self.tally.frames = 0;
        self.tally.dropped = 0;
        self.since_report = 0.0;
    }
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
