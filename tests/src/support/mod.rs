//! Helpers for end-to-end tests: asset paths, reference data, capturing sinks, measurements.

mod capture;
mod events;
mod live_watch;
mod measure;
pub mod prereq;
mod reference;
pub mod test_ca;

pub use capture::{CaptureAudio, CaptureVideo, CapturedAudio, CapturedFrame};
pub use events::run_to_end;
pub use live_watch::{LiveWatch, median, p95, true_latency};
pub use measure::{frame_index, md5_hex, tone_hz, tone_power};
pub use reference::{AudioRef, CaptionsRef, CueRef, FrameRef, Reference, VideoRef};

use std::path::PathBuf;

/// The repository root (where `assets/` lives).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// `assets/` in the repository.
pub fn assets_dir() -> PathBuf {
    repo_root().join("assets")
}
