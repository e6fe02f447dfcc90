//! What the host asks the player to do.

use std::time::Duration;

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
    /// Stop playback and release resources.
    Stop,
}
