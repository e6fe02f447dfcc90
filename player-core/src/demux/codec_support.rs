//! Which decoder configurations a build's decoder backend can play: the session skips
//! levels it cannot, and `probe` reports it.

use super::DecoderConfig;

/// What a decoder backend decodes beyond H.264 and stereo AAC-LC (which every build does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodecSupport {
    /// Most AAC channels decoded (symphonia: 2; libavcodec: 8).
    pub aac_channels: u16,
    /// HE-AAC decoded at its full rate with SBR/PS (otherwise its AAC-LC core only).
    pub he_aac: bool,
    /// VC-1 video.
    pub vc1: bool,
    /// WMA 9 Standard (WMA2) and WMA Pro (WMAP).
    pub wma: bool,
    /// AC-3 and E-AC-3.
    pub dolby: bool,
}

impl CodecSupport {
    /// openh264 and symphonia: H.264, and AAC-LC (HE-AAC's core) in mono or stereo.
    pub const PURE: CodecSupport = CodecSupport {
        aac_channels: 2,
        he_aac: false,
        vc1: false,
        wma: false,
        dolby: false,
    };

    /// libavcodec: everything a Smooth Streaming presentation carries.
    pub const LIBAV: CodecSupport = CodecSupport {
        aac_channels: 8,
        he_aac: true,
        vc1: true,
        wma: true,
        dolby: true,
    };

    /// `None` when `config` decodes, else why not (e.g. `6 channels`).
    pub fn refuses(&self, config: &DecoderConfig) -> Option<String> {
        match config {
            DecoderConfig::H264(_) => None,
            DecoderConfig::Aac(a) if a.channels > self.aac_channels => {
                Some(format!("{} channels", a.channels))
            }
            DecoderConfig::Aac(_) => None,
            DecoderConfig::Vc1(_) => (!self.vc1).then(|| "VC-1 needs libav".into()),
            DecoderConfig::Wma(w) => match w.format_tag {
                0x0161 | 0x0162 if self.wma => None,
                0x0161 | 0x0162 => Some("WMA needs libav".into()),
                tag => Some(format!("WAVE format tag {tag:#06x}")),
            },
            DecoderConfig::Dolby(_) => (!self.dolby).then(|| "AC-3/E-AC-3 need libav".into()),
        }
    }

    /// Whether `config` decodes.
    pub fn supports(&self, config: &DecoderConfig) -> bool {
        self.refuses(config).is_none()
    }
}

impl Default for CodecSupport {
    fn default() -> Self {
        CodecSupport::PURE
    }
}
