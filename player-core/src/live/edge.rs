//! Where a live player starts and how far into the DVR window it may go.

use std::time::Duration;

/// Fragments behind the edge a live player starts at by default.
pub const DEFAULT_DELAY_FRAGMENTS: f64 = 3.0;
/// The closest to the edge a player may play, in fragments: nearer, the next fragment is
/// not produced in time.
pub const MIN_DELAY_FRAGMENTS: f64 = 1.5;

/// The media time a live player aims for: `delay` (default three fragments, never under
/// one and a half) behind `edge`.
pub fn live_target(edge: Duration, fragment: Duration, delay: Option<Duration>) -> Duration {
    let min = fragment.mul_f64(MIN_DELAY_FRAGMENTS);
    let delay = delay
        .unwrap_or_else(|| fragment.mul_f64(DEFAULT_DELAY_FRAGMENTS))
        .max(min);
    edge.saturating_sub(delay)
}

/// Clamps a seek target into the seekable range `[window_start + 1 fragment, edge − 1.5
/// fragments]` (the window's first fragment is the next to leave it, so a seek there would
/// be gone before it is fetched); returns the target and whether it had to move.
pub fn clamp_to_window(
    target: Duration,
    window_start: Duration,
    edge: Duration,
    fragment: Duration,
) -> (Duration, bool) {
    let latest = edge.saturating_sub(fragment.mul_f64(MIN_DELAY_FRAGMENTS));
    let earliest = (window_start + fragment).min(latest);
    let clamped = target.clamp(earliest, latest.max(earliest));
    (clamped, clamped != target)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn starts_three_fragments_behind_never_closer_than_one_and_a_half() {
        assert_eq!(live_target(S(100), S(2), None), S(94));
        assert_eq!(live_target(S(100), S(2), Some(S(1))), S(97));
        assert_eq!(live_target(S(100), S(2), Some(S(10))), S(90));
    }

    #[test]
    fn seeks_are_clamped_into_the_window() {
        assert_eq!(clamp_to_window(S(50), S(60), S(100), S(2)), (S(62), true));
        assert_eq!(clamp_to_window(S(99), S(60), S(100), S(2)), (S(97), true));
        assert_eq!(clamp_to_window(S(80), S(60), S(100), S(2)), (S(80), false));
    }
}
