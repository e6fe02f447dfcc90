//! smoothplay desktop player.
//!
//! The `smoothplay` binary plays a URL or path (the bundled demo without one) in a window:
//! pictures drawn with wgpu (I420 planes converted to RGB on the GPU), sound through cpal,
//! keyboard controls and an egui overlay (seek bar, stats page). Where no display or GPU can
//! be used it plays headless with a terminal status line.
//!
//! ```no_run
//! let demo = player_desktop::demo_path();
//! println!("{}", demo.display());
//! ```

pub mod alsa_quiet;
pub mod app;
pub mod args;
pub mod audio_out;
pub mod chapters;
pub mod colour;
pub mod controls;
pub mod events_log;
pub mod gpu;
pub mod offscreen;
pub mod opening;
pub mod overlay;
pub mod playback;
pub mod resample;
pub mod screen;
pub mod stats_view;
pub mod thumbnails;
pub mod video_renderer;
pub mod video_sink;

use std::path::PathBuf;

/// The bundled demo presentation: `assets/demo` next to the working directory, or in the
/// source tree this binary was built from.
pub fn demo_path() -> PathBuf {
    let local = PathBuf::from("assets/demo");
    if local.join("Manifest").is_file() {
        return local;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/demo")
}

/// Whether a window system may be reachable: `DISPLAY` or `WAYLAND_DISPLAY` is set.
pub fn display_available() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}
