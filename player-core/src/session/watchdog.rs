//! Nothing waits forever: playback that makes no progress — no new media shown or fetched —
//! while it should be playing, and not at a known live wait (the edge not made yet, an
//! encoder gap the manifest confirms), is reported: first as a warning, then as a failure.

use std::time::{Duration, Instant};

use crate::error::Error;

use super::Session;
use super::event::{Event, State};

/// Media time without progress before the warning.
const WARN_AFTER: Duration = Duration::from_secs(10);
/// Media time without progress before playback fails.
const FAIL_AFTER: Duration = Duration::from_secs(30);

/// When playback last made progress, and whether that silence was already reported.
#[derive(Debug)]
pub(crate) struct Watchdog {
    last_progress: Instant,
    last_position: Duration,
    warned: bool,
}

impl Watchdog {
    /// Progress now.
    pub fn new(now: Instant) -> Watchdog {
        Watchdog {
            last_progress: now,
            last_position: Duration::ZERO,
            warned: false,
        }
    }

    /// Something moved (media fetched, a known wait confirmed, a new start).
    pub fn progress(&mut self, now: Instant) {
        self.last_progress = now;
        self.warned = false;
    }
}

impl Session {
    /// Checks for progress at a tick; warns, then fails, after too long without any.
    pub(super) fn watch_progress(&mut self, now: Instant) {
        let position = self.obs.position;
        if position != self.watchdog.last_position {
            self.watchdog.last_position = position;
            self.watchdog.progress(now);
        }
        let expected =
            matches!(self.play.state, State::Playing | State::Buffering) && !self.play.user_paused;
        if !expected {
            self.watchdog.progress(now);
            return;
        }
        let speed = self.cfg.speed.max(0.01);
        let silent = now.saturating_duration_since(self.watchdog.last_progress);
        if silent >= FAIL_AFTER.div_f64(speed) {
            let seconds = FAIL_AFTER.as_secs();
            self.fail(&Error::Stalled { seconds });
        } else if silent >= WARN_AFTER.div_f64(speed) && !self.watchdog.warned {
            self.watchdog.warned = true;
            let e = Error::Stalled {
                seconds: WARN_AFTER.as_secs(),
            };
            self.emit(Event::error(&e, false));
        }
    }
}
