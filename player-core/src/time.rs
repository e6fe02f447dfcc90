//! Exact media time: ticks at a timescale, converted without floating point.

use std::time::Duration;

/// The Smooth Streaming default timescale (100-ns units).
pub const DEFAULT_TIMESCALE: u64 = 10_000_000;

/// Rescales `value` ticks from timescale `from` to `to`, rounding down; saturates at `u64::MAX`.
pub fn rescale(value: u64, from: u64, to: u64) -> u64 {
    if from == to || from == 0 {
        return value;
    }
    let v = u128::from(value) * u128::from(to) / u128::from(from);
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// Converts ticks at `timescale` to a `Duration` (nanosecond precision, rounded down).
pub fn ticks_to_duration(ticks: u64, timescale: u64) -> Duration {
    if timescale == 0 {
        return Duration::ZERO;
    }
    let ts = u128::from(timescale);
    let t = u128::from(ticks);
    let secs = t / ts;
    let nanos = (t % ts) * 1_000_000_000 / ts;
    Duration::new(
        u64::try_from(secs).unwrap_or(u64::MAX),
        u32::try_from(nanos).unwrap_or(0),
    )
}

/// Converts a `Duration` to ticks at `timescale`, rounding down; saturates at `u64::MAX`.
pub fn duration_to_ticks(d: Duration, timescale: u64) -> u64 {
    let v = d.as_nanos() * u128::from(timescale) / 1_000_000_000;
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// Converts ticks at `timescale` to seconds, for display and heuristics only.
pub fn ticks_to_secs(ticks: u64, timescale: u64) -> f64 {
    if timescale == 0 {
        return 0.0;
    }
    ticks as f64 / timescale as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rescale_is_exact_for_large_live_times() {
        // Wall-clock 100-ns times are around 1.7e16: no precision may be lost.
        let t = 17_000_000_000_000_123u64;
        assert_eq!(rescale(t, 10_000_000, 10_000_000), t);
        assert_eq!(rescale(48_000, 48_000, 10_000_000), 10_000_000);
        assert_eq!(rescale(1, 3, 10_000_000), 3_333_333);
    }

    #[test]
    fn duration_round_trip() {
        let d = ticks_to_duration(20_020_000, DEFAULT_TIMESCALE);
        assert_eq!(d, Duration::from_millis(2002));
        assert_eq!(duration_to_ticks(d, DEFAULT_TIMESCALE), 20_020_000);
        assert_eq!(ticks_to_duration(5, 0), Duration::ZERO);
    }
}
