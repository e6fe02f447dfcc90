//! smoothplay desktop player.
//!
//! The `smoothplay` binary plays a URL or path (the bundled demo without one). Where no
//! display can be opened it plays headless with a terminal status line.
//!
//! ```no_run
//! let demo = player_desktop::demo_path();
//! println!("{}", demo.display());
//! ```

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
