//! Presentation clock: audio master clock, frame due / late decisions.

mod frame_timing;
mod master;

pub use frame_timing::{FrameAction, frame_action, frame_action_backwards};
pub use master::MasterClock;
