//! Where decoded media goes: the `VideoSink` / `AudioSink` traits, null sinks, and the
//! variable-speed stage audio passes through on its way to a sink.
//!
//! The desktop shell, the headless CLI, the C ABI and tests plug in their own sinks. Sinks
//! are driven from the player's presentation threads, never from the decoder threads.

mod null;
mod varispeed;

pub use null::{NullAudioSink, NullVideoSink};
pub(crate) use varispeed::Varispeed;

use crate::base::VideoFrame;

/// A sink could not take media (device lost, file write failed…).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{sink}: {message}")]
pub struct SinkError {
    /// Which sink failed.
    pub sink: String,
    /// What happened.
    pub message: String,
}

/// Receives pictures when they are due.
pub trait VideoSink: Send {
    /// Shows `frame` now; called on the video presentation thread, in presentation order.
    fn present(&mut self, frame: &VideoFrame) -> Result<(), SinkError>;
    /// Forgets anything held for display (after a seek).
    fn flush(&mut self) {}
}

/// Plays interleaved f32 PCM and reports how much has been heard: the master clock.
///
/// `write` accepts what fits in the device buffer and returns the frames taken; when the
/// buffer is full it may wait a little (at most ~10 ms) so the caller can keep checking for
/// commands. Paced sinks make playback real-time; unpaced ones accept everything at once.
pub trait AudioSink: Send {
    /// (Re)starts output at this format, dropping anything queued.
    fn start(&mut self, sample_rate: u32, channels: u16) -> Result<(), SinkError>;
    /// Queues interleaved samples; returns how many sample frames were accepted.
    fn write(&mut self, samples: &[f32]) -> Result<usize, SinkError>;
    /// Sample frames heard since `start` or the last `flush`.
    fn played(&mut self) -> u64;
    /// Pauses or resumes output without losing queued samples.
    fn set_paused(&mut self, paused: bool);
    /// Drops queued samples and resets `played` to 0 (after a seek).
    fn flush(&mut self);
    /// Sets the output volume (0.0–1.0); silent sinks ignore it.
    fn set_volume(&mut self, _volume: f32) {}
    /// The media time of the next sample `write` receives; told after `start`, after `flush`
    /// and at a jump in the timestamps, so sinks that report timestamps need not guess.
    fn next_pts(&mut self, _pts: std::time::Duration) {}
}
