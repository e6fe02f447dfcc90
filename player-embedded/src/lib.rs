//! smoothplay for set-top boxes and other embedders: the player with null, file or
//! caller-provided sinks and a memory budget, its C ABI (`include/smoothplay.h`), the
//! headless runner behind `smoothplay-headless`, and probing.
//!
//! ```no_run
//! use std::time::Duration;
//! use player_embedded::{Event, PlayerBuilder};
//! let player = PlayerBuilder::new()
//!     .buffer(Duration::from_secs(10), 16 * 1024 * 1024)
//!     .user_agent("acme-stb/2.1")
//!     .open("http://127.0.0.1:8080/demo/Manifest")?;
//! for event in player.events().iter() {
//!     if let Event::Ended { .. } = event {
//!         break;
//!     }
//! }
//! # Ok::<(), player_embedded::Error>(())
//! ```

pub mod builder;
pub mod ffi;
pub mod headless;
pub mod key_text;
pub mod keys;
pub mod logging;
pub mod net_args;
pub mod probe;
pub mod sinks;
pub mod status;

pub use builder::{DEFAULT_BUFFER_AHEAD, DEFAULT_BUFFER_BYTES, PlayerBuilder};
pub use player_core::decode::{AudioFrame, VideoFrame};
pub use player_core::decrypt::{CallbackProvider, ContentKey, KeyProvider, StaticKeys};
pub use player_core::manifest::Uuid;
pub use player_core::net::FetchConfig;
pub use player_core::player::{
    Command, Config, Event, Keys, LevelInfo, Player, PresentationInfo, Sinks, State, Stats,
    StreamKind, Summary, TrackInfo, load_manifest, load_manifest_with,
};
pub use player_core::sink::{AudioSink, NullAudioSink, NullVideoSink, SinkError, VideoSink};
pub use player_core::{Error, Result};
