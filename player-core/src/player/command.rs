//! What the host asks the player to do.

use std::time::Duration;

use super::event::StreamKind;

/// A request to the player's controller; each one's outcome is reported as an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Resume (or start) playback.
    Play,
    /// Pause; the position is kept.
    Pause,
    /// Seek to a position from the presentation start (snaps to the keyframe at or before it).
    Seek(Duration),
    /// Seek relative to the current position, seconds (negative = back).
    SeekBy(f64),
    /// Fix the video level (index into the levels sorted by bitrate), or `None` for automatic.
    SetQuality(Option<usize>),
    /// Cap the video bitrate, or `None` to lift the cap.
    SetMaxBitrate(Option<u64>),
    /// Switch to another video stream (camera angle) or audio stream (language), by Name
    /// or Language; playback continues from the current position.
    SelectStream {
        /// Video or audio.
        kind: StreamKind,
        /// StreamIndex Name or Language.
        name: String,
    },
    /// Stop playback and release resources.
    Stop,
}
