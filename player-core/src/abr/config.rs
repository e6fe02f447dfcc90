//! Tuning of the ABR controller.

use super::cpu::CpuConfig;
use super::estimator::EstimatorConfig;

/// Every knob of the controller, with defaults that follow the linear QoE.
#[derive(Debug, Clone, PartialEq)]
pub struct AbrConfig {
    /// Buffer the player fills up to before idling (seconds).
    pub buffer_capacity_s: f64,
    /// Throughput remembered from a previous session, used before the first sample.
    pub initial_bandwidth_bps: Option<f64>,
    /// Throughput assumed before the first sample when nothing is remembered.
    pub conservative_bandwidth_bps: f64,
    /// Fragments planned ahead.
    pub horizon: usize,
    /// Throughput scenarios the planner weighs.
    pub scenarios: usize,
    /// QoE penalty per second of stall (the linear QoE uses 4.3).
    pub rebuffer_penalty: f64,
    /// QoE penalty per Mbit/s of quality change (the linear QoE uses 1).
    pub switch_penalty: f64,
    /// Weight of the buffer left at the end of the horizon, relative to its exchange value.
    pub buffer_value: f64,
    /// Saturation scale of the buffer value (seconds, 0 = linear); see the planner.
    pub buffer_value_scale_s: f64,
    /// Saturate the buffer value within the media left after the horizon (on demand).
    pub scale_by_remaining: bool,
    /// Charge, at the end of the horizon, the switch to the level the link sustains in each
    /// scenario (a plan ending above or below it will have to switch later).
    pub terminal_switch: bool,
    /// Plan as if the scenario were known after the next fragment.
    pub adaptive_tail: bool,
    /// Never pick a resolution above viewport × this factor.
    pub viewport_factor: f64,
    /// Allow abandoning downloads that will stall.
    pub abandonment: bool,
    /// Minimum QoE gain before abandoning.
    pub abandon_margin: f64,
    /// Minimum time in flight before a download may be judged.
    pub abandon_min_elapsed_s: f64,
    /// Live, with a latency target the buffer cannot outgrow: only levels up to this
    /// fraction of the predicted throughput (a sudden drop leaves no buffer to spend).
    pub live_throughput_margin: f64,
    /// Live: downloads are judged from this time in flight (a small buffer cannot wait).
    pub live_abandon_min_elapsed_s: f64,
    /// Time a level stays excluded after a download error (doubles per repeated error).
    pub error_backoff_s: f64,
    /// Throughput estimator tuning.
    pub estimator: EstimatorConfig,
    /// CPU governor tuning.
    pub cpu: CpuConfig,
}

impl Default for AbrConfig {
    fn default() -> Self {
        AbrConfig {
            buffer_capacity_s: 30.0,
            initial_bandwidth_bps: None,
            conservative_bandwidth_bps: 1_000_000.0,
            horizon: 8,
            scenarios: 10,
            rebuffer_penalty: 4.3,
            switch_penalty: 1.0,
            buffer_value: 1.0,
            buffer_value_scale_s: 0.0,
            scale_by_remaining: true,
            terminal_switch: true,
            adaptive_tail: true,
            viewport_factor: 1.25,
            abandonment: true,
            abandon_margin: 1.0,
            abandon_min_elapsed_s: 0.5,
            live_throughput_margin: 0.6,
            live_abandon_min_elapsed_s: 0.15,
            error_backoff_s: 10.0,
            estimator: EstimatorConfig::default(),
            cpu: CpuConfig::default(),
        }
    }
}
