//! Malformed input: every refusal is a typed error naming what and where; nothing panics.

use super::tests::{VIDEO, doc, err, ok};
use super::*;
use crate::limits::{MAX_CHUNKS_PER_MANIFEST, MAX_CHUNKS_PER_STREAM, MAX_MANIFEST_BYTES};

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
fn bad_hex_is_a_typed_error_bad_base64_a_defect() {
    let hex = r#"<StreamIndex Type="video" Url="x"><QualityLevel Bitrate="1" CodecPrivateData="0000000G"/></StreamIndex>"#;
    assert!(matches!(
        err(&doc("", hex)),
        ManifestError::InvalidAttribute { element: "QualityLevel", attribute: "CodecPrivateData", ref value, .. } if value == "0000000G"
    ));
    let b64 = r#"<Protection><ProtectionHeader SystemID="9A04F079-9840-4286-AB92-E65BE0885F95">@@@@</ProtectionHeader></Protection>"#;
    // A protection header that is not base64 is listed with its defect; the rest parses.
    let m = parse(doc("", b64).as_bytes()).expect("not fatal");
    assert!(
        m.protection[0]
            .defect
            .as_deref()
            .is_some_and(|d| d.contains("@@@@"))
    );
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
fn too_many_chunks_in_the_whole_manifest_is_refused() {
    let per_stream = MAX_CHUNKS_PER_STREAM;
    let streams = MAX_CHUNKS_PER_MANIFEST / per_stream + 1;
    let body: String = (0..streams)
        .map(|i| {
            format!("<StreamIndex Type=\"video\" Name=\"v{i}\" Url=\"x\"><c t=\"0\" d=\"1\" r=\"{per_stream}\"/></StreamIndex>\n")
        })
        .collect();
    let last_line = 2 + usize::try_from(streams).expect("count");
    assert_eq!(
        err(&doc("", &body)),
        ManifestError::TooManyChunksInManifest {
            limit: MAX_CHUNKS_PER_MANIFEST,
            line: last_line
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
