//! Fetching the selected video and audio streams: what to fetch next and at which level,
//! and what each result means — timeline growth from tfxd/tfrf, the ABR fed, samples handed
//! to the decoder, failover to mirrors and other levels, abandonment, the end of a stream.

use std::time::{Duration, Instant};

use crate::abr::InFlight;
use crate::error::Error;
use crate::limits::MAX_FRAGMENT_BYTES;
use crate::live::{
    DEFAULT_DELAY_FRAGMENTS, NextFragment, buffer_target, next_fragment, not_yet_wait,
};
use crate::manifest::Chunk;
use crate::time::{ticks_to_duration, ticks_to_secs};

use super::Session;
use super::event::{Event, StreamKind};
use super::io::{
    Action, DecodeFragment, FetchOutcome, FetchRequest, Fetched, Payload, Progress, RequestId,
    Target,
};
use super::quality::{Outlook, Transfer};
use super::track::{Delivered, Flight};
use super::trick::key_frame_only;

/// Fragments the ABR looks ahead.
const HORIZON: usize = 8;

impl Session {
    /// Issues the next request of `kind` when its buffer wants more and the budget allows.
    pub(super) fn schedule_track(&mut self, kind: StreamKind, now: Instant) {
        let position = self.obs.position;
        let Some(track) = self.tracks[kind.idx()].as_mut() else {
            return;
        };
        if !track.idle(now) {
            return;
        }
        let (ahead, cursor, reverse) = (track.ahead(position), track.cursor, track.reverse());
        // One budget serves every stream: in real time a stream below the startup buffer
        // fetches even when the others have filled it, or playback could never start (or
        // resume) while they wait for the clock to consume what they hold.
        let starving = !self.cfg.fast && ahead < self.cfg.startup_buffer;
        let over_budget = self.obs.queued_bytes >= self.cfg.buffer_bytes;
        if ahead >= self.buffer_target(now) || (over_budget && !starving) {
            return;
        }
        let lookahead = self.pres.live.lookahead;
        let next = if reverse {
            // Backwards: the fragment before the last one, until the first is handed over.
            let before = self.pres.timeline(kind).before(cursor);
            before.map_or(NextFragment::End, NextFragment::Known)
        } else {
            next_fragment(self.pres.timeline(kind), cursor, lookahead)
        };
        match next {
            NextFragment::Known(chunk) => self.fetch(kind, chunk, false, now),
            NextFragment::Probe(chunk) => self.fetch(kind, chunk, true, now),
            NextFragment::Refresh => {
                if let Some(t) = &mut self.tracks[kind.idx()] {
                    t.needs_refresh = true;
                }
                self.want_refresh(now);
            }
            NextFragment::End => {
                if let Some(t) = &mut self.tracks[kind.idx()] {
                    t.done = true;
                }
                let generation = self.play.generation;
                self.out.push_back(Action::EndOfStream(kind, generation));
            }
        }
    }

    /// How far ahead to buffer (on live, bounded by the distance to the edge, unless
    /// playing away from it).
    fn buffer_target(&self, now: Instant) -> Duration {
        let backwards = self.generation_trick().is_some_and(|t| t.reverse());
        let latency = (self.pres.is_live() && !backwards).then(|| self.latency(now));
        buffer_target(
            self.cfg.buffer_ahead,
            self.pres.fragment_duration(),
            latency,
        )
    }

    /// Starts fetching `chunk` of `kind` at the level the ABR (or an abandonment) chose.
    fn fetch(&mut self, kind: StreamKind, chunk: Chunk, probe: bool, now: Instant) {
        let levels = self.pres.plan(kind).map_or(0, |p| p.levels.len());
        let track = self.tracks[kind.idx()].as_mut();
        let key_frames = track
            .as_ref()
            .and_then(|t| t.trick)
            .is_some_and(|t| t.key_frames());
        let forced = track.and_then(|t| t.forced.take());
        let choice = match forced {
            // One picture a fragment: the lowest level is as good as any and the cheapest.
            _ if key_frames => (0, "trick"),
            Some(l) => (l, "bandwidth"),
            None => self.choose_level(kind, now),
        };
        let id = self.next_request_id();
        let flight = Flight::new(id, chunk, probe, choice, levels, self.cfg.locations);
        let attempt = flight.attempt();
        if let Some(t) = &mut self.tracks[kind.idx()] {
            t.flight = Some(flight);
        }
        self.request(kind, id, chunk, attempt);
    }

    /// Asks the driver for one attempt at `chunk`: (level, location).
    fn request(
        &mut self,
        kind: StreamKind,
        id: RequestId,
        chunk: Chunk,
        (level, location): (usize, usize),
    ) {
        let Some(plan) = self.pres.plan(kind) else {
            return;
        };
        let Some(ql) = plan.levels.get(level).map(|l| l.ql) else {
            return;
        };
        self.out.push_back(Action::Fetch(FetchRequest {
            id,
            target: Target::Media(kind),
            stream: plan.stream,
            quality_level: ql,
            chunk,
            location,
            limit: MAX_FRAGMENT_BYTES,
            // Only video downloads are worth abandoning: audio is small and fixed.
            watch: kind == StreamKind::Video && level > 0,
        }));
    }

    fn choose_level(&mut self, kind: StreamKind, now: Instant) -> (usize, &'static str) {
        let top = self
            .pres
            .plan(kind)
            .map_or(0, |p| p.levels.len().saturating_sub(1));
        match kind {
            StreamKind::Video => {
                let outlook = self.outlook(kind);
                let c = self.abr.choose(&outlook, now);
                (c.level.min(top), c.reason)
            }
            // Audio is cheap next to video: always its best level.
            StreamKind::Audio => (top, "startup"),
        }
    }

    /// What the ABR needs to know about the stream ahead of the cursor.
    fn outlook(&self, kind: StreamKind) -> Outlook {
        let live = self.pres.is_live();
        let Some(track) = &self.tracks[kind.idx()] else {
            return Outlook::default();
        };
        let t = self.pres.timeline(kind);
        let upcoming_s = t
            .iter_from(track.cursor)
            .take(HORIZON)
            .map(|c| ticks_to_secs(c.duration, t.timescale))
            .collect();
        let remaining = (!live).then(|| t.iter_from(track.cursor).count());
        let live_latency_s = live.then(|| self.live_delay().as_secs_f64());
        Outlook {
            buffer_s: self.media_ahead(kind).as_secs_f64(),
            upcoming_s,
            remaining,
            live_latency_s,
        }
    }

    /// The configured live delay (default three fragments).
    pub(super) fn live_delay(&self) -> Duration {
        let fragment = self.pres.fragment_duration();
        self.cfg
            .live_delay
            .unwrap_or(fragment.mul_f64(DEFAULT_DELAY_FRAGMENTS))
    }

    /// Media fetched ahead of the position for `kind`.
    fn media_ahead(&self, kind: StreamKind) -> Duration {
        self.tracks[kind.idx()]
            .as_ref()
            .map_or(Duration::ZERO, |t| {
                t.buffered_end.saturating_sub(self.obs.position)
            })
    }

    /// A fetch finished: route it to the stream that asked for it.
    pub(super) fn on_fetched(&mut self, id: RequestId, outcome: FetchOutcome, now: Instant) {
        if let FetchOutcome::Got(f) = &outcome {
            self.note_child_tracks(&f.children);
        }
        if let Some(i) = self.marker_stream_of(id) {
            self.on_marker_fetched(i, outcome, now);
            return;
        }
        if self.is_probe(id) {
            self.on_probe(id, outcome, now);
            return;
        }
        if self
            .text
            .as_ref()
            .and_then(|t| t.flight)
            .is_some_and(|f| f.0 == id)
        {
            self.on_text_fetched(outcome, now);
            return;
        }
        let Some(kind) = self.pres.kinds().into_iter().find(|k| {
            self.tracks[k.idx()]
                .as_mut()
                .is_some_and(|t| t.flight_for(id).is_some())
        }) else {
            return;
        };
        match outcome {
            FetchOutcome::Got(f) => self.accept(kind, f, now),
            FetchOutcome::NotYet => {
                let wait = not_yet_wait(self.pres.fragment_duration(), self.cfg.speed);
                if let Some(f) = self.flight(kind).map(|f| f.chunk) {
                    self.learn_not_yet(kind, f.end(), now);
                }
                // Waiting for the live edge is waiting for something known.
                self.watchdog.progress(now);
                if let Some(t) = &mut self.tracks[kind.idx()] {
                    t.flight = None;
                    t.not_before = Some(now + wait);
                }
            }
            FetchOutcome::Gone(e) => {
                let tolerated = self.pres.is_live() || self.flight(kind).is_some_and(|f| f.probe);
                if tolerated {
                    // Normal at a live edge, in a gap or past the end: no error event.
                    self.next_attempt(kind, e, false, now);
                } else {
                    self.failed_attempt(kind, e, now);
                }
            }
            FetchOutcome::Failed(e) => self.failed_attempt(kind, e, now),
            FetchOutcome::Corrupt { error, url } => {
                // A corrupt fragment is skipped: the stream goes on from the next one.
                self.emit(Event::problem(
                    error.kind(),
                    format!("{error} ({url})"),
                    false,
                ));
                self.skip_flight(kind);
            }
            FetchOutcome::Fatal(e) => self.fail(&e),
            FetchOutcome::Cancelled => {
                if let Some(t) = &mut self.tracks[kind.idx()] {
                    t.flight = None;
                }
            }
        }
    }

    fn flight(&self, kind: StreamKind) -> Option<&Flight> {
        self.tracks[kind.idx()].as_ref()?.flight.as_ref()
    }

    /// Drops the fragment in flight and moves past it.
    fn skip_flight(&mut self, kind: StreamKind) {
        if let Some(t) = &mut self.tracks[kind.idx()]
            && let Some(f) = t.flight.take()
        {
            t.pass(&f.chunk);
        }
    }

    /// An attempt failed for real (not "not there"): the ABR and the host are told, and the
    /// fragment is tried elsewhere.
    fn failed_attempt(&mut self, kind: StreamKind, e: Error, now: Instant) {
        let Some(level) = self.flight(kind).map(Flight::level) else {
            return;
        };
        if kind == StreamKind::Video {
            self.abr.on_error(level, now);
        }
        self.warn(&e);
        self.next_attempt(kind, e, true, now);
    }

    /// Tries the fragment in flight at the next location or level after `error` (a real
    /// `failure`, or only "not there"); when none is left, the fragment is missing (nothing
    /// there anywhere) or playback fails.
    fn next_attempt(&mut self, kind: StreamKind, error: Error, failure: bool, now: Instant) {
        let id = self.next_request_id();
        let Some(f) = self.tracks[kind.idx()]
            .as_mut()
            .and_then(|t| t.flight.as_mut())
        else {
            return;
        };
        f.all_missing &= !failure;
        let before = f.attempt();
        let message = failure.then(|| error.to_string());
        f.last_error = Some(error);
        let chunk = f.chunk;
        if let Some(attempt) = f.advance(id) {
            if let Some(error) = message {
                self.report_failover(kind, chunk, before, attempt, error);
            }
            self.request(kind, id, chunk, attempt);
            return;
        }
        let Some(f) = self.tracks[kind.idx()]
            .as_mut()
            .and_then(|t| t.flight.take())
        else {
            return;
        };
        if f.all_missing {
            self.missing(kind, f, now);
        } else if let Some(e) = &f.last_error {
            self.fail(e);
        }
    }

    /// Tells the host that `chunk` moves from (level, location) `from` to `to` after `error`.
    fn report_failover(
        &mut self,
        kind: StreamKind,
        chunk: Chunk,
        from: (usize, usize),
        to: (usize, usize),
        error: String,
    ) {
        let start = ticks_to_duration(chunk.start, self.pres.timeline(kind).timescale);
        self.emit(Event::Failover {
            stream: kind,
            position_s: start.saturating_sub(self.pres.origin).as_secs_f64(),
            from_level: from.0,
            to_level: to.0,
            from_location: from.1,
            to_location: to.1,
            error,
        });
    }

    /// No location and no level has the fragment.
    fn missing(&mut self, kind: StreamKind, f: Flight, now: Instant) {
        let start = f.chunk.start;
        if f.probe {
            // The guess was wrong (an encoder gap, or the event ended): ask the manifest.
            if let Some(t) = &mut self.tracks[kind.idx()] {
                t.needs_refresh = true;
            }
            self.want_refresh(now);
        } else if self.pres.is_live() {
            // It left the window, or the encoder never made it: go on with the next one.
            self.pres.timeline_mut(kind).remove(start);
            if let Some(t) = &mut self.tracks[kind.idx()] {
                t.pass(&f.chunk);
            }
        } else if let Some(e) = &f.last_error {
            // On demand the manifest is the whole truth: what it lists must be there.
            self.fail(e);
        }
    }

    /// A fragment arrived: report a level change, feed the ABR, grow the timeline, hand the
    /// samples to the decoder and move on.
    fn accept(&mut self, kind: StreamKind, fetched: Fetched, now: Instant) {
        let Some(flight) = self.tracks[kind.idx()]
            .as_mut()
            .and_then(|t| t.flight.take())
        else {
            return;
        };
        let Some(plan) = self.pres.plan(kind).cloned() else {
            return;
        };
        let level = flight.level().min(plan.levels.len().saturating_sub(1));
        let Some(lp) = plan.levels.get(level) else {
            return;
        };
        let timescale = self.pres.timeline(kind).timescale;
        self.report_level(kind, &flight, level);
        if kind == StreamKind::Video {
            let transfer = Transfer {
                level,
                bytes: fetched.bytes as u64,
                ttfb_s: self.media_secs(fetched.ttfb),
                total_s: self.media_secs(fetched.total),
                duration_s: ticks_to_secs(flight.chunk.duration, timescale),
                abandoned: false,
            };
            self.abr.on_download(&transfer, now);
        }
        self.watchdog.progress(now);
        let chunk = self.exact_chunk(flight.chunk, fetched.exact_duration);
        if self.pres.is_live() {
            self.learn_fragment(kind, chunk.end(), &fetched.next, now);
        }
        self.grow_timeline(kind, chunk, &fetched.next);
        // The pipeline is observed at ticks: count what is handed over until the next one,
        // or fast fetches would overrun the budget in between.
        self.obs.queued_bytes += fetched.bytes as u64;
        let track = self.tracks[kind.idx()].as_ref();
        let epoch = track.map_or(0, |t| t.epoch);
        let key_frames = track.and_then(|t| t.trick).is_some_and(|t| t.key_frames());
        if let Payload::Samples { mut units, kid } = fetched.payload {
            if key_frames {
                units = key_frame_only(units, chunk);
            }
            let fragment = DecodeFragment {
                generation: self.play.generation,
                epoch,
                span: ticks_to_duration(chunk.start, timescale)
                    ..ticks_to_duration(chunk.end(), timescale),
                bitrate: lp.bitrate,
                timescale,
                config: lp.config.clone(),
                units,
                kid,
                bytes: fetched.bytes,
            };
            self.out.push_back(Action::Decode(kind, fragment));
        }
        if let Some(t) = &mut self.tracks[kind.idx()] {
            // Backwards, what is buffered reaches down to the fragment's start.
            let reached = if t.reverse() {
                chunk.start
            } else {
                chunk.end()
            };
            t.buffered_end = ticks_to_duration(reached, timescale);
            t.pass(&chunk);
            t.delivered.push_back(Delivered {
                start: chunk.start,
                end: chunk.end(),
                level,
            });
        }
    }

    /// The fragment as it says it is: on live its tfxd duration is exact. On demand the
    /// manifest is the whole truth: a fragment claiming another duration (a corrupt tfxd)
    /// must not move where the presentation ends.
    pub(super) fn exact_chunk(&self, chunk: Chunk, exact: Option<u64>) -> Chunk {
        match exact {
            Some(duration) if self.pres.is_live() && duration > 0 => Chunk {
                start: chunk.start,
                duration,
            },
            _ => chunk,
        }
    }

    /// Adds what a fragment told of itself and of the ones after it. On demand the manifest
    /// is the whole truth: packagers (ffmpeg) write tfrf there too, naming fragments a
    /// trimmed copy of the presentation does not have.
    pub(super) fn grow_timeline(&mut self, kind: StreamKind, chunk: Chunk, next: &[Chunk]) {
        let live = self.pres.is_live();
        if !live {
            return;
        }
        let t = self.pres.timeline_mut(kind);
        t.extend(std::iter::once(chunk));
        t.extend(next.iter().copied());
        self.pres.prune(kind);
    }

    /// Emits a quality event when the level fetched changes.
    fn report_level(&mut self, kind: StreamKind, flight: &Flight, level: usize) {
        let Some(t) = self.tracks[kind.idx()].as_mut() else {
            return;
        };
        if t.last_level == Some(level) {
            return;
        }
        let from = t.last_level.replace(level);
        let reason = if level != flight.chosen {
            "error"
        } else {
            flight.reason
        };
        let Some(lp) = self.pres.plan(kind).and_then(|p| p.levels.get(level)) else {
            return;
        };
        let event = Event::Quality {
            stream: kind,
            from,
            to: level,
            bitrate: lp.bitrate,
            width: lp.width,
            height: lp.height,
            reason: reason.to_string(),
        };
        self.emit(event);
    }

    /// A video download in flight made progress: abandon it for a lower level when it would
    /// arrive too late.
    pub(super) fn on_progress(&mut self, id: RequestId, p: &Progress, now: Instant) {
        let kind = StreamKind::Video;
        let Some(f) = self.tracks[kind.idx()]
            .as_mut()
            .and_then(|t| t.flight_for(id))
        else {
            return;
        };
        let (level, chunk) = (f.level(), f.chunk);
        if level == 0 {
            return;
        }
        let duration_s = ticks_to_secs(chunk.duration, self.pres.timeline(kind).timescale);
        let flight = InFlight {
            level,
            bytes_received: p.received,
            bytes_expected: p.expected,
            elapsed_s: self.media_secs(p.elapsed),
            duration_s,
            buffer_s: self.media_ahead(kind).as_secs_f64(),
        };
        let Some(lower) = self.abr.should_abandon(&flight).filter(|l| *l < level) else {
            return;
        };
        let transfer = Transfer {
            level,
            bytes: p.received,
            ttfb_s: self.media_secs(p.ttfb),
            total_s: self.media_secs(p.elapsed),
            duration_s,
            abandoned: true,
        };
        self.abr.on_download(&transfer, now);
        if let Some(t) = &mut self.tracks[kind.idx()] {
            t.flight = None;
            t.forced = Some(lower);
        }
        self.out.push_back(Action::Cancel(id));
    }
}
