//! AAC-LC decoding with symphonia 0.6, to interleaved f32.

use symphonia_codec_aac::AacDecoder as SymphoniaAac;
use symphonia_core::audio::layouts::{CHANNEL_LAYOUT_MONO, CHANNEL_LAYOUT_STEREO};
use symphonia_core::codecs::audio::well_known::CODEC_ID_AAC;
use symphonia_core::codecs::audio::{AudioCodecParameters, AudioDecoder, AudioDecoderOptions};
use symphonia_core::packet::PacketRef;
use symphonia_core::units::{Duration, Timestamp};

use super::DecodeError;
use crate::base::AudioFrame;
use crate::demux::AacConfig;

/// An AAC decoder fed raw access units (no ADTS headers), one per sample.
pub struct AacDecoder {
    inner: SymphoniaAac,
    timescale: u64,
    sample_rate: u32,
    channels: u16,
}

impl AacDecoder {
    /// A decoder for `config` whose frames carry times in `timescale` ticks per second.
    pub fn new(config: &AacConfig, timescale: u64) -> Result<AacDecoder, DecodeError> {
        let init = |what: String| DecodeError::Init { codec: "AAC", what };
        let layout = match config.channels {
            1 => CHANNEL_LAYOUT_MONO,
            2 => CHANNEL_LAYOUT_STEREO,
            n => {
                return Err(init(format!(
                    "{n} channels (only mono and stereo AAC-LC decode)"
                )));
            }
        };
        let mut params = AudioCodecParameters::new();
        params
            .for_codec(CODEC_ID_AAC)
            .with_sample_rate(config.sample_rate)
            .with_channels(layout)
            .with_extra_data(config.asc.clone().into_boxed_slice());
        let inner = SymphoniaAac::try_new(&params, &AudioDecoderOptions::default())
            .map_err(|e| init(e.to_string()))?;
        Ok(AacDecoder {
            inner,
            timescale,
            sample_rate: config.sample_rate,
            channels: config.channels,
        })
    }

    /// Decodes one access unit presented at `pts` (in the decoder's timescale).
    pub fn decode(&mut self, data: &[u8], pts: u64) -> Result<AudioFrame, DecodeError> {
        let packet = PacketRef::new(
            0,
            Timestamp::new(i64::try_from(pts).unwrap_or(i64::MAX)),
            Duration::from(0u64),
            data,
        );
        let decoded = self
            .inner
            .decode_ref(&packet)
            .map_err(|e| DecodeError::Aac {
                pts,
                what: e.to_string(),
            })?;
        let mut samples = Vec::with_capacity(decoded.samples_interleaved());
        decoded.copy_to_vec_interleaved::<f32>(&mut samples);
        Ok(AudioFrame {
            pts,
            timescale: self.timescale,
            sample_rate: self.sample_rate,
            channels: self.channels,
            samples,
        })
    }

    /// Forgets the overlap state (after a seek or a gap).
    pub fn reset(&mut self) {
        self.inner.reset();
    }

    /// Output sample rate.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Output channel count.
    pub fn channels(&self) -> u16 {
        self.channels
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demux::codec_config::aac_config;

    #[test]
    fn rejects_configs_it_cannot_decode() {
        let mut c = aac_config("AACL", &[0x12, 0x10], false, None, None).expect("config");
        c.channels = 6;
        assert!(matches!(
            AacDecoder::new(&c, 44_100),
            Err(DecodeError::Init { codec: "AAC", .. })
        ));
    }

    #[test]
    fn silence_frame_decodes_to_1024_stereo_samples() {
        // A silent stereo AAC-LC access unit as ffmpeg 5.1's encoder writes it.
        let c = aac_config("AACL", &[0x12, 0x10], false, None, None).expect("config");
        let mut d = AacDecoder::new(&c, 44_100).expect("decoder");
        let silence = [0x21, 0x10, 0x04, 0x60, 0x8c, 0x1c];
        let f = d.decode(&silence, 1024).expect("decode");
        assert_eq!(
            (f.pts, f.sample_rate, f.channels, f.frames()),
            (1024, 44_100, 2, 1024)
        );
        assert!(f.samples.iter().all(|s| s.abs() < 1e-6));
        // A program config element in a raw access unit is beyond the decoder: a typed error.
        assert!(matches!(
            d.decode(&[0xa0; 4], 2048),
            Err(DecodeError::Aac { pts: 2048, .. })
        ));
    }
}
