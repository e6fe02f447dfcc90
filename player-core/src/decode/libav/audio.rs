//! libavcodec audio decoding: access units in, interleaved f32 out (downmixed to stereo
//! when the output asks for it).

use ffmpeg_sys_next as ff;

use super::{Codec, Received};
use crate::base::AudioFrame;
use crate::decode::downmix::to_stereo;
use crate::decode::{AudioDecoder, DecodeError};

/// A libavcodec audio decoder.
pub(super) struct LibavAudio {
    codec: Codec,
    timescale: u64,
    stereo: bool,
}

impl LibavAudio {
    pub fn new(codec: Codec, timescale: u64, stereo: bool) -> LibavAudio {
        LibavAudio {
            codec,
            timescale,
            stereo,
        }
    }
}

impl AudioDecoder for LibavAudio {
    fn decode(&mut self, data: &[u8], pts: u64) -> Result<Option<AudioFrame>, DecodeError> {
        let mut out: Option<AudioFrame> = None;
        let mut sent = false;
        while !sent {
            sent = self.codec.send(Some(data), pts)?;
            while let Received::Frame = self.codec.receive(pts)? {
                let (rate, channels, samples) = interleave(self.codec.frame(), self.stereo)
                    .map_err(|what| DecodeError::Libav {
                        codec: self.codec.name,
                        pts,
                        what,
                    })?;
                match &mut out {
                    Some(o) if o.sample_rate == rate && o.channels == channels => {
                        o.samples.extend_from_slice(&samples);
                    }
                    _ => {
                        out = Some(AudioFrame {
                            pts,
                            timescale: self.timescale,
                            sample_rate: rate,
                            channels,
                            samples,
                        });
                    }
                }
            }
        }
        Ok(out)
    }

    fn reset(&mut self) {
        self.codec.reset();
    }
}

/// How samples are stored.
#[derive(Clone, Copy)]
enum Kind {
    F32,
    S16,
    S32,
    F64,
}

impl Kind {
    fn width(self) -> usize {
        match self {
            Kind::S16 => 2,
            Kind::F32 | Kind::S32 => 4,
            Kind::F64 => 8,
        }
    }

    fn read(self, b: &[u8]) -> f32 {
        let four = || [b[0], b[1], b[2], b[3]];
        match self {
            Kind::F32 => f32::from_ne_bytes(four()),
            Kind::S16 => f32::from(i16::from_ne_bytes([b[0], b[1]])) / 32768.0,
            Kind::S32 => i32::from_ne_bytes(four()) as f32 / 2_147_483_648.0,
            Kind::F64 => {
                f64::from_ne_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32
            }
        }
    }
}

/// The storage of an AVSampleFormat value, and whether it is planar.
fn sample_kind(format: i32) -> Option<(Kind, bool)> {
    use ff::AVSampleFormat::*;
    [
        (AV_SAMPLE_FMT_FLT, Kind::F32, false),
        (AV_SAMPLE_FMT_FLTP, Kind::F32, true),
        (AV_SAMPLE_FMT_S16, Kind::S16, false),
        (AV_SAMPLE_FMT_S16P, Kind::S16, true),
        (AV_SAMPLE_FMT_S32, Kind::S32, false),
        (AV_SAMPLE_FMT_S32P, Kind::S32, true),
        (AV_SAMPLE_FMT_DBL, Kind::F64, false),
        (AV_SAMPLE_FMT_DBLP, Kind::F64, true),
    ]
    .into_iter()
    .find(|(f, _, _)| *f as i32 == format)
    .map(|(_, k, p)| (k, p))
}

/// One frame's samples as interleaved f32: (rate, channels, samples).
fn interleave(f: &ff::AVFrame, stereo: bool) -> Result<(u32, u16, Vec<f32>), String> {
    let channels = usize::try_from(f.ch_layout.nb_channels).map_err(|_| "channels")?;
    let frames = usize::try_from(f.nb_samples).map_err(|_| "sample count")?;
    let rate = u32::try_from(f.sample_rate).map_err(|_| "sample rate")?;
    if channels == 0 || channels > 64 || f.extended_data.is_null() {
        return Err(format!("{channels} channels"));
    }
    let (kind, planar) =
        sample_kind(f.format).ok_or_else(|| format!("sample format {}", f.format))?;
    let width = kind.width();
    let mut samples = vec![0f32; frames * channels];
    for c in 0..(if planar { channels } else { 1 }) {
        let len = if planar {
            frames * width
        } else {
            frames * channels * width
        };
        // SAFETY: extended_data holds one plane per channel (planar) or one interleaved
        // plane, each at least nb_samples (× channels) samples long.
        let plane = unsafe { std::slice::from_raw_parts(*f.extended_data.add(c), len) };
        for (i, s) in plane.chunks_exact(width).enumerate() {
            let at = if planar { i * channels + c } else { i };
            samples[at] = kind.read(s);
        }
    }
    let ch = u16::try_from(channels).map_err(|_| "channels")?;
    if stereo && ch > 2 {
        // SAFETY: `u.mask` is the valid union member for the native channel order.
        let mask = if f.ch_layout.order == ff::AVChannelOrder::AV_CHANNEL_ORDER_NATIVE {
            unsafe { f.ch_layout.u.mask }
        } else {
            0
        };
        return Ok((rate, 2, to_stereo(&samples, ch, mask)));
    }
    Ok((rate, ch, samples))
}
