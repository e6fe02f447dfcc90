//! The first picture of a fragment: its key frame decoded on a decoder of its own (the
//! session's decoders are never touched), the rest of the fragment left alone.

use std::sync::Arc;

use crate::base::VideoFrame;
use crate::decode::DecoderFactory;
use crate::demux::{DecoderConfig, MediaUnit};
use crate::error::Error;
use crate::player::decoders::VideoDecoding;

/// Why a fragment gave no picture.
#[derive(Debug, thiserror::Error)]
pub enum KeyFrameError {
    /// No sample of the fragment is marked as a place decoding may start.
    #[error("the fragment has no key frame ({samples} samples)")]
    NoKeyFrame {
        /// Samples in the fragment.
        samples: usize,
    },
    /// The decoder took the key frame but gave no picture back.
    #[error("the decoder returned no picture for the key frame")]
    NoPicture,
    /// The decoder (or its set-up, or the sample framing) failed.
    #[error(transparent)]
    Decode(Error),
}

/// Decodes the first key frame of `units` with a fresh decoder from `factory`.
pub fn decode_key_frame(
    factory: &DecoderFactory,
    config: &Arc<DecoderConfig>,
    units: &[MediaUnit],
    timescale: u64,
) -> Result<VideoFrame, KeyFrameError> {
    let unit = units
        .iter()
        .find(|u| u.is_sync)
        .ok_or(KeyFrameError::NoKeyFrame {
            samples: units.len(),
        })?;
    let mut decoding = VideoDecoding::new(factory.clone());
    let mut pictures = decoding
        .decode(config, unit, timescale)
        .map_err(KeyFrameError::Decode)?;
    // Decoders that reorder hold the picture until told the stream ends here.
    pictures.extend(decoding.flush());
    pictures
        .into_iter()
        .min_by_key(|f| f.pts)
        .ok_or(KeyFrameError::NoPicture)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Backend;
    use bytes::Bytes;

    fn unit(data: &'static [u8], is_sync: bool) -> MediaUnit {
        MediaUnit {
            data: Bytes::from_static(data),
            dts: 0,
            pts: 0,
            duration: 1,
            is_sync,
        }
    }

    fn config() -> Arc<DecoderConfig> {
        Arc::new(DecoderConfig::H264(crate::demux::H264Config {
            sps: vec![],
            pps: vec![],
            nal_length_size: 4,
            width: 16,
            height: 16,
        }))
    }

    #[test]
    fn a_fragment_without_a_key_frame_says_so() {
        let factory = DecoderFactory::new(Backend::OpenH264, 1).expect("factory");
        let e = decode_key_frame(&factory, &config(), &[unit(b"\0\0\0\x01\x41", false)], 1)
            .expect_err("no key frame");
        assert!(matches!(e, KeyFrameError::NoKeyFrame { samples: 1 }), "{e}");
    }

    #[test]
    fn a_broken_sample_is_a_decode_error() {
        let factory = DecoderFactory::new(Backend::OpenH264, 1).expect("factory");
        // A length prefix that claims more bytes than the sample has.
        let e = decode_key_frame(&factory, &config(), &[unit(b"\0\0\0\x09\x65", true)], 1)
            .expect_err("framing");
        assert!(matches!(e, KeyFrameError::Decode(Error::Demux(_))), "{e}");
    }
}
