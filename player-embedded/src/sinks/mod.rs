//! File sinks for headless playback: Y4M pictures and WAV sound.

mod scale;
mod wav;
mod y4m;

pub use scale::scale_i420;
pub use wav::WavSink;
pub use y4m::Y4mSink;
