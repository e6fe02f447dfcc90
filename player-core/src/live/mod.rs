//! Live edge, DVR window, timeline extension and edge-following policy, as pure functions
//! of times.

mod catch_up;
mod edge;
mod edge_estimate;
mod policy;
mod timeline;

pub use catch_up::{LatencyTarget, MAX_RATE, MIN_RATE, catch_up_rate, should_jump};
pub use edge::{DEFAULT_DELAY_FRAGMENTS, MIN_DELAY_FRAGMENTS, clamp_to_window, live_target};
pub use edge_estimate::EdgeEstimate;
pub use policy::{
    NextFragment, buffer_target, chunk_holding, next_fragment, not_yet_wait,
    paused_refresh_interval, prune_to_window, refresh_interval,
};
pub use timeline::Timeline;
