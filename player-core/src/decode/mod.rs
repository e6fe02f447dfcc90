//! Decoders behind one interface: [`VideoDecoder`] and [`AudioDecoder`] are plain
//! synchronous traits; a [`Backend`] choice becomes a [`DecoderFactory`] that makes them for
//! a [`DecoderConfig`](crate::demux::DecoderConfig).
//!
//! Two backends: openh264 + symphonia (always built: H.264 and stereo AAC-LC), and, with the
//! cargo feature `libav`, FFmpeg's libavcodec (H.264 with frame threads, VC-1, HE-AAC v1/v2
//! at the full rate, multichannel AAC, AC-3/E-AC-3, WMA), optionally through VA-API or V4L2
//! memory-to-memory hardware decoders. The player runs decoders on its own threads.

pub mod aac;
mod backend;
pub mod downmix;
pub mod h264;
#[cfg(feature = "libav")]
mod libav;

pub use crate::base::{AudioFrame, VideoFrame};
pub use aac::AacDecoder;
pub use backend::{Backend, DecoderFactory, ParseBackendError};
pub use h264::H264Decoder;

/// Decodes one video stream: access units in decode order, pictures out in presentation
/// order.
pub trait VideoDecoder: Send {
    /// Decodes one access unit (H.264: Annex B with parameter sets before IDRs; VC-1: one
    /// frame) presented at `pts` for `duration` ticks; returns the pictures that became
    /// ready, in presentation order.
    fn decode(
        &mut self,
        data: &[u8],
        pts: u64,
        duration: u64,
    ) -> Result<Vec<VideoFrame>, DecodeError>;
    /// Returns every picture still held for reordering; the decoder then takes a new
    /// stream starting at a keyframe.
    fn flush(&mut self) -> Vec<VideoFrame>;
    /// Which decoder this is, for logs and stats (`openh264`, `libav`, `libav (VA-API)`).
    fn name(&self) -> &'static str;
}

/// Decodes one audio stream: access units in, interleaved f32 PCM out.
pub trait AudioDecoder: Send {
    /// Decodes one access unit presented at `pts`; `None` when it produced no samples yet.
    fn decode(&mut self, data: &[u8], pts: u64) -> Result<Option<AudioFrame>, DecodeError>;
    /// Forgets the overlap state (after a seek or a gap).
    fn reset(&mut self);
}

impl VideoDecoder for H264Decoder {
    fn decode(
        &mut self,
        data: &[u8],
        pts: u64,
        duration: u64,
    ) -> Result<Vec<VideoFrame>, DecodeError> {
        H264Decoder::decode(self, data, pts, duration)
    }

    fn flush(&mut self) -> Vec<VideoFrame> {
        H264Decoder::flush(self)
    }

    fn name(&self) -> &'static str {
        "openh264"
    }
}

impl AudioDecoder for AacDecoder {
    fn decode(&mut self, data: &[u8], pts: u64) -> Result<Option<AudioFrame>, DecodeError> {
        AacDecoder::decode(self, data, pts).map(Some)
    }

    fn reset(&mut self) {
        AacDecoder::reset(self);
    }
}

/// What went wrong decoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The decoder could not be created with this configuration.
    #[error("cannot create {codec} decoder: {what}")]
    Init {
        /// `H.264`, `AAC`, `VC-1`…
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
    /// libavcodec rejected an access unit.
    #[error("{codec} access unit at pts {pts}: {what}")]
    Libav {
        /// The codec.
        codec: &'static str,
        /// The access unit's presentation time.
        pts: u64,
        /// libavcodec's message.
        what: String,
    },
    /// The chosen backend was not built in, or cannot decode this configuration.
    #[error("{0}")]
    Unavailable(String),
}
