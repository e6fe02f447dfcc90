//! smoothplay engine: plays Microsoft Smooth Streaming (MS-SSTR / PIFF) presentations.
//!
//! UI-free: manifest, timeline, ABR, fetcher, decryptor, demux, decoders, clock and the
//! player state machine. Windows and audio devices live in `player-desktop`; embedders use
//! `player-embedded`.

pub mod abr;
pub mod base;
pub mod captions;
pub mod clock;
pub mod decode;
pub mod decrypt;
pub mod demux;
pub mod error;
pub mod isobmff;
pub mod limits;
pub mod live;
pub mod manifest;
pub mod net;
pub mod player;
pub mod session;
pub mod sink;
pub mod time;

pub use error::{Error, Result};
