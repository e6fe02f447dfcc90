//! Holding a live latency with the playback rate: a little faster when too far behind the
//! edge, a little slower when too close, never by skipping media — the way low-latency DASH
//! players (dash.js, ExoPlayer) do it, with a proportional controller and a dead band.

use std::time::Duration;

/// The slowest rate used to fall back from the edge.
pub const MIN_RATE: f64 = 0.95;
/// The fastest rate used to catch up.
pub const MAX_RATE: f64 = 1.05;
/// Latency errors smaller than this are left alone (the edge estimate is not finer).
const DEAD_BAND_S: f64 = 0.15;
/// Rate change per second of latency error.
const GAIN_PER_S: f64 = 0.1;

/// The playback rate that brings `latency` to `target`: 1 inside the dead band, then in
/// proportion to the error, within [`MIN_RATE`, `MAX_RATE`]. With less than `low_buffer`
/// ahead it never speeds up (that would only run the buffer dry).
pub fn catch_up_rate(
    latency: Duration,
    target: Duration,
    ahead: Duration,
    low_buffer: Duration,
) -> f64 {
    let error = latency.as_secs_f64() - target.as_secs_f64();
    if error.abs() <= DEAD_BAND_S {
        return 1.0;
    }
    let rate = (1.0 + GAIN_PER_S * error).clamp(MIN_RATE, MAX_RATE);
    if rate > 1.0 && ahead < low_buffer {
        return 1.0;
    }
    rate
}

/// Latency added to the target after a rebuffer beyond the latency it left playback at: the
/// throughput did not allow the target, so ask for a little more (ExoPlayer's default).
const REBUFFER_INCREMENT_S: f64 = 0.5;
/// How fast the added latency is given back while playback runs without rebuffering,
/// seconds per second: a minute and a half to return from a one-second increase.
const RELAX_PER_S: f64 = 0.011;

/// The latency to hold: the configured one, raised after rebuffers (the network could not
/// deliver fragments in time at that distance from the edge) and relaxed back slowly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyTarget {
    configured: Duration,
    extra_s: f64,
    /// Never raised beyond this much over the configured latency.
    limit_s: f64,
}

impl LatencyTarget {
    /// Holds `configured`; rebuffers may raise it by up to `limit`.
    pub fn new(configured: Duration, limit: Duration) -> LatencyTarget {
        LatencyTarget {
            configured,
            extra_s: 0.0,
            limit_s: limit.as_secs_f64(),
        }
    }

    /// The latency to hold now.
    pub fn get(&self) -> Duration {
        self.configured + Duration::from_secs_f64(self.extra_s)
    }

    /// A rebuffer ended with playback `latency` behind the edge: hold at least that, and a
    /// little more, from now on.
    pub fn on_rebuffer(&mut self, latency: Duration) {
        let wanted = latency.as_secs_f64() + REBUFFER_INCREMENT_S - self.configured.as_secs_f64();
        self.extra_s = self.extra_s.max(wanted).clamp(0.0, self.limit_s);
    }

    /// `played` of media went by without a rebuffer: give a little of the extra back.
    pub fn relax(&mut self, played: Duration) {
        self.extra_s = (self.extra_s - RELAX_PER_S * played.as_secs_f64()).max(0.0);
    }
}

/// Whether playback is so far behind its target that catching up by rate would take too
/// long: jump back to the live point instead.
pub fn should_jump(latency: Duration, target: Duration, max_drift: Duration) -> bool {
    latency > target + max_drift
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: f64) -> Duration {
        Duration::from_secs_f64(x)
    }

    #[test]
    fn the_rate_follows_the_error_within_five_percent() {
        let r = |lat: f64| catch_up_rate(s(lat), s(6.0), s(4.0), s(1.0));
        assert_eq!(r(6.1), 1.0);
        assert_eq!(r(5.9), 1.0);
        assert!((r(6.3) - 1.03).abs() < 1e-9);
        assert!((r(5.7) - 0.97).abs() < 1e-9);
        assert_eq!(r(20.0), MAX_RATE);
        assert_eq!(r(0.0), MIN_RATE);
    }

    #[test]
    fn a_thin_buffer_is_never_spent_faster() {
        assert_eq!(catch_up_rate(s(8.0), s(6.0), s(0.5), s(1.0)), 1.0);
        assert!(catch_up_rate(s(4.0), s(6.0), s(0.5), s(1.0)) < 1.0);
    }

    #[test]
    fn a_rebuffer_raises_the_target_which_relaxes_slowly() {
        let mut t = LatencyTarget::new(s(3.0), s(8.0));
        assert_eq!(t.get(), s(3.0));
        t.on_rebuffer(s(4.0));
        assert!((t.get().as_secs_f64() - 4.5).abs() < 1e-9);
        // A shorter latency at a later rebuffer never lowers it.
        t.on_rebuffer(s(3.2));
        assert!((t.get().as_secs_f64() - 4.5).abs() < 1e-9);
        t.relax(s(30.0));
        let after = t.get().as_secs_f64();
        assert!(after < 4.5 && after > 4.0, "{after}");
        t.relax(s(600.0));
        assert_eq!(t.get(), s(3.0));
        // Bounded: a stall of a minute does not make the target a minute.
        t.on_rebuffer(s(60.0));
        assert_eq!(t.get(), s(11.0));
    }

    #[test]
    fn far_behind_is_a_jump() {
        assert!(!should_jump(s(13.9), s(6.0), s(8.0)));
        assert!(should_jump(s(14.1), s(6.0), s(8.0)));
    }
}
