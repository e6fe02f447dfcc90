//! Abandonment: cancel an in-flight download that will clearly stall, refetch lower.
//!
//! The comparison uses the same linear QoE as the planner: finishing the current download
//! yields its bitrate minus the rebuffer penalty for the projected stall; restarting at a lower
//! level yields that level's bitrate minus its own projected stall (a full new request at the
//! rate seen so far, latency included). The download is abandoned only when a lower level wins
//! by a margin, so a download that merely runs a little late is left alone.

/// A download in progress.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InFlight {
    /// Level being downloaded.
    pub level: usize,
    /// Bytes received so far.
    pub bytes_received: u64,
    /// Expected total bytes, when known (else bitrate × duration).
    pub bytes_expected: Option<u64>,
    /// Seconds since the request was sent.
    pub elapsed_s: f64,
    /// Media duration of the fragment.
    pub duration_s: f64,
    /// Buffer ahead of the playhead now.
    pub buffer_s: f64,
}

/// Parameters of the abandonment rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AbandonParams {
    /// QoE penalty per second of stall.
    pub rebuffer_penalty: f64,
    /// Minimum QoE gain (Mbit/s units) before abandoning.
    pub margin: f64,
    /// Do not judge before this much time has elapsed.
    pub min_elapsed_s: f64,
}

/// Returns the level to refetch at, or `None` to keep downloading.
///
/// `bitrates_bps` and `sizes_bytes` (expected size per level, same length) describe the
/// fragment; `latency_s` is the expected time to first byte of a new request and
/// `estimate_bps` the throughput prediction, used until the transfer itself has shown a rate.
pub fn should_abandon(
    f: &InFlight,
    bitrates_bps: &[u64],
    sizes_bytes: &[f64],
    latency_s: f64,
    estimate_bps: Option<f64>,
    p: &AbandonParams,
) -> Option<usize> {
    if f.level == 0 || f.level >= bitrates_bps.len() || f.elapsed_s < p.min_elapsed_s {
        return None;
    }
    let expected = f
        .bytes_expected
        .map(|b| b as f64)
        .or_else(|| sizes_bytes.get(f.level).copied())?;
    let transfer_s = (f.elapsed_s - latency_s).max(1e-3);
    let seen_bps = f.bytes_received as f64 * 8.0 / transfer_s;
    // Before any byte arrives the rate is at most what the elapsed time allows.
    let rate = if f.bytes_received == 0 {
        let bound = expected * 8.0 / f.elapsed_s.max(1e-3);
        estimate_bps.map_or(bound, |e| e.min(bound))
    } else {
        seen_bps
    }
    .max(1.0);
    let remaining_s = (expected - f.bytes_received as f64).max(0.0) * 8.0 / rate;
    let buffer = f.buffer_s.max(0.0);
    if remaining_s <= buffer {
        return None;
    }
    let mbps = |l: usize| bitrates_bps.get(l).map_or(0.0, |b| *b as f64 / 1e6);
    let keep_value = mbps(f.level) - p.rebuffer_penalty * (remaining_s - buffer);
    let mut best: Option<(usize, f64)> = None;
    for l in 0..f.level {
        let size = sizes_bytes.get(l).copied().unwrap_or(0.0);
        let t = latency_s + size * 8.0 / rate;
        let v = mbps(l) - p.rebuffer_penalty * (t - buffer).max(0.0);
        if best.is_none_or(|(_, bv)| v > bv) {
            best = Some((l, v));
        }
    }
    best.filter(|(_, v)| *v > keep_value + p.margin)
        .map(|(l, _)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATES: [u64; 3] = [500_000, 1_000_000, 4_000_000];
    const SIZES: [f64; 3] = [250_000.0, 500_000.0, 2_000_000.0]; // 4 s fragments

    fn params() -> AbandonParams {
        AbandonParams {
            rebuffer_penalty: 4.3,
            margin: 0.5,
            min_elapsed_s: 0.5,
        }
    }

    /// The verdict with a 4 Mbit/s estimate and a 0.05 s request latency.
    fn at_4_mbps(f: InFlight) -> Option<usize> {
        should_abandon(&f, &RATES, &SIZES, 0.05, Some(4e6), &params())
    }

    fn flight(received: u64, elapsed: f64, buffer: f64) -> InFlight {
        InFlight {
            level: 2,
            bytes_received: received,
            bytes_expected: None,
            elapsed_s: elapsed,
            duration_s: 4.0,
            buffer_s: buffer,
        }
    }

    #[test]
    fn collapse_with_thin_buffer_abandons() {
        // 100 kB in 2 s = 0.4 Mbit/s; 1.9 MB left = 38 s; buffer 3 s.
        let d = at_4_mbps(flight(100_000, 2.0, 3.0));
        assert_eq!(d, Some(0));
    }

    #[test]
    fn on_time_download_is_kept() {
        // 1 MB in 2 s = 4 Mbit/s; 1 MB left = 2 s; buffer 10 s.
        let d = at_4_mbps(flight(1_000_000, 2.0, 10.0));
        assert_eq!(d, None);
    }

    #[test]
    fn nearly_done_download_is_kept_even_if_late() {
        // 1.95 MB in 10 s; 50 kB left at 1.56 Mbit/s = 0.26 s; buffer 0.1 s: refetching is worse.
        let d = at_4_mbps(flight(1_950_000, 10.0, 0.1));
        assert_eq!(d, None);
    }

    #[test]
    fn too_early_or_lowest_level_is_never_abandoned() {
        let p = params();
        assert_eq!(
            should_abandon(&flight(0, 0.2, 0.0), &RATES, &SIZES, 0.05, Some(1e5), &p),
            None
        );
        let mut f = flight(0, 5.0, 0.0);
        f.level = 0;
        assert_eq!(
            should_abandon(&f, &RATES, &SIZES, 0.05, Some(1e5), &p),
            None
        );
    }

    #[test]
    fn no_bytes_after_long_wait_abandons() {
        let d = should_abandon(
            &flight(0, 3.0, 1.0),
            &RATES,
            &SIZES,
            0.05,
            Some(0.3e6),
            &params(),
        );
        assert_eq!(d, Some(0));
    }
}
