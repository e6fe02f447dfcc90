//! Decoders: H.264 (openh264) and AAC (symphonia), plain synchronous structs; the player
//! runs each on its own thread.

pub mod aac;
pub mod h264;

pub use crate::base::{AudioFrame, VideoFrame};
pub use aac::AacDecoder;
pub use h264::H264Decoder;

/// What went wrong decoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The decoder could not be created with this configuration.
    #[error("cannot create {codec} decoder: {what}")]
    Init {
        /// `H.264` or `AAC`.
        codec: &'static str,
        /// Why.
        what: String,
    },
    /// openh264 rejected an access unit (corrupt data, or no reference picture after a loss).
    #[error("H.264 access unit at pts {pts}: {what}")]
    H264 {
        /// The access unit's presentation time.
        pts: u64,
        /// openh264's message.
        what: String,
    },
    /// symphonia rejected an AAC access unit.
    #[error("AAC access unit at pts {pts}: {what}")]
    Aac {
        /// The access unit's presentation time.
        pts: u64,
        /// symphonia's message.
        what: String,
    },
}
