//! FourCC to codec, and RFC 6381 codec strings (`avc1.64001f`, `mp4a.40.2`) from private data.

use super::{Codec, QualityLevel};
use crate::base::{nal_type, split_annex_b};

impl Codec {
    /// The codec a FourCC names (ASCII case-insensitive); unknown ones give [`Codec::Unknown`].
    pub fn from_fourcc(fourcc: &str) -> Codec {
        const TABLE: &[(&str, Codec)] = &[
            ("H264", Codec::H264),
            ("AVC1", Codec::H264),
            ("DAVC", Codec::H264),
            ("X264", Codec::H264),
            ("AACL", Codec::AacLc),
            ("AAC", Codec::AacLc),
            ("AACH", Codec::AacHe),
            ("AACP", Codec::AacHe),
            ("TTML", Codec::Ttml),
            ("DFXP", Codec::Ttml),
            ("WVC1", Codec::Vc1),
            ("WMV3", Codec::Vc1),
            ("WMAP", Codec::Wma),
            ("WMA2", Codec::Wma),
            ("EC-3", Codec::Dolby),
            ("EC3", Codec::Dolby),
            ("AC-3", Codec::Dolby),
            ("AC3", Codec::Dolby),
        ];
        let f = fourcc.trim();
        TABLE
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(f))
            .map_or(Codec::Unknown, |(_, c)| *c)
    }
}

/// The FourCC assumed for an audio QualityLevel that has none, from its AudioTag
/// (a WAVEFORMATEX `wFormatTag`): WMA and AC-3 tags are recognised, everything else is AAC.
pub(crate) fn default_audio_fourcc(audio_tag: Option<u32>) -> &'static str {
    match audio_tag {
        Some(0x0161) => "WMA2",
        Some(0x0162) => "WMAP",
        Some(0x2000) => "AC-3",
        _ => "AACL",
    }
}

/// The FourCC assumed for a video QualityLevel that has none, from its private data.
pub(crate) fn sniff_video_fourcc(codec_private_data: &[u8]) -> &'static str {
    if h264_profile_level(codec_private_data).is_some() {
        "H264"
    } else if split_annex_b(codec_private_data).any(|nal| nal.first() == Some(&0x0F)) {
        // A VC-1 advanced-profile sequence header start code (00 00 01 0F).
        "WVC1"
    } else {
        ""
    }
}

impl QualityLevel {
    /// The RFC 6381 codec string: `avc1.PPCCLL` from the SPS, `mp4a.40.N` from the
    /// AudioSpecificConfig, `stpp` for TTML, otherwise the FourCC in lower case.
    pub fn codec_string(&self) -> String {
        match self.codec {
            Codec::H264 => match h264_profile_level(&self.codec_private_data) {
                Some([p, c, l]) => format!("avc1.{p:02x}{c:02x}{l:02x}"),
                None => "avc1".to_owned(),
            },
            Codec::AacLc | Codec::AacHe => {
                let he = self.codec == Codec::AacHe;
                let aot = match aac_object_type(&self.codec_private_data) {
                    // Implicitly signalled SBR: the config says LC, the FourCC says HE.
                    Some(2) if he => 5,
                    Some(aot) => aot,
                    None if he => 5,
                    None => 2,
                };
                format!("mp4a.40.{aot}")
            }
            Codec::Ttml => "stpp".to_owned(),
            Codec::Vc1 | Codec::Wma | Codec::Dolby | Codec::Unknown => {
                self.fourcc.to_ascii_lowercase()
            }
        }
    }
}

/// profile_idc, constraint flags and level_idc of the first SPS in Annex-B data or an
/// AVCDecoderConfigurationRecord.
pub fn h264_profile_level(data: &[u8]) -> Option<[u8; 3]> {
    if let [1, p, c, l, ..] = data {
        return Some([*p, *c, *l]);
    }
    let sps = split_annex_b(data).find(|nal| nal_type(nal) == 7)?;
    match sps {
        [_, p, c, l, ..] => Some([*p, *c, *l]),
        _ => None,
    }
}

/// The audio object type of an AudioSpecificConfig (with the escape for types above 30).
pub fn aac_object_type(asc: &[u8]) -> Option<u8> {
    let first = *asc.first()?;
    let aot = first >> 3;
    if aot != 31 {
        return (aot != 0).then_some(aot);
    }
    let second = *asc.get(1)?;
    Some(32 + (((first & 0x07) << 3) | (second >> 5)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fourcc_table_covers_the_issue_list() {
        for f in ["H264", "avc1", "DAVC", "X264"] {
            assert_eq!(Codec::from_fourcc(f), Codec::H264, "{f}");
        }
        for f in ["AACL", "AAC", "aacl"] {
            assert_eq!(Codec::from_fourcc(f), Codec::AacLc, "{f}");
        }
        for f in ["AACH", "AACP"] {
            assert_eq!(Codec::from_fourcc(f), Codec::AacHe, "{f}");
        }
        assert_eq!(Codec::from_fourcc("TTML"), Codec::Ttml);
        assert_eq!(Codec::from_fourcc("DFXP"), Codec::Ttml);
        assert_eq!(Codec::from_fourcc("WVC1"), Codec::Vc1);
        assert_eq!(Codec::from_fourcc("WMAP"), Codec::Wma);
        assert_eq!(Codec::from_fourcc("ec-3"), Codec::Dolby);
        assert_eq!(Codec::from_fourcc("HEVC"), Codec::Unknown);
        assert!(!Codec::Unknown.is_supported() && !Codec::Vc1.is_supported());
        assert!(Codec::H264.is_supported() && Codec::AacHe.is_supported());
    }

    #[test]
    fn default_audio_fourcc_follows_audio_tag() {
        assert_eq!(default_audio_fourcc(None), "AACL");
        assert_eq!(default_audio_fourcc(Some(255)), "AACL");
        assert_eq!(default_audio_fourcc(Some(0x162)), "WMAP");
        assert_eq!(default_audio_fourcc(Some(0x161)), "WMA2");
    }

    #[test]
    fn h264_profile_from_annex_b_and_avcc() {
        // 4-byte start code, High profile level 3.1, then a PPS.
        let annexb = [
            0, 0, 0, 1, 0x67, 0x64, 0x00, 0x1f, 0xac, 0, 0, 0, 1, 0x68, 0xeb,
        ];
        assert_eq!(h264_profile_level(&annexb), Some([0x64, 0x00, 0x1f]));
        // 3-byte start code, PPS first.
        let pps_first = [0, 0, 1, 0x68, 0xeb, 0, 0, 1, 0x27, 0x42, 0xc0, 0x0d];
        assert_eq!(h264_profile_level(&pps_first), Some([0x42, 0xc0, 0x0d]));
        let avcc = [1, 0x4d, 0x40, 0x28, 0xff];
        assert_eq!(h264_profile_level(&avcc), Some([0x4d, 0x40, 0x28]));
        assert_eq!(h264_profile_level(&[0, 0, 1, 0x67]), None);
        assert_eq!(h264_profile_level(&[]), None);
        assert_eq!(sniff_video_fourcc(&annexb), "H264");
        assert_eq!(sniff_video_fourcc(&[0, 0, 1, 0x0f, 0xcb]), "WVC1");
        assert_eq!(sniff_video_fourcc(&[1]), "");
    }

    #[test]
    fn aac_object_type_with_escape() {
        assert_eq!(aac_object_type(&[0x12, 0x10]), Some(2));
        assert_eq!(aac_object_type(&[0x2b, 0x92]), Some(5));
        // 31 escape: 32 + 6-bit extension (here 10) = 42.
        assert_eq!(aac_object_type(&[0xf9, 0x40]), Some(42));
        assert_eq!(aac_object_type(&[0xf9]), None);
        assert_eq!(aac_object_type(&[]), None);
    }
}
