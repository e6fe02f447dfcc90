//! Fetching the caption stream a little ahead of the position while captions are on, and
//! reporting the text on screen when it changes. Never holds playback up.

use std::time::Instant;

use crate::error::Error;
use crate::manifest::Chunk;

use super::Session;
use super::event::Event;
use super::io::{Action, FetchOutcome, FetchRequest, Fetched, Payload, Target};
use super::selection::pick_captions;
use super::text::{AHEAD, NOT_YET_WAIT, TextTrack};

/// Largest caption fragment accepted (TTML may embed images).
const MAX_CAPTION_FRAGMENT_BYTES: usize = 4 * 1024 * 1024;

impl Session {
    /// Picks the caption stream (by the configured Name or Language, else the first).
    pub(super) fn open_captions(&mut self) {
        if !self.cfg.text_streams {
            return;
        }
        match pick_captions(&self.pres.manifest, self.cfg.text.as_deref()) {
            Ok(Some((stream, ql))) => {
                self.text = TextTrack::new(&self.pres.manifest, stream, ql, self.cfg.captions);
            }
            Ok(None) => {}
            Err(e) => self.warn(&e),
        }
    }

    /// Shows or hides captions.
    pub(super) fn set_captions(&mut self, on: bool) {
        match &mut self.text {
            Some(t) => t.enabled = on,
            None if on => self.emit(Event::problem(
                "selection",
                "the presentation has no caption stream".into(),
                false,
            )),
            None => {}
        }
    }

    /// Issues the next caption fetch, if one is due.
    pub(super) fn schedule_text(&mut self, now: Instant) {
        let live = self.pres.is_live();
        let window_start =
            (live && self.pres.live.dvr_window.is_some()).then(|| self.pres.window_start());
        let from = self.obs.position;
        let to = from + AHEAD.min(self.cfg.buffer_ahead);
        let Some(t) = &mut self.text else {
            return;
        };
        if !t.enabled || t.flight.is_some() || t.not_before.is_some_and(|w| now < w) {
            return;
        }
        if let Some(start) = window_start {
            t.prune_before(start);
        }
        let (chunk, probe) = match t.next_to_fetch(from, to) {
            Some(c) => (c, false),
            None => match live.then(|| t.probe(to)).flatten() {
                Some(c) => (c, true),
                None => return,
            },
        };
        let (stream, quality_level) = (t.stream, t.ql);
        let request = FetchRequest {
            id: self.next_request_id(),
            target: Target::Text,
            stream,
            quality_level,
            chunk,
            location: 0,
            limit: MAX_CAPTION_FRAGMENT_BYTES,
            watch: false,
        };
        if let Some(t) = &mut self.text {
            t.flight = Some((request.id, chunk, probe));
        }
        self.out.push_back(Action::Fetch(request));
    }

    /// A caption fetch finished.
    pub(super) fn on_text_fetched(&mut self, outcome: FetchOutcome, now: Instant) {
        let live = self.pres.is_live();
        let Some(t) = &mut self.text else {
            return;
        };
        let Some((_, chunk, probe)) = t.flight.take() else {
            return;
        };
        match outcome {
            FetchOutcome::Got(f) => {
                t.mark_fetched(chunk.start);
                add_fragment(t, chunk, f, live);
            }
            // Not produced yet at the live edge: ask again shortly.
            FetchOutcome::NotYet => t.not_before = Some(now + NOT_YET_WAIT),
            FetchOutcome::Cancelled => {}
            FetchOutcome::Gone(_) if probe => {
                // The guess was wrong (an encoder gap): the manifest knows what came next.
                t.mark_fetched(chunk.start);
                self.want_refresh(now);
            }
            // Live fragments come and go (gaps, the DVR window): only real failures count.
            FetchOutcome::Gone(_) if live => t.mark_fetched(chunk.start),
            FetchOutcome::Gone(e) | FetchOutcome::Failed(e) | FetchOutcome::Fatal(e) => {
                t.mark_fetched(chunk.start);
                self.caption_problem(&e);
            }
            FetchOutcome::Corrupt { error, .. } => {
                t.mark_fetched(chunk.start);
                self.caption_problem(&error);
            }
        }
    }

    fn caption_problem(&mut self, e: &Error) {
        self.emit(Event::problem("captions", e.to_string(), false));
    }

    /// Reports the caption text when what is on screen changes.
    pub(super) fn show_caption(&mut self) {
        let position = self.obs.position;
        let position_s = self.position_s();
        let Some(t) = &mut self.text else {
            return;
        };
        let text = t.text_at(position);
        if text != t.shown {
            t.shown.clone_from(&text);
            self.emit(Event::Caption { text, position_s });
        }
    }
}

/// Adds a fetched caption fragment's cues; on live the fragment also says exactly where it
/// lies and names the ones after it.
fn add_fragment(t: &mut TextTrack, chunk: Chunk, f: Fetched, live: bool) {
    if let Payload::Cues(cues) = f.payload {
        t.add_cues(cues);
    }
    if live {
        let this = Chunk {
            start: chunk.start,
            duration: f.exact_duration.unwrap_or(chunk.duration),
        };
        t.timeline
            .extend(std::iter::once(this).chain(f.next.iter().copied()));
    }
}
