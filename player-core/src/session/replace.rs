//! Replacing media already handed to the pipeline, without a break: the fragments of a
//! stream from some point on are fetched again (another level, another language or camera
//! angle) and what the pipeline holds of the old ones from that point is dropped. Used when
//! the decoder cannot keep up with the level buffered — pictures it would drop are worth
//! nothing — and to switch streams at the next fragment boundary.

use std::time::{Duration, Instant};

use crate::time::{duration_to_ticks, ticks_to_duration};

use super::Session;
use super::event::StreamKind;
use super::io::Action;

/// A switch takes effect no sooner than this after the position: the new stream's fragment
/// must be fetched and decoded by then.
const SWITCH_MARGIN: Duration = Duration::from_millis(600);

impl Session {
    /// Fetches `kind` again from the fragment starting at `from` (ticks of its timeline):
    /// what was handed over from there on is replaced.
    pub(super) fn replace_from(&mut self, kind: StreamKind, from: u64) {
        let timescale = self.pres.timeline(kind).timescale;
        let at = ticks_to_duration(from, timescale);
        let Some(t) = self.tracks[kind.idx()].as_mut() else {
            return;
        };
        t.epoch += 1;
        let epoch = t.epoch;
        let flight = t.flight.take().map(|f| f.id);
        t.cursor = from;
        t.buffered_end = at;
        t.done = false;
        t.not_before = None;
        t.delivered.retain(|d| d.start < from);
        if let Some(id) = flight {
            self.out.push_back(Action::Cancel(id));
        }
        self.out.push_back(Action::Replace {
            kind,
            from: at,
            epoch,
        });
    }

    /// Another stream of `kind` was selected (its timeline is in place): it takes over at the
    /// first fragment boundary the pipeline can still reach in time, so nothing is repeated
    /// and the position does not move. The old stream plays up to there.
    pub(super) fn switch_at_boundary(&mut self, kind: StreamKind, now: Instant) {
        let position = self.obs.position;
        let Some(buffered_end) = self.tracks[kind.idx()].as_ref().map(|t| t.buffered_end) else {
            return;
        };
        let t = self.pres.timeline(kind);
        let (timescale, at) = (t.timescale, |c: u64| ticks_to_duration(c, t.timescale));
        let earliest = duration_to_ticks(position + SWITCH_MARGIN, timescale);
        let within = t
            .iter_from(0)
            .find(|c| c.start >= earliest && at(c.start) <= buffered_end);
        // Nothing of the old stream buffered past the margin: the new one goes on from where
        // the buffer ends, when that is one of its boundaries.
        let at_end = duration_to_ticks(buffered_end, timescale);
        let aligned = t.iter_from(0).find(|c| c.start == at_end);
        match within.or(aligned) {
            Some(c) => self.replace_from(kind, c.start),
            // The new stream's fragments do not line up with what is buffered: restart here.
            None => self.start_at(position, None, now),
        }
    }

    /// Forgets delivered fragments that have been played.
    pub(super) fn forget_played(&mut self) {
        let position = self.obs.position;
        for kind in self.pres.kinds() {
            let timescale = self.pres.timeline(kind).timescale;
            let now = duration_to_ticks(position, timescale);
            if let Some(t) = self.tracks[kind.idx()].as_mut() {
                // Backwards, a fragment is behind once the position is below its start.
                let reverse = t.reverse();
                let played = |d: &super::track::Delivered| {
                    if reverse { d.start > now } else { d.end <= now }
                };
                while t.delivered.front().is_some_and(played) {
                    t.delivered.pop_front();
                }
            }
        }
    }

    /// When the decoder cannot keep up with the level of pictures not yet shown, they would
    /// only be dropped: refetch them at the level it keeps up with, from the first fragment
    /// that can still be fetched and decoded before it is due, so the picture recovers
    /// within a couple of fragments. A decoder that has begun that fragment stops at the
    /// mark (what it made of it would be dropped anyway).
    pub(super) fn replace_unaffordable(&mut self, _now: Instant) {
        let kind = StreamKind::Video;
        let Some(cap) = self.abr.cpu_ceiling() else {
            return;
        };
        let timescale = self.pres.timeline(kind).timescale;
        let soon = duration_to_ticks(self.obs.position + SWITCH_MARGIN, timescale);
        let Some(t) = self.tracks[kind.idx()].as_ref() else {
            return;
        };
        let first = t
            .delivered
            .iter()
            .find(|d| d.level > cap && d.start >= soon);
        if let Some(d) = first.copied() {
            self.replace_from(kind, d.start);
        }
    }
}
