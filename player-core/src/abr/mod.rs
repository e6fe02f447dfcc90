//! Adaptive bitrate: bandwidth-, buffer- and CPU-aware level selection.
//!
//! Sans-IO: every method takes the time as an argument, so the same [`Controller`] runs in
//! the player and in the trace simulator (`player-tests`, binary `abr-eval`).
//!
//! The player feeds it downloads ([`Controller::on_download`]), errors, decoder health
//! ([`Controller::on_decoder`]), the viewport and user caps, then asks
//! [`Controller::next_level`] before every video fragment and
//! [`Controller::should_abandon`] while one is in flight. Audio stays at a fixed level.

mod abandon;
mod config;
mod controller;
mod cpu;
mod decision;
mod estimator;
mod level;
mod planner;

#[cfg(test)]
mod controller_tests;

pub use abandon::InFlight;
pub use config::AbrConfig;
pub use controller::{AbrError, Controller};
pub use cpu::{CpuConfig, DecoderObservation};
pub use decision::{Decision, DecisionContext, DownloadObservation, Reason, Upcoming, UserCaps};
pub use estimator::{BandwidthEstimator, EstimatorConfig};
pub use level::Level;
pub use planner::{Plan, PlanInput, plan};
