//! Whole-document parser tests: every client-manifest feature, and malformed input.

use super::*;
use crate::limits::{MAX_CHUNKS_PER_STREAM, MAX_MANIFEST_BYTES};

const VIDEO: &str = r#"<StreamIndex Type="video" Name="video" Url="QualityLevels({bitrate})/Fragments(video={start time})">
  <QualityLevel Index="0" Bitrate="1000000" FourCC="H264" CodecPrivateData="00000001674D401E"/>
  <c t="0" d="20000000"/><c d="20000000"/>
</StreamIndex>"#;

fn doc(root_attrs: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<SmoothStreamingMedia MajorVersion=\"2\" MinorVersion=\"0\" {root_attrs}>\n{body}\n</SmoothStreamingMedia>"
    )
}

fn ok(xml: &str) -> Manifest {
    match parse(xml.as_bytes()) {
        Ok(m) => m,
        Err(e) => panic!("parse failed: {e}\n{xml}"),
    }
}

fn err(xml: &str) -> ManifestError {
    match parse(xml.as_bytes()) {
        Ok(m) => panic!("parsed, expected an error: {m:?}"),
        Err(e) => e,
    }
}

#[test]
fn major_versions_1_and_2() {
    let m = ok(&doc("Duration=\"40000000\"", VIDEO).replace(
        "MajorVersion=\"2\" MinorVersion=\"0\"",
        "MajorVersion=\"1\" MinorVersion=\"0\"",
    ));
    assert_eq!((m.major_version, m.minor_version), (1, 0));
    let m = ok(&doc("", VIDEO).replace("MinorVersion=\"0\"", "MinorVersion=\"2\""));
    assert_eq!((m.major_version, m.minor_version), (2, 2));
    let e = err(&doc("", VIDEO).replace("MajorVersion=\"2\"", "MajorVersion=\"3\""));
    assert_eq!(e, ManifestError::UnsupportedVersion { major: 3, minor: 0 });
    let e = err("<SmoothStreamingMedia MinorVersion=\"0\"/>");
    assert_eq!(
        e,
        ManifestError::MissingAttribute {
            element: "SmoothStreamingMedia",
            attribute: "MajorVersion",
            line: 1
        }
    );
}

#[test]
fn timescale_default_and_inheritance() {
    let m = ok(&doc("", VIDEO));
    assert_eq!(m.timescale, 10_000_000);
    assert_eq!(m.streams[0].timescale, 10_000_000);
    let body = format!(
        "{VIDEO}<StreamIndex Type=\"audio\" TimeScale=\"48000\" Url=\"a={{start time}}\"><QualityLevel Bitrate=\"1\"/><c d=\"96000\"/></StreamIndex>"
    );
    let m = ok(&doc("TimeScale=\"90000\"", &body));
    assert_eq!(m.timescale, 90_000);
    assert_eq!(m.streams[0].timescale, 90_000, "inherited");
    assert_eq!(m.streams[1].timescale, 48_000, "own");
}

#[test]
fn timescale_zero_is_refused_at_both_levels() {
    let e = err(&doc("TimeScale=\"0\"", VIDEO));
    assert!(
        matches!(
            e,
            ManifestError::InvalidAttribute { element: "SmoothStreamingMedia", attribute: "TimeScale", ref value, line: 2, .. } if value == "0"
        ),
        "{e}"
    );
    let e = err(&doc(
        "",
        &VIDEO.replace("Name=\"video\"", "Name=\"video\" TimeScale=\"0\""),
    ));
    assert!(matches!(
        e,
        ManifestError::InvalidAttribute {
            element: "StreamIndex",
            attribute: "TimeScale",
            ..
        }
    ));
}

#[test]
fn duration_present_zero_and_absent() {
    assert_eq!(
        ok(&doc("Duration=\"40000000\"", VIDEO)).duration,
        Some(40_000_000)
    );
    assert_eq!(ok(&doc("Duration=\"0\"", VIDEO)).duration, None);
    assert_eq!(ok(&doc("", VIDEO)).duration, None);
}

#[test]
fn is_live_is_case_insensitive() {
    for v in ["TRUE", "true", "True"] {
        assert!(ok(&doc(&format!("IsLive=\"{v}\""), VIDEO)).is_live, "{v}");
    }
    for v in ["FALSE", "false"] {
        assert!(!ok(&doc(&format!("IsLive=\"{v}\""), VIDEO)).is_live, "{v}");
    }
    assert!(!ok(&doc("", VIDEO)).is_live);
    let e = err(&doc("IsLive=\"maybe\"", VIDEO));
    assert!(matches!(
        e,
        ManifestError::InvalidAttribute {
            attribute: "IsLive",
            ..
        }
    ));
}

#[test]
fn lookahead_count_both_spellings() {
    assert_eq!(
        ok(&doc("LookaheadCount=\"2\"", VIDEO)).lookahead_count,
        Some(2)
    );
    assert_eq!(
        ok(&doc("LookAheadFragmentCount=\"3\"", VIDEO)).lookahead_count,
        Some(3)
    );
    assert_eq!(
        ok(&doc("LookAheadCount=\"4\"", VIDEO)).lookahead_count,
        Some(4)
    );
    assert_eq!(ok(&doc("", VIDEO)).lookahead_count, None);
}

#[test]
fn dvr_window_zero_or_absent_is_infinite() {
    let live = "IsLive=\"TRUE\" Duration=\"0\"";
    assert_eq!(
        ok(&doc(&format!("{live} DVRWindowLength=\"0\""), VIDEO)).dvr_window_length,
        None
    );
    assert_eq!(ok(&doc(live, VIDEO)).dvr_window_length, None);
    assert_eq!(
        ok(&doc(
            &format!("{live} DVRWindowLength=\"600000000\""),
            VIDEO
        ))
        .dvr_window_length,
        Some(600_000_000)
    );
}

#[test]
fn can_seek_and_can_pause() {
    let m = ok(&doc("", VIDEO));
    assert!(m.can_seek && m.can_pause, "default true");
    let m = ok(&doc("CanSeek=\"FALSE\" CanPause=\"false\"", VIDEO));
    assert!(!m.can_seek && !m.can_pause);
}

#[test]
fn custom_attributes_top_level_and_quality_level() {
    let body = r#"<CustomAttributes><Attribute Name="timeScaleZeroPoint" Value="0"/></CustomAttributes>
<Attribute Name="bare" Value="yes"/>
<StreamIndex Type="video" Url="Q({bitrate},{CustomAttributes})/F(v={start time})">
  <QualityLevel Bitrate="5" FourCC="H264"><CustomAttributes><Attribute Name="hardwareProfile" Value="10000"/></CustomAttributes></QualityLevel>
  <c d="1"/>
</StreamIndex>"#;
    let m = ok(&doc("", body));
    let top: Vec<(&str, &str)> = m
        .custom_attributes
        .iter()
        .map(|a| (a.name.as_str(), a.value.as_str()))
        .collect();
    assert_eq!(top, vec![("timeScaleZeroPoint", "0"), ("bare", "yes")]);
    let q = &m.streams[0].quality_levels[0];
    assert_eq!(q.custom_attributes[0].name, "hardwareProfile");
    assert_eq!(
        expand_template(&m.streams[0].url_template, q, 0),
        "Q(5,hardwareProfile=10000)/F(v=0)"
    );
}

#[test]
fn protection_before_or_after_streams() {
    let prot = r#"<Protection><ProtectionHeader SystemID="{10000000-1000-1000-1000-100000000000}">AAEC</ProtectionHeader></Protection>"#;
    for body in [format!("{prot}{VIDEO}"), format!("{VIDEO}{prot}")] {
        let m = ok(&doc("", &body));
        assert_eq!(m.streams.len(), 1);
        assert_eq!(m.protection.len(), 1);
        assert_eq!(
            m.protection[0].system_id.to_string(),
            "10000000-1000-1000-1000-100000000000"
        );
        assert_eq!(m.protection[0].data, vec![0, 1, 2]);
    }
}

#[test]
fn stream_index_attributes() {
    let body = r#"<StreamIndex Type="video" Subtype="H264" Name="angle2" Language="und" Chunks="115"
   QualityLevels="9" MaxWidth="1920" MaxHeight="1080" DisplayWidth="1920" DisplayHeight="800"
   Url="QualityLevels({bitrate})/Fragments(angle2={start time})">
  <QualityLevel Bitrate="1" FourCC="H264"/>
  <c t="0" d="10"/><c d="10"/><c d="10"/>
</StreamIndex>"#;
    let s = &ok(&doc("", body)).streams[0];
    assert_eq!(s.stream_type, StreamType::Video);
    assert_eq!(s.subtype.as_deref(), Some("H264"));
    assert_eq!(s.name.as_deref(), Some("angle2"));
    assert_eq!(s.language.as_deref(), Some("und"));
    assert_eq!(
        s.url_template,
        "QualityLevels({bitrate})/Fragments(angle2={start time})"
    );
    assert_eq!((s.max_width, s.max_height), (Some(1920), Some(1080)));
    assert_eq!((s.display_width, s.display_height), (Some(1920), Some(800)));
    assert_eq!(s.declared_chunks, Some(115));
    // Chunks is informative: the timeline is what the c elements say.
    assert_eq!(s.chunks.len(), 3);
    assert_eq!(s.last_start(), Some(20));
    assert!(!s.manifest_output);
}

#[test]
fn chunks_zero_on_live_is_ignored() {
    let body = VIDEO.replace("Name=\"video\"", "Name=\"video\" Chunks=\"0\"");
    let s = &ok(&doc("IsLive=\"TRUE\"", &body)).streams[0];
    assert_eq!(s.declared_chunks, Some(0));
    assert_eq!(s.chunks.len(), 2);
}

#[test]
fn sparse_text_stream_with_parent_and_manifest_output() {
    let body = format!(
        r#"{VIDEO}<StreamIndex Type="text" Subtype="SCMD" Name="ads" ParentStreamIndex="video" ManifestOutput="TRUE">
  <QualityLevel Index="0" Bitrate="0" FourCC=""/>
  <c t="20000000"><f i="0">aGVsbG8=</f></c>
  <c t="30000000" d="1"><f>d29y
  bGQ=</f></c>
</StreamIndex>"#
    );
    let m = ok(&doc("", &body));
    let s = &m.streams[1];
    assert_eq!(s.stream_type, StreamType::Text);
    assert_eq!(s.parent_stream_index.as_deref(), Some("video"));
    assert!(s.manifest_output);
    assert_eq!(
        s.url_template, "",
        "no Url needed when the samples are in the manifest"
    );
    assert_eq!(s.chunks.len(), 2);
    assert_eq!(s.chunks[0].duration, 10_000_000, "d from the next t");
    let samples: Vec<(u64, &[u8])> = s
        .embedded_samples
        .iter()
        .map(|e| (e.start, e.data.as_slice()))
        .collect();
    assert_eq!(
        samples,
        vec![(20_000_000, &b"hello"[..]), (30_000_000, &b"world"[..])]
    );
}

#[test]
fn text_streams_are_kept() {
    let mut body = String::from(VIDEO);
    for (sub, fourcc) in [
        ("CAPT", "TTML"),
        ("SUBT", "DFXP"),
        ("SCMD", ""),
        ("CHAP", ""),
    ] {
        body.push_str(&format!(
            r#"<StreamIndex Type="text" Subtype="{sub}" Name="{sub}" Url="Q({{bitrate}})/F({sub}={{start time}})"><QualityLevel Bitrate="1000" FourCC="{fourcc}"/><c t="0" d="40000000"/></StreamIndex>"#
        ));
    }
    let m = ok(&doc("", &body));
    let subs: Vec<Option<&str>> = m
        .streams
        .iter()
        .skip(1)
        .map(|s| s.subtype.as_deref())
        .collect();
    assert_eq!(
        subs,
        vec![Some("CAPT"), Some("SUBT"), Some("SCMD"), Some("CHAP")]
    );
    assert_eq!(m.streams[1].quality_levels[0].codec, Codec::Ttml);
    assert_eq!(m.streams[2].quality_levels[0].codec, Codec::Ttml);
    assert_eq!(m.streams[3].quality_levels[0].codec, Codec::Unknown);
}

#[test]
fn missing_audio_fourcc_defaults_to_aac_lc() {
    let body = r#"<StreamIndex Type="audio" Url="a={start time}"><QualityLevel Bitrate="1" CodecPrivateData="1210"/><c d="1"/></StreamIndex>"#;
    let q = &ok(&doc("", body)).streams[0].quality_levels[0];
    assert_eq!((q.fourcc.as_str(), q.codec), ("AACL", Codec::AacLc));
    assert_eq!(q.codec_string(), "mp4a.40.2");
}

#[test]
fn c_attributes_in_any_order_and_first_t_non_zero() {
    let body = r#"<StreamIndex Type="video" Url="v={start time}"><QualityLevel Bitrate="1"/>
<c d = "10" n="0" t = "5000"/><c r="2" n="1" d="20"/><c n="3" t="5070"/><c t="5100" d="1"/></StreamIndex>"#;
    let s = &ok(&doc("", body)).streams[0];
    let got: Vec<(u64, u64)> = s.chunks.iter().map(|c| (c.start, c.duration)).collect();
    assert_eq!(
        got,
        vec![(5000, 10), (5010, 20), (5030, 20), (5070, 30), (5100, 1)]
    );
}

#[test]
fn last_chunk_without_d_uses_presentation_duration_rescaled() {
    // Presentation at 10 MHz, audio at 48 kHz: 3 s end is 144000 audio ticks.
    let body = r#"<StreamIndex Type="audio" TimeScale="48000" Url="a={start time}"><QualityLevel Bitrate="1"/>
<c t="0"/><c t="96000"/></StreamIndex>"#;
    let s = &ok(&doc("Duration=\"30000000\"", body)).streams[0];
    assert_eq!(s.chunks[0].duration, 96_000);
    assert_eq!(s.chunks[1].duration, 48_000);
    let e = err(&doc("", body));
    assert!(
        matches!(
            e,
            ManifestError::MissingChunkDuration {
                t: 96_000,
                line: 4,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn utf16_and_bom_documents() {
    let text = doc("Duration=\"40000000\"", VIDEO);
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let mut bom8 = vec![0xEF, 0xBB, 0xBF];
    bom8.extend_from_slice(text.as_bytes());
    let want = ok(&text);
    for bytes in [le, be, bom8] {
        assert_eq!(parse(&bytes).expect("decoded"), want);
    }
}

#[test]
fn bad_xml_is_a_positioned_error() {
    let e = err(&doc(
        "",
        "<StreamIndex Type=\"video\" Url=\"x\"><c d=\"1\"></StreamIndex>",
    ));
    assert!(matches!(e, ManifestError::Xml { line: 3, .. }), "{e}");
    let e = err("<SmoothStreamingMedia MajorVersion=\"2\" MinorVersion=\"0\" Duration=\"1\">");
    assert!(matches!(e, ManifestError::Xml { .. }), "truncated: {e}");
    assert!(e.to_string().contains("SmoothStreamingMedia"), "{e}");
    let e = err("<SmoothStreamingMedia MajorVersion=\"2\" MinorVersion=\"0\"/><Another/>");
    assert!(matches!(e, ManifestError::Xml { .. }), "two roots: {e}");
    assert!(
        matches!(err("<MPD/>"), ManifestError::NotSmoothStreaming { ref found } if found == "MPD")
    );
    assert!(matches!(err(""), ManifestError::NotSmoothStreaming { ref found } if found.is_empty()));
    let e = err("<SmoothStreamingMedia MajorVersion=2 MinorVersion=\"0\"/>");
    assert!(
        matches!(e, ManifestError::Xml { line: 1, .. }),
        "unquoted value: {e}"
    );
}

#[test]
fn missing_required_attributes_are_named() {
    let no_type = r#"<StreamIndex Url="x"><QualityLevel Bitrate="1"/></StreamIndex>"#;
    assert_eq!(
        err(&doc("", no_type)),
        ManifestError::MissingAttribute {
            element: "StreamIndex",
            attribute: "Type",
            line: 3
        }
    );
    let no_url = r#"<StreamIndex Type="audio"/>"#;
    assert_eq!(
        err(&doc("", no_url)),
        ManifestError::MissingAttribute {
            element: "StreamIndex",
            attribute: "Url",
            line: 3
        }
    );
    let no_bitrate =
        "<StreamIndex Type=\"audio\" Url=\"x\">\n<QualityLevel Index=\"0\"/></StreamIndex>";
    assert_eq!(
        err(&doc("", no_bitrate)),
        ManifestError::MissingAttribute {
            element: "QualityLevel",
            attribute: "Bitrate",
            line: 4
        }
    );
    let empty_c = r#"<StreamIndex Type="audio" Url="x"><c n="0"/></StreamIndex>"#;
    assert!(matches!(
        err(&doc("", empty_c)),
        ManifestError::MissingAttribute { element: "c", .. }
    ));
    let bad_type = r#"<StreamIndex Type="data" Url="x"/>"#;
    assert!(matches!(
        err(&doc("", bad_type)),
        ManifestError::InvalidAttribute { element: "StreamIndex", attribute: "Type", ref value, .. } if value == "data"
    ));
}

#[test]
fn t_going_backwards_names_stream_and_line() {
    let body = "<StreamIndex Type=\"video\" Name=\"cam\" Url=\"x\">\n<c t=\"100\" d=\"10\"/>\n<c t=\"50\" d=\"10\"/>\n</StreamIndex>";
    let e = err(&doc("", body));
    assert_eq!(
        e,
        ManifestError::TimeGoesBackwards {
            stream: "cam".into(),
            t: 50,
            previous_start: 100,
            line: 5
        }
    );
    assert_eq!(
        e.to_string(),
        "line 5: stream cam: <c> t=50 goes backwards (previous chunk starts at 100)"
    );
    // An unnamed stream is named by type and position.
    let unnamed = body.replace(" Name=\"cam\"", "");
    assert!(
        matches!(err(&doc("", &unnamed)), ManifestError::TimeGoesBackwards { ref stream, .. } if stream == "video #0")
    );
}

#[test]
fn overflowing_numbers_are_typed_errors() {
    let e = err(&doc("Duration=\"18446744073709551616\"", VIDEO));
    assert!(
        matches!(
            e,
            ManifestError::InvalidAttribute { element: "SmoothStreamingMedia", attribute: "Duration", ref value, .. }
                if value == "18446744073709551616"
        ),
        "{e}"
    );
    let body = r#"<StreamIndex Type="video" Url="x"><c t="18446744073709551615" d="1"/><c d="1"/></StreamIndex>"#;
    assert!(matches!(
        err(&doc("", body)),
        ManifestError::TimeOverflow { .. }
    ));
    let big_r = r#"<StreamIndex Type="video" Url="x"><c t="0" d="1" r="99999999999999999999"/></StreamIndex>"#;
    assert!(matches!(
        err(&doc("", big_r)),
        ManifestError::InvalidAttribute {
            element: "c",
            attribute: "r",
            ..
        }
    ));
    let w = r#"<StreamIndex Type="video" Url="x" MaxWidth="4294967296"/>"#;
    assert!(matches!(
        err(&doc("", w)),
        ManifestError::InvalidAttribute {
            attribute: "MaxWidth",
            ..
        }
    ));
}

#[test]
fn bad_hex_and_base64_are_typed_errors() {
    let hex = r#"<StreamIndex Type="video" Url="x"><QualityLevel Bitrate="1" CodecPrivateData="0000000G"/></StreamIndex>"#;
    assert!(matches!(
        err(&doc("", hex)),
        ManifestError::InvalidAttribute { element: "QualityLevel", attribute: "CodecPrivateData", ref value, .. } if value == "0000000G"
    ));
    let b64 = r#"<Protection><ProtectionHeader SystemID="9A04F079-9840-4286-AB92-E65BE0885F95">@@@@</ProtectionHeader></Protection>"#;
    assert!(matches!(
        err(&doc("", b64)),
        ManifestError::InvalidContent { element: "ProtectionHeader", ref value, .. } if value == "@@@@"
    ));
}

#[test]
fn oversize_input_is_refused_before_parsing() {
    let big = vec![b' '; MAX_MANIFEST_BYTES + 1];
    assert_eq!(
        parse(&big),
        Err(ManifestError::TooLarge {
            size: MAX_MANIFEST_BYTES + 1,
            limit: MAX_MANIFEST_BYTES
        })
    );
}

#[test]
fn too_many_chunks_is_refused() {
    let body = format!(
        r#"<StreamIndex Type="video" Name="v" Url="x"><c t="0" d="1" r="{}"/></StreamIndex>"#,
        MAX_CHUNKS_PER_STREAM + 1
    );
    assert_eq!(
        err(&doc("", &body)),
        ManifestError::TooManyChunks {
            stream: "v".into(),
            limit: MAX_CHUNKS_PER_STREAM,
            line: 3
        }
    );
}

#[test]
fn entity_expansion_is_refused() {
    let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>\n\
                <SmoothStreamingMedia MajorVersion=\"2\" MinorVersion=\"0\"><CustomAttributes><Attribute Name=\"x\" Value=\"&lol2;\"/></CustomAttributes></SmoothStreamingMedia>";
    assert_eq!(
        err(bomb),
        ManifestError::UnknownEntity {
            name: "lol2".into(),
            line: 3
        }
    );
    let predefined = doc(
        "",
        r#"<StreamIndex Type="video" Url="Q({bitrate})/F(v={start time})?a=1&amp;b=2"><c d="1"/></StreamIndex>"#,
    );
    assert_eq!(
        ok(&predefined).streams[0].url_template,
        "Q({bitrate})/F(v={start time})?a=1&b=2"
    );
}

/// A small deterministic generator for the mutation test (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).expect("n")).expect("index")
    }
}

fn rich_manifest() -> String {
    doc(
        "TimeScale=\"10000000\" Duration=\"60000000\" IsLive=\"TRUE\" LookaheadCount=\"2\" DVRWindowLength=\"0\"",
        r#"<Protection><ProtectionHeader SystemID="{9A04F079-9840-4286-AB92-E65BE0885F95}">
  XAAAAAEAAQBSADwAVwBSAE0ASABFAEEARABFAFIAIAB2AGUAcgBzAGkAbwBuAD0AIgA0AC4AMAAuADAALgAwACIAPgA8AC8AVwBSAE0ASABFAEEARABFAFIAPgA=
</ProtectionHeader></Protection>
<StreamIndex Type="video" Name="video" Chunks="3" Url="QualityLevels({bitrate},{CustomAttributes})/Fragments(video={start time})" MaxWidth="640" MaxHeight="360">
  <QualityLevel Index="0" Bitrate="800000" FourCC="H264" MaxWidth="640" MaxHeight="360" CodecPrivateData="000000016764001EACD940A02FF9610000000168EBECB22C" NALUnitLengthField="4">
    <CustomAttributes><Attribute Name="a" Value="b"/></CustomAttributes>
  </QualityLevel>
  <c t="0" d="20000000" r="2"/><c d="20000000"/>
</StreamIndex>
<StreamIndex Type="audio" Name="audio" Language="eng" Url="QualityLevels({bitrate})/Fragments(audio={start_time})">
  <QualityLevel Bitrate="128000" SamplingRate="48000" Channels="2" WaveFormatEx="FF00020080BB0000C05D00000400100002001190"/>
  <c t="0"/><c t="20053333"/><c t="40000000" d="20000000"/>
</StreamIndex>
<StreamIndex Type="text" Subtype="SCMD" ManifestOutput="true" ParentStreamIndex="video"><c t="1"><f i="0">AAAA</f></c></StreamIndex>"#,
    )
}

#[test]
fn truncations_never_panic_and_never_parse() {
    let full = rich_manifest();
    assert!(parse(full.as_bytes()).is_ok(), "the base manifest parses");
    let end = full.rfind('>').expect("closing tag") + 1;
    for cut in 0..end {
        let r = parse(&full.as_bytes()[..cut]);
        assert!(r.is_err(), "a manifest cut at byte {cut} of {end} parsed");
    }
}

#[test]
fn mutations_never_panic() {
    let full = rich_manifest().into_bytes();
    let alphabet: &[u8] = b"<>/=\"' &;#x0123456789-{}cdtrAZ\n\xff\x00";
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut failures = 0usize;
    for _ in 0..4000 {
        let mut m = full.clone();
        for _ in 0..=rng.below(4) {
            let at = rng.below(m.len());
            match rng.below(3) {
                0 => m[at] = alphabet[rng.below(alphabet.len())],
                1 => {
                    m.remove(at);
                }
                _ => m.insert(at, alphabet[rng.below(alphabet.len())]),
            }
        }
        // Whatever the outcome, it is a value, not a panic; errors render as text.
        if let Err(e) = parse(&m) {
            failures += 1;
            assert!(!e.to_string().is_empty());
        }
    }
    assert!(failures > 0, "mutations are exercised");
}
