//! The presentation clock: a media position anchored to an instant, running or stopped.
//!
//! With audio, the audio output re-anchors it from the samples the sink has played, so
//! audio is the master; without audio it runs on the monotonic clock alone.

use std::time::{Duration, Instant};

/// How far the clock may run past its last anchor before it waits for a new one: between
/// two audio updates the position extrapolates, but never far beyond what was heard.
const MAX_EXTRAPOLATION: Duration = Duration::from_millis(100);

/// Media position as a function of wall time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MasterClock {
    anchor_media: Duration,
    anchor_at: Instant,
    running: bool,
    /// Whether the position may extrapolate only a little past the anchor (audio-driven).
    slaved: bool,
    /// Media seconds per wall second.
    rate: f64,
}

impl MasterClock {
    /// A stopped clock at `position`.
    pub fn new(position: Duration, at: Instant) -> MasterClock {
        MasterClock::with_rate(position, at, 1.0)
    }

    /// A stopped clock at `position` that runs `rate` media seconds per wall second.
    pub fn with_rate(position: Duration, at: Instant, rate: f64) -> MasterClock {
        MasterClock {
            anchor_media: position,
            anchor_at: at,
            running: false,
            slaved: false,
            rate: if rate.is_finite() && rate != 0.0 {
                rate
            } else {
                1.0
            },
        }
    }

    /// Media seconds per wall second (negative: backwards).
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The media position at `at` (backwards, never below zero).
    pub fn position(&self, at: Instant) -> Duration {
        if !self.running {
            return self.anchor_media;
        }
        let mut elapsed = at
            .saturating_duration_since(self.anchor_at)
            .mul_f64(self.rate.abs());
        if self.slaved {
            elapsed = elapsed.min(MAX_EXTRAPOLATION);
        }
        if self.rate < 0.0 {
            self.anchor_media.saturating_sub(elapsed)
        } else {
            self.anchor_media + elapsed
        }
    }

    /// Changes the rate from `at` on (negative: backwards), keeping the position continuous.
    pub fn set_rate(&mut self, rate: f64, at: Instant) {
        if rate.is_finite() && rate != 0.0 {
            let pos = self.position(at);
            self.anchor_media = pos;
            self.anchor_at = at;
            self.rate = rate;
        }
    }

    /// Whether the clock advances.
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Re-anchors at `position` (e.g. from audio samples played), running or not.
    pub fn anchor(&mut self, position: Duration, at: Instant, running: bool, slaved: bool) {
        self.anchor_media = position;
        self.anchor_at = at;
        self.running = running;
        self.slaved = slaved;
    }

    /// Starts or stops the free-running clock, keeping the current position.
    pub fn set_running(&mut self, running: bool, at: Instant) {
        let pos = self.position(at);
        self.anchor(pos, at, running, self.slaved);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_running_clock_advances_and_stops() {
        let t0 = Instant::now();
        let mut c = MasterClock::new(Duration::from_secs(10), t0);
        assert_eq!(
            c.position(t0 + Duration::from_secs(1)),
            Duration::from_secs(10)
        );
        c.set_running(true, t0);
        assert_eq!(
            c.position(t0 + Duration::from_secs(1)),
            Duration::from_secs(11)
        );
        c.set_running(false, t0 + Duration::from_secs(2));
        assert_eq!(
            c.position(t0 + Duration::from_secs(5)),
            Duration::from_secs(12)
        );
    }

    #[test]
    fn a_faster_clock_runs_faster() {
        let t0 = Instant::now();
        let mut c = MasterClock::with_rate(Duration::ZERO, t0, 10.0);
        c.set_running(true, t0);
        assert_eq!(
            c.position(t0 + Duration::from_secs(1)),
            Duration::from_secs(10)
        );
    }

    #[test]
    fn a_rate_change_keeps_the_position_continuous() {
        let t0 = Instant::now();
        let mut c = MasterClock::new(Duration::ZERO, t0);
        c.set_running(true, t0);
        c.set_rate(1.05, t0 + Duration::from_secs(10));
        assert_eq!(
            c.position(t0 + Duration::from_secs(10)),
            Duration::from_secs(10)
        );
        assert_eq!(
            c.position(t0 + Duration::from_secs(30)),
            Duration::from_secs(31)
        );
        c.set_rate(f64::NAN, t0);
        assert_eq!(c.rate(), 1.05);
    }

    #[test]
    fn a_negative_rate_runs_backwards_down_to_zero() {
        let t0 = Instant::now();
        let mut c = MasterClock::with_rate(Duration::from_secs(10), t0, -4.0);
        c.set_running(true, t0);
        assert_eq!(
            c.position(t0 + Duration::from_secs(1)),
            Duration::from_secs(6)
        );
        assert_eq!(c.position(t0 + Duration::from_secs(3)), Duration::ZERO);
        c.set_rate(0.0, t0);
        assert_eq!(c.rate(), -4.0, "zero is no rate");
    }

    #[test]
    fn slaved_clock_does_not_run_far_past_its_anchor() {
        let t0 = Instant::now();
        let mut c = MasterClock::new(Duration::ZERO, t0);
        c.anchor(Duration::from_secs(1), t0, true, true);
        assert_eq!(
            c.position(t0 + Duration::from_millis(50)),
            Duration::from_millis(1050)
        );
        assert_eq!(
            c.position(t0 + Duration::from_secs(3)),
            Duration::from_secs(1) + MAX_EXTRAPOLATION
        );
    }
}
