//! Trick play: fast forward and rewind. At 2× forward every picture is decoded; faster, and
//! backwards, only the first picture of each fragment (its keyframe) is fetched, from the
//! lowest level, and shown for the fragment's whole span — the cost per media second falls
//! as the rate rises, and a fragment decodes on its own in either direction. Audio is not
//! fetched while the rate is not 1 (muted): going back to 1 restarts every stream at the
//! position, which resumes cleanly whatever the trick generation held. At the presentation
//! start (rewind) or the live point (fast forward on live) the rate returns to 1 by itself.

use std::time::{Duration, Instant};

use crate::demux::MediaUnit;
use crate::manifest::Chunk;

use super::Session;
use super::event::{Event, State, StreamKind};

/// The rates the player offers (1 = normal playback; negative = rewind).
pub const RATES: [f64; 9] = [-16.0, -8.0, -4.0, -2.0, 1.0, 2.0, 4.0, 8.0, 16.0];

/// A playback rate the player does not offer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("rate: expected one of -16, -8, -4, -2, 1, 2, 4, 8, 16 (got {0})")]
pub struct RateError(pub String);

/// `rate` if the player offers it.
pub fn check_rate(rate: f64) -> Result<f64, RateError> {
    if RATES.contains(&rate) {
        Ok(rate)
    } else {
        Err(RateError(rate.to_string()))
    }
}

/// Parses a rate as typed (`4`, `-2`, `+8`, `1`).
pub fn parse_rate(text: &str) -> Result<f64, RateError> {
    let rate = text
        .trim()
        .parse::<f64>()
        .map_err(|_| RateError(format!("{text:?}")))?;
    check_rate(rate).map_err(|_| RateError(text.to_string()))
}

/// The next rate up (`faster`) or down the ladder …, −4, −2, 1, 2, 4, …; the ends stay.
pub fn step_rate(rate: f64, faster: bool) -> f64 {
    let i = RATES
        .iter()
        .position(|r| *r >= rate)
        .unwrap_or(RATES.len() - 1);
    // A rate between two steps (not offered) moves to the step in the asked direction.
    let exact = RATES[i] == rate;
    let j = match (faster, exact) {
        (true, true) => (i + 1).min(RATES.len() - 1),
        (true, false) => i,
        (false, _) => i.saturating_sub(1),
    };
    RATES[j]
}

/// How a generation plays at a rate other than 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TrickPlay {
    /// Media seconds per second of the clock; negative backwards.
    pub rate: f64,
}

impl TrickPlay {
    /// Only the first picture of each fragment is fetched and shown.
    pub fn key_frames(self) -> bool {
        self.rate < 0.0 || self.rate > 2.0
    }

    /// Fragments are fetched and shown in descending order.
    pub fn reverse(self) -> bool {
        self.rate < 0.0
    }
}

/// The picture that stands for `chunk` in key-frame mode: its first sync sample (the
/// first sample when none says so: Smooth fragments start with a keyframe), lasting until
/// the fragment ends so that the presenter keeps it up until the next one is due.
pub(crate) fn key_frame_only(mut units: Vec<MediaUnit>, chunk: Chunk) -> Vec<MediaUnit> {
    let first = units.iter().position(|u| u.is_sync).unwrap_or(0);
    if first >= units.len() {
        return units;
    }
    let mut unit = units.swap_remove(first);
    let span = chunk.end().saturating_sub(unit.pts).max(1);
    unit.duration = u32::try_from(span).unwrap_or(u32::MAX);
    vec![unit]
}

impl Session {
    /// The rate asked for (1 = normal).
    pub(super) fn rate(&self) -> f64 {
        self.trick.map_or(1.0, |t| t.rate)
    }

    /// Plays at `rate` from the current position: a new generation (video only in trick
    /// play, every stream again at 1).
    pub(super) fn change_rate(&mut self, rate: f64, now: Instant) {
        let rate = match check_rate(rate) {
            Ok(r) => r,
            Err(e) => return self.emit(Event::problem("command", e.to_string(), false)),
        };
        if rate != 1.0 && self.pres.plan(StreamKind::Video).is_none() {
            let message = "rate: no video stream to show at another rate".to_string();
            return self.emit(Event::problem("command", message, false));
        }
        if rate == self.rate() {
            return;
        }
        // Live: not at the live point any more; the latency control must not fight the rate.
        self.stop_following();
        self.trick = (rate != 1.0).then_some(TrickPlay { rate });
        if rate != 1.0 {
            // Fast forward or rewind from a pause means moving.
            self.play.user_paused = false;
        }
        let at = self.resume_point();
        self.start_exact(at, None, now);
        self.emit_rate("command");
    }

    /// Where a new rate takes over: the position, inside what can be played.
    fn resume_point(&self) -> Duration {
        let (start, end) = (self.pres.window_start(), self.pres.end());
        let position = self.obs.position;
        if self.pres.is_live() && position < start {
            // One fragment in, so the window does not leave us behind again at once.
            return start + self.pres.fragment_duration();
        }
        position.clamp(start, end.max(start))
    }

    /// Tells the host the rate now in force and why it changed.
    fn emit_rate(&mut self, reason: &str) {
        let rate = self.rate();
        self.emit(Event::Rate {
            rate,
            reason: reason.to_string(),
        });
    }

    /// Ends trick play for `reason` (the start, the live point, the end): the host is told.
    pub(super) fn end_trick(&mut self, reason: &str) {
        if self.trick.take().is_some() {
            self.emit_rate(reason);
        }
    }

    /// At each tick in trick play: back to 1 at the start when rewinding (playing on from
    /// there) and at the live point when fast forwarding on live (following it again).
    /// Returns whether playback restarted.
    pub(super) fn trick_bounds(&mut self, now: Instant) -> bool {
        let Some(trick) = self.generation_trick() else {
            return false;
        };
        if self.play.state == State::Paused {
            return false;
        }
        if trick.reverse() {
            let first = self.pres.window_start();
            if self.obs.position > first {
                return false;
            }
            self.end_trick("start");
            let at = if self.pres.is_live() {
                first + self.pres.fragment_duration()
            } else {
                first
            };
            self.start_exact(at, None, now);
            return true;
        }
        if self.pres.is_live() && self.latency(now) <= self.latency_target() {
            self.end_trick("live");
            self.jump_to_live(false, now);
            return true;
        }
        false
    }

    /// The trick play of the current generation, if it is one.
    pub(super) fn generation_trick(&self) -> Option<TrickPlay> {
        self.tracks[StreamKind::Video.idx()]
            .as_ref()
            .and_then(|t| t.trick)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn unit(pts: u64, is_sync: bool) -> MediaUnit {
        MediaUnit {
            data: Bytes::new(),
            dts: pts,
            pts,
            duration: 10,
            is_sync,
        }
    }

    #[test]
    fn only_offered_rates_are_taken() {
        for r in RATES {
            assert_eq!(check_rate(r), Ok(r));
        }
        assert_eq!(parse_rate("-4"), Ok(-4.0));
        assert_eq!(parse_rate("+8"), Ok(8.0));
        for bad in ["0", "3", "32", "-1", "junk", "", "nan", "inf"] {
            let e = parse_rate(bad).expect_err(bad);
            assert!(e.to_string().contains("expected one of"), "{e}");
        }
    }

    #[test]
    fn the_ladder_steps_through_one_and_stops_at_its_ends() {
        assert_eq!(step_rate(1.0, true), 2.0);
        assert_eq!(step_rate(1.0, false), -2.0);
        assert_eq!(step_rate(-2.0, true), 1.0);
        assert_eq!(step_rate(16.0, true), 16.0);
        assert_eq!(step_rate(-16.0, false), -16.0);
        // Off the ladder (a live catch-up rate): to the neighbouring step.
        assert_eq!(step_rate(1.03, true), 2.0);
        assert_eq!(step_rate(1.03, false), 1.0);
    }

    #[test]
    fn modes_follow_the_rate() {
        let t = |rate| TrickPlay { rate };
        assert!(!t(2.0).key_frames() && !t(2.0).reverse());
        assert!(t(4.0).key_frames() && !t(4.0).reverse());
        assert!(t(-2.0).key_frames() && t(-2.0).reverse());
    }

    #[test]
    fn a_fragment_is_reduced_to_its_keyframe_lasting_the_fragment() {
        let chunk = Chunk {
            start: 100,
            duration: 50,
        };
        let units = vec![unit(102, true), unit(112, false), unit(122, false)];
        let kept = key_frame_only(units, chunk);
        assert_eq!(kept.len(), 1);
        assert_eq!((kept[0].pts, kept[0].duration), (102, 48));
        // No sync flag anywhere: the first sample stands for the fragment.
        let kept = key_frame_only(vec![unit(100, false), unit(110, false)], chunk);
        assert_eq!((kept[0].pts, kept[0].duration), (100, 50));
        assert!(key_frame_only(Vec::new(), chunk).is_empty());
    }
}
