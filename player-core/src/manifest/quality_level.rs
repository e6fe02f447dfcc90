//! `QualityLevel` attributes: one bitrate rendition of a stream.

use super::codec::{default_audio_fourcc, sniff_video_fourcc};
use super::xml::Attrs;
use super::{Codec, ManifestError, QualityLevel, StreamType};

/// Size of a WAVEFORMATEX without its codec-specific tail.
const WAVEFORMATEX_LEN: usize = 18;

/// Builds a QualityLevel from its attributes; `ordinal` is its position in the stream
/// (used as Index when the attribute is missing, as in some IIS audio streams).
pub(crate) fn parse_quality_level(
    a: &Attrs<'_, '_>,
    stream_type: &StreamType,
    ordinal: usize,
) -> Result<QualityLevel, ManifestError> {
    let index = match a.num::<u32>("Index")? {
        Some(i) => i,
        None => u32::try_from(ordinal).unwrap_or(u32::MAX),
    };
    let bitrate = a.required_num::<u64>("Bitrate")?;
    let mut codec_private_data = a.hex("CodecPrivateData")?.unwrap_or_default();
    let mut sampling_rate = a.num::<u32>("SamplingRate")?;
    let mut channels = a.num::<u16>("Channels")?;
    let mut bits_per_sample = a.num::<u16>("BitsPerSample")?;
    let mut packet_size = a.num::<u32>("PacketSize")?;
    let mut audio_tag = a.num::<u32>("AudioTag")?;
    let wave_format_ex = a.hex("WaveFormatEx")?;
    if let Some(wfx) = &wave_format_ex {
        let Some(w) = WaveFormat::read(wfx) else {
            let shown = a.get("WaveFormatEx").unwrap_or("");
            return Err(a.invalid(
                "WaveFormatEx",
                shown,
                format!(
                    "a WAVEFORMATEX is at least {WAVEFORMATEX_LEN} bytes and holds cbSize extra bytes, got {} bytes",
                    wfx.len()
                ),
            ));
        };
        // Explicit attributes win; the structure fills what they leave out.
        sampling_rate = sampling_rate.or(Some(w.samples_per_sec));
        channels = channels.or(Some(w.channels));
        bits_per_sample = bits_per_sample.or(Some(w.bits_per_sample));
        packet_size = packet_size.or(Some(u32::from(w.block_align)));
        audio_tag = audio_tag.or(Some(u32::from(w.format_tag)));
        if codec_private_data.is_empty() {
            codec_private_data = w.extra.to_vec();
        }
    }
    let nal_unit_length_field = match a.num::<u8>("NALUnitLengthField")? {
        None => 4,
        Some(n @ (1 | 2 | 4)) => n,
        Some(_) => {
            let raw = a.get("NALUnitLengthField").unwrap_or("");
            return Err(a.invalid("NALUnitLengthField", raw, "must be 1, 2 or 4"));
        }
    };
    let fourcc = match a.string("FourCC") {
        Some(f) => f.to_ascii_uppercase(),
        None => match stream_type {
            StreamType::Audio => default_audio_fourcc(audio_tag).to_owned(),
            StreamType::Video => sniff_video_fourcc(&codec_private_data).to_owned(),
            StreamType::Text => String::new(),
        },
    };
    Ok(QualityLevel {
        index,
        bitrate,
        codec: Codec::from_fourcc(&fourcc),
        fourcc,
        max_width: a.num::<u32>("MaxWidth")?.or(a.num::<u32>("Width")?),
        max_height: a.num::<u32>("MaxHeight")?.or(a.num::<u32>("Height")?),
        codec_private_data,
        sampling_rate,
        channels,
        bits_per_sample,
        packet_size,
        audio_tag,
        nal_unit_length_field,
        wave_format_ex,
        custom_attributes: Vec::new(),
    })
}

/// The fields of a little-endian WAVEFORMATEX.
struct WaveFormat<'a> {
    format_tag: u16,
    channels: u16,
    samples_per_sec: u32,
    block_align: u16,
    bits_per_sample: u16,
    extra: &'a [u8],
}

impl<'a> WaveFormat<'a> {
    fn read(b: &'a [u8]) -> Option<WaveFormat<'a>> {
        let u16_at = |i: usize| {
            b.get(i..i + 2)
                .and_then(|s| s.try_into().ok())
                .map(u16::from_le_bytes)
        };
        let u32_at = |i: usize| {
            b.get(i..i + 4)
                .and_then(|s| s.try_into().ok())
                .map(u32::from_le_bytes)
        };
        let cb_size = usize::from(u16_at(16)?);
        Some(WaveFormat {
            format_tag: u16_at(0)?,
            channels: u16_at(2)?,
            samples_per_sec: u32_at(4)?,
            block_align: u16_at(12)?,
            bits_per_sample: u16_at(14)?,
            extra: b.get(WAVEFORMATEX_LEN..WAVEFORMATEX_LEN + cb_size)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::xml::XmlReader;
    use quick_xml::events::Event;

    fn ql(xml: &str, t: StreamType) -> Result<QualityLevel, ManifestError> {
        let mut r = XmlReader::new(xml);
        loop {
            match r.next()? {
                Event::Start(s) | Event::Empty(s) => {
                    let a = r.attrs(&s, "QualityLevel")?;
                    return parse_quality_level(&a, &t, 3);
                }
                Event::Eof => panic!("no element"),
                _ => {}
            }
        }
    }

    #[test]
    fn video_level_with_annex_b_private_data() {
        let q = ql(
            r#"<QualityLevel Index="7" Bitrate="230000" FourCC="h264" MaxWidth="224" MaxHeight="128"
                CodecPrivateData="000000016764000DAC2CA50E11BFF04000000001 68E9093525"/>"#,
            StreamType::Video,
        )
        .expect("level");
        assert_eq!(
            (q.index, q.bitrate, q.fourcc.as_str()),
            (7, 230_000, "H264")
        );
        assert_eq!(q.codec, Codec::H264);
        assert_eq!((q.max_width, q.max_height), (Some(224), Some(128)));
        assert_eq!(q.nal_unit_length_field, 4);
        assert_eq!(q.codec_string(), "avc1.64000d");
        assert_eq!(q.codec_private_data.len(), 25);
    }

    #[test]
    fn legacy_width_height_and_nal_length_field() {
        let q = ql(
            r#"<QualityLevel Bitrate="1" FourCC="AVC1" Width="640" Height="360" NALUnitLengthField="2"/>"#,
            StreamType::Video,
        )
        .expect("level");
        assert_eq!((q.max_width, q.max_height), (Some(640), Some(360)));
        assert_eq!(q.nal_unit_length_field, 2);
        assert_eq!(q.index, 3, "Index defaults to the position");
        let bad = ql(
            r#"<QualityLevel Bitrate="1" NALUnitLengthField="3"/>"#,
            StreamType::Video,
        );
        assert!(matches!(
            bad,
            Err(ManifestError::InvalidAttribute { attribute: "NALUnitLengthField", ref value, .. }) if value == "3"
        ));
    }

    #[test]
    fn audio_attributes_and_default_fourcc() {
        let q = ql(
            r#"<QualityLevel AudioTag="255" Bitrate="128000" BitsPerSample="16" Channels="2"
                CodecPrivateData="1210" PacketSize="4" SamplingRate="44100"/>"#,
            StreamType::Audio,
        )
        .expect("level");
        assert_eq!(q.fourcc, "AACL");
        assert_eq!(q.codec, Codec::AacLc);
        assert_eq!(q.codec_string(), "mp4a.40.2");
        assert_eq!(
            (
                q.sampling_rate,
                q.channels,
                q.bits_per_sample,
                q.packet_size,
                q.audio_tag
            ),
            (Some(44_100), Some(2), Some(16), Some(4), Some(255))
        );
        assert_eq!(q.codec_private_data, vec![0x12, 0x10]);
        let he = ql(
            r#"<QualityLevel Bitrate="1" FourCC="AACH" CodecPrivateData="1310"/>"#,
            StreamType::Audio,
        )
        .expect("he");
        assert_eq!(he.codec_string(), "mp4a.40.5");
    }

    #[test]
    fn wave_format_ex_fills_missing_fields() {
        // wFormatTag 0x00FF, 2 ch, 48000 Hz, 24000 B/s, align 4, 16 bit, cbSize 2, ASC 1190.
        let wfx = "FF00020080BB0000C05D0000040010000200".to_owned() + "1190";
        let q = ql(
            &format!(r#"<QualityLevel Bitrate="96000" WaveFormatEx="{wfx}" Channels="1"/>"#),
            StreamType::Audio,
        )
        .expect("level");
        assert_eq!(q.sampling_rate, Some(48_000));
        assert_eq!(q.channels, Some(1), "the explicit attribute wins");
        assert_eq!(q.audio_tag, Some(255));
        assert_eq!(q.packet_size, Some(4));
        assert_eq!(q.codec_private_data, vec![0x11, 0x90]);
        assert_eq!(q.wave_format_ex.as_ref().map(Vec::len), Some(20));
        assert_eq!(q.fourcc, "AACL");
        let short = ql(
            r#"<QualityLevel Bitrate="1" WaveFormatEx="FF00"/>"#,
            StreamType::Audio,
        );
        assert!(matches!(
            short,
            Err(ManifestError::InvalidAttribute {
                attribute: "WaveFormatEx",
                ..
            })
        ));
    }

    #[test]
    fn unknown_fourcc_is_kept_and_unsupported() {
        let q = ql(
            r#"<QualityLevel Bitrate="1" FourCC="hev1"/>"#,
            StreamType::Video,
        )
        .expect("level");
        assert_eq!(q.fourcc, "HEV1");
        assert_eq!(q.codec, Codec::Unknown);
        assert!(!q.codec.is_supported());
        assert_eq!(q.codec_string(), "hev1");
        let ec3 = ql(
            r#"<QualityLevel Bitrate="1" FourCC="ec-3"/>"#,
            StreamType::Audio,
        )
        .expect("ec3");
        assert_eq!((ec3.fourcc.as_str(), ec3.codec), ("EC-3", Codec::Dolby));
        let text = ql(
            r#"<QualityLevel Bitrate="1" FourCC="TTML" CodecPrivateData=""/>"#,
            StreamType::Text,
        )
        .expect("text");
        assert_eq!(
            (text.codec, text.codec_string().as_str()),
            (Codec::Ttml, "stpp")
        );
        assert!(text.codec_private_data.is_empty());
    }

    #[test]
    fn bad_hex_and_missing_bitrate_are_typed_errors() {
        assert!(matches!(
            ql(
                r#"<QualityLevel Bitrate="1" CodecPrivateData="123"/>"#,
                StreamType::Video
            ),
            Err(ManifestError::InvalidAttribute {
                element: "QualityLevel",
                attribute: "CodecPrivateData",
                ..
            })
        ));
        assert!(matches!(
            ql(r#"<QualityLevel Bitrate="1" CodecPrivateData="zz"/>"#, StreamType::Video),
            Err(ManifestError::InvalidAttribute { attribute: "CodecPrivateData", ref value, .. }) if value == "zz"
        ));
        assert!(matches!(
            ql(r#"<QualityLevel Index="0"/>"#, StreamType::Video),
            Err(ManifestError::MissingAttribute {
                element: "QualityLevel",
                attribute: "Bitrate",
                ..
            })
        ));
    }
}
