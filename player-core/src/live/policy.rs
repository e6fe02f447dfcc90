//! How a live player follows the edge: what to fetch past the known timeline, how far ahead
//! to buffer, how often to ask the manifest, how long to wait for a fragment not yet made,
//! and what leaves the DVR window. Pure functions of times.

use std::time::Duration;

use super::{MIN_DELAY_FRAGMENTS, Timeline};
use crate::manifest::Chunk;
use crate::time::rescale;

/// What a stream should do next from `cursor` (ticks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextFragment {
    /// A fragment the timeline knows.
    Known(Chunk),
    /// Past the known live edge: a guess that the next fragment follows the last one.
    Probe(Chunk),
    /// Past the known live edge and no guess is possible: ask the manifest.
    Refresh,
    /// Nothing more will come (on demand, or a live event that ended).
    End,
}

/// Decides what follows `cursor` on `timeline`. A guess past the known edge (at most
/// `lookahead` fragments past it, on the fragments' cadence) needs tfrf look-ahead
/// (`lookahead` > 0): without it the origin's timeline is only learnt from the manifest.
pub fn next_fragment(timeline: &Timeline, cursor: u64, lookahead: u32) -> NextFragment {
    if let Some(c) = timeline.at_or_after(cursor) {
        return NextFragment::Known(c);
    }
    if !timeline.growing {
        return NextFragment::End;
    }
    match timeline.last() {
        Some(last)
            if lookahead > 0 && cursor <= last.end() + u64::from(lookahead) * last.duration =>
        {
            let d = last.duration.max(1);
            let steps = cursor.saturating_sub(last.end()).div_ceil(d);
            NextFragment::Probe(Chunk {
                start: last.end() + steps * d,
                duration: d,
            })
        }
        _ => NextFragment::Refresh,
    }
}

/// The chunk holding tick `t`: a known one or, past the end of a live timeline, the one
/// the fragments' steady cadence puts there (the first one when `t` precedes all).
pub fn chunk_holding(timeline: &Timeline, t: u64) -> Option<Chunk> {
    let last = timeline.last()?;
    if !timeline.growing || t < last.end() {
        return timeline.chunk_at(t);
    }
    let d = last.duration.max(1);
    Some(Chunk {
        start: last.end() + (t - last.end()) / d * d,
        duration: d,
    })
}

/// How far ahead to buffer. On live, near the edge, stay a fragment and a half behind what
/// the edge has produced: then every fragment is fetched after it exists, and its tfrf
/// already names the next one — no polling of the edge, no manifest refresh. Far behind the
/// edge (paused, seeking in the DVR window) the normal `target` applies.
pub fn buffer_target(target: Duration, fragment: Duration, latency: Option<Duration>) -> Duration {
    match latency {
        None => target,
        Some(latency) => latency
            .saturating_sub(fragment.mul_f64(MIN_DELAY_FRAGMENTS))
            .max(fragment)
            .min(target),
    }
}

/// Wall time between manifest refreshes while waiting for the edge: half a fragment at the
/// playback `speed`, never under 50 ms.
pub fn refresh_interval(fragment: Duration, speed: f64) -> Duration {
    (fragment / 2)
        .div_f64(speed.max(0.01))
        .max(Duration::from_millis(50))
}

/// Wall time between manifest refreshes while paused (nothing is fetched, so no tfrf tells
/// where the window went): two fragments at the playback `speed`.
pub fn paused_refresh_interval(fragment: Duration, speed: f64) -> Duration {
    (fragment * 2).div_f64(speed.max(0.01))
}

/// Wall time to wait after a 412 (fragment not produced yet) before asking again.
pub fn not_yet_wait(fragment: Duration, speed: f64) -> Duration {
    (fragment / 4)
        .div_f64(speed.max(0.01))
        .clamp(Duration::from_millis(20), Duration::from_millis(500))
}

/// Drops what left the DVR window of `window` ticks at `window_timescale` from `timeline`
/// (measured back from its end); an infinite window (`None`) keeps all.
pub fn prune_to_window(timeline: &mut Timeline, window: Option<u64>, window_timescale: u64) {
    let (Some(window), Some(end)) = (window, timeline.end()) else {
        return;
    };
    let w = rescale(window, window_timescale, timeline.timescale);
    timeline.prune_before(end.saturating_sub(w));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(start: u64, duration: u64) -> Chunk {
        Chunk { start, duration }
    }

    #[test]
    fn known_fragments_first_then_a_probe_past_the_edge_then_the_manifest() {
        let mut t = Timeline::new(&[c(0, 20), c(20, 20)], 10, true);
        assert_eq!(next_fragment(&t, 0, 2), NextFragment::Known(c(0, 20)));
        assert_eq!(next_fragment(&t, 1, 2), NextFragment::Known(c(20, 20)));
        assert_eq!(next_fragment(&t, 21, 2), NextFragment::Probe(c(40, 20)));
        assert_eq!(next_fragment(&t, 21, 0), NextFragment::Refresh);
        // Further on, within the look-ahead, on the fragments' cadence.
        assert_eq!(next_fragment(&t, 41, 2), NextFragment::Probe(c(60, 20)));
        assert_eq!(next_fragment(&t, 80, 2), NextFragment::Probe(c(80, 20)));
        // Beyond that only the manifest can tell.
        assert_eq!(next_fragment(&t, 81, 2), NextFragment::Refresh);
        assert_eq!(chunk_holding(&t, 5), Some(c(0, 20)));
        assert_eq!(chunk_holding(&t, 75), Some(c(60, 20)));
        t.growing = false;
        assert_eq!(next_fragment(&t, 21, 2), NextFragment::End);
    }

    #[test]
    fn live_buffers_a_fragment_and_a_half_short_of_the_edge() {
        let s = Duration::from_secs;
        assert_eq!(buffer_target(s(20), s(2), None), s(20));
        assert_eq!(buffer_target(s(20), s(2), Some(s(6))), s(3));
        assert_eq!(buffer_target(s(20), s(2), Some(s(2))), s(2));
        assert_eq!(buffer_target(s(20), s(2), Some(s(60))), s(20));
    }

    #[test]
    fn waits_scale_with_the_playback_speed_and_stay_bounded() {
        let s = Duration::from_secs;
        assert_eq!(refresh_interval(s(2), 1.0), s(1));
        assert_eq!(refresh_interval(s(2), 100.0), Duration::from_millis(50));
        assert_eq!(paused_refresh_interval(s(2), 2.0), s(2));
        assert_eq!(not_yet_wait(s(2), 1.0), Duration::from_millis(500));
        assert_eq!(not_yet_wait(s(2), 10.0), Duration::from_millis(50));
        assert_eq!(not_yet_wait(s(2), 1000.0), Duration::from_millis(20));
    }

    #[test]
    fn the_dvr_window_is_measured_back_from_the_end() {
        let mut t = Timeline::new(&[c(0, 20), c(20, 20), c(40, 20)], 10, true);
        prune_to_window(&mut t, None, 10);
        assert_eq!(t.len(), 3);
        // 3 s at timescale 1 = 30 ticks at 10: the first chunk ends at 20 <= 60 - 30.
        prune_to_window(&mut t, Some(3), 1);
        assert_eq!(t.first(), Some(c(20, 20)));
    }
}
