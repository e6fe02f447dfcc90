//! Adapts the codec modules to the pipeline: set-up per level, resets on seek.

use crate::decode::aac::AacDecoder;
use crate::decode::h264::H264Decoder;
use crate::decode::{AudioFrame, VideoFrame};
use crate::demux::{DecoderConfig, avc};
use crate::error::Error;

use super::messages::MediaUnit;

/// H.264 decoding across quality switches and seeks.
pub(crate) struct VideoDecoding {
    decoder: Option<H264Decoder>,
    annexb: Vec<u8>,
}

impl VideoDecoding {
    pub fn new() -> VideoDecoding {
        VideoDecoding {
            decoder: None,
            annexb: Vec::new(),
        }
    }

    /// Forgets all state (after a seek): the next sample must be a keyframe.
    pub fn reset(&mut self) {
        self.decoder = None;
    }

    /// Decodes one sample; returns the pictures that became ready, in presentation order.
    pub fn decode(
        &mut self,
        config: &DecoderConfig,
        unit: &MediaUnit,
        timescale: u64,
    ) -> Result<Vec<VideoFrame>, Error> {
        let DecoderConfig::H264(h) = config else {
            return Ok(Vec::new());
        };
        let dec = match &mut self.decoder {
            Some(d) => d,
            None => self.decoder.insert(H264Decoder::new()?),
        };
        avc::to_annex_b(h, &unit.data, unit.is_sync, &mut self.annexb)?;
        let frames = dec.decode(
            &self.annexb,
            unit.pts,
            unit.dts,
            u64::from(unit.duration),
            timescale,
        )?;
        Ok(frames)
    }

    /// Pictures still held for reordering, at the end of a stream.
    pub fn flush(&mut self) -> Vec<VideoFrame> {
        match &mut self.decoder {
            Some(d) => d.flush(),
            None => Vec::new(),
        }
    }
}

/// AAC decoding across seeks and level changes.
pub(crate) struct AudioDecoding {
    decoder: Option<(AacDecoder, DecoderConfig)>,
}

impl AudioDecoding {
    pub fn new() -> AudioDecoding {
        AudioDecoding { decoder: None }
    }

    /// Forgets all state (after a seek).
    pub fn reset(&mut self) {
        self.decoder = None;
    }

    /// Decodes one access unit.
    pub fn decode(
        &mut self,
        config: &DecoderConfig,
        unit: &MediaUnit,
        timescale: u64,
    ) -> Result<Option<AudioFrame>, Error> {
        let same = matches!(&self.decoder, Some((_, c)) if c == config);
        if !same {
            self.decoder = Some((AacDecoder::new(config)?, config.clone()));
        }
        let Some((dec, _)) = &mut self.decoder else {
            return Ok(None);
        };
        Ok(dec.decode(&unit.data, unit.pts, timescale)?)
    }
}
