//! AAC configuration from an AudioSpecificConfig (or the manifest's SamplingRate/Channels).
//!
//! Two decoders read it: symphonia decodes AAC-LC (mono or stereo) and only the AAC-LC core
//! of HE-AAC, so it gets a minimal AAC-LC config at the core rate ([`AacConfig::asc`]);
//! libavcodec decodes HE-AAC v1/v2 at the full rate and up to 7.1, so it gets the stream's
//! own config ([`AacConfig::full_asc`]). Which of them a build may use is decided by
//! [`CodecSupport`](super::CodecSupport), not here.

use super::DemuxError;
use super::bits::{Bits, OutOfBits};

/// AAC configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AacConfig {
    /// A 2-byte (or 5-byte, for unusual rates) AAC-LC AudioSpecificConfig of the core.
    pub asc: Vec<u8>,
    /// The stream's own AudioSpecificConfig (or one built from the manifest's attributes,
    /// signalling SBR explicitly for HE-AAC).
    pub full_asc: Vec<u8>,
    /// The AAC-LC core's sample rate (for HE-AAC, half the output rate).
    pub sample_rate: u32,
    /// The rate a full HE-AAC decoder outputs (the core rate when there is no SBR).
    pub output_rate: u32,
    /// Channel count (1–8).
    pub channels: u16,
    /// Whether the stream signals SBR/PS (HE-AAC).
    pub sbr: bool,
}

const AAC_RATES: [u32; 13] = [
    96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

/// Channel count per channelConfiguration 1–7 (7 is 7.1).
fn channel_count(config: u32) -> Option<u16> {
    match config {
        1..=6 => Some(config as u16),
        7 => Some(8),
        _ => None,
    }
}

/// AAC configuration from an AudioSpecificConfig, or from SamplingRate/Channels when the
/// CodecPrivateData is empty. HE-AAC (`he`, or SBR/PS signalled in the config): with no
/// config, a SamplingRate of 32 kHz or more is taken as the SBR output rate and halved for
/// the core.
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
    let (rate, output_rate, channel_config, sbr) = if cpd.is_empty() {
        let rate = sampling_rate.ok_or_else(|| invalid("empty, and no SamplingRate"))?;
        let core = if he && rate >= 32000 { rate / 2 } else { rate };
        let ch = channels.ok_or_else(|| invalid("empty, and no Channels"))?;
        let ch_config = if ch == 8 { 7 } else { u32::from(ch) };
        (core, if he { core * 2 } else { core }, ch_config, he)
    } else {
        let asc = read_asc(cpd).map_err(|_| invalid("AudioSpecificConfig truncated"))?;
        if asc.object_type != 2 {
            return Err(unsupported(format!("AAC object type {}", asc.object_type)));
        }
        if asc.frame_length_960 {
            return Err(unsupported("960-sample frames".into()));
        }
        let ch = if asc.channel_config == 0 {
            channels.map_or(0, |c| if c == 8 { 7 } else { u32::from(c) })
        } else {
            asc.channel_config
        };
        let sbr = he || asc.sbr;
        let output = match asc.extension_rate {
            Some(r) => r,
            None if sbr => asc.core_rate * 2,
            None => asc.core_rate,
        };
        (asc.core_rate, output, ch, sbr)
    };
    if rate == 0 {
        return Err(invalid("sampling rate 0"));
    }
    let Some(count) = channel_count(channel_config) else {
        return Err(unsupported(format!("{channel_config} channels")));
    };
    let full_asc = if cpd.is_empty() {
        if sbr {
            he_asc(rate, output_rate, channel_config)
        } else {
            lc_asc(rate, channel_config)
        }
    } else {
        cpd.to_vec()
    };
    Ok(AacConfig {
        asc: lc_asc(rate, channel_config),
        full_asc,
        sample_rate: rate,
        output_rate,
        channels: count,
        sbr,
    })
}

pub(super) struct Asc {
    pub object_type: u32,
    pub core_rate: u32,
    pub channel_config: u32,
    pub sbr: bool,
    pub extension_rate: Option<u32>,
    pub frame_length_960: bool,
}

pub(super) fn read_asc(data: &[u8]) -> Result<Asc, OutOfBits> {
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
    let mut extension_rate = None;
    if aot == 5 || aot == 29 {
        sbr = true;
        extension_rate = Some(rate(&mut b)?);
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
        extension_rate,
        frame_length_960,
    })
}

fn rate_bits(rate: u32, bits: &mut Vec<(u32, u32)>) {
    match AAC_RATES.iter().position(|&r| r == rate) {
        Some(i) => bits.push((i as u32, 4)),
        None => bits.extend([(15, 4), (rate, 24)]),
    }
}

/// A minimal AAC-LC AudioSpecificConfig (1024-sample frames).
fn lc_asc(rate: u32, channel_config: u32) -> Vec<u8> {
    let mut bits: Vec<(u32, u32)> = vec![(2, 5)];
    rate_bits(rate, &mut bits);
    bits.extend([(channel_config, 4), (0, 3)]);
    pack(&bits)
}

/// An HE-AAC AudioSpecificConfig with explicit SBR signalling (object type 5).
fn he_asc(core_rate: u32, output_rate: u32, channel_config: u32) -> Vec<u8> {
    let mut bits: Vec<(u32, u32)> = vec![(5, 5)];
    rate_bits(core_rate, &mut bits);
    bits.push((channel_config, 4));
    rate_bits(output_rate, &mut bits);
    bits.extend([(2, 5), (0, 3)]);
    pack(&bits)
}

fn pack(bits: &[(u32, u32)]) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut n) = (0u64, 0u32);
    for &(v, w) in bits {
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
