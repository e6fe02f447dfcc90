//! smoothplay for set-top boxes and other embedders: the player with null, file or
//! caller-provided sinks, the headless runner behind `smoothplay-headless`, and probing.
//!
//! ```no_run
//! use player_embedded::{Config, Player, Sinks};
//! let player = Player::open("http://127.0.0.1:8080/demo/Manifest", Config::default(), Sinks::null(false))?;
//! for event in player.events().iter() {
//!     println!("{event:?}");
//! }
//! # Ok::<(), player_core::Error>(())
//! ```

pub mod headless;
pub mod keys;
pub mod probe;
pub mod sinks;
pub mod status;

pub use player_core::player::{Command, Config, Event, Player, Sinks, State, Stats, Summary};
