//! ABR algorithms in the simulator: ours (the player's controller) and the references.

mod bba;
mod bola;
mod ours;
mod robustmpc;
mod throughput;

pub use bba::Bba;
pub use bola::Bola;
pub use ours::{Ours, decide};
pub use robustmpc::RobustMpc;
pub use throughput::{ThroughputRule, harmonic_mean};

use super::session::Algorithm;

/// Names accepted by `--algo` (besides `optimal`, which is not an online algorithm).
pub const ONLINE: [&str; 5] = ["ours", "throughput", "bba", "bola", "robustmpc"];

/// An online algorithm by name.
pub fn by_name(name: &str) -> Option<Box<dyn Algorithm>> {
    Some(match name {
        "ours" => Box::new(Ours::default()),
        "throughput" => Box::new(ThroughputRule::default()),
        "bba" => Box::new(Bba::default()),
        "bola" => Box::new(Bola::default()),
        "robustmpc" => Box::new(RobustMpc::default()),
        _ => return None,
    })
}
