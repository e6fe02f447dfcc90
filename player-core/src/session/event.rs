//! What the player tells its host: state changes, quality switches, buffering, errors, stats.

use serde::Serialize;

use crate::markers::{Marker, MarkerKind};

/// The player's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Filling the buffer before playing (at start, after a seek, or stalled).
    Buffering,
    /// Playing.
    Playing,
    /// Paused by the host.
    Paused,
    /// Played to the end.
    Ended,
    /// Stopped by the host.
    Stopped,
    /// Stopped by a fatal error.
    Failed,
}

/// Which elementary stream an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamKind {
    /// The video stream.
    Video,
    /// The audio stream.
    Audio,
}

impl StreamKind {
    /// Index for per-kind arrays.
    pub fn idx(self) -> usize {
        match self {
            StreamKind::Video => 0,
            StreamKind::Audio => 1,
        }
    }
}

/// Periodic playback statistics.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Position from the presentation start, seconds.
    pub position_s: f64,
    /// Media buffered ahead of the position (the smaller of video and audio), seconds.
    pub buffer_s: f64,
    /// Bitrate of the video level being shown, bits/s.
    pub bitrate: u64,
    /// Width of the video being shown.
    pub width: u32,
    /// Height of the video being shown.
    pub height: u32,
    /// Estimated network throughput, bits/s.
    pub bandwidth_bps: u64,
    /// Video frames decoded.
    pub frames_decoded: u64,
    /// Video frames dropped because they were late.
    pub frames_dropped: u64,
    /// Audio frames (sample frames) played.
    pub audio_frames: u64,
    /// The known live edge, seconds from the presentation start (live only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_edge_s: Option<f64>,
    /// Start of the DVR window, seconds from the presentation start (live only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_start_s: Option<f64>,
    /// Latency behind the live edge, seconds (live only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_s: Option<f64>,
    /// Playback rate: the trick-play rate (negative: rewind), else on live the rate holding
    /// the latency (1 = normal); absent on demand at 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
}

/// The end-of-session quality of experience report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Seconds from `open` to the first picture presented.
    pub startup_s: Option<f64>,
    /// Stalls after playback started.
    pub rebuffers: u64,
    /// Seconds spent stalled after playback started.
    pub rebuffer_s: f64,
    /// Time-weighted average bitrate of the video shown, bits/s.
    pub avg_bitrate: u64,
    /// Video quality switches.
    pub switches: u64,
    /// Video frames decoded.
    pub frames_decoded: u64,
    /// Video frames dropped.
    pub frames_dropped: u64,
    /// Media seconds played.
    pub duration_played_s: f64,
    /// Seconds spent inside the video decoder.
    pub decode_s: f64,
    /// Mean absolute audio/video drift at presentation, milliseconds (real-time playback).
    pub av_drift_ms: Option<f64>,
    /// Largest absolute audio/video drift at presentation, milliseconds.
    pub av_drift_max_ms: Option<f64>,
}

/// Something the host may want to know.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The state changed.
    State {
        /// The new state.
        state: State,
        /// Position from the presentation start, seconds.
        position_s: f64,
    },
    /// The quality of a stream changed.
    Quality {
        /// Which stream.
        stream: StreamKind,
        /// Previous level (index into the levels sorted by bitrate), none at start.
        from: Option<usize>,
        /// New level.
        to: usize,
        /// Bitrate of the new level.
        bitrate: u64,
        /// Width of the new level (video).
        width: Option<u32>,
        /// Height of the new level (video).
        height: Option<u32>,
        /// Why: "startup", "bandwidth", "buffer", "cpu", "viewport", "error", "manual".
        reason: String,
    },
    /// A stall began or ended.
    Buffering {
        /// Whether playback is waiting for data.
        active: bool,
    },
    /// A seek completed its command phase.
    Seek {
        /// Position asked for, seconds.
        requested_s: f64,
        /// Position playback resumes from (the keyframe at or before it), seconds.
        position_s: f64,
        /// Whether the request was outside the seekable range and was clamped.
        clamped: bool,
    },
    /// Something failed.
    Error {
        /// A stable machine-readable kind (e.g. "network", "decode", "unsupported").
        kind: String,
        /// A readable message.
        message: String,
        /// Whether playback stopped because of it.
        fatal: bool,
    },
    /// A command was taken (its effects follow as other events).
    Command {
        /// The command, as text (e.g. "pause", "seek 30").
        command: String,
    },
    /// Another stream was selected.
    Track {
        /// Video or audio.
        stream: StreamKind,
        /// Its Name (or Language when it has no Name).
        name: String,
    },
    /// The caption text on screen changed (shown while captions are on).
    Caption {
        /// The text, lines separated by `\n`; empty when no caption is showing.
        text: String,
        /// Position from the presentation start, seconds.
        position_s: f64,
    },
    /// A request failed and is tried again at the same place after a wait (the network
    /// layer's retries; the last failure is not retried but failed over or reported).
    Retry {
        /// What was asked for: "manifest" or "fragment".
        request: String,
        /// The URL.
        url: String,
        /// The attempt that failed (1 = the first).
        attempt: u32,
        /// Attempts allowed in all.
        attempts: u32,
        /// Wait before the next attempt, seconds (backoff with jitter).
        delay_s: f64,
        /// Why it failed.
        error: String,
    },
    /// A fragment that could not be fetched is tried at another location (a mirror) or at
    /// another quality level.
    Failover {
        /// Video or audio.
        stream: StreamKind,
        /// Start of the fragment, seconds from the presentation start.
        position_s: f64,
        /// Level tried before (index into the levels sorted by bitrate).
        from_level: usize,
        /// Level tried now.
        to_level: usize,
        /// Location tried before: 0 is the primary origin, 1… the backup URLs in order.
        from_location: usize,
        /// Location tried now.
        to_location: usize,
        /// Why the previous attempt failed.
        error: String,
    },
    /// A timed marker from a sparse stream (an ad signal, a chapter, a script command):
    /// announced once as soon as it is known ahead of the position (`upcoming`), and
    /// delivered when playback reaches its start.
    Marker {
        /// Ad, chapter or script.
        kind: MarkerKind,
        /// The sparse stream's Name.
        stream: String,
        /// Stable id: the same marker has the same id when delivered again after a seek.
        id: String,
        /// Start, seconds from the presentation start.
        start_s: f64,
        /// How long it applies, seconds, when the stream says.
        duration_s: Option<f64>,
        /// The sample as text (a chapter's title, a command), when it is text.
        #[serde(skip_serializing_if = "Option::is_none")]
        text: Option<String>,
        /// The sample's bytes when they are not text (base64 in JSON).
        #[serde(
            rename = "data_base64",
            skip_serializing_if = "Option::is_none",
            serialize_with = "base64_bytes"
        )]
        data: Option<Vec<u8>>,
        /// Announced ahead of its time (delivery follows when playback reaches it).
        upcoming: bool,
        /// The playback position when it was reported, seconds.
        position_s: f64,
    },
    /// The trick-play rate changed: by command, or back to 1 by itself.
    Rate {
        /// The rate now (1 = normal; negative: rewind).
        rate: f64,
        /// Why: "command", "start" (rewind reached the start), "live" (fast forward reached
        /// the live point), "end" (fast forward reached the end).
        reason: String,
    },
    /// Periodic statistics (about once a second).
    Stats(Stats),
    /// Playback reached the end of the presentation.
    Ended {
        /// Final position, seconds.
        position_s: f64,
    },
}

/// Bytes as standard base64 (a JSON string).
fn base64_bytes<S: serde::Serializer>(data: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    use base64::Engine;
    match data {
        Some(d) => s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(d)),
        None => s.serialize_none(),
    }
}

impl Event {
    /// The event reporting `m`, with `origin` the media time of position 0.
    pub fn marker(
        m: &Marker,
        origin: std::time::Duration,
        position: std::time::Duration,
        upcoming: bool,
    ) -> Event {
        Event::Marker {
            position_s: position.as_secs_f64() - origin.as_secs_f64(),
            kind: m.kind,
            stream: m.stream.clone(),
            id: m.id.clone(),
            start_s: m.start.as_secs_f64() - origin.as_secs_f64(),
            duration_s: m.duration.map(|d| d.as_secs_f64()),
            text: m.text.clone(),
            data: m.data.clone(),
            upcoming,
        }
    }

    /// An error event for `e`: playback stops when `fatal`.
    pub fn error(e: &crate::error::Error, fatal: bool) -> Event {
        Event::problem(e.kind(), e.to_string(), fatal)
    }

    /// An error event of a given kind (e.g. "sink", "selection") with a message.
    pub fn problem(kind: &str, message: String, fatal: bool) -> Event {
        Event::Error {
            kind: kind.to_string(),
            message,
            fatal,
        }
    }
}
