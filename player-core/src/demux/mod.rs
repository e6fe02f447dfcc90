//! Fragments to decoder-ready samples, and decoder configuration from the manifest.
//!
//! [`stream_track`] picks a stream's track fragment out of fetched bytes, [`units`] turns
//! its samples into [`MediaUnit`]s, and [`AnnexBConverter`] frames H.264 ones for the decoder.

mod aac_config;
pub mod avc;
mod bits;
pub mod codec_config;
mod codec_support;
mod other_codecs;
pub mod sps;
mod stream_track;
mod unit;

pub use crate::base::split_annex_b;
pub use avc::{AnnexBConverter, contains_idr};
pub use codec_config::{
    AacConfig, DecoderConfig, DolbyConfig, H264Config, Vc1Config, WmaConfig, decoder_config,
    track_decoder_config,
};
pub use codec_support::CodecSupport;
pub use stream_track::{SingleFileTrack, stream_track};
pub use unit::{MediaUnit, units};

/// What went wrong preparing samples or decoder configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DemuxError {
    /// A codec smoothplay cannot decode; the other streams can still play.
    #[error("unsupported codec {fourcc}")]
    Unsupported {
        /// The FourCC (with detail, e.g. the AAC object type, when that is the reason).
        fourcc: String,
    },
    /// CodecPrivateData (or an avcC / AudioSpecificConfig) that cannot be used.
    #[error("invalid codec private data for {fourcc}: {what}")]
    InvalidCodecPrivateData {
        /// The FourCC.
        fourcc: String,
        /// What is wrong.
        what: String,
    },
    /// A NAL unit length prefix that runs past the end of its sample.
    #[error("NAL unit at byte {offset} of a {sample_len}-byte sample claims {length} bytes")]
    NalLength {
        /// Offset of the length prefix in the sample.
        offset: usize,
        /// The claimed length.
        length: u64,
        /// The sample's size.
        sample_len: usize,
    },
    /// A NALUnitLengthField other than 1, 2 or 4.
    #[error("NAL unit length field of {0} bytes (must be 1, 2 or 4)")]
    NalLengthSize(u8),
    /// A sequence parameter set that cannot be parsed.
    #[error("invalid H.264 SPS: {0}")]
    Sps(String),
}
