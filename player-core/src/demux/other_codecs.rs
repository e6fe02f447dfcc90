//! Decoder configuration for the codecs only libavcodec decodes: VC-1 (its CodecPrivateData
//! is the sequence header and entry point, start codes included), WMA (the WAVEFORMATEX
//! fields, which the manifest carries as attributes or as a WaveFormatEx blob; the
//! CodecPrivateData is the structure's extra bytes) and AC-3 / E-AC-3 (self-describing
//! frames: the manifest's rate and channels are only a hint).

use super::DemuxError;
use super::bits::Bits;
use crate::base::split_annex_b;
use crate::manifest::QualityLevel;

/// VC-1 stream configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vc1Config {
    /// The sequence header (and entry point), with start codes, as the decoder's extradata.
    pub sequence_header: Vec<u8>,
    /// Whether this is the advanced profile (WVC1) rather than simple/main (WMV3).
    pub advanced: bool,
    /// Coded width (from the sequence header, else MaxWidth).
    pub width: u32,
    /// Coded height.
    pub height: u32,
}

/// Windows Media Audio configuration (WAVEFORMATEX).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WmaConfig {
    /// wFormatTag: 0x0161 WMA2, 0x0162 WMA Pro, 0x0163 WMA Lossless.
    pub format_tag: u16,
    /// Channel count.
    pub channels: u16,
    /// Samples per second.
    pub sample_rate: u32,
    /// Bits per second.
    pub bitrate: u64,
    /// nBlockAlign: bytes per packet (the manifest's PacketSize).
    pub block_align: u16,
    /// Bits per sample.
    pub bits_per_sample: u16,
    /// The codec-specific extra bytes (CodecPrivateData).
    pub extra: Vec<u8>,
}

/// AC-3 / E-AC-3 configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DolbyConfig {
    /// E-AC-3 (EC-3) rather than AC-3.
    pub enhanced: bool,
    /// Channels the manifest announces (the frames tell the decoder).
    pub channels: u16,
    /// Sample rate the manifest announces.
    pub sample_rate: u32,
}

/// VC-1 configuration from a WVC1 (or WMV3) QualityLevel.
pub fn vc1_config(ql: &QualityLevel) -> Result<Vc1Config, DemuxError> {
    let invalid = |what: &str| DemuxError::InvalidCodecPrivateData {
        fourcc: ql.fourcc.clone(),
        what: what.into(),
    };
    if ql.codec_private_data.is_empty() {
        return Err(invalid("empty: the decoder needs the sequence header"));
    }
    let advanced = !ql.fourcc.eq_ignore_ascii_case("WMV3");
    let size = if advanced {
        let header = split_annex_b(&ql.codec_private_data)
            .find(|nal| nal.first() == Some(&0x0F))
            .ok_or_else(|| invalid("no sequence header start code (00 00 01 0F)"))?;
        advanced_size(&header[1..])
    } else {
        None
    };
    let (width, height) = size.unwrap_or((ql.max_width.unwrap_or(0), ql.max_height.unwrap_or(0)));
    Ok(Vc1Config {
        sequence_header: ql.codec_private_data.clone(),
        advanced,
        width,
        height,
    })
}

/// MAX_CODED_WIDTH/HEIGHT of an advanced-profile sequence header (after its start code).
fn advanced_size(header: &[u8]) -> Option<(u32, u32)> {
    let mut b = Bits::new(header);
    let profile = b.bits(2).ok()?;
    if profile != 3 {
        return None;
    }
    // level 3, colordiff_format 2, frmrtq_postproc 3, bitrtq_postproc 5, postprocflag 1.
    b.bits(14).ok()?;
    let w = b.bits(12).ok()?;
    let h = b.bits(12).ok()?;
    Some((w * 2 + 2, h * 2 + 2))
}

/// WMA configuration from a WMA2 / WMAP QualityLevel.
pub fn wma_config(ql: &QualityLevel) -> Result<WmaConfig, DemuxError> {
    let invalid = |what: &str| DemuxError::InvalidCodecPrivateData {
        fourcc: ql.fourcc.clone(),
        what: what.into(),
    };
    let format_tag = match ql.audio_tag {
        Some(tag) => u16::try_from(tag).map_err(|_| invalid("AudioTag out of range"))?,
        None if ql.fourcc.eq_ignore_ascii_case("WMA2") => 0x0161,
        None => 0x0162,
    };
    let block_align = ql
        .packet_size
        .and_then(|p| u16::try_from(p).ok())
        .filter(|p| *p > 0)
        .ok_or_else(|| invalid("no PacketSize (the WAVEFORMATEX block alignment)"))?;
    Ok(WmaConfig {
        format_tag,
        channels: ql.channels.ok_or_else(|| invalid("no Channels"))?,
        sample_rate: ql.sampling_rate.ok_or_else(|| invalid("no SamplingRate"))?,
        bitrate: ql.bitrate,
        block_align,
        bits_per_sample: ql.bits_per_sample.unwrap_or(16),
        extra: ql.codec_private_data.clone(),
    })
}

/// AC-3 / E-AC-3 configuration from an AC-3 / EC-3 QualityLevel.
pub fn dolby_config(ql: &QualityLevel) -> Result<DolbyConfig, DemuxError> {
    let f = ql.fourcc.to_ascii_uppercase();
    Ok(DolbyConfig {
        enhanced: f == "EC-3" || f == "EC3",
        channels: ql.channels.unwrap_or(2),
        sample_rate: ql.sampling_rate.unwrap_or(48000),
    })
}
