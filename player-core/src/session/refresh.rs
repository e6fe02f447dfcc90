//! Manifest refreshes: one at a time, rate-limited, asked for when a stream runs past what
//! its timeline knows (no look-ahead, a wrong guess, an encoder gap) or while a live session
//! is paused; what they bring is merged into the timelines.

use std::time::Instant;

use crate::error::Error;
use crate::live::refresh_interval;
use crate::manifest::Manifest;

use super::Session;
use super::io::Action;

/// The refresh in flight and the rate limit.
#[derive(Debug, Default)]
pub(crate) struct Refresh {
    /// A refresh was asked for and has not come back.
    pub in_flight: bool,
    /// When the last one was asked for.
    pub last: Option<Instant>,
    /// A refresh is wanted, no earlier than this.
    pub due: Option<Instant>,
}

impl Session {
    /// Asks for a refresh as soon as the rate limit allows (refreshes are at least half a
    /// fragment apart: every stream may want one at once).
    pub(super) fn want_refresh(&mut self, now: Instant) {
        let interval = refresh_interval(self.pres.fragment_duration(), self.cfg.speed);
        let earliest = self.refresh.last.map_or(now, |t| t + interval);
        let due = self.refresh.due.map_or(earliest, |d| d.min(earliest));
        self.refresh.due = Some(due);
        self.refresh_if_due(now);
    }

    /// Asks the driver for the refresh that is due, if none is in flight.
    pub(super) fn refresh_if_due(&mut self, now: Instant) {
        if self.refresh.in_flight || self.refresh.due.is_none_or(|d| now < d) {
            return;
        }
        self.refresh.due = None;
        self.refresh.in_flight = true;
        self.refresh.last = Some(now);
        self.out.push_back(Action::RefreshManifest);
    }

    /// A refresh came back: merge it, and let the streams that waited for it look again.
    pub(super) fn on_manifest(&mut self, result: Result<Manifest, Error>, now: Instant) {
        self.refresh.in_flight = false;
        let waiting = self.tracks.iter().flatten().any(|t| t.needs_refresh);
        match result {
            Ok(fresh) => {
                self.pres.merge(&fresh);
                if fresh.is_live {
                    self.learn_manifest(&fresh, now);
                    // The event goes on (an encoder gap is waited out).
                    self.watchdog.progress(now);
                }
                if let Some(t) = &mut self.text {
                    t.merge(&fresh);
                }
                let carried = self.markers.merge(&fresh);
                self.learn_markers(carried);
                for t in self.tracks.iter_mut().flatten() {
                    t.needs_refresh = false;
                }
                // Whoever still needs a newer one asks again.
                self.refresh.due = None;
            }
            Err(e) => {
                self.warn(&e);
                if waiting {
                    // The streams still wait: try again once the rate limit allows.
                    self.want_refresh(now);
                }
            }
        }
    }
}
