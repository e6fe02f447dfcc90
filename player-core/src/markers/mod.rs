//! Timed markers from sparse text streams: ad-insertion signals and script commands
//! (Subtype `SCMD`), chapters (`CHAP`) and other sparse streams attached to a parent
//! (`ParentStreamIndex`, `ManifestOutput`). Pure: what a sample means, which streams carry
//! markers, and the `ChildTrack` pointers an origin sends with a parent's fragments.

mod child_track;
mod schedule;

use std::time::Duration;

use crate::isobmff::TrackFragment;
use crate::manifest::{StreamIndex, StreamType};
use crate::time::ticks_to_duration;

pub use child_track::{MAX_CHILD_TRACKS, parse_child_tracks};
pub use schedule::MarkerSchedule;

/// What a marker signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkerKind {
    /// An ad break (an `SCMD` command whose type names an ad or a splice).
    Ad,
    /// A chapter (`CHAP`): its text is the title.
    Chapter,
    /// Any other script command or sparse sample.
    Script,
}

/// One timed marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// What it signals.
    pub kind: MarkerKind,
    /// The sparse stream's Name (its Subtype when it has none).
    pub stream: String,
    /// Stable across refetches and seeks: the stream, the sample's start tick, and its
    /// place among samples sharing that start.
    pub id: String,
    /// Media time it applies from (the stream's timeline, not the presentation's).
    pub start: Duration,
    /// How long it applies (the sample's duration), when the stream says.
    pub duration: Option<Duration>,
    /// The sample as text, when it is readable text.
    pub text: Option<String>,
    /// The sample's bytes, when they are not text.
    pub data: Option<Vec<u8>>,
}

/// SCMD command types that announce an ad break (compared without case).
const AD_TYPES: [&str; 10] = [
    "ad",
    "adbreak",
    "ad-break",
    "ad_break",
    "splice",
    "spliceout",
    "splice-out",
    "scte35",
    "scte-35",
    "cue-out",
];

/// Largest sample turned into a marker; bigger ones are cut to this (a marker is a signal,
/// not media).
pub const MAX_MARKER_BYTES: usize = 64 * 1024;

/// Whether `s` is a sparse stream whose samples are markers (not captions or subtitles).
pub fn is_marker_stream(s: &StreamIndex) -> bool {
    if s.stream_type != StreamType::Text {
        return false;
    }
    match s.subtype.as_deref().map(str::to_ascii_uppercase).as_deref() {
        Some("SCMD" | "CHAP") => true,
        Some("CAPT" | "SUBT") => false,
        _ => s.parent_stream_index.is_some() || s.manifest_output,
    }
}

/// The name markers of `s` are reported under.
pub fn stream_name(s: &StreamIndex) -> String {
    s.name
        .clone()
        .or_else(|| s.subtype.clone())
        .unwrap_or_else(|| "sparse".into())
}

/// The marker a sample of stream `s` makes: `start` and `duration` in the stream's ticks
/// (`None`: unknown), `nth` its place among samples with the same start.
pub fn marker_of(
    s: &StreamIndex,
    start: u64,
    duration: Option<u64>,
    nth: usize,
    bytes: &[u8],
) -> Marker {
    let bytes = &bytes[..bytes.len().min(MAX_MARKER_BYTES)];
    let text = as_text(bytes);
    let subtype = s.subtype.as_deref().unwrap_or("").to_ascii_uppercase();
    let kind = match subtype.as_str() {
        "CHAP" => MarkerKind::Chapter,
        "SCMD" if text.as_deref().is_some_and(names_an_ad) => MarkerKind::Ad,
        _ => MarkerKind::Script,
    };
    let stream = stream_name(s);
    let id = match nth {
        0 => format!("{stream}:{start}"),
        n => format!("{stream}:{start}:{n}"),
    };
    let data = text.is_none().then(|| bytes.to_vec());
    Marker {
        kind,
        stream,
        id,
        start: ticks_to_duration(start, s.timescale),
        duration: duration
            .filter(|d| *d > 0)
            .map(|d| ticks_to_duration(d, s.timescale)),
        text,
        data,
    }
}

/// The markers of a fragment of sparse stream `s`: one per sample of `track`, whose byte
/// ranges point into `body`.
pub fn from_fragment(s: &StreamIndex, track: &TrackFragment, body: &[u8]) -> Vec<Marker> {
    let mut out: Vec<Marker> = Vec::with_capacity(track.samples.len());
    for (i, sample) in track.samples.iter().enumerate() {
        let nth = track.samples[..i]
            .iter()
            .filter(|o| o.pts == sample.pts)
            .count();
        let bytes = body.get(sample.data.clone()).unwrap_or_default();
        let duration = Some(u64::from(sample.duration));
        out.push(marker_of(s, sample.pts, duration, nth, bytes));
    }
    out
}

/// The markers stream `s` carries in the manifest (`<f>` samples of a `ManifestOutput`
/// stream), each lasting its chunk.
pub fn carried(s: &StreamIndex) -> Vec<Marker> {
    let samples = &s.embedded_samples;
    samples
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let nth = samples[..i].iter().filter(|o| o.start == e.start).count();
            let duration = s
                .chunks
                .iter()
                .find(|c| c.start == e.start)
                .map(|c| c.duration);
            marker_of(s, e.start, duration, nth, &e.data)
        })
        .collect()
}

/// The sample as text: UTF-8 without control characters other than white space (a
/// trailing NUL, as C writers leave, is dropped).
fn as_text(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    let s = std::str::from_utf8(bytes).ok()?;
    s.chars()
        .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .then(|| s.trim().to_string())
}

/// Whether a script command's type announces an ad: its `type` attribute (an XML command),
/// or else its first word (`type=value`, `type: value`, `type value`).
fn names_an_ad(text: &str) -> bool {
    let ty = type_attribute(text).unwrap_or_else(|| {
        text.split(|c: char| c.is_whitespace() || c == '=' || c == ':')
            .next()
            .unwrap_or("")
    });
    AD_TYPES.iter().any(|a| a.eq_ignore_ascii_case(ty.trim()))
}

/// The value of the first `type="…"` (any case, either quote) in `text`.
fn type_attribute(text: &str) -> Option<&str> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find("type=")? + "type=".len();
    let quote = text[at..]
        .chars()
        .next()
        .filter(|c| *c == '"' || *c == '\'')?;
    let rest = &text[at + 1..];
    Some(&rest[..rest.find(quote)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(subtype: &str) -> StreamIndex {
        let xml = format!(
            r#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="0" Duration="100">
  <StreamIndex Type="text" Subtype="{subtype}" Name="signals" ParentStreamIndex="video" Chunks="1" QualityLevels="1" Url="s/{{start time}}">
    <QualityLevel Index="0" Bitrate="1000" FourCC="" />
    <c t="0" d="100" />
  </StreamIndex>
</SmoothStreamingMedia>"#
        );
        crate::manifest::parse(xml.as_bytes())
            .expect("valid")
            .streams
            .remove(0)
    }

    #[test]
    fn chapters_are_titled_and_ads_named_by_their_command_type() {
        let chap = marker_of(
            &stream("CHAP"),
            60_000_000,
            Some(20_000_000),
            0,
            b"Opening\0",
        );
        assert_eq!(chap.kind, MarkerKind::Chapter);
        assert_eq!(chap.text.as_deref(), Some("Opening"));
        assert_eq!(chap.start, Duration::from_secs(6));
        assert_eq!(chap.duration, Some(Duration::from_secs(2)));
        assert_eq!(chap.id, "signals:60000000");
        let scmd = stream("SCMD");
        for ad in [
            &b"adbreak duration=4"[..],
            b"SPLICE: out",
            br#"<Command Type="ad" Duration="4"/>"#,
        ] {
            assert_eq!(
                marker_of(&scmd, 0, None, 0, ad).kind,
                MarkerKind::Ad,
                "{ad:?}"
            );
        }
        for script in [
            &b"url http://example.com"[..],
            b"address book",
            br#"<C type="caption"/>"#,
        ] {
            assert_eq!(
                marker_of(&scmd, 0, None, 0, script).kind,
                MarkerKind::Script
            );
        }
    }

    #[test]
    fn binary_samples_are_data_and_later_samples_at_one_time_get_their_own_id() {
        let m = marker_of(
            &stream("DATA"),
            5,
            Some(0),
            1,
            &[0xfc, 0x30, 0x11, 0x00, 0x01],
        );
        assert_eq!(m.kind, MarkerKind::Script);
        assert_eq!(m.text, None);
        assert_eq!(m.data.as_deref(), Some(&[0xfc, 0x30, 0x11, 0x00, 0x01][..]));
        assert_eq!(m.duration, None);
        assert_eq!(m.id, "signals:5:1");
        let big = vec![b'a'; MAX_MARKER_BYTES * 2];
        assert_eq!(
            marker_of(&stream("SCMD"), 0, None, 0, &big)
                .text
                .map(|t| t.len()),
            Some(MAX_MARKER_BYTES)
        );
    }

    #[test]
    fn which_streams_carry_markers() {
        assert!(is_marker_stream(&stream("SCMD")));
        assert!(is_marker_stream(&stream("CHAP")));
        assert!(!is_marker_stream(&stream("CAPT")));
        // Any other sparse stream attached to a parent.
        assert!(is_marker_stream(&stream("DATA")));
        let mut plain = stream("DATA");
        plain.parent_stream_index = None;
        assert!(!is_marker_stream(&plain));
        plain.manifest_output = true;
        assert!(is_marker_stream(&plain));
    }
}
