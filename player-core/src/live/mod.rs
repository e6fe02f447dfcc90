//! Live edge, DVR window and timeline extension, as pure functions of times.

mod edge;
mod timeline;

pub use edge::{DEFAULT_DELAY_FRAGMENTS, MIN_DELAY_FRAGMENTS, clamp_to_window, live_target};
pub use timeline::Timeline;
