//! How a session plays: pacing, buffering, quality, stream choice, live delay.

use std::time::Duration;

/// The settings a session decides with (the player builds them from its `Config`).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionConfig {
    /// Run as fast as the pipeline can: no startup buffer, no stalls, no deadlines.
    pub fast: bool,
    /// Media seconds per wall second of the clock.
    pub speed: f64,
    /// Start position, from the presentation start.
    pub start: Option<Duration>,
    /// Open paused.
    pub start_paused: bool,
    /// Forward buffer to keep per stream.
    pub buffer_ahead: Duration,
    /// Memory budget for what the pipeline holds, bytes.
    pub buffer_bytes: u64,
    /// Media needed ahead before playback starts or resumes.
    pub startup_buffer: Duration,
    /// Live: how far behind the edge to play (default three fragments, never under 1.5).
    pub live_delay: Option<Duration>,
    /// Live: how far behind the delay playback may fall before it jumps back to the live
    /// point instead of catching up by rate.
    pub live_max_drift: Duration,
    /// A fixed video level (index into the levels sorted by bitrate).
    pub quality: Option<usize>,
    /// Highest video bitrate the ABR may pick.
    pub max_bitrate: Option<u64>,
    /// Video stream by Name.
    pub video: Option<String>,
    /// Audio stream by Name or Language.
    pub audio: Option<String>,
    /// Show captions from the start.
    pub captions: bool,
    /// Caption stream by Name or Language.
    pub text: Option<String>,
    /// Whether the source can serve text streams (a local single file cannot).
    pub text_streams: bool,
    /// Places fragments can come from: the primary origin and its mirrors.
    pub locations: usize,
    /// What the player's decoders can decode: levels they cannot are skipped.
    pub codecs: crate::demux::CodecSupport,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            fast: false,
            speed: 1.0,
            start: None,
            start_paused: false,
            buffer_ahead: Duration::from_secs(20),
            buffer_bytes: 32 * 1024 * 1024,
            startup_buffer: Duration::from_millis(1500),
            live_delay: None,
            live_max_drift: Duration::from_secs(8),
            quality: None,
            max_bitrate: None,
            video: None,
            audio: None,
            captions: false,
            text: None,
            text_streams: true,
            locations: 1,
            codecs: crate::demux::CodecSupport::default(),
        }
    }
}
