//! Adapts the codec modules to the pipeline: set-up per level, resets on seek.

use crate::decode::{AacDecoder, AudioFrame, H264Decoder, VideoFrame};
use crate::demux::{AnnexBConverter, DecoderConfig, H264Config};
use crate::error::Error;

use crate::demux::MediaUnit;

/// H.264 decoding across quality switches and seeks.
#[derive(Default)]
pub(crate) struct VideoDecoding {
    decoder: Option<H264Decoder>,
    converter: Option<(AnnexBConverter, H264Config)>,
}

impl VideoDecoding {
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
        // A quality switch brings the new level's parameter sets and length size.
        match &mut self.converter {
            Some((conv, current)) if current != h => {
                conv.set_config(h)?;
                *current = h.clone();
            }
            Some(_) => {}
            None => self.converter = Some((AnnexBConverter::new(h)?, h.clone())),
        }
        let Some((conv, _)) = &mut self.converter else {
            return Ok(Vec::new());
        };
        let dec = match &mut self.decoder {
            Some(d) => d,
            // A fresh decoder (start, seek, after an error) can only begin at a keyframe.
            None if !unit.is_sync => return Ok(Vec::new()),
            None => self.decoder.insert(H264Decoder::new(timescale)?),
        };
        let annexb = conv.convert(&unit.data)?;
        Ok(dec.decode(annexb, unit.pts, u64::from(unit.duration))?)
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
#[derive(Default)]
pub(crate) struct AudioDecoding {
    decoder: Option<(AacDecoder, DecoderConfig)>,
}

impl AudioDecoding {
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
        let DecoderConfig::Aac(aac) = config else {
            return Ok(None);
        };
        let same = matches!(&self.decoder, Some((_, c)) if c == config);
        if !same {
            self.decoder = Some((AacDecoder::new(aac, timescale)?, config.clone()));
        }
        let Some((dec, _)) = &mut self.decoder else {
            return Ok(None);
        };
        Ok(Some(dec.decode(&unit.data, unit.pts)?))
    }
}
