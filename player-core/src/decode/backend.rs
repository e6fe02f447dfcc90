//! Which decoders play: `auto` (hardware through libav when a device answers, else libav in
//! software, else openh264 + symphonia), `openh264` (openh264 + symphonia) or `libav`
//! (libavcodec in software). A [`DecoderFactory`] makes the decoders for one player.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
#[cfg(feature = "libav")]
use std::sync::atomic::{AtomicBool, Ordering};

use super::{AacDecoder, AudioDecoder, DecodeError, H264Decoder, VideoDecoder};
use crate::demux::{CodecSupport, DecoderConfig};

/// The decoder backend a player asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// Hardware (libav VA-API / V4L2) when a device is present, then libav, then openh264.
    #[default]
    Auto,
    /// openh264 for video, symphonia for audio: H.264 and stereo AAC-LC only.
    OpenH264,
    /// FFmpeg's libavcodec in software (cargo feature `libav`).
    Libav,
}

/// A backend name that is not `auto`, `openh264` or `libav`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown decoder {0:?} (expected auto, openh264 or libav)")]
pub struct ParseBackendError(pub String);

impl FromStr for Backend {
    type Err = ParseBackendError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Backend::Auto),
            "openh264" | "symphonia" => Ok(Backend::OpenH264),
            "libav" | "ffmpeg" => Ok(Backend::Libav),
            _ => Err(ParseBackendError(s.to_string())),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Auto => "auto",
            Backend::OpenH264 => "openh264",
            Backend::Libav => "libav",
        })
    }
}

impl Backend {
    /// Whether this build has the libav backend.
    pub const LIBAV_BUILT: bool = cfg!(feature = "libav");

    /// What this backend decodes in this build (`None`: `libav` asked for, not built in).
    pub fn support(self) -> Option<CodecSupport> {
        match self {
            Backend::OpenH264 => Some(CodecSupport::PURE),
            Backend::Libav if !Self::LIBAV_BUILT => None,
            Backend::Auto if !Self::LIBAV_BUILT => Some(CodecSupport::PURE),
            Backend::Libav | Backend::Auto => Some(CodecSupport::LIBAV),
        }
    }
}

/// What a resolved backend uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pure,
    #[cfg(feature = "libav")]
    Libav {
        hardware: bool,
    },
}

/// Makes the decoders of one player for the chosen backend; cheap to clone and share
/// between decoder threads.
#[derive(Debug, Clone)]
pub struct DecoderFactory {
    kind: Kind,
    /// libavcodec frame threads per video decoder (1: none).
    #[cfg_attr(not(feature = "libav"), allow(dead_code))]
    frame_threads: usize,
    /// Hardware decoding was tried and failed: the software path is used from then on.
    #[cfg(feature = "libav")]
    hw_failed: Arc<AtomicBool>,
    #[cfg(not(feature = "libav"))]
    _unused: Arc<()>,
}

impl DecoderFactory {
    /// Resolves `backend` for this build; `frame_threads` is how many threads libavcodec
    /// may use inside one video decoder.
    pub fn new(backend: Backend, frame_threads: usize) -> Result<DecoderFactory, DecodeError> {
        let kind = match backend {
            Backend::OpenH264 => Kind::Pure,
            #[cfg(feature = "libav")]
            Backend::Libav => Kind::Libav { hardware: false },
            #[cfg(feature = "libav")]
            Backend::Auto => Kind::Libav { hardware: true },
            #[cfg(not(feature = "libav"))]
            Backend::Auto => Kind::Pure,
            #[cfg(not(feature = "libav"))]
            Backend::Libav => {
                return Err(DecodeError::Unavailable(
                    "this build has no libav decoder (cargo feature `libav`)".into(),
                ));
            }
        };
        Ok(DecoderFactory {
            kind,
            frame_threads: frame_threads.max(1),
            #[cfg(feature = "libav")]
            hw_failed: Arc::new(AtomicBool::new(false)),
            #[cfg(not(feature = "libav"))]
            _unused: Arc::new(()),
        })
    }

    /// What the decoders it makes can decode.
    pub fn support(&self) -> CodecSupport {
        match self.kind {
            Kind::Pure => CodecSupport::PURE,
            #[cfg(feature = "libav")]
            Kind::Libav { .. } => CodecSupport::LIBAV,
        }
    }

    /// The backend in words: `openh264+symphonia`, `libav`, `libav (hardware first)`.
    pub fn describe(&self) -> &'static str {
        match self.kind {
            Kind::Pure => "openh264+symphonia",
            #[cfg(feature = "libav")]
            Kind::Libav { hardware: false } => "libav",
            #[cfg(feature = "libav")]
            Kind::Libav { hardware: true } => "libav (hardware first)",
        }
    }

    /// Whether the video decoders it makes use frame threads (and so hold pictures back).
    pub fn frame_threads(&self) -> usize {
        match self.kind {
            Kind::Pure => 1,
            #[cfg(feature = "libav")]
            Kind::Libav { .. } => self.frame_threads,
        }
    }

    /// A video decoder for `config`, its pictures timed in `timescale` ticks.
    pub fn video(
        &self,
        config: &DecoderConfig,
        timescale: u64,
    ) -> Result<Box<dyn VideoDecoder>, DecodeError> {
        match self.kind {
            Kind::Pure => match config {
                DecoderConfig::H264(_) => Ok(Box::new(H264Decoder::new(timescale)?)),
                _ => Err(unsupported(config, self)),
            },
            #[cfg(feature = "libav")]
            Kind::Libav { hardware } => {
                if hardware && !self.hw_failed.load(Ordering::Acquire) {
                    match super::libav::hardware_video(config, timescale) {
                        Ok(d) => return Ok(d),
                        Err(e) => {
                            if !self.hw_failed.swap(true, Ordering::AcqRel) {
                                tracing::info!(
                                    "hardware decoding unavailable ({e}): decoding in software"
                                );
                            }
                        }
                    }
                }
                super::libav::software_video(config, timescale, self.frame_threads)
            }
        }
    }

    /// An audio decoder for `config`; `stereo` downmixes more channels to two.
    pub fn audio(
        &self,
        config: &DecoderConfig,
        timescale: u64,
        stereo: bool,
    ) -> Result<Box<dyn AudioDecoder>, DecodeError> {
        #[cfg(not(feature = "libav"))]
        let _ = stereo;
        match (self.kind, config) {
            (Kind::Pure, DecoderConfig::Aac(aac)) if aac.channels <= 2 => {
                Ok(Box::new(AacDecoder::new(aac, timescale)?))
            }
            (Kind::Pure, _) => Err(unsupported(config, self)),
            #[cfg(feature = "libav")]
            (Kind::Libav { .. }, _) => super::libav::audio(config, timescale, stereo),
        }
    }

    /// Whether hardware decoding was tried and fell back to software.
    pub fn hardware_fell_back(&self) -> bool {
        #[cfg(feature = "libav")]
        {
            self.hw_failed.load(Ordering::Acquire)
        }
        #[cfg(not(feature = "libav"))]
        {
            false
        }
    }
}

fn unsupported(config: &DecoderConfig, f: &DecoderFactory) -> DecodeError {
    let why = f
        .support()
        .refuses(config)
        .unwrap_or_else(|| "not a video configuration".into());
    DecodeError::Unavailable(format!("{}: {why}", f.describe()))
}
