//! Where the live edge is now: what the encoder has produced, as far as the player can tell.
//!
//! A live encoder produces media at the wall clock's pace (times the simulation speed), so
//! `edge(t) = offset + t·speed` for a constant `offset`, and a fragment exists once the edge
//! has passed its end. Every fact the player meets bounds that offset: a fragment that was
//! there (a 200, a tfrf entry, a manifest entry) from below, a fragment not made yet (a 412)
//! from above. The estimate is the middle of what the facts allow, advanced by the clock;
//! the width of that interval is its uncertainty. A manifest that lags the edge by its
//! look-ahead (as IIS does) gives only a hint: the edge is probably that many fragments
//! further on, until a fact says otherwise.

use std::time::{Duration, Instant};

/// The player's knowledge of the live edge.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeEstimate {
    epoch: Instant,
    /// Media seconds per wall second.
    speed: f64,
    /// The typical fragment duration, ns (the edge moves in such steps).
    fragment_ns: i128,
    /// Offsets, ns: the edge is at least `lo`, less than `hi`, probably near `hint`.
    lo: Option<i128>,
    hi: Option<i128>,
    hint: Option<i128>,
}

fn ns(d: Duration) -> i128 {
    i128::try_from(d.as_nanos()).unwrap_or(i128::MAX)
}

fn duration(ns: i128) -> Duration {
    let n = u64::try_from(ns.max(0)).unwrap_or(u64::MAX);
    Duration::from_nanos(n)
}

impl EdgeEstimate {
    /// Nothing known yet; wall times are measured from `epoch`, media advances at `speed`.
    pub fn new(epoch: Instant, speed: f64, fragment: Duration) -> EdgeEstimate {
        EdgeEstimate {
            epoch,
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
            fragment_ns: ns(fragment).max(1),
            lo: None,
            hi: None,
            hint: None,
        }
    }

    /// The typical fragment duration changed (learnt from the timeline).
    pub fn set_fragment(&mut self, fragment: Duration) {
        self.fragment_ns = ns(fragment).max(1);
    }

    /// Media produced at `at` since the epoch, ns, at the clock's pace.
    fn advance(&self, at: Instant) -> i128 {
        let wall = at.saturating_duration_since(self.epoch).as_secs_f64();
        (wall * self.speed * 1e9) as i128
    }

    fn offset(&self, media_end: Duration, at: Instant) -> i128 {
        ns(media_end) - self.advance(at)
    }

    /// A fragment ending at `end` existed at `at`: the edge had reached it.
    pub fn exists(&mut self, end: Duration, at: Instant) {
        let o = self.offset(end, at);
        if self.lo.is_some_and(|lo| lo >= o) {
            return;
        }
        self.lo = Some(o);
        // A newer fact wins over one it contradicts (the encoder may have drifted).
        if self.hi.is_some_and(|hi| hi <= o) {
            self.hi = None;
        }
    }

    /// A fragment ending at `end` was not made yet at `at` (HTTP 412): the edge is short of it.
    pub fn not_yet(&mut self, end: Duration, at: Instant) {
        let o = self.offset(end, at);
        if self.hi.is_some_and(|hi| hi <= o) {
            return;
        }
        self.hi = Some(o);
        if self.lo.is_some_and(|lo| lo >= o) {
            self.lo = None;
        }
    }

    /// A soft guess: the edge is probably at `end` at `at` (a manifest lagging by its
    /// look-ahead). Facts override it.
    pub fn hint(&mut self, end: Duration, at: Instant) {
        self.hint = Some(self.offset(end, at));
    }

    /// The interval the facts (and, within them, the hint) allow, as offsets.
    fn bounds(&self) -> (Option<i128>, Option<i128>) {
        let hint = self
            .hint
            .filter(|h| self.hi.is_none_or(|hi| *h < hi))
            .filter(|h| self.lo.is_none_or(|lo| *h > lo));
        (hint.or(self.lo).max(self.lo), self.hi)
    }

    /// The edge now: the middle of what is known, or half a fragment past the newest
    /// fragment known to exist (the encoder is somewhere inside the next one).
    pub fn estimate(&self, now: Instant) -> Option<Duration> {
        let half = self.fragment_ns / 2;
        let o = match self.bounds() {
            (Some(lo), Some(hi)) if hi - lo <= 2 * self.fragment_ns => (lo + hi) / 2,
            (Some(lo), Some(hi)) => (lo + half).min(hi - half),
            (Some(lo), None) => lo + half,
            (None, Some(hi)) => hi - half,
            (None, None) => return None,
        };
        Some(duration(o + self.advance(now)))
    }

    /// How far the true edge may be from the estimate: half the width of what the facts
    /// allow (a hint counts as no fact); `None` when they do not bound it on both sides.
    pub fn uncertainty(&self) -> Option<Duration> {
        match (self.lo, self.hi) {
            (Some(lo), Some(hi)) => Some(duration((hi - lo) / 2)),
            _ => None,
        }
    }

    /// The newest media known to exist at `now`'s pace (the lower bound), if any.
    pub fn known(&self, now: Instant) -> Option<Duration> {
        self.lo.map(|lo| duration(lo + self.advance(now)))
    }

    /// The media end a fragment would need to be known not made yet (the upper bound).
    pub fn limit(&self, now: Instant) -> Option<Duration> {
        self.hi.map(|hi| duration(hi + self.advance(now)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: f64) -> Duration {
        Duration::from_secs_f64(x)
    }

    fn close(a: Option<Duration>, b: f64) -> bool {
        a.is_some_and(|a| (a.as_secs_f64() - b).abs() < 1e-6)
    }

    #[test]
    fn the_newest_fragment_plus_half_a_fragment_advanced_by_the_clock() {
        let t0 = Instant::now();
        let mut e = EdgeEstimate::new(t0, 1.0, s(2.0));
        assert_eq!(e.estimate(t0), None);
        e.exists(s(100.0), t0);
        assert!(close(e.estimate(t0), 101.0));
        assert!(
            close(e.estimate(t0 + s(5.0)), 106.0),
            "{:?}",
            e.estimate(t0 + s(5.0))
        );
        assert_eq!(e.uncertainty(), None);
        // An older fact changes nothing.
        e.exists(s(90.0), t0 + s(1.0));
        assert!(close(e.estimate(t0), 101.0));
    }

    #[test]
    fn a_412_bounds_it_from_above_and_the_middle_is_taken() {
        let t0 = Instant::now();
        let mut e = EdgeEstimate::new(t0, 1.0, s(2.0));
        e.exists(s(100.0), t0);
        e.not_yet(s(102.0), t0 + s(0.5));
        // At t0 the edge is in [100, 101.5): the middle.
        assert!(close(e.estimate(t0), 100.75), "{:?}", e.estimate(t0));
        assert!(close(e.uncertainty(), 0.75));
    }

    #[test]
    fn a_lagging_manifest_is_a_hint_that_facts_override() {
        let t0 = Instant::now();
        let mut e = EdgeEstimate::new(t0, 1.0, s(2.0));
        // The manifest ends at 96 s and lags two fragments.
        e.exists(s(96.0), t0);
        e.hint(s(100.0), t0);
        assert!(close(e.estimate(t0), 101.0));
        // The origin does not lag after all: 98 s is not made yet.
        e.not_yet(s(98.0), t0);
        assert!(close(e.estimate(t0), 97.0), "{:?}", e.estimate(t0));
    }

    #[test]
    fn the_clock_runs_at_the_simulation_speed() {
        let t0 = Instant::now();
        let mut e = EdgeEstimate::new(t0, 10.0, s(2.0));
        e.exists(s(100.0), t0);
        assert!(close(e.estimate(t0 + s(1.0)), 111.0));
    }

    #[test]
    fn a_newer_fact_wins_over_one_it_contradicts() {
        let t0 = Instant::now();
        let mut e = EdgeEstimate::new(t0, 1.0, s(2.0));
        e.not_yet(s(100.0), t0);
        // The encoder ran ahead of the clock: 104 s exists a second later.
        e.exists(s(104.0), t0 + s(1.0));
        assert_eq!(e.uncertainty(), None);
        assert!(close(e.estimate(t0 + s(1.0)), 105.0));
        e.not_yet(s(104.5), t0 + s(1.0));
        assert!(e.uncertainty().is_some());
    }
}
