//! Decoder configuration from a manifest QualityLevel (or an `.ismv` sample entry):
//! H.264 SPS/PPS from Annex-B CodecPrivateData, AAC AudioSpecificConfig, the VC-1 sequence
//! header, WMA's WAVEFORMATEX fields, AC-3 / E-AC-3 basics.

use super::DemuxError;
#[cfg(test)]
use super::aac_config::read_asc;
pub use super::aac_config::{AacConfig, aac_config};
pub use super::other_codecs::{
    DolbyConfig, Vc1Config, WmaConfig, dolby_config, vc1_config, wma_config,
};
use super::sps::parse_sps;
use crate::base::{nal_type, split_annex_b};
use crate::isobmff::{AvcConfig, IsmvTrack, Reader, SampleEntry};
use crate::manifest::{Codec, QualityLevel};

/// What a decoder needs to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecoderConfig {
    /// H.264 (FourCCs H264, AVC1, DAVC, X264).
    H264(H264Config),
    /// VC-1 (WVC1; WMV3 is VC-1 simple/main).
    Vc1(Vc1Config),
    /// AAC-LC, HE-AAC v1/v2 (AACL, AACH, AACP), 1 to 8 channels.
    Aac(AacConfig),
    /// Windows Media Audio (WMA2, WMAP).
    Wma(WmaConfig),
    /// AC-3 or E-AC-3 (AC-3, EC-3).
    Dolby(DolbyConfig),
}

impl DecoderConfig {
    /// Whether the configuration is for a video decoder.
    pub fn is_video(&self) -> bool {
        matches!(self, DecoderConfig::H264(_) | DecoderConfig::Vc1(_))
    }
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

/// The decoder configuration for a quality level, or `Unsupported` for codecs no backend of
/// smoothplay decodes (TTML, unknown FourCCs). Whether this build can decode the result is
/// [`CodecSupport`](super::CodecSupport)'s answer.
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
        Codec::Vc1 => vc1_config(ql).map(DecoderConfig::Vc1),
        Codec::Wma => wma_config(ql).map(DecoderConfig::Wma),
        Codec::Dolby => dolby_config(ql).map(DecoderConfig::Dolby),
        Codec::Ttml | Codec::Unknown => Err(DemuxError::Unsupported {
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

#[cfg(test)]
#[path = "codec_config_tests.rs"]
mod tests;
