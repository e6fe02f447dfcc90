//! The chunk-level simulator: one playback session of a video over a trace, virtual clock.
//!
//! Compat mode is Pensieve's `fixed_env`: trace replayed from its start and looped, payload
//! factor 0.95, 80 ms RTT added to each download without consuming trace time, 60 s buffer
//! cap drained in 500 ms sleeps, no noise, startup delay not counted in the QoE.
//! Realistic mode uses the video's own chunk durations, lets the request latency (the
//! trace's, else the RTT) consume trace time, sleeps exactly down to the cap, counts the
//! startup delay as stall time in the QoE, supports abandonment, and (in the evaluator)
//! replays traces with seeded ±10 % noise.

use super::link::Link;
use super::trace::Trace;
use super::video::Video;

/// Simulation mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Pensieve `fixed_env`.
    Compat,
    /// Latency consumes trace time, exact waits, startup counted, abandonment.
    Realistic,
}

/// Simulator settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimConfig {
    /// Mode.
    pub mode: Mode,
    /// Buffer cap (seconds).
    pub buffer_cap_s: f64,
    /// Round-trip time added per request (seconds).
    pub rtt_s: f64,
    /// Fraction of the bandwidth that carries payload.
    pub payload: f64,
    /// How often an in-flight download is shown to the algorithm (realistic mode).
    pub abandon_check_s: f64,
    /// QoE penalty per second of stall.
    pub rebuffer_penalty: f64,
}

impl SimConfig {
    /// The standard settings of a mode.
    pub fn new(mode: Mode) -> Self {
        SimConfig {
            mode,
            buffer_cap_s: 60.0,
            rtt_s: 0.08,
            payload: 0.95,
            abandon_check_s: 0.25,
            rebuffer_penalty: 4.3,
        }
    }
}

/// What the algorithm learns about the previous chunk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LastChunk {
    /// Level it was fetched at.
    pub level: usize,
    /// Its size in bytes.
    pub bytes: u64,
    /// Time from request to last byte, latency included (seconds).
    pub download_s: f64,
    /// Stall during that download (the startup delay for chunk 0).
    pub rebuffer_s: f64,
}

/// The state in which a level is asked for.
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    /// The video (sizes are known to every algorithm, as in Pensieve's setup).
    pub video: &'a Video,
    /// Chunk to decide.
    pub chunk_index: usize,
    /// Buffer after any wait imposed by the cap.
    pub buffer_s: f64,
    /// Virtual time.
    pub now_s: f64,
    /// The previous chunk, if any.
    pub last: Option<LastChunk>,
}

/// An in-flight download shown to the algorithm (realistic mode).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Chunk.
    pub chunk_index: usize,
    /// Level.
    pub level: usize,
    /// Bytes received so far.
    pub bytes_received: u64,
    /// Size of the chunk at this level.
    pub bytes_expected: u64,
    /// Seconds since the request (latency included).
    pub elapsed_s: f64,
    /// Buffer now.
    pub buffer_s: f64,
    /// Virtual time.
    pub now_s: f64,
}

/// An ABR algorithm the simulator can drive.
pub trait Algorithm {
    /// Short name for tables.
    fn name(&self) -> &str;
    /// A new session starts.
    fn start(&mut self, video: &Video, buffer_cap_s: f64);
    /// Level for the next chunk.
    fn choose(&mut self, obs: &Observation<'_>) -> usize;
    /// Whether `abandon` should be called during downloads.
    fn can_abandon(&self) -> bool {
        false
    }
    /// Level to refetch at, to abandon the download in progress.
    fn abandon(&mut self, _p: &Progress) -> Option<usize> {
        None
    }
}

/// One chunk's outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChunkRecord {
    /// Level finally downloaded.
    pub level: usize,
    /// Its bytes.
    pub bytes: u64,
    /// Time from first request to last byte, abandoned attempts and latency included.
    pub download_s: f64,
    /// Stall during the download (startup delay for chunk 0).
    pub rebuffer_s: f64,
    /// Wait after it imposed by the buffer cap.
    pub sleep_s: f64,
    /// Buffer after the download and the wait.
    pub buffer_s: f64,
    /// Attempts abandoned.
    pub abandoned: u32,
}

/// The evolving state of a session; cloneable so the offline optimum can branch on it.
#[derive(Debug, Clone, Copy)]
pub struct SimState<'a> {
    link: Link<'a>,
    cfg: SimConfig,
    /// Buffer now.
    pub buffer_s: f64,
    /// Virtual time now.
    pub now_s: f64,
    /// Next chunk.
    pub chunk: usize,
}

impl<'a> SimState<'a> {
    /// A session at time 0 with an empty buffer.
    pub fn new(trace: &'a Trace, cfg: SimConfig) -> Self {
        SimState {
            link: Link::new(trace, cfg.payload),
            cfg,
            buffer_s: 0.0,
            now_s: 0.0,
            chunk: 0,
        }
    }

    fn request_latency(&self) -> f64 {
        match self.cfg.mode {
            Mode::Compat => 0.0,
            Mode::Realistic => self.link.trace_latency_s().unwrap_or(self.cfg.rtt_s),
        }
    }

    /// Downloads the next chunk at `level`; `algo` may abandon it (realistic mode only).
    pub fn step(
        &mut self,
        video: &Video,
        level: usize,
        algo: Option<&mut dyn Algorithm>,
    ) -> ChunkRecord {
        let k = self.chunk;
        let level = level.min(video.levels().saturating_sub(1));
        let (level, elapsed, abandoned) = self.download(video, level, algo);
        let mut delay = elapsed;
        if self.cfg.mode == Mode::Compat {
            delay += self.cfg.rtt_s;
        }
        let rebuffer = (delay - self.buffer_s).max(0.0);
        self.buffer_s = (self.buffer_s - delay).max(0.0) + video.duration(k);
        let sleep = self.sleep_down_to_cap();
        self.now_s += delay + sleep;
        self.chunk += 1;
        ChunkRecord {
            level,
            bytes: video.size(k, level),
            download_s: delay,
            rebuffer_s: rebuffer,
            sleep_s: sleep,
            buffer_s: self.buffer_s,
            abandoned,
        }
    }

    /// Fetches the next chunk from `level` on, refetching lower each time `algo` abandons an
    /// attempt. The level finally fetched, the seconds from the first request to its last
    /// byte, and the attempts abandoned.
    fn download(
        &mut self,
        video: &Video,
        mut level: usize,
        algo: Option<&mut dyn Algorithm>,
    ) -> (usize, f64, u32) {
        let k = self.chunk;
        let mut elapsed = 0.0;
        let mut abandoned = 0;
        let realistic = self.cfg.mode == Mode::Realistic;
        let mut watcher = algo.filter(|a| realistic && a.can_abandon());
        loop {
            let latency = self.request_latency();
            self.link.advance(latency);
            elapsed += latency;
            let attempt_start = elapsed - latency;
            let size = video.size(k, level) as f64;
            let Some(algo) = watcher.as_mut() else {
                elapsed += self.link.transfer(size, f64::INFINITY).elapsed_s;
                return (level, elapsed, abandoned);
            };
            let attempt = Attempt {
                level,
                size,
                start_s: attempt_start,
            };
            match self.watched_transfer(&attempt, &mut elapsed, &mut **algo) {
                Some(new) => {
                    level = new;
                    abandoned += 1;
                }
                None => return (level, elapsed, abandoned),
            }
        }
    }

    /// Transfers an attempt in `abandon_check_s` slices, showing each step's progress to
    /// `algo`; `elapsed` (seconds since the chunk's first request) grows meanwhile. The lower
    /// level `algo` abandons to, or `None` once the attempt completes.
    fn watched_transfer(
        &mut self,
        attempt: &Attempt,
        elapsed: &mut f64,
        algo: &mut dyn Algorithm,
    ) -> Option<usize> {
        let k = self.chunk;
        let mut got = 0.0;
        loop {
            let t = self
                .link
                .transfer(attempt.size - got, self.cfg.abandon_check_s);
            got += t.bytes;
            *elapsed += t.elapsed_s;
            if t.done {
                return None;
            }
            let p = Progress {
                chunk_index: k,
                level: attempt.level,
                bytes_received: got as u64,
                bytes_expected: attempt.size as u64,
                elapsed_s: *elapsed - attempt.start_s,
                buffer_s: if k == 0 {
                    0.0
                } else {
                    (self.buffer_s - *elapsed).max(0.0)
                },
                now_s: self.now_s + *elapsed,
            };
            if let Some(new) = algo.abandon(&p).filter(|l| *l < attempt.level) {
                return Some(new);
            }
        }
    }

    /// Waits until the buffer is down to the cap (in compat mode, in fixed_env's 500 ms
    /// quanta); the seconds waited.
    fn sleep_down_to_cap(&mut self) -> f64 {
        let over_cap = self.buffer_s > self.cfg.buffer_cap_s;
        if !over_cap {
            return 0.0;
        }
        let sleep = match self.cfg.mode {
            // fixed_env works in milliseconds and sleeps in 500 ms quanta.
            Mode::Compat => {
                let drain_ms = self.buffer_s * 1000.0 - self.cfg.buffer_cap_s * 1000.0;
                (drain_ms / 500.0).ceil() * 500.0 / 1000.0
            }
            Mode::Realistic => self.buffer_s - self.cfg.buffer_cap_s,
        };
        self.buffer_s -= sleep;
        self.link.advance(sleep);
        sleep
    }
}

/// One request for a chunk at one level.
struct Attempt {
    level: usize,
    /// Bytes of the chunk at that level.
    size: f64,
    /// When it was sent, seconds since the chunk's first request (latency included).
    start_s: f64,
}

/// Linear QoE of one chunk given the previous level (chunk 0's stall is the startup delay,
/// not counted in compat mode).
pub fn chunk_qoe(
    cfg: &SimConfig,
    video: &Video,
    rec: &ChunkRecord,
    prev: Option<usize>,
    first: bool,
) -> f64 {
    let q = video.mbps(rec.level);
    let sw = prev.map_or(0.0, |p| (q - video.mbps(p)).abs());
    q - cfg.rebuffer_penalty * counted_stall(cfg, rec, first) - sw
}

fn counted_stall(cfg: &SimConfig, rec: &ChunkRecord, first: bool) -> f64 {
    if first && cfg.mode == Mode::Compat {
        0.0
    } else {
        rec.rebuffer_s
    }
}

/// Per-session results.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionResult {
    /// Trace name.
    pub trace: String,
    /// Chunks in order.
    pub chunks: Vec<ChunkRecord>,
    /// Linear QoE.
    pub qoe: f64,
    /// Mean bitrate (Mbit/s).
    pub avg_bitrate_mbps: f64,
    /// Stall seconds counted by the QoE (startup included in realistic mode).
    pub rebuffer_s: f64,
    /// Startup delay (seconds).
    pub startup_s: f64,
    /// Level changes.
    pub switches: usize,
    /// Media seconds played.
    pub media_s: f64,
    /// Wall-clock seconds spent in `choose`.
    pub decision_s: f64,
}

impl SessionResult {
    /// Stall time over stall plus media time.
    pub fn rebuffer_ratio(&self) -> f64 {
        let d = self.rebuffer_s + self.media_s;
        if d > 0.0 { self.rebuffer_s / d } else { 0.0 }
    }

    /// Builds the result from chunk records.
    pub fn from_chunks(
        trace: &str,
        video: &Video,
        cfg: &SimConfig,
        chunks: Vec<ChunkRecord>,
        decision_s: f64,
    ) -> Self {
        let mut qoe = 0.0;
        let mut prev: Option<usize> = None;
        let mut rebuffer = 0.0;
        let mut bitrate = 0.0;
        let mut switches = 0;
        for (i, c) in chunks.iter().enumerate() {
            let q = video.mbps(c.level);
            qoe += chunk_qoe(cfg, video, c, prev, i == 0);
            rebuffer += counted_stall(cfg, c, i == 0);
            bitrate += q;
            switches += usize::from(prev.is_some_and(|p| p != c.level));
            prev = Some(c.level);
        }
        let n = chunks.len().max(1) as f64;
        SessionResult {
            trace: trace.to_string(),
            qoe,
            avg_bitrate_mbps: bitrate / n,
            rebuffer_s: rebuffer,
            startup_s: chunks.first().map_or(0.0, |c| c.rebuffer_s),
            switches,
            media_s: (0..chunks.len()).map(|k| video.duration(k)).sum(),
            decision_s,
            chunks,
        }
    }
}

/// Plays the whole video over `trace` with `algo`.
pub fn run_session(
    video: &Video,
    trace: &Trace,
    cfg: &SimConfig,
    algo: &mut dyn Algorithm,
) -> SessionResult {
    algo.start(video, cfg.buffer_cap_s);
    let mut state = SimState::new(trace, *cfg);
    let mut chunks = Vec::with_capacity(video.chunks());
    let mut decision_s = 0.0;
    let mut last = None;
    for k in 0..video.chunks() {
        let obs = Observation {
            video,
            chunk_index: k,
            buffer_s: state.buffer_s,
            now_s: state.now_s,
            last,
        };
        let t0 = std::time::Instant::now();
        let level = algo.choose(&obs);
        decision_s += t0.elapsed().as_secs_f64();
        let rec = state.step(video, level, Some(&mut *algo));
        last = Some(LastChunk {
            level: rec.level,
            bytes: rec.bytes,
            download_s: rec.download_s,
            rebuffer_s: rec.rebuffer_s,
        });
        chunks.push(rec);
    }
    SessionResult::from_chunks(&trace.name, video, cfg, chunks, decision_s)
}
