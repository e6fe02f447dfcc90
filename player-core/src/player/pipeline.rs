//! What the pipeline's threads share: the generation they work for, the clock and whether
//! it is held, where presentation may begin, the memory budget, which outputs have finished,
//! the counters, a slot for a fatal error, and the event queue. The session decides; this is
//! only how its decisions reach the threads and how their observations come back.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::base::locked;
use crate::clock::MasterClock;
use crate::error::Error;
use crate::session::{Event, Observed, StreamKind};

use super::stats::StatsAccum;

/// Video fragment spans remembered (a few seconds of buffer's worth and more).
const MAX_SPANS: usize = 64;
/// Longest a released free-running clock waits for the first picture.
const FIRST_PICTURE_WAIT: Duration = Duration::from_secs(2);

/// Shared between the driver, decoders and presenters.
pub(crate) struct Pipeline {
    /// Work stamped with another generation is discarded.
    generation: AtomicU64,
    /// The presentation clock.
    clock: Mutex<MasterClock>,
    /// Playback must not advance (user pause, startup, stall, seek).
    hold: AtomicBool,
    /// The generation whose first picture the video output holds (`u64::MAX`: none yet).
    picture_generation: AtomicU64,
    /// Since when a released free-running clock waits for the first picture.
    awaiting_picture: Mutex<Option<Instant>>,
    /// The audio output drives the clock.
    audio_master: AtomicBool,
    /// Run unpaced.
    pub fast: bool,
    /// The simulation speed (media seconds per wall second at rate 1).
    base_speed: f64,
    /// The playback rate, f64 bits.
    playback_rate: AtomicU64,
    /// The trick-play rate of the generation (1: normal playback), f64 bits; stored before
    /// the generation, so a thread that sees a generation sees its rate.
    trick_rate: AtomicU64,
    /// Whether each output has played its last sample (this generation).
    output_done: [AtomicBool; 2],
    /// Fast mode: how far each output has got, ns.
    fast_progress: [AtomicU64; 2],
    /// Which outputs exist.
    active: [AtomicBool; 2],
    /// Nothing before this media time is presented (seek target), ns.
    floor: AtomicU64,
    /// Media spans of the video fragments handed to the decoders (latest few, with their
    /// generation): a picture far ahead of the clock is past a timestamp jump only when no
    /// fragment covers the time between (pictures skipped by a late decoder, or replaced,
    /// leave the clock to play through their span).
    video_spans: Mutex<VecDeque<(u64, Range<Duration>)>>,
    /// Bytes of compressed media and decoded frames queued.
    queued_bytes: AtomicU64,
    /// The memory budget for what is queued (pictures decoded ahead wait for room in it).
    pub budget: u64,
    /// Stop everything.
    shutdown: AtomicBool,
    /// Counters and QoE accumulation.
    stats: Mutex<StatsAccum>,
    /// Per stream, the latest replacement of its media (see `Action::Replace`).
    marks: [Mutex<Option<Mark>>; 2],
    /// A fatal error found by a decoder thread, for the session.
    fatal: Mutex<Option<Error>>,
    /// Where events go.
    events: crossbeam_channel::Sender<Event>,
    /// When the player was opened (startup time reference).
    pub opened_at: Instant,
    /// Test hook: slower decoding.
    #[cfg(feature = "test-hooks")]
    pub slow_decode: Option<super::config::SlowDecode>,
}

/// Where a stream's media was replaced, and by which epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Mark {
    pub generation: u64,
    pub from: Duration,
    pub epoch: u32,
}

impl Mark {
    /// Whether media of `epoch` spanning `span` is not to be played: older media at or after
    /// the splice, or newer media wholly before it.
    pub fn drops(&self, epoch: u32, span: &std::ops::Range<Duration>) -> bool {
        if epoch < self.epoch {
            span.start >= self.from
        } else {
            span.end <= self.from
        }
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Pipeline {
    /// A held pipeline at media time `start`, its clock running `speed` times real time.
    pub fn new(
        start: Duration,
        fast: bool,
        speed: f64,
        events: crossbeam_channel::Sender<Event>,
        opened_at: Instant,
    ) -> Pipeline {
        Pipeline {
            generation: AtomicU64::new(0),
            clock: Mutex::new(MasterClock::with_rate(start, opened_at, speed)),
            hold: AtomicBool::new(true),
            picture_generation: AtomicU64::new(u64::MAX),
            awaiting_picture: Mutex::new(None),
            audio_master: AtomicBool::new(false),
            fast,
            base_speed: speed,
            playback_rate: AtomicU64::new(1f64.to_bits()),
            trick_rate: AtomicU64::new(1f64.to_bits()),
            output_done: [AtomicBool::new(false), AtomicBool::new(false)],
            fast_progress: [AtomicU64::new(nanos(start)), AtomicU64::new(nanos(start))],
            active: [AtomicBool::new(false), AtomicBool::new(false)],
            floor: AtomicU64::new(nanos(start)),
            video_spans: Mutex::new(VecDeque::new()),
            queued_bytes: AtomicU64::new(0),
            budget: 32 << 20,
            shutdown: AtomicBool::new(false),
            stats: Mutex::new(StatsAccum::default()),
            marks: [Mutex::new(None), Mutex::new(None)],
            fatal: Mutex::new(None),
            events,
            opened_at,
            #[cfg(feature = "test-hooks")]
            slow_decode: None,
        }
    }

    /// The current generation.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Starts `generation` at media time `start`, playing at trick-play `rate` (1: normal):
    /// outputs restart, nothing before `start` is shown (backwards: nothing is held back),
    /// the clock is anchored there (held) and runs at the rate.
    pub fn new_generation(&self, generation: u64, start: Duration, rate: f64) {
        for i in 0..2 {
            self.fast_progress[i].store(nanos(start), Ordering::Release);
            self.output_done[i].store(false, Ordering::Release);
        }
        let rate = if rate.is_finite() && rate != 0.0 {
            rate
        } else {
            1.0
        };
        let floor = if rate < 0.0 { Duration::ZERO } else { start };
        self.floor.store(nanos(floor), Ordering::Release);
        *locked(&self.awaiting_picture) = None;
        self.trick_rate.store(rate.to_bits(), Ordering::Release);
        // Under the clock's lock, so no output can anchor it for the old generation after.
        let mut clock = locked(&self.clock);
        clock.anchor(start, Instant::now(), false, false);
        let live = if rate == 1.0 {
            self.playback_rate()
        } else {
            rate
        };
        clock.set_rate(self.base_speed * live, Instant::now());
        self.generation.store(generation, Ordering::Release);
    }

    /// The trick-play rate of the current generation (1: normal playback).
    pub fn trick_rate(&self) -> f64 {
        f64::from_bits(self.trick_rate.load(Ordering::Acquire))
    }

    /// Whether the generation plays at a trick-play rate (video only, audio muted).
    pub fn in_trick(&self) -> bool {
        self.trick_rate() != 1.0
    }

    /// Runs `f` on the clock if `generation` is still the current one: an output that has
    /// not noticed a new start yet must not move the clock back to where it was.
    pub fn with_clock_for<R>(
        &self,
        generation: u64,
        f: impl FnOnce(&mut MasterClock) -> R,
    ) -> Option<R> {
        let mut clock = locked(&self.clock);
        (self.generation() == generation).then(|| f(&mut clock))
    }

    /// Runs `f` on the clock.
    pub fn with_clock<R>(&self, f: impl FnOnce(&mut MasterClock) -> R) -> R {
        f(&mut locked(&self.clock))
    }

    /// The media position now.
    pub fn position(&self) -> Duration {
        self.with_clock(|c| c.position(Instant::now()))
    }

    /// In fast mode, records how far output `kind` has got; the position is the slowest
    /// active output's, so each stream's forward buffer is measured from what was consumed.
    pub fn advance_fast(&self, generation: u64, kind: StreamKind, pos: Duration) {
        self.fast_progress[kind.idx()].store(nanos(pos), Ordering::Release);
        if self.in_trick() {
            // Video only, either way: the position is the picture shown.
            self.with_clock_for(generation, |c| c.anchor(pos, Instant::now(), false, false));
            return;
        }
        let slowest = [StreamKind::Video, StreamKind::Audio]
            .into_iter()
            .filter(|k| self.active[k.idx()].load(Ordering::Acquire) && !self.output_done(*k))
            .map(|k| self.fast_progress[k.idx()].load(Ordering::Acquire))
            .min()
            .map_or(pos, Duration::from_nanos);
        self.with_clock_for(generation, |c| {
            if slowest > c.position(Instant::now()) {
                c.anchor(slowest, Instant::now(), false, false);
            }
        });
    }

    /// Declares which outputs exist (set once at open).
    pub fn set_active(&self, kind: StreamKind) {
        self.active[kind.idx()].store(true, Ordering::Release);
    }

    /// Whether output `kind` exists.
    pub fn is_active(&self, kind: StreamKind) -> bool {
        self.active[kind.idx()].load(Ordering::Acquire)
    }

    /// Media seconds per wall second (the simulation speed times the playback rate; negative
    /// when playing backwards).
    pub fn speed(&self) -> f64 {
        self.with_clock(|c| c.rate())
    }

    /// The playback rate (1 = normal) the audio output must play at.
    pub fn playback_rate(&self) -> f64 {
        f64::from_bits(self.playback_rate.load(Ordering::Acquire))
    }

    /// Plays at `rate` times normal: the clock follows at once, the audio output as it goes.
    pub fn set_playback_rate(&self, rate: f64) {
        if !(rate.is_finite() && rate > 0.0) {
            return;
        }
        self.playback_rate.store(rate.to_bits(), Ordering::Release);
        if self.in_trick() {
            // The trick-play rate holds the clock; this one applies from the next generation.
            return;
        }
        let speed = self.base_speed * rate;
        self.with_clock(|c| c.set_rate(speed, Instant::now()));
    }

    /// Whether playback is held.
    pub fn hold(&self) -> bool {
        self.hold.load(Ordering::Acquire)
    }

    /// Holds or releases playback. A release waits for the video output's first picture of
    /// the generation (at most `FIRST_PICTURE_WAIT`): a clock that ran while a slow machine
    /// decoded the first keyframe would make the pictures after it late, and they would be
    /// dropped. The audio output stays paused meanwhile; a free-running clock stays put.
    pub fn set_hold(&self, hold: bool) {
        let mut awaiting = locked(&self.awaiting_picture);
        self.hold.store(hold, Ordering::Release);
        if self.fast {
            return;
        }
        let wait = !hold
            && self.is_active(StreamKind::Video)
            && self.picture_generation.load(Ordering::Acquire) != self.generation();
        *awaiting = wait.then(Instant::now);
        if !self.audio_master() {
            self.with_clock(|c| c.set_running(!hold && !wait, Instant::now()));
        }
    }

    /// Whether playback, released, still waits for the video output's first picture.
    pub fn awaiting_picture(&self) -> bool {
        locked(&self.awaiting_picture).is_some()
    }

    /// The video output holds its first picture of `generation`: playback waiting for it
    /// goes on.
    pub fn picture_ready(&self, generation: u64) {
        if self.picture_generation.swap(generation, Ordering::AcqRel) == generation {
            return;
        }
        self.start_awaited(|_| generation == self.generation());
    }

    /// Goes on after waiting longer than `FIRST_PICTURE_WAIT` for the first picture (a
    /// video stream that shows nothing must not stop the presentation).
    pub fn poll_first_picture(&self) {
        self.start_awaited(|since| since.elapsed() >= FIRST_PICTURE_WAIT);
    }

    fn start_awaited(&self, now_ok: impl FnOnce(Instant) -> bool) {
        let mut awaiting = locked(&self.awaiting_picture);
        let Some(since) = *awaiting else { return };
        if self.hold() || !now_ok(since) {
            return;
        }
        *awaiting = None;
        if !self.audio_master() {
            self.with_clock(|c| c.set_running(true, Instant::now()));
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
            let run = !self.hold() && !self.awaiting_picture();
            self.with_clock(|c| c.set_running(run, Instant::now()));
        }
    }

    /// Whether `kind`'s output has played everything.
    pub fn output_done(&self, kind: StreamKind) -> bool {
        self.output_done[kind.idx()].load(Ordering::Acquire)
    }

    /// Marks `kind`'s output finished.
    pub fn set_output_done(&self, kind: StreamKind) {
        self.output_done[kind.idx()].store(true, Ordering::Release);
    }

    /// Notes a video fragment handed to the decoders.
    pub fn note_video_span(&self, generation: u64, span: Range<Duration>) {
        let mut spans = locked(&self.video_spans);
        if spans.len() >= MAX_SPANS {
            spans.pop_front();
        }
        spans.push_back((generation, span));
    }

    /// Whether a video fragment of `generation` covers media time `at`.
    pub fn video_covers(&self, generation: u64, at: Duration) -> bool {
        locked(&self.video_spans)
            .iter()
            .any(|(g, span)| *g == generation && span.contains(&at))
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

    /// Replaces `kind`'s media from `from` on with what comes with `epoch` (this generation).
    pub fn replace(&self, kind: StreamKind, from: Duration, epoch: u32) {
        let generation = self.generation();
        *locked(&self.marks[kind.idx()]) = Some(Mark {
            generation,
            from,
            epoch,
        });
        // More media is coming: the stream's output has not played its last sample.
        self.output_done[kind.idx()].store(false, Ordering::Release);
    }

    /// Whether a replacement newer than `epoch` brings more of `kind`'s media (an end
    /// marker of `epoch` is then not the end).
    pub fn superseded(&self, kind: StreamKind, generation: u64, epoch: u32) -> bool {
        self.mark(kind, generation).is_some_and(|m| m.epoch > epoch)
    }

    /// The replacement mark of `kind` that applies to `generation`, if any.
    pub fn mark(&self, kind: StreamKind, generation: u64) -> Option<Mark> {
        locked(&self.marks[kind.idx()]).filter(|m| m.generation == generation)
    }

    /// Whether media of `kind`, `generation` and `epoch` spanning `span` was replaced.
    pub fn replaced(
        &self,
        kind: StreamKind,
        generation: u64,
        epoch: u32,
        span: &std::ops::Range<Duration>,
    ) -> bool {
        self.mark(kind, generation)
            .is_some_and(|m| m.drops(epoch, span))
    }

    /// Whether the player is shutting down.
    pub fn is_shutdown(&self) -> bool {
        self.shutdown.load(Ordering::Acquire)
    }

    /// Asks every thread to stop.
    pub fn shut_down(&self) {
        self.shutdown.store(true, Ordering::Release);
    }

    /// Reports an error that must end playback; the session fails with the first one.
    pub fn report_fatal(&self, e: Error) {
        locked(&self.fatal).get_or_insert(e);
    }

    /// The fatal error reported since the last call, if any.
    pub fn take_fatal(&self) -> Option<Error> {
        locked(&self.fatal).take()
    }

    /// Publishes an event (counting what the QoE summary needs); drops it if the host has
    /// stopped reading and the queue is full.
    pub fn emit(&self, ev: Event) {
        self.with_stats(|s| s.on_event(&ev, Instant::now()));
        if let Err(crossbeam_channel::TrySendError::Full(ev)) = self.events.try_send(ev) {
            tracing::warn!(?ev, "event queue full: event dropped");
        }
    }

    /// Runs `f` on the statistics.
    pub fn with_stats<R>(&self, f: impl FnOnce(&mut StatsAccum) -> R) -> R {
        f(&mut locked(&self.stats))
    }

    /// What the session needs to know of the pipeline now.
    pub fn observe(&self) -> Observed {
        Observed {
            position: self.position(),
            queued_bytes: self.queued_bytes(),
            output_done: [
                self.output_done(StreamKind::Video),
                self.output_done(StreamKind::Audio),
            ],
            counters: self.with_stats(|s| s.counters()),
        }
    }
}
