//! Following a live edge: learning where it is from every fact (fragments fetched, tfrf
//! entries, 412s, manifests), locating it with a few probes before a jump (the start, go-live,
//! falling too far behind), and holding the configured latency with the playback rate.

use std::time::{Duration, Instant};

use crate::live::{
    EdgeEstimate, LatencyTarget, catch_up_rate, chunk_holding, clamp_to_window, live_target,
    should_jump,
};
use crate::manifest::{Chunk, Manifest};
use crate::time::{duration_to_ticks, ticks_to_duration};

use super::Session;
use super::event::{State, StreamKind};
use super::io::{Action, FetchOutcome, FetchRequest, RequestId, Target};

/// Probes at most before a jump goes ahead with what is known.
const MAX_PROBES: u32 = 4;
/// Rate changes smaller than this are not worth telling the pipeline.
const RATE_STEP: f64 = 0.002;

/// What the session knows and does about the live edge.
#[derive(Debug)]
pub(crate) struct Follow {
    pub edge: EdgeEstimate,
    /// Playing at the live point: the latency is held by the rate.
    pub following: bool,
    /// The rate last asked for.
    pub rate: f64,
    /// Probing for the edge before a jump.
    pub locate: Option<Locate>,
    /// While following: a probe that narrows the edge down (its id and chunk), and when
    /// the next one may go.
    pub watch: Option<(RequestId, Chunk)>,
    pub next_watch: Instant,
    /// A start close to the edge waits until the fragment being made is known to exist
    /// (media time its end): then the latency is the delay, to within a probe's timing.
    pub wait_for_edge: Option<Duration>,
    /// The latency held: the configured delay, raised after rebuffers.
    pub target: LatencyTarget,
    /// When the target last relaxed.
    relaxed_at: Instant,
}

/// A jump to the live point waiting for the edge to be located.
#[derive(Debug)]
pub(crate) struct Locate {
    /// Report the jump as a seek (go-live), or not (the start).
    pub seek: bool,
    pub probes: u32,
    /// The probe in flight: its id and chunk (lead stream ticks).
    pub flight: Option<(RequestId, Chunk)>,
}

impl Follow {
    /// Nothing known yet; the clock runs at `speed`.
    pub fn new(now: Instant, speed: f64, fragment: Duration, target: LatencyTarget) -> Follow {
        Follow {
            edge: EdgeEstimate::new(now, speed, fragment),
            following: false,
            rate: 1.0,
            locate: None,
            watch: None,
            next_watch: now,
            wait_for_edge: None,
            target,
            relaxed_at: now,
        }
    }
}

impl Session {
    /// The media time of `ticks` of `kind`'s timeline.
    fn media(&self, kind: StreamKind, ticks: u64) -> Duration {
        ticks_to_duration(ticks, self.pres.timeline(kind).timescale)
    }

    /// What a (refreshed) manifest says of the edge: its last fragments exist, and when it
    /// lags the edge by its look-ahead (as IIS does) the edge is probably that much further.
    pub(super) fn learn_manifest(&mut self, m: &Manifest, now: Instant) {
        let Some(selected) = self.pres.plan(self.pres.lead()).map(|p| p.stream) else {
            return;
        };
        let Some(s) = m.streams.get(selected) else {
            return;
        };
        let Some(last) = s.chunks.last() else {
            return;
        };
        let end = ticks_to_duration(last.end(), s.timescale);
        let lag = ticks_to_duration(last.duration, s.timescale) * m.lookahead_count.unwrap_or(0);
        let fragment = self.pres.fragment_duration();
        if let Some(f) = &mut self.follow {
            f.edge.set_fragment(fragment);
            f.edge.exists(end, now);
            f.edge.hint(end + lag, now);
        }
    }

    /// A fragment of `kind` ending at `end` (ticks) arrived, naming `next` after it.
    pub(super) fn learn_fragment(
        &mut self,
        kind: StreamKind,
        end: u64,
        next: &[Chunk],
        now: Instant,
    ) {
        let newest = next.iter().map(Chunk::end).max().unwrap_or(end).max(end);
        let media = self.media(kind, newest);
        if let Some(f) = &mut self.follow {
            f.edge.exists(media, now);
        }
    }

    /// A fragment of `kind` ending at `end` (ticks) was not made yet.
    pub(super) fn learn_not_yet(&mut self, kind: StreamKind, end: u64, now: Instant) {
        let media = self.media(kind, end);
        if let Some(f) = &mut self.follow {
            f.edge.not_yet(media, now);
        }
    }

    /// The live edge now: the estimate, else the newest fragment the timelines know.
    pub(super) fn edge_now(&self, now: Instant) -> Duration {
        self.follow
            .as_ref()
            .and_then(|f| f.edge.estimate(now))
            .unwrap_or_else(|| self.pres.end())
    }

    /// How far behind the edge playback is.
    pub(super) fn latency(&self, now: Instant) -> Duration {
        self.edge_now(now).saturating_sub(self.obs.position)
    }

    /// Jumps to the live point once the edge is located (at once when it already is).
    pub(super) fn jump_to_live(&mut self, seek: bool, now: Instant) {
        self.cancel_locate();
        if let Some(f) = &mut self.follow {
            f.locate = Some(Locate {
                seek,
                probes: 0,
                flight: None,
            });
        }
        self.continue_locate(now);
    }

    fn cancel_locate(&mut self) {
        let flight = self
            .follow
            .as_mut()
            .and_then(|f| f.locate.take())
            .and_then(|l| l.flight);
        if let Some((id, _)) = flight {
            self.out.push_back(Action::Cancel(id));
        }
    }

    /// Whether the edge is known well enough to jump: within half a fragment.
    fn located(&self) -> bool {
        let half = self.pres.fragment_duration() / 2;
        self.follow
            .as_ref()
            .and_then(|f| f.edge.uncertainty())
            .is_some_and(|u| u <= half)
    }

    /// Probes once more, or jumps when the edge is located or probing has done its part.
    fn continue_locate(&mut self, now: Instant) {
        let Some(probes) = self
            .follow
            .as_ref()
            .and_then(|f| f.locate.as_ref())
            .map(|l| l.probes)
        else {
            return;
        };
        let probe = (!self.located() && probes < MAX_PROBES)
            .then(|| self.next_probe(now))
            .flatten();
        match probe {
            Some(chunk) => self.send_probe(chunk),
            None => self.finish_locate(now),
        }
    }

    /// The lead stream's fragment whose answer halves what is unknown of the edge: the one
    /// being made now by the estimate when nothing bounds the edge from above, else the one
    /// ending nearest the middle of what is allowed.
    fn next_probe(&self, now: Instant) -> Option<Chunk> {
        let f = self.follow.as_ref()?;
        let lead = self.pres.lead();
        let timeline = self.pres.timeline(lead);
        let half = self.pres.fragment_duration() / 2;
        let at = match (f.edge.known(now), f.edge.limit(now)) {
            (Some(lo), Some(hi)) => ((lo + hi) / 2).saturating_sub(half),
            _ => f.edge.estimate(now)?,
        };
        let mut chunk = chunk_holding(timeline, duration_to_ticks(at, timeline.timescale))?;
        // A fragment known to exist teaches nothing: take the next one.
        let known = f.edge.known(now).unwrap_or_default();
        if self.media(lead, chunk.end()) <= known {
            chunk = chunk_holding(timeline, chunk.end())?;
        }
        Some(chunk)
    }

    fn send_probe(&mut self, chunk: Chunk) {
        let Some(request) = self.probe_request(chunk) else {
            return;
        };
        if let Some(l) = self.follow.as_mut().and_then(|f| f.locate.as_mut()) {
            l.probes += 1;
            l.flight = Some((request.id, chunk));
        }
        self.out.push_back(Action::Fetch(request));
    }

    /// A request for `chunk` of the lead stream at its lowest level: the cheapest question
    /// the origin can answer about its edge.
    fn probe_request(&mut self, chunk: Chunk) -> Option<FetchRequest> {
        let lead = self.pres.lead();
        let (stream, ql) = self
            .pres
            .plan(lead)
            .and_then(|p| p.levels.first().map(|l| (p.stream, l.ql)))?;
        Some(FetchRequest {
            id: self.next_request_id(),
            target: Target::Edge(lead),
            stream,
            quality_level: ql,
            chunk,
            location: 0,
            limit: crate::limits::MAX_FRAGMENT_BYTES,
            watch: false,
        })
    }

    /// Whether `id` is a probe of the edge in flight.
    pub(super) fn is_probe(&self, id: RequestId) -> bool {
        let Some(f) = &self.follow else {
            return false;
        };
        let locating = f.locate.as_ref().and_then(|l| l.flight);
        [locating, f.watch].iter().flatten().any(|(p, _)| *p == id)
    }

    /// A probe of the edge came back: learn from it, then probe again, jump, or wait.
    pub(super) fn on_probe(&mut self, id: RequestId, outcome: FetchOutcome, now: Instant) {
        let lead = self.pres.lead();
        if let Some(f) = &mut self.follow
            && f.watch.is_some_and(|(w, _)| w == id)
        {
            let Some((_, chunk)) = f.watch.take() else {
                return;
            };
            self.learn_probe(lead, chunk, outcome, now);
            return;
        }
        let Some((_, chunk)) = self
            .follow
            .as_mut()
            .and_then(|f| f.locate.as_mut())
            .and_then(|l| l.flight.take())
        else {
            return;
        };
        match outcome {
            FetchOutcome::Got(f) => {
                let exact = self.exact_chunk(chunk, f.exact_duration);
                self.learn_fragment(lead, exact.end(), &f.next, now);
                self.grow_timeline(lead, exact, &f.next);
            }
            FetchOutcome::NotYet => self.learn_not_yet(lead, chunk.end(), now),
            FetchOutcome::Cancelled => return,
            // A gap or a failure: go with what is known.
            _ => {
                if let Some(l) = self.follow.as_mut().and_then(|f| f.locate.as_mut()) {
                    l.probes = MAX_PROBES;
                }
            }
        }
        self.continue_locate(now);
    }

    /// Learns from a watching probe; the next one goes soon after a 412 (the fragment is about
    /// to be made) and at once after a 200 (the one after it is not made yet).
    fn learn_probe(&mut self, kind: StreamKind, chunk: Chunk, outcome: FetchOutcome, now: Instant) {
        let fragment = self.pres.fragment_duration();
        let wait = match outcome {
            FetchOutcome::Got(f) => {
                let exact = self.exact_chunk(chunk, f.exact_duration);
                self.learn_fragment(kind, exact.end(), &f.next, now);
                // What the probe found is as good as any fragment's tfrf: the streams may
                // fetch it, at once.
                self.grow_timeline(kind, exact, &f.next);
                for t in self.tracks.iter_mut().flatten() {
                    t.not_before = None;
                }
                Duration::ZERO
            }
            FetchOutcome::NotYet => {
                self.learn_not_yet(kind, chunk.end(), now);
                // Waiting to start close to the edge: look more often.
                let waiting = self
                    .follow
                    .as_ref()
                    .is_some_and(|f| f.wait_for_edge.is_some());
                let step = if waiting { fragment / 16 } else { fragment / 4 };
                step.div_f64(self.cfg.speed.max(0.01))
            }
            // A gap, an error: try again a fragment later.
            _ => fragment.div_f64(self.cfg.speed.max(0.01)),
        };
        if let Some(f) = &mut self.follow {
            f.next_watch = now + wait;
        }
    }

    /// While following the edge, narrows its estimate down to a quarter of a fragment: a
    /// probe of the fragment after the newest known one, just as it is being made. A tfrf
    /// names fragments only once they exist, so without such probes the edge is known only
    /// to within a fragment.
    fn watch_edge(&mut self, now: Instant) {
        let fragment = self.pres.fragment_duration();
        let Some(f) = &self.follow else {
            return;
        };
        let narrow = f.edge.uncertainty().is_some_and(|u| u <= fragment / 8);
        if !f.following || f.locate.is_some() || f.watch.is_some() || narrow || now < f.next_watch {
            return;
        }
        let lead = self.pres.lead();
        let timeline = self.pres.timeline(lead);
        let Some(known) = f.edge.known(now) else {
            return;
        };
        let Some(chunk) = chunk_holding(timeline, duration_to_ticks(known, timeline.timescale))
        else {
            return;
        };
        let Some(request) = self.probe_request(chunk) else {
            return;
        };
        if let Some(f) = &mut self.follow {
            f.watch = Some((request.id, chunk));
        }
        self.out.push_back(Action::Fetch(request));
    }

    /// Jumps to the configured delay behind the located edge, to the exact point (frames
    /// before it are decoded, not shown), and follows the edge from there.
    fn finish_locate(&mut self, now: Instant) {
        let Some(l) = self.follow.as_mut().and_then(|f| f.locate.take()) else {
            return;
        };
        let fragment = self.pres.fragment_duration();
        let (wanted, wait) = self.start_point(now);
        if let Some(f) = &mut self.follow {
            f.wait_for_edge = wait;
        }
        // A start waiting for the fragment being made may be the delay behind its end.
        let latest = self
            .pres
            .end()
            .max(self.edge_now(now))
            .max(wait.unwrap_or_default());
        let (target, _) = clamp_to_window(wanted, self.pres.window_start(), latest, fragment);
        let requested = l.seek.then(|| {
            let s = target.saturating_sub(self.pres.origin).as_secs_f64();
            (s, false)
        });
        self.start_exact(target, requested, now);
        if let Some(f) = &mut self.follow {
            f.following = true;
        }
    }

    /// Where a jump to the live point lands, and what edge it must wait for. With a delay of
    /// two fragments or more the estimate is good enough: the delay behind it (the edge is
    /// known to within half a fragment). Closer, half a fragment too close would run dry at
    /// the next fragment: start the delay behind the end of the fragment being made, and
    /// hold the clock until it exists.
    fn start_point(&self, now: Instant) -> (Duration, Option<Duration>) {
        let fragment = self.pres.fragment_duration();
        let delay = self.latency_target();
        let estimate = live_target(self.edge_now(now), fragment, Some(delay));
        let known = self.follow.as_ref().and_then(|f| f.edge.known(now));
        let (Some(known), true) = (known, delay < fragment * 2) else {
            return (estimate, None);
        };
        let lead = self.pres.lead();
        let timeline = self.pres.timeline(lead);
        let making = chunk_holding(timeline, duration_to_ticks(known, timeline.timescale))
            .map(|c| self.media(lead, c.end()));
        match making {
            Some(end) => (end.saturating_sub(delay), Some(end)),
            None => (estimate, None),
        }
    }

    /// Whether a start close to the edge may let the clock run: the fragment it waits for
    /// is known to exist.
    pub(super) fn edge_reached(&self, now: Instant) -> bool {
        let Some(f) = &self.follow else {
            return true;
        };
        match f.wait_for_edge {
            Some(end) => f.edge.known(now).is_some_and(|k| k >= end),
            None => true,
        }
    }

    /// At the live point, holds the configured delay with the playback rate, and jumps back
    /// when playback fell too far behind; elsewhere plays at the normal rate.
    pub(super) fn hold_latency(&mut self, now: Instant) {
        self.watch_edge(now);
        let playing = self.play.state == State::Playing;
        let Some(f) = &mut self.follow else {
            return;
        };
        let since = now.saturating_duration_since(f.relaxed_at);
        f.relaxed_at = now;
        if playing {
            f.target.relax(since.mul_f64(f.rate * self.cfg.speed));
        }
        let rate = if f.following && playing && f.locate.is_none() {
            let latency = self.latency(now);
            let target = self.latency_target();
            if should_jump(latency, target, self.cfg.live_max_drift) {
                self.jump_to_live(true, now);
                return;
            }
            let ahead = self.min_ahead();
            catch_up_rate(latency, target, ahead, self.pres.fragment_duration() / 2)
        } else {
            1.0
        };
        self.set_rate(rate);
    }

    /// The latency held now: the delay asked for, raised after rebuffers.
    pub(super) fn latency_target(&self) -> Duration {
        let floor = self.live_delay_floor();
        self.follow
            .as_ref()
            .map_or(floor, |f| f.target.get().max(floor))
    }

    /// A rebuffer ended while following the edge: the latency it left is the least the
    /// network allows, so hold at least that.
    pub(super) fn rebuffered_at_live(&mut self, now: Instant) {
        let latency = self.latency(now);
        if let Some(f) = self.follow.as_mut().filter(|f| f.following) {
            f.target.on_rebuffer(latency);
        }
    }

    /// The live delay asked for, never under a fragment and a half.
    pub(super) fn live_delay_floor(&self) -> Duration {
        let fragment = self.pres.fragment_duration();
        self.live_delay()
            .max(fragment.mul_f64(crate::live::MIN_DELAY_FRAGMENTS))
    }

    /// Asks the pipeline for `rate` when it differs enough from the one in use.
    pub(super) fn set_rate(&mut self, rate: f64) {
        let Some(f) = &mut self.follow else {
            return;
        };
        let snap = rate == 1.0 && f.rate != 1.0;
        if snap || (rate - f.rate).abs() >= RATE_STEP {
            f.rate = rate;
            self.out.push_back(Action::SetRate(rate));
        }
    }

    /// Stops holding the latency (a seek into the window, a pause): the rate returns to 1.
    pub(super) fn stop_following(&mut self) {
        self.cancel_locate();
        if let Some(f) = &mut self.follow {
            f.following = false;
        }
        self.set_rate(1.0);
    }
}
