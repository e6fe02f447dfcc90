//! One selected stream's fetching: where it is in its timeline, how far it has buffered,
//! and the one request in flight with the order in which a failing fragment is tried
//! elsewhere (mirrors first, then lower levels, then higher ones).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::manifest::Chunk;

use super::io::RequestId;
use super::trick::TrickPlay;

/// The fetch state of one stream for the current generation.
#[derive(Debug)]
pub(crate) struct Track {
    /// The next fragment to fetch starts at or after this, stream ticks.
    pub cursor: u64,
    /// Media time up to which fragments were handed to the decoder.
    pub buffered_end: Duration,
    /// The last fragment was handed over: nothing more to fetch this generation.
    pub done: bool,
    /// The request in flight.
    pub flight: Option<Flight>,
    /// No request before this (after a 412).
    pub not_before: Option<Instant>,
    /// The next fragment is past what the timeline knows: waiting for a manifest refresh.
    pub needs_refresh: bool,
    /// The level of the next request (after abandoning a download that was too slow).
    pub forced: Option<usize>,
    /// The level last fetched, for quality events.
    pub last_level: Option<usize>,
    /// Which replacement of this stream's media the fetches belong to.
    pub epoch: u32,
    /// Fragments handed to the decoder and not yet played: start, end (ticks) and level.
    pub delivered: VecDeque<Delivered>,
    /// Trick play of this generation (video only): key frames, backwards.
    pub trick: Option<TrickPlay>,
}

/// A fragment handed to the decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Delivered {
    pub start: u64,
    pub end: u64,
    pub level: usize,
}

impl Track {
    /// A stream fetching from `cursor` for media starting at `start`.
    pub fn new(cursor: u64, start: Duration) -> Track {
        Track {
            cursor,
            buffered_end: start,
            done: false,
            flight: None,
            not_before: None,
            needs_refresh: false,
            forced: None,
            last_level: None,
            epoch: 0,
            delivered: VecDeque::new(),
            trick: None,
        }
    }

    /// A stream played backwards from `start`: fetching from the fragment holding `cursor`
    /// (ticks) down. The cursor then means "the next fragment starts before this".
    pub fn backwards(cursor: u64, start: Duration, trick: TrickPlay) -> Track {
        Track {
            cursor: cursor + 1,
            trick: Some(trick),
            ..Track::new(cursor, start)
        }
    }

    /// Whether fragments go in descending order.
    pub fn reverse(&self) -> bool {
        self.trick.is_some_and(TrickPlay::reverse)
    }

    /// Media buffered ahead of `position` in the direction of play (infinite once
    /// everything was handed over); backwards, `buffered_end` is the lowest start fetched.
    pub fn ahead(&self, position: Duration) -> Duration {
        if self.done {
            Duration::MAX
        } else if self.reverse() {
            position.saturating_sub(self.buffered_end)
        } else {
            self.buffered_end.saturating_sub(position)
        }
    }

    /// Moves past `chunk` (handed over, skipped or gone), in the direction of play.
    pub fn pass(&mut self, chunk: &Chunk) {
        self.cursor = if self.reverse() {
            chunk.start
        } else {
            chunk.start + 1
        };
    }

    /// Whether a new request may be made now (a wait that has passed is forgotten).
    pub fn idle(&mut self, now: Instant) -> bool {
        if self.not_before.is_some_and(|t| now >= t) {
            self.not_before = None;
        }
        !self.done
            && self.flight.is_none()
            && !self.needs_refresh
            && self.not_before.is_none_or(|t| now >= t)
    }

    /// The flight with request `id`, if that is the one in flight.
    pub fn flight_for(&mut self, id: RequestId) -> Option<&mut Flight> {
        self.flight.as_mut().filter(|f| f.id == id)
    }
}

/// One fragment being fetched, through its failover attempts.
#[derive(Debug)]
pub(crate) struct Flight {
    pub id: RequestId,
    pub chunk: Chunk,
    /// A guess past the known live edge.
    pub probe: bool,
    /// The level the ABR chose, and why.
    pub chosen: usize,
    pub reason: &'static str,
    /// (level, location) pairs in the order they are tried.
    attempts: Vec<(usize, usize)>,
    current: usize,
    /// Whether every attempt so far found nothing there (404/410), as opposed to failing.
    pub all_missing: bool,
    /// The last failure.
    pub last_error: Option<Error>,
}

impl Flight {
    /// A fetch of `chunk` at level `chosen` of `levels`, from any of `locations`.
    pub fn new(
        id: RequestId,
        chunk: Chunk,
        probe: bool,
        (chosen, reason): (usize, &'static str),
        levels: usize,
        locations: usize,
    ) -> Flight {
        Flight {
            id,
            chunk,
            probe,
            chosen,
            reason,
            attempts: failover_order(chosen, levels, locations),
            current: 0,
            all_missing: true,
            last_error: None,
        }
    }

    /// The (level, location) being tried.
    pub fn attempt(&self) -> (usize, usize) {
        self.attempts
            .get(self.current)
            .copied()
            .unwrap_or((self.chosen, 0))
    }

    /// The level being tried.
    pub fn level(&self) -> usize {
        self.attempt().0
    }

    /// Moves to the next attempt under request id `id`; `None` when all were tried.
    pub fn advance(&mut self, id: RequestId) -> Option<(usize, usize)> {
        self.current += 1;
        self.id = id;
        self.attempts.get(self.current).copied()
    }
}

/// The order in which a fragment is tried: at `chosen`, the primary then each mirror; then
/// each lower level the same way; then the higher ones (e.g. an encoder gap on that level
/// only).
pub(crate) fn failover_order(
    chosen: usize,
    levels: usize,
    locations: usize,
) -> Vec<(usize, usize)> {
    let levels = levels.max(1);
    let chosen = chosen.min(levels - 1);
    (0..=chosen)
        .rev()
        .chain(chosen + 1..levels)
        .flat_map(|l| (0..locations.max(1)).map(move |loc| (l, loc)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrors_before_lower_levels_before_higher_ones() {
        assert_eq!(
            failover_order(1, 3, 2),
            vec![(1, 0), (1, 1), (0, 0), (0, 1), (2, 0), (2, 1)]
        );
        assert_eq!(failover_order(5, 2, 1), vec![(1, 0), (0, 0)]);
        assert_eq!(failover_order(0, 0, 0), vec![(0, 0)]);
    }

    #[test]
    fn a_flight_walks_its_attempts_then_stops() {
        let chunk = Chunk {
            start: 0,
            duration: 10,
        };
        let mut f = Flight::new(RequestId(1), chunk, false, (0, "startup"), 2, 1);
        assert_eq!(f.attempt(), (0, 0));
        assert_eq!(f.advance(RequestId(2)), Some((1, 0)));
        assert_eq!((f.id, f.level()), (RequestId(2), 1));
        assert_eq!(f.advance(RequestId(3)), None);
    }

    #[test]
    fn buffer_ahead_is_infinite_once_done() {
        let mut t = Track::new(0, Duration::from_secs(4));
        assert_eq!(t.ahead(Duration::from_secs(1)), Duration::from_secs(3));
        assert_eq!(t.ahead(Duration::from_secs(9)), Duration::ZERO);
        t.done = true;
        assert_eq!(t.ahead(Duration::from_secs(9)), Duration::MAX);
        assert!(!t.idle(Instant::now()));
    }

    #[test]
    fn backwards_the_buffer_lies_below_the_position() {
        let trick = TrickPlay { rate: -4.0 };
        let mut t = Track::backwards(30, Duration::from_secs(3), trick);
        assert_eq!(t.cursor, 31, "the fragment holding the start comes first");
        t.buffered_end = Duration::from_secs(1);
        assert_eq!(t.ahead(Duration::from_secs(4)), Duration::from_secs(3));
        t.pass(&Chunk {
            start: 10,
            duration: 10,
        });
        assert_eq!(t.cursor, 10);
    }
}
