//! Decoder configuration from a manifest QualityLevel (or an `.ismv` sample entry):
//! H.264 SPS/PPS from Annex-B CodecPrivateData, AAC AudioSpecificConfig.

use super::DemuxError;
use super::bits::{Bits, OutOfBits};
use super::sps::parse_sps;
use crate::base::{nal_type, split_annex_b};
use crate::isobmff::{AvcConfig, IsmvTrack, Reader, SampleEntry};
use crate::manifest::{Codec, QualityLevel};

/// What a decoder needs to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecoderConfig {
    /// H.264 (FourCCs H264, AVC1, DAVC, X264).
    H264(H264Config),
    /// AAC-LC, or the AAC-LC core of HE-AAC (AACL, AACH…).
    Aac(AacConfig),
}

/// H.264 stream configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct H264Config {
    /// Sequence parameter sets (NAL units without start codes); empty if only in-band.
    pub sps: Vec<Vec<u8>>,
    /// Picture parameter sets.
    pub pps: Vec<Vec<u8>>,
    /// Bytes in each NAL unit length prefix of the samples (1, 2 or 4).
    pub nal_length_size: u8,
    /// Picture width from the SPS (else MaxWidth, else 0).
    pub width: u32,
    /// Picture height from the SPS (else MaxHeight, else 0).
    pub height: u32,
}

/// AAC configuration for an AAC-LC decoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AacConfig {
    /// A 2-byte (or 5-byte, for unusual rates) AAC-LC AudioSpecificConfig for the decoder.
    pub asc: Vec<u8>,
    /// The rate decoded samples come out at (for HE-AAC: the AAC-LC core's rate).
    pub sample_rate: u32,
    /// Channel count (1 or 2).
    pub channels: u16,
    /// Whether the stream signals SBR/PS (HE-AAC): only the core is decoded.
    pub sbr: bool,
}

/// The decoder configuration for a quality level, or `Unsupported` for codecs smoothplay
/// does not decode (VC-1, WMA, Dolby, TTML, unknown FourCCs).
pub fn decoder_config(ql: &QualityLevel) -> Result<DecoderConfig, DemuxError> {
    match ql.codec {
        Codec::H264 => h264_config(
            &ql.fourcc,
            &ql.codec_private_data,
            ql.nal_unit_length_field,
            (ql.max_width, ql.max_height),
        )
        .map(DecoderConfig::H264),
        Codec::AacLc | Codec::AacHe => aac_config(
            &ql.fourcc,
            &ql.codec_private_data,
            ql.codec == Codec::AacHe,
            ql.sampling_rate,
            ql.channels,
        )
        .map(DecoderConfig::Aac),
        _ => Err(DemuxError::Unsupported {
            fourcc: ql.fourcc.clone(),
        }),
    }
}

/// The decoder configuration for a track of a single-file `.ismv`.
pub fn track_decoder_config(track: &IsmvTrack) -> Result<DecoderConfig, DemuxError> {
    match &track.sample_entry {
        SampleEntry::Avc {
            width,
            height,
            config,
            ..
        } => h264_config(
            "AVC1",
            &config.annex_b(),
            config.nal_length_size,
            (Some(u32::from(*width)), Some(u32::from(*height))),
        )
        .map(DecoderConfig::H264),
        SampleEntry::Mp4a {
            channels,
            sample_rate,
            asc,
            ..
        } => aac_config("MP4A", asc, false, Some(*sample_rate), Some(*channels))
            .map(DecoderConfig::Aac),
        SampleEntry::Other(kind) => Err(DemuxError::Unsupported {
            fourcc: kind.to_string(),
        }),
    }
}

/// H.264 configuration from CodecPrivateData: Annex B (start codes of 3 or 4 bytes), or an
/// avcC record, which some packagers write instead. Empty data means in-band parameter sets.
pub fn h264_config(
    fourcc: &str,
    cpd: &[u8],
    nal_length_size: u8,
    fallback_size: (Option<u32>, Option<u32>),
) -> Result<H264Config, DemuxError> {
    let invalid = |what: String| DemuxError::InvalidCodecPrivateData {
        fourcc: fourcc.to_string(),
        what,
    };
    if !matches!(nal_length_size, 1 | 2 | 4) {
        return Err(DemuxError::NalLengthSize(nal_length_size));
    }
    let (sps, pps) = if cpd.first() == Some(&1) {
        let avcc = AvcConfig::parse(&mut Reader::new(cpd, 0, "CodecPrivateData/avcC"))
            .map_err(|e| invalid(e.to_string()))?;
        (avcc.sps, avcc.pps)
    } else {
        let (mut sps, mut pps) = (Vec::new(), Vec::new());
        for nal in split_annex_b(cpd) {
            match nal_type(nal) {
                7 => sps.push(nal.to_vec()),
                8 => pps.push(nal.to_vec()),
                _ => {}
            }
        }
        (sps, pps)
    };
    if !cpd.is_empty() && (sps.is_empty() || pps.is_empty()) {
        return Err(invalid(format!(
            "{} SPS and {} PPS found, need at least one of each",
            sps.len(),
            pps.len()
        )));
    }
    let (width, height) = match sps.first().map(|s| parse_sps(s)) {
        Some(Ok(info)) => (info.width, info.height),
        Some(Err(e)) => {
            tracing::warn!(fourcc, error = %e, "SPS not understood; using the manifest's size");
            (fallback_size.0.unwrap_or(0), fallback_size.1.unwrap_or(0))
        }
        None => (fallback_size.0.unwrap_or(0), fallback_size.1.unwrap_or(0)),
    };
    Ok(H264Config {
        sps,
        pps,
        nal_length_size,
        width,
        height,
    })
}

const AAC_RATES: [u32; 13] = [
    96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

/// AAC configuration from an AudioSpecificConfig, or from SamplingRate/Channels when the
/// CodecPrivateData is empty. HE-AAC (`he`, or SBR/PS signalled in the config) decodes its
/// AAC-LC core: with no config, a SamplingRate of 32 kHz or more is taken as the SBR output
/// rate and halved.
pub fn aac_config(
    fourcc: &str,
    cpd: &[u8],
    he: bool,
    sampling_rate: Option<u32>,
    channels: Option<u16>,
) -> Result<AacConfig, DemuxError> {
    let invalid = |what: &str| DemuxError::InvalidCodecPrivateData {
        fourcc: fourcc.to_string(),
        what: what.into(),
    };
    let unsupported = |why: String| DemuxError::Unsupported {
        fourcc: format!("{fourcc} ({why})"),
    };
    let (rate, channel_config, sbr) = if cpd.is_empty() {
        let rate = sampling_rate.ok_or_else(|| invalid("empty, and no SamplingRate"))?;
        let rate = if he && rate >= 32000 { rate / 2 } else { rate };
        let ch = channels.ok_or_else(|| invalid("empty, and no Channels"))?;
        (rate, u32::from(ch), he)
    } else {
        let asc = read_asc(cpd).map_err(|_| invalid("AudioSpecificConfig truncated"))?;
        if asc.object_type != 2 {
            return Err(unsupported(format!("AAC object type {}", asc.object_type)));
        }
        if asc.frame_length_960 {
            return Err(unsupported("960-sample frames".into()));
        }
        let ch = if asc.channel_config == 0 {
            channels.map_or(0, u32::from)
        } else {
            asc.channel_config
        };
        (asc.core_rate, ch, he || asc.sbr)
    };
    if rate == 0 {
        return Err(invalid("sampling rate 0"));
    }
    if !(1..=2).contains(&channel_config) {
        return Err(unsupported(format!("{channel_config} channels")));
    }
    Ok(AacConfig {
        asc: lc_asc(rate, channel_config),
        sample_rate: rate,
        channels: channel_config as u16,
        sbr,
    })
}

struct Asc {
    object_type: u32,
    core_rate: u32,
    channel_config: u32,
    sbr: bool,
    frame_length_960: bool,
}

fn read_asc(data: &[u8]) -> Result<Asc, OutOfBits> {
    let mut b = Bits::new(data);
    let object_type = |b: &mut Bits<'_>| -> Result<u32, OutOfBits> {
        let t = b.bits(5)?;
        if t == 31 { Ok(32 + b.bits(6)?) } else { Ok(t) }
    };
    let rate = |b: &mut Bits<'_>| -> Result<u32, OutOfBits> {
        let i = b.bits(4)?;
        if i == 15 {
            b.bits(24)
        } else {
            AAC_RATES.get(i as usize).copied().ok_or(OutOfBits)
        }
    };
    let mut aot = object_type(&mut b)?;
    let core_rate = rate(&mut b)?;
    let channel_config = b.bits(4)?;
    let mut sbr = false;
    if aot == 5 || aot == 29 {
        sbr = true;
        let _extension_rate = rate(&mut b)?;
        aot = object_type(&mut b)?;
    }
    // GASpecificConfig begins with frameLengthFlag; absent bits mean the common 1024.
    let frame_length_960 = if aot == 2 {
        b.bit().unwrap_or(false)
    } else {
        false
    };
    Ok(Asc {
        object_type: aot,
        core_rate,
        channel_config,
        sbr,
        frame_length_960,
    })
}

/// A minimal AAC-LC AudioSpecificConfig (1024-sample frames).
fn lc_asc(rate: u32, channels: u32) -> Vec<u8> {
    let mut bits: Vec<(u32, u32)> = vec![(2, 5)];
    match AAC_RATES.iter().position(|&r| r == rate) {
        Some(i) => bits.push((i as u32, 4)),
        None => bits.extend([(15, 4), (rate, 24)]),
    }
    bits.extend([(channels, 4), (0, 3)]);
    let mut out = Vec::new();
    let (mut acc, mut n) = (0u64, 0u32);
    for (v, w) in bits {
        acc = (acc << w) | u64::from(v & ((1u32 << w) - 1));
        n += w;
        while n >= 8 {
            out.push((acc >> (n - 8)) as u8);
            n -= 8;
        }
    }
    if n > 0 {
        out.push((acc << (8 - n)) as u8);
    }
    out
}

#[cfg(test)]
#[path = "codec_config_tests.rs"]
mod tests;
