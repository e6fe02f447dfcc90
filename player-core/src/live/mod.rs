//! Live edge, DVR window, timeline extension and edge-following policy, as pure functions
//! of times.

mod edge;
mod policy;
mod timeline;

pub use edge::{DEFAULT_DELAY_FRAGMENTS, MIN_DELAY_FRAGMENTS, clamp_to_window, live_target};
pub use policy::{
    NextFragment, buffer_target, next_fragment, not_yet_wait, paused_refresh_interval,
    prune_to_window, refresh_interval,
};
pub use timeline::Timeline;
