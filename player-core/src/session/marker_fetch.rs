//! Fetching the marker streams' fragments as they become known, and reporting markers:
//! announced when learnt ahead of the position, delivered when playback reaches them.
//! Never holds playback up.

use std::time::{Duration, Instant};

use crate::markers::Marker;
use crate::time::duration_to_ticks;

use super::Session;
use super::event::Event;
use super::io::{Action, FetchOutcome, FetchRequest, Fetched, Payload, Target};
use super::markers::Markers;

/// Largest sparse fragment accepted.
const MAX_MARKER_FRAGMENT_BYTES: usize = 1024 * 1024;
/// How long to wait before asking again for a fragment an origin says is not there yet.
const NOT_YET_WAIT: Duration = Duration::from_millis(500);
/// Woken this much after the clock should reach a marker, so the position read then has.
const WAKE_MARGIN: Duration = Duration::from_millis(1);

impl Session {
    /// Finds the marker streams and learns the markers the manifest carries.
    pub(super) fn open_markers(&mut self) {
        let (markers, carried) = Markers::open(&self.pres.manifest);
        self.markers = markers;
        if !self.cfg.text_streams {
            // The source cannot serve sparse fragments: only what the manifest carries.
            for s in &mut self.markers.streams {
                s.chunks.values_mut().for_each(|c| c.done = true);
            }
        }
        self.learn_markers(carried);
    }

    /// Learns markers: those ahead of the position are announced now.
    pub(super) fn learn_markers(&mut self, markers: Vec<Marker>) {
        if markers.is_empty() {
            return;
        }
        let (position, origin) = (self.obs.position, self.pres.origin);
        for m in markers {
            if let Some(ahead) = self.markers.schedule.learn(m, position) {
                self.emit(Event::marker(&ahead, origin, position, true));
            }
        }
        self.markers.publish();
    }

    /// Delivers the markers playback has reached, and works out when the clock reaches the
    /// next one (so it is delivered on time, not at the next tick).
    pub(super) fn deliver_markers(&mut self, now: Instant) {
        let (origin, position) = (self.pres.origin, self.obs.position);
        for m in self.markers.schedule.due(position) {
            self.emit(Event::marker(&m, origin, position, false));
        }
        let rate = self.follow.as_ref().map_or(1.0, |f| f.rate) * self.rate() * self.cfg.speed;
        let playing = self.play.state == super::State::Playing && rate > 0.0;
        self.markers.next_due = self
            .markers
            .schedule
            .next_after(position)
            .filter(|_| playing)
            .map(|start| now + (start - position).div_f64(rate) + WAKE_MARGIN);
    }

    /// A media fragment named the latest fragments of sparse streams: learn of them.
    pub(super) fn note_child_tracks(&mut self, children: &[(String, u64)]) {
        for (name, start) in children {
            if let Some(s) = self.markers.by_name(name) {
                s.know(*start, None);
            }
        }
    }

    /// Issues the next fetch of each marker stream that has one due.
    pub(super) fn schedule_markers(&mut self, now: Instant) {
        if self.pres.is_live() && self.pres.live.dvr_window.is_some() {
            let start = self.pres.window_start();
            let manifest = &self.pres.manifest;
            self.markers.prune_before(start, |i| {
                manifest.streams.get(i).map_or(1, |s| s.timescale)
            });
        }
        for i in 0..self.markers.streams.len() {
            let position = self.obs.position;
            let s = &self.markers.streams[i];
            if s.flight.is_some() || s.not_before.is_some_and(|w| now < w) {
                continue;
            }
            let timescale = self.pres.manifest.streams[s.stream].timescale;
            let Some(chunk) = s.next_to_fetch(duration_to_ticks(position, timescale)) else {
                continue;
            };
            let stream = s.stream;
            let request = FetchRequest {
                id: self.next_request_id(),
                target: Target::Marker(i),
                stream,
                quality_level: 0,
                chunk,
                location: 0,
                limit: MAX_MARKER_FRAGMENT_BYTES,
                watch: false,
            };
            let s = &mut self.markers.streams[i];
            s.flight = Some((request.id, chunk));
            s.not_before = None;
            self.out.push_back(Action::Fetch(request));
        }
    }

    /// The marker stream whose request `id` is.
    pub(super) fn marker_stream_of(&self, id: super::io::RequestId) -> Option<usize> {
        self.markers
            .streams
            .iter()
            .position(|s| s.flight.is_some_and(|f| f.0 == id))
    }

    /// A fetch of marker stream `i` finished.
    pub(super) fn on_marker_fetched(&mut self, i: usize, outcome: FetchOutcome, now: Instant) {
        let s = &mut self.markers.streams[i];
        let Some((_, chunk)) = s.flight.take() else {
            return;
        };
        let mut done = true;
        let mut problem = None;
        match outcome {
            FetchOutcome::Got(f) => {
                let learnt = self.sparse_fragment(i, chunk.start, f);
                self.learn_markers(learnt);
            }
            FetchOutcome::NotYet => {
                done = false;
                s.not_before = Some(now + NOT_YET_WAIT);
            }
            FetchOutcome::Cancelled => done = false,
            // Live fragments come and go (the DVR window): only real failures count.
            FetchOutcome::Gone(_) if self.pres.is_live() => {}
            FetchOutcome::Gone(e) | FetchOutcome::Failed(e) | FetchOutcome::Fatal(e) => {
                problem = Some(e.to_string());
            }
            FetchOutcome::Corrupt { error, .. } => problem = Some(error.to_string()),
        }
        let s = &mut self.markers.streams[i];
        if done && let Some(c) = s.chunks.get_mut(&chunk.start) {
            c.done = true;
        }
        if let Some(message) = problem
            && !std::mem::replace(&mut s.reported, true)
        {
            self.emit(Event::problem("markers", message, false));
        }
    }

    /// Takes in a fetched sparse fragment of marker stream `i`: its markers, its exact
    /// duration and the fragments after it.
    fn sparse_fragment(&mut self, i: usize, start: u64, f: Fetched) -> Vec<Marker> {
        let s = &mut self.markers.streams[i];
        if let Some(d) = f.exact_duration {
            s.know(start, Some(d));
        }
        for c in &f.next {
            s.know(c.start, Some(c.duration));
        }
        match f.payload {
            Payload::Markers(m) => m,
            _ => Vec::new(),
        }
    }
}
