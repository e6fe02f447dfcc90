//! Adapts the decoder backends to the pipeline: set-up per level, H.264 framing, resets on
//! seek.

use std::sync::Arc;

use crate::decode::{AudioDecoder, AudioFrame, DecoderFactory, VideoDecoder, VideoFrame};
use crate::demux::{AnnexBConverter, DecoderConfig, H264Config};
use crate::error::Error;

use crate::demux::MediaUnit;

/// Video decoding across quality switches and seeks.
pub(crate) struct VideoDecoding {
    factory: DecoderFactory,
    decoder: Option<(Box<dyn VideoDecoder>, Arc<DecoderConfig>)>,
    converter: Option<(AnnexBConverter, H264Config)>,
}

impl VideoDecoding {
    /// Decoding with decoders from `factory`.
    pub fn new(factory: DecoderFactory) -> VideoDecoding {
        VideoDecoding {
            factory,
            decoder: None,
            converter: None,
        }
    }

    /// Forgets all state (after a seek): the next sample must be a keyframe.
    pub fn reset(&mut self) {
        self.decoder = None;
    }

    /// Decodes one sample; returns the pictures that became ready, in presentation order.
    pub fn decode(
        &mut self,
        config: &Arc<DecoderConfig>,
        unit: &MediaUnit,
        timescale: u64,
    ) -> Result<Vec<VideoFrame>, Error> {
        let data: &[u8] = match config.as_ref() {
            DecoderConfig::H264(h) => {
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
                conv.convert(&unit.data)?
            }
            DecoderConfig::Vc1(_) => &unit.data,
            _ => return Ok(Vec::new()),
        };
        let mut out = Vec::new();
        // H.264 takes a new level's parameter sets in band; other codecs need a new decoder.
        let switch = matches!(&self.decoder, Some((_, c)) if c != config)
            && !matches!(config.as_ref(), DecoderConfig::H264(_));
        if switch
            && unit.is_sync
            && let Some((mut old, _)) = self.decoder.take()
        {
            out = old.flush();
        }
        let dec = match &mut self.decoder {
            Some((d, _)) => d,
            // A fresh decoder (start, seek, after an error) can only begin at a keyframe.
            None if !unit.is_sync => return Ok(out),
            None => {
                let d = self.factory.video(config, timescale)?;
                &mut self.decoder.insert((d, config.clone())).0
            }
        };
        out.extend(dec.decode(data, unit.pts, u64::from(unit.duration))?);
        Ok(out)
    }

    /// Pictures still held for reordering (end of a fragment or of the stream); the next
    /// sample must then be a keyframe.
    pub fn flush(&mut self) -> Vec<VideoFrame> {
        match &mut self.decoder {
            Some((d, _)) => d.flush(),
            None => Vec::new(),
        }
    }
}

/// Audio decoding across seeks and level changes.
pub(crate) struct AudioDecoding {
    factory: DecoderFactory,
    /// Downmix to stereo.
    stereo: bool,
    decoder: Option<(Box<dyn AudioDecoder>, Arc<DecoderConfig>)>,
}

impl AudioDecoding {
    /// Decoding with decoders from `factory`, downmixed to stereo when `stereo`.
    pub fn new(factory: DecoderFactory, stereo: bool) -> AudioDecoding {
        AudioDecoding {
            factory,
            stereo,
            decoder: None,
        }
    }

    /// Forgets all state (after a seek).
    pub fn reset(&mut self) {
        self.decoder = None;
    }

    /// Decodes one access unit.
    pub fn decode(
        &mut self,
        config: &Arc<DecoderConfig>,
        unit: &MediaUnit,
        timescale: u64,
    ) -> Result<Option<AudioFrame>, Error> {
        if config.is_video() {
            return Ok(None);
        }
        let same = matches!(&self.decoder, Some((_, c)) if c == config);
        if !same {
            let d = self.factory.audio(config, timescale, self.stereo)?;
            self.decoder = Some((d, config.clone()));
        }
        let Some((dec, _)) = &mut self.decoder else {
            return Ok(None);
        };
        Ok(dec.decode(&unit.data, unit.pts)?)
    }
}
