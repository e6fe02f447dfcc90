//! Whole-document parser tests: every client-manifest feature.

use super::*;

pub(super) const VIDEO: &str = r#"<StreamIndex Type="video" Name="video" Url="QualityLevels({bitrate})/Fragments(video={start time})">
  <QualityLevel Index="0" Bitrate="1000000" FourCC="H264" CodecPrivateData="00000001674D401E"/>
  <c t="0" d="20000000"/><c d="20000000"/>
</StreamIndex>"#;

pub(super) fn doc(root_attrs: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<SmoothStreamingMedia MajorVersion=\"2\" MinorVersion=\"0\" {root_attrs}>\n{body}\n</SmoothStreamingMedia>"
    )
}

pub(super) fn ok(xml: &str) -> Manifest {
    match parse(xml.as_bytes()) {
        Ok(m) => m,
        Err(e) => panic!("parse failed: {e}\n{xml}"),
    }
}

pub(super) fn err(xml: &str) -> ManifestError {
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
