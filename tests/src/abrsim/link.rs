//! The simulated link: replays a trace the way Pensieve's `fixed_env` does.
//!
//! Point `i`'s bandwidth holds until `times[i]`; the cursor starts at point 1 from
//! `times[0]` and, past the last point, wraps to point 1 from time 0 (as `fixed_env` does).
//! Only a fraction `payload` of the raw bandwidth carries chunk bytes.

use super::trace::Trace;

/// Position in a trace plus the payload factor.
#[derive(Debug, Clone, Copy)]
pub struct Link<'a> {
    trace: &'a Trace,
    ptr: usize,
    last_time: f64,
    payload: f64,
}

/// What a (possibly time-limited) transfer achieved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transfer {
    /// Bytes delivered.
    pub bytes: f64,
    /// Seconds spent.
    pub elapsed_s: f64,
    /// All requested bytes arrived.
    pub done: bool,
}

impl<'a> Link<'a> {
    /// A link at the start of `trace`.
    pub fn new(trace: &'a Trace, payload: f64) -> Self {
        Link {
            trace,
            ptr: 1,
            last_time: trace.times_s.first().copied().unwrap_or(0.0),
            payload,
        }
    }

    fn next_point(&mut self) {
        self.ptr += 1;
        if self.ptr >= self.trace.times_s.len() {
            self.ptr = 1;
            self.last_time = 0.0;
        }
    }

    /// Bytes per second of the current segment (before the payload factor).
    fn rate(&self) -> f64 {
        self.trace.mbps.get(self.ptr).copied().unwrap_or(0.0) * 1e6 / 8.0
    }

    fn segment_end(&self) -> f64 {
        self.trace
            .times_s
            .get(self.ptr)
            .copied()
            .unwrap_or(self.last_time)
    }

    /// Request latency at the current position, if the trace carries latencies.
    pub fn trace_latency_s(&self) -> Option<f64> {
        self.trace
            .latency_s
            .as_ref()
            .and_then(|l| l.get(self.ptr))
            .copied()
    }

    /// Delivers `bytes`, giving up after `limit_s` seconds (`f64::INFINITY`: no limit).
    pub fn transfer(&mut self, bytes: f64, limit_s: f64) -> Transfer {
        let mut sent = 0.0;
        let mut elapsed = 0.0;
        loop {
            let thr = self.rate();
            let dur = self.segment_end() - self.last_time;
            let payload = thr * dur * self.payload;
            if sent + payload > bytes {
                let frac = (bytes - sent) / thr / self.payload;
                if elapsed + frac > limit_s {
                    let part = limit_s - elapsed;
                    self.last_time += part;
                    return Transfer {
                        bytes: sent + thr * part * self.payload,
                        elapsed_s: limit_s,
                        done: false,
                    };
                }
                self.last_time += frac;
                return Transfer {
                    bytes,
                    elapsed_s: elapsed + frac,
                    done: true,
                };
            }
            if elapsed + dur > limit_s {
                let part = limit_s - elapsed;
                self.last_time += part;
                return Transfer {
                    bytes: sent + thr * part * self.payload,
                    elapsed_s: limit_s,
                    done: false,
                };
            }
            sent += payload;
            elapsed += dur;
            self.last_time = self.segment_end();
            self.next_point();
        }
    }

    /// Lets `seconds` of trace time pass with nothing transferred.
    pub fn advance(&mut self, seconds: f64) {
        let mut left = seconds;
        loop {
            let dur = self.segment_end() - self.last_time;
            if dur > left {
                self.last_time += left;
                return;
            }
            left -= dur;
            self.last_time = self.segment_end();
            self.next_point();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abrsim::trace::TraceFormat;

    fn trace() -> Trace {
        // 8 Mbit/s = 1 MB/s over (0,1], 2 MB/s over (1,2].
        Trace::parse("t", "0 8\n1 8\n2 16\n", TraceFormat::Cooked).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn transfer_spans_segments_with_payload_factor() {
        let t = trace();
        let mut l = Link::new(&t, 0.5);
        // 0.5 MB in segment 1 (1 s), then 0.25 MB at 1 MB/s effective = 0.25 s.
        let r = l.transfer(750_000.0, f64::INFINITY);
        assert!(r.done && (r.elapsed_s - 1.25).abs() < 1e-12, "{r:?}");
    }

    #[test]
    fn wraps_to_time_zero_and_point_one() {
        let t = trace();
        let mut l = Link::new(&t, 1.0);
        l.advance(2.0);
        // Wrapped: point 1 again, from time 0 (1 MB/s for 1 s).
        let r = l.transfer(1_500_000.0, f64::INFINITY);
        assert!((r.elapsed_s - 1.25).abs() < 1e-12, "{r:?}");
    }

    #[test]
    fn limited_transfer_stops_and_resumes_consistently() {
        let t = trace();
        let mut a = Link::new(&t, 1.0);
        let mut b = Link::new(&t, 1.0);
        let whole = a.transfer(2_200_000.0, f64::INFINITY);
        let p1 = b.transfer(2_200_000.0, 0.5);
        assert!(!p1.done && (p1.bytes - 500_000.0).abs() < 1e-6);
        let p2 = b.transfer(2_200_000.0 - p1.bytes, f64::INFINITY);
        assert!(p2.done);
        assert!((p1.elapsed_s + p2.elapsed_s - whole.elapsed_s).abs() < 1e-9);
    }
}
