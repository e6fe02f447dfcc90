//! What the controller is told and what it answers.

/// Why a level was chosen (for events and logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// No throughput sample yet: startup estimate.
    Startup,
    /// Driven by the throughput estimate.
    Bandwidth,
    /// Driven by the buffer level (spending a deep buffer, or protecting a thin one).
    Buffer,
    /// Capped because the decoder could not keep up.
    Cpu,
    /// Capped by the viewport size.
    Viewport,
    /// Capped after download errors at higher levels.
    Error,
    /// Forced by the user: manual level or user caps.
    Manual,
}

impl Reason {
    /// The reason as written in events: "startup", "bandwidth", "buffer", "cpu", …
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Startup => "startup",
            Reason::Bandwidth => "bandwidth",
            Reason::Buffer => "buffer",
            Reason::Cpu => "cpu",
            Reason::Viewport => "viewport",
            Reason::Error => "error",
            Reason::Manual => "manual",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The level for the next fragment and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Index into the controller's levels.
    pub level: usize,
    /// Why.
    pub reason: Reason,
}

/// One fragment ahead, as far as the caller knows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Upcoming<'a> {
    /// Media duration in seconds.
    pub duration_s: f64,
    /// Exact size per level in bytes when known (simulator); otherwise bitrate × duration.
    pub sizes_bytes: Option<&'a [u64]>,
}

/// The state in which a decision is asked for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecisionContext<'a> {
    /// Current time (any monotonic origin, seconds).
    pub now_s: f64,
    /// Media buffered ahead of the playhead, seconds.
    pub buffer_s: f64,
    /// The next fragments, starting with the one being decided (may be empty: the last
    /// fragment duration seen is assumed).
    pub upcoming: &'a [Upcoming<'a>],
    /// Fragments left including the one being decided, when known (on demand).
    pub remaining_fragments: Option<usize>,
    /// Live: target distance from the live edge, which bounds the buffer.
    pub live_latency_target_s: Option<f64>,
}

/// A finished (or abandoned) download.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DownloadObservation {
    /// Level downloaded.
    pub level: usize,
    /// Bytes received.
    pub bytes: u64,
    /// Time to first byte (request latency), seconds; 0 when unknown.
    pub ttfb_s: f64,
    /// Total time from request to last byte, seconds.
    pub total_s: f64,
    /// Media seconds the fragment holds.
    pub duration_s: f64,
    /// The download was cut short (abandoned or failed midway).
    pub abandoned: bool,
    /// Time the download ended.
    pub now_s: f64,
}

/// Limits set by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UserCaps {
    /// Highest bitrate allowed (bit/s).
    pub max_bitrate_bps: Option<u64>,
    /// Largest width allowed (pixels).
    pub max_width: Option<u32>,
    /// Largest height allowed (pixels).
    pub max_height: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_strings() {
        let all = [
            (Reason::Startup, "startup"),
            (Reason::Bandwidth, "bandwidth"),
            (Reason::Buffer, "buffer"),
            (Reason::Cpu, "cpu"),
            (Reason::Viewport, "viewport"),
            (Reason::Error, "error"),
            (Reason::Manual, "manual"),
        ];
        for (r, s) in all {
            assert_eq!(r.as_str(), s);
            assert_eq!(r.to_string(), s);
        }
    }
}
