//! State shared by the player's threads: generation, clock, buffer levels, counters.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::clock::MasterClock;

use super::event::{Event, StreamKind};
use super::stats::StatsAccum;

/// Shared between the controller, fetch tasks, decoders and presenters.
pub(crate) struct Shared {
    /// Bumped on every seek / track change; work stamped with an older one is discarded.
    generation: AtomicU64,
    /// The presentation clock.
    clock: Mutex<MasterClock>,
    /// Playback must not advance (user pause, startup, stall, seek).
    hold: AtomicBool,
    /// The audio output drives the clock.
    audio_master: AtomicBool,
    /// Run unpaced.
    pub fast: bool,
    /// Test hook: slow decoding down (see `Config::slow_decode`).
    pub slow_decode: Option<super::config::SlowDecode>,
    /// Media time (ns) up to which each stream's fetched media reaches.
    buffered_end: [AtomicU64; 2],
    /// Whether each stream has fetched its last fragment (this generation).
    fetch_done: [AtomicBool; 2],
    /// Whether each stream's output has played its last sample (this generation).
    output_done: [AtomicBool; 2],
    /// Fast mode: how far each output has got, ns.
    fast_progress: [AtomicU64; 2],
    /// Which outputs exist.
    active: [AtomicBool; 2],
    /// Nothing before this media time is presented (seek target), ns.
    floor: AtomicU64,
    /// Bytes of compressed media and decoded frames queued.
    queued_bytes: AtomicU64,
    /// Stop everything.
    shutdown: AtomicBool,
    /// Counters and QoE accumulation.
    pub stats: Mutex<StatsAccum>,
    /// A fatal error found off the controller (decoder threads), for it to act on.
    fatal: Mutex<Option<crate::error::Error>>,
    /// Where events go.
    events: crossbeam_channel::Sender<Event>,
    /// When the player was opened (startup time reference).
    pub opened_at: Instant,
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Shared {
    /// Fresh shared state at media time `start`, held.
    pub fn new(
        start: Duration,
        fast: bool,
        speed: f64,
        events: crossbeam_channel::Sender<Event>,
        opened_at: Instant,
    ) -> Shared {
        Shared {
            generation: AtomicU64::new(1),
            clock: Mutex::new(MasterClock::with_rate(start, opened_at, speed)),
            hold: AtomicBool::new(true),
            audio_master: AtomicBool::new(false),
            fast,
            slow_decode: None,
            buffered_end: [AtomicU64::new(nanos(start)), AtomicU64::new(nanos(start))],
            fetch_done: [AtomicBool::new(false), AtomicBool::new(false)],
            output_done: [AtomicBool::new(false), AtomicBool::new(false)],
            floor: AtomicU64::new(nanos(start)),
            fast_progress: [AtomicU64::new(nanos(start)), AtomicU64::new(nanos(start))],
            active: [AtomicBool::new(false), AtomicBool::new(false)],
            queued_bytes: AtomicU64::new(0),
            shutdown: AtomicBool::new(false),
            stats: Mutex::new(StatsAccum::default()),
            fatal: Mutex::new(None),
            events,
            opened_at,
        }
    }

    /// The current generation.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Starts a new generation at media time `start` (seek): buffers and done flags reset.
    pub fn new_generation(&self, start: Duration) -> u64 {
        for i in 0..2 {
            self.buffered_end[i].store(nanos(start), Ordering::Release);
            self.fast_progress[i].store(nanos(start), Ordering::Release);
            self.fetch_done[i].store(false, Ordering::Release);
            self.output_done[i].store(false, Ordering::Release);
        }
        self.floor.store(nanos(start), Ordering::Release);
        self.with_clock(|c| c.anchor(start, Instant::now(), false, false));
        self.generation.fetch_add(1, Ordering::AcqRel) + 1
    }

    /// Runs `f` on the clock.
    pub fn with_clock<R>(&self, f: impl FnOnce(&mut MasterClock) -> R) -> R {
        match self.clock.lock() {
            Ok(mut c) => f(&mut c),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// The media position now.
    pub fn position(&self) -> Duration {
        self.with_clock(|c| c.position(Instant::now()))
    }

    /// In fast mode, records how far output `kind` has got; the position is the slowest
    /// active output's, so each stream's forward buffer is measured from what was consumed.
    pub fn advance_fast(&self, kind: StreamKind, pos: Duration) {
        self.fast_progress[kind.idx()].store(nanos(pos), Ordering::Release);
        let slowest = [StreamKind::Video, StreamKind::Audio]
            .into_iter()
            .filter(|k| self.active[k.idx()].load(Ordering::Acquire) && !self.output_done(*k))
            .map(|k| self.fast_progress[k.idx()].load(Ordering::Acquire))
            .min()
            .map_or(pos, Duration::from_nanos);
        self.with_clock(|c| {
            if slowest > c.position(Instant::now()) {
                c.anchor(slowest, Instant::now(), false, false);
            }
        });
    }

    /// Declares which outputs exist (set once at open).
    pub fn set_active(&self, kind: StreamKind) {
        self.active[kind.idx()].store(true, Ordering::Release);
    }

    /// Media seconds per wall second.
    pub fn speed(&self) -> f64 {
        self.with_clock(|c| c.rate())
    }

    /// Whether playback is held.
    pub fn hold(&self) -> bool {
        self.hold.load(Ordering::Acquire)
    }

    /// Holds or releases playback; a free-running clock (no audio master) follows at once.
    pub fn set_hold(&self, hold: bool) {
        self.hold.store(hold, Ordering::Release);
        if !self.audio_master() && !self.fast {
            self.with_clock(|c| c.set_running(!hold, Instant::now()));
        }
    }

    /// Whether the audio output drives the clock.
    pub fn audio_master(&self) -> bool {
        self.audio_master.load(Ordering::Acquire)
    }

    /// Hands the clock to the audio output, or back to the monotonic clock.
    pub fn set_audio_master(&self, on: bool) {
        self.audio_master.store(on, Ordering::Release);
        if !on && !self.fast {
            let hold = self.hold();
            self.with_clock(|c| c.set_running(!hold, Instant::now()));
        }
    }

    /// Media time up to which `kind` has been fetched.
    pub fn buffered_end(&self, kind: StreamKind) -> Duration {
        Duration::from_nanos(self.buffered_end[kind.idx()].load(Ordering::Acquire))
    }

    /// Records that `kind` has been fetched up to `end` (generation-checked by the caller).
    pub fn set_buffered_end(&self, kind: StreamKind, end: Duration) {
        self.buffered_end[kind.idx()].store(nanos(end), Ordering::Release);
    }

    /// Whether `kind` has fetched its last fragment.
    pub fn fetch_done(&self, kind: StreamKind) -> bool {
        self.fetch_done[kind.idx()].load(Ordering::Acquire)
    }

    /// Marks `kind`'s fetching finished.
    pub fn set_fetch_done(&self, kind: StreamKind) {
        self.fetch_done[kind.idx()].store(true, Ordering::Release);
    }

    /// Whether `kind`'s output has played everything.
    pub fn output_done(&self, kind: StreamKind) -> bool {
        self.output_done[kind.idx()].load(Ordering::Acquire)
    }

    /// Marks `kind`'s output finished.
    pub fn set_output_done(&self, kind: StreamKind) {
        self.output_done[kind.idx()].store(true, Ordering::Release);
    }

    /// Nothing before this media time is presented.
    pub fn floor(&self) -> Duration {
        Duration::from_nanos(self.floor.load(Ordering::Acquire))
    }

    /// Bytes queued in the pipeline.
    pub fn queued_bytes(&self) -> u64 {
        self.queued_bytes.load(Ordering::Acquire)
    }

    /// Charges `n` bytes to the budget.
    pub fn charge(&self, n: usize) {
        self.queued_bytes.fetch_add(n as u64, Ordering::AcqRel);
    }

    /// Releases `n` bytes from the budget.
    pub fn release(&self, n: usize) {
        let n = n as u64;
        let _ = self
            .queued_bytes
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| {
                Some(v.saturating_sub(n))
            });
    }

    /// Whether the player is shutting down.
    pub fn is_shutdown(&self) -> bool {
        self.shutdown.load(Ordering::Acquire)
    }

    /// Asks every thread to stop.
    pub fn shut_down(&self) {
        self.shutdown.store(true, Ordering::Release);
    }

    /// Reports an error that must end playback; the controller fails with the first one.
    pub fn report_fatal(&self, e: crate::error::Error) {
        let mut slot = self.fatal.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert(e);
    }

    /// The fatal error reported since the last call, if any.
    pub fn take_fatal(&self) -> Option<crate::error::Error> {
        self.fatal.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// Publishes an event; drops it if the host has stopped reading and the queue is full.
    pub fn emit(&self, ev: Event) {
        if let Err(crossbeam_channel::TrySendError::Full(ev)) = self.events.try_send(ev) {
            tracing::warn!(?ev, "event queue full: event dropped");
        }
    }

    /// Runs `f` on the statistics.
    pub fn with_stats<R>(&self, f: impl FnOnce(&mut StatsAccum) -> R) -> R {
        match self.stats.lock() {
            Ok(mut s) => f(&mut s),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }
}
