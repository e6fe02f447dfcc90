//! A bottleneck link shaped by a bandwidth trace: every response body crosses it in small
//! pieces, sharing it first come, first served, at the rate the trace gives at that moment.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::abrsim::trace::Trace;

/// Bytes sent per step; small enough that the rate follows the trace closely.
pub const PIECE: usize = 16 * 1024;

/// The shared link.
pub struct Shaper {
    trace: Trace,
    started: Instant,
    /// When the link is next free.
    busy_until: Mutex<Instant>,
}

impl Shaper {
    /// A link following `trace` from now, looping it when it ends.
    pub fn new(trace: Trace) -> Shaper {
        let now = Instant::now();
        Shaper {
            trace,
            started: now,
            busy_until: Mutex::new(now),
        }
    }

    /// The rate at `at`, bits/s.
    pub fn rate_bps(&self, at: Instant) -> f64 {
        let t = at.saturating_duration_since(self.started).as_secs_f64();
        let total = self.trace.duration_s();
        let t = if total > 0.0 { t % total } else { 0.0 };
        let i = self
            .trace
            .times_s
            .partition_point(|&x| x < t)
            .min(self.trace.mbps.len().saturating_sub(1));
        self.trace.mbps.get(i).copied().unwrap_or(0.0).max(0.01) * 1e6
    }

    /// Waits until `bytes` have crossed the link.
    pub async fn send(&self, bytes: usize) {
        let done = {
            let Ok(mut busy) = self.busy_until.lock() else {
                return;
            };
            let start = (*busy).max(Instant::now());
            let secs = bytes as f64 * 8.0 / self.rate_bps(start);
            *busy = start + Duration::from_secs_f64(secs);
            *busy
        };
        tokio::time::sleep_until(done.into()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abrsim::trace::TraceFormat;

    #[test]
    fn rate_follows_the_trace_and_loops() {
        let trace = Trace::parse("t", "0 4\n10 4\n20 0.5\n", TraceFormat::Cooked).expect("trace");
        let s = Shaper::new(trace);
        let at = |secs: f64| s.started + Duration::from_secs_f64(secs);
        assert_eq!(s.rate_bps(at(5.0)), 4e6);
        assert_eq!(s.rate_bps(at(15.0)), 0.5e6);
        assert_eq!(s.rate_bps(at(25.0)), 4e6, "looped");
    }
}
