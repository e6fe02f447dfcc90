//! ABR algorithms in the simulator: ours (the player's controller) and the references.

mod bba;
mod bola;
mod ours;
mod robustmpc;
mod throughput;

pub use bba::Bba;
pub use bola::Bola;
pub use ours::{Ours, apply_override, decide};
pub use robustmpc::RobustMpc;
pub use throughput::{ThroughputRule, harmonic_mean};

use super::session::Algorithm;

/// Names accepted by `--algo` (besides `optimal`, which is not an online algorithm).
pub const ONLINE: [&str; 5] = ["ours", "throughput", "bba", "bola", "robustmpc"];

/// An online algorithm by name (ours with its default configuration).
pub fn by_name(name: &str) -> Option<Box<dyn Algorithm>> {
    by_name_with(name, &player_core::abr::AbrConfig::default())
}

/// An online algorithm by name, ours configured with `ours`.
pub fn by_name_with(name: &str, ours: &player_core::abr::AbrConfig) -> Option<Box<dyn Algorithm>> {
    Some(match name {
        "ours" => Box::new(Ours::with_config(ours.clone())),
        "throughput" => Box::new(ThroughputRule::default()),
        "bba" => Box::new(Bba::default()),
        "bola" => Box::new(Bola::default()),
        "robustmpc" => Box::new(RobustMpc::default()),
        _ => return None,
    })
}
