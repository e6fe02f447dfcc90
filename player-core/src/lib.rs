//! smoothplay engine: plays Microsoft Smooth Streaming (MS-SSTR / PIFF) presentations.
//!
//! UI-free: manifest, timeline, ABR, fetcher, decryptor, demux, decoders, clock and the
//! player state machine. Windows and audio devices live in `player-desktop`; embedders use
//! `player-embedded`.
//!
//! The layers, from the leaves up: `base`/`time`/`limits`, `manifest`, `isobmff`, `demux`,
//! `decrypt`, `captions`/`abr`/`clock`, `live` (pure policy), [`session`] (the sans-IO state
//! machine of one playback), `net` (the only I/O), `decode`/`sink`, and [`player`], which
//! runs a session on tokio with decoder and presenter threads.
//!
//! ```
//! let xml = br#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="0" Duration="40000000">
//!   <StreamIndex Type="audio" Name="audio" QualityLevels="1" Chunks="2" Url="a/{start time}">
//!     <QualityLevel Index="0" Bitrate="128000" FourCC="AACL" SamplingRate="44100"
//!       Channels="2" BitsPerSample="16" PacketSize="4" AudioTag="255" CodecPrivateData="1210" />
//!     <c t="0" d="20000000" /><c d="20000000" />
//!   </StreamIndex>
//! </SmoothStreamingMedia>"#;
//! let manifest = player_core::manifest::parse(xml).unwrap();
//! assert_eq!(manifest.streams[0].chunks.len(), 2);
//! assert_eq!(manifest.duration, Some(40_000_000));
//! ```

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
pub mod markers;
pub mod net;
pub mod player;
pub mod session;
pub mod sink;
pub mod thumbnail;
pub mod time;

pub use error::{Error, Result};
