//! `smoothplay-headless probe`: what a manifest holds, as a stable JSON document or as text.
//!
//! The JSON shape is a contract other tools rely on (documented in the README): field names
//! and types only ever grow. Times in `*_s` fields are seconds for display; `first_t` and
//! `last_t` are exact start times in the stream's timescale, as in fragment URLs.

use std::fmt::Write as _;

use player_core::decode::Backend;
use player_core::demux::{CodecSupport, DemuxError, decoder_config};
use player_core::manifest::{
    Codec, Manifest, ProtectionHeader, QualityLevel, StreamIndex, StreamType, Uuid,
};
use player_core::markers::{Marker, MarkerKind, is_marker_stream};
use player_core::time::ticks_to_secs;
use serde::Serialize;

/// The whole probe answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeReport {
    /// The URL or path the manifest was read from.
    pub source: String,
    /// Live (`IsLive`) or on demand.
    pub live: bool,
    /// Presentation duration in seconds; `null` when the manifest gives none (live).
    pub duration_s: Option<f64>,
    /// Presentation timescale (ticks per second).
    pub timescale: u64,
    /// DVR window in seconds; `null` = infinite on live (and none on demand).
    pub dvr_window_s: Option<f64>,
    /// Look-ahead fragment count of live fragments; `null` when not given.
    pub lookahead: Option<u32>,
    /// Manifest version, `major.minor`.
    pub version: String,
    /// Streams in document order.
    pub streams: Vec<ProbeStream>,
    /// Protection headers in document order.
    pub protection: Vec<ProbeProtection>,
    /// Chapters (sparse `CHAP` streams), by start.
    pub chapters: Vec<ProbeChapter>,
    /// Other markers (ad signals, script commands), by start.
    pub markers: Vec<ProbeMarker>,
}

/// One chapter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeChapter {
    /// Start, seconds from the presentation start.
    pub start_s: f64,
    /// Length, seconds, when the stream says.
    pub duration_s: Option<f64>,
    /// Title (`null` when the sample is not text).
    pub title: Option<String>,
}

/// One ad signal or script command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeMarker {
    /// `ad` or `script`.
    pub kind: MarkerKind,
    /// The sparse stream's name.
    pub stream: String,
    /// Start, seconds from the presentation start.
    pub start_s: f64,
    /// Length, seconds, when the stream says.
    pub duration_s: Option<f64>,
    /// The command as text (`null` when it is not text).
    pub text: Option<String>,
}

/// One StreamIndex.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeStream {
    /// `video`, `audio` or `text`.
    #[serde(rename = "type")]
    pub stream_type: &'static str,
    /// Name.
    pub name: Option<String>,
    /// Language.
    pub language: Option<String>,
    /// Subtype.
    pub subtype: Option<String>,
    /// Url template as written.
    pub url_template: String,
    /// Stream timescale.
    pub timescale: u64,
    /// Number of chunks after expanding `r` runs (not the declared `Chunks`).
    pub chunks: usize,
    /// Start time of the first chunk; `null` when the stream has none.
    pub first_t: Option<u64>,
    /// Start time of the last chunk; `null` when the stream has none.
    pub last_t: Option<u64>,
    /// Quality levels in document order.
    pub quality_levels: Vec<ProbeQualityLevel>,
}

/// One QualityLevel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeQualityLevel {
    /// Index.
    pub index: u32,
    /// Bits per second.
    pub bitrate: u64,
    /// FourCC (upper case; the assumed one when the manifest has none).
    pub fourcc: String,
    /// RFC 6381 codec string (`avc1.64001f`, `mp4a.40.2`).
    pub codec: String,
    /// Width in pixels (video).
    pub width: Option<u32>,
    /// Height in pixels (video).
    pub height: Option<u32>,
    /// Sample rate in Hz (audio).
    pub sampling_rate: Option<u32>,
    /// Channel count (audio).
    pub channels: Option<u16>,
    /// Whether smoothplay can play it.
    pub supported: bool,
}

/// One ProtectionHeader.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeProtection {
    /// SystemID, lower case with hyphens.
    pub system_id: String,
    /// `PlayReady`, another well-known DRM system's name (`Widevine`, `FairPlay`, `Marlin`,
    /// `ClearKey`, `Primetime`), or `unknown`.
    pub system: &'static str,
    /// Key IDs as big-endian UUIDs (the form tenc/senc use).
    pub kids: Vec<String>,
    /// License acquisition URL.
    pub la_url: Option<String>,
    /// Encryption algorithm (`AESCTR`, `AESCBC`, `COCKTAIL`) of the first key.
    pub algorithm: Option<String>,
    /// Each key of a PlayReady header with its algorithm and whether a checksum lets a
    /// player verify the key.
    pub keys: Vec<ProbeKey>,
    /// PlayReady WRMHEADER version (`4.0.0.0` … `4.3.0.0`).
    pub header_version: Option<String>,
    /// PlayReady LUI_URL (license user interface).
    pub lui_url: Option<String>,
    /// PlayReady DS_ID (domain service).
    pub ds_id: Option<String>,
    /// Size of the decoded header data in bytes.
    pub header_bytes: usize,
    /// Why the header could not be read — not base64, or a PlayReady header that does not
    /// parse (its keys are then unknown).
    pub header_error: Option<String>,
}

/// One key of a PlayReady header.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeKey {
    /// Key ID, big-endian UUID.
    pub kid: String,
    /// `AESCTR`, `AESCBC`, `COCKTAIL`, when given.
    pub algorithm: Option<String>,
    /// Whether the header carries the key's checksum (a wrong key is then caught at once).
    pub checksum: bool,
}

/// The name of a DRM system by its SystemID (DASH-IF content protection identifiers).
pub fn system_name(id: &Uuid) -> &'static str {
    const KNOWN: [(&str, &str); 5] = [
        ("edef8ba9-79d6-4ace-a3c8-27dcd51d21ed", "Widevine"),
        ("94ce86fb-07ff-4f43-adb8-93d2fa968ca2", "FairPlay"),
        ("5e629af5-38da-4063-8977-97ffbd9902d4", "Marlin"),
        ("1077efec-c0b2-4d02-ace3-3c1e52e2fb4b", "ClearKey"),
        ("f239e769-efa3-4850-9c16-a903c6932efb", "Primetime"),
    ];
    if *id == Uuid::PLAYREADY {
        return "PlayReady";
    }
    let text = id.to_string();
    KNOWN
        .iter()
        .find(|(uuid, _)| *uuid == text)
        .map_or("unknown", |(_, name)| name)
}

fn protection(p: &ProtectionHeader) -> ProbeProtection {
    let pr = p.playready.as_ref();
    let header_error = p.defect.clone().or_else(|| {
        (p.system_id == Uuid::PLAYREADY && pr.is_none()).then(|| "not understood".to_owned())
    });
    ProbeProtection {
        system_id: p.system_id.to_string(),
        system: system_name(&p.system_id),
        kids: pr
            .map(|h| h.kids.iter().map(|k| k.kid.to_string()).collect())
            .unwrap_or_default(),
        la_url: pr.and_then(|h| h.la_url.clone()),
        algorithm: pr.and_then(|h| h.kids.iter().find_map(|k| k.algid.clone())),
        keys: pr
            .map(|h| {
                h.kids
                    .iter()
                    .map(|k| ProbeKey {
                        kid: k.kid.to_string(),
                        algorithm: k.algid.clone(),
                        checksum: k.checksum.is_some(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        header_version: pr.map(|h| h.version.clone()).filter(|v| !v.is_empty()),
        lui_url: pr.and_then(|h| h.lui_url.clone()),
        ds_id: pr.and_then(|h| h.ds_id.clone()),
        header_bytes: p.data.len(),
        header_error,
    }
}

/// Summarizes a parsed manifest read from `source`; `supported` says what this build's
/// default decoders (`--decoder auto`) can play.
pub fn summarize(m: &Manifest, source: &str) -> ProbeReport {
    let codecs = Backend::Auto.support().unwrap_or_default();
    summarize_for(m, source, &codecs)
}

/// Summarizes a parsed manifest; `supported` says whether `codecs` decode each level.
pub fn summarize_for(m: &Manifest, source: &str, codecs: &CodecSupport) -> ProbeReport {
    ProbeReport {
        source: source.to_owned(),
        live: m.is_live,
        duration_s: m.duration.map(|d| ticks_to_secs(d, m.timescale)),
        timescale: m.timescale,
        dvr_window_s: m.dvr_window_length.map(|d| ticks_to_secs(d, m.timescale)),
        lookahead: m.lookahead_count,
        version: format!("{}.{}", m.major_version, m.minor_version),
        streams: m.streams.iter().map(|s| stream(s, codecs)).collect(),
        protection: m.protection.iter().map(protection).collect(),
        chapters: Vec::new(),
        markers: Vec::new(),
    }
}

/// Adds `markers` (media times) to the report: chapters apart, the rest as markers, in
/// seconds from the presentation start.
pub fn with_markers(mut r: ProbeReport, m: &Manifest, markers: &[Marker]) -> ProbeReport {
    // Position 0 is the earliest audio or video start, as the player counts it.
    let origin = m
        .streams
        .iter()
        .filter(|s| s.stream_type != StreamType::Text)
        .filter_map(|s| s.first_start().map(|t| ticks_to_secs(t, s.timescale)))
        .fold(f64::INFINITY, f64::min);
    let origin = if origin.is_finite() { origin } else { 0.0 };
    let rel = |d: std::time::Duration| d.as_secs_f64() - origin;
    for mk in markers {
        let duration_s = mk.duration.map(|d| d.as_secs_f64());
        if mk.kind == MarkerKind::Chapter {
            r.chapters.push(ProbeChapter {
                start_s: rel(mk.start),
                duration_s,
                title: mk.text.clone(),
            });
        } else {
            r.markers.push(ProbeMarker {
                kind: mk.kind,
                stream: mk.stream.clone(),
                start_s: rel(mk.start),
                duration_s,
                text: mk.text.clone(),
            });
        }
    }
    r
}

fn stream(s: &StreamIndex, codecs: &CodecSupport) -> ProbeStream {
    ProbeStream {
        stream_type: match s.stream_type {
            StreamType::Video => "video",
            StreamType::Audio => "audio",
            StreamType::Text => "text",
        },
        name: s.name.clone(),
        language: s.language.clone(),
        subtype: s.subtype.clone(),
        url_template: s.url_template.clone(),
        timescale: s.timescale,
        chunks: s.chunks.len(),
        first_t: s.first_start(),
        last_t: s.last_start(),
        quality_levels: s
            .quality_levels
            .iter()
            .map(|q| ProbeQualityLevel {
                // A marker stream is read, not decoded.
                supported: is_marker_stream(s) || decodes(q, codecs),
                ..level(q, codecs)
            })
            .collect(),
    }
}

fn level(q: &QualityLevel, codecs: &CodecSupport) -> ProbeQualityLevel {
    ProbeQualityLevel {
        index: q.index,
        bitrate: q.bitrate,
        fourcc: q.fourcc.clone(),
        codec: q.codec_string(),
        width: q.max_width,
        height: q.max_height,
        sampling_rate: q.sampling_rate,
        channels: q.channels,
        supported: decodes(q, codecs),
    }
}

/// Whether `codecs` decode the level; a level whose private data cannot be read says what its
/// codec family would (the player reports the private data when it tries).
fn decodes(q: &QualityLevel, codecs: &CodecSupport) -> bool {
    match decoder_config(q) {
        Ok(c) => codecs.supports(&c),
        Err(DemuxError::Unsupported { .. }) => q.codec == Codec::Ttml,
        Err(_) => match q.codec {
            Codec::H264 | Codec::AacLc | Codec::AacHe | Codec::Ttml => true,
            Codec::Vc1 => codecs.vc1,
            Codec::Wma => codecs.wma,
            Codec::Dolby => codecs.dolby,
            Codec::Unknown => false,
        },
    }
}

/// The report as one pretty-printed JSON document (the `--json` output).
pub fn render_json(r: &ProbeReport) -> serde_json::Result<String> {
    serde_json::to_string_pretty(r)
}

/// A readable multi-line summary of a report.
pub fn render_text(r: &ProbeReport) -> String {
    let mut out = String::new();
    write_overview(&mut out, r);
    let _ = writeln!(out, "streams     {}", r.streams.len());
    for (i, s) in r.streams.iter().enumerate() {
        write_stream(&mut out, i, s);
    }
    write_markers(&mut out, r);
    if r.protection.is_empty() {
        let _ = writeln!(out, "protection  none");
    } else {
        let _ = writeln!(out, "protection  {}", r.protection.len());
        for p in &r.protection {
            write_protection(&mut out, p);
        }
    }
    out
}

/// Chapters with their times and titles, then the other markers.
fn write_markers(out: &mut String, r: &ProbeReport) {
    if !r.chapters.is_empty() {
        let _ = writeln!(out, "chapters    {}", r.chapters.len());
        for c in &r.chapters {
            let title = c.title.as_deref().unwrap_or("(untitled)");
            let _ = writeln!(out, "  {:>8}  {title}", clock(c.start_s));
        }
    }
    if !r.markers.is_empty() {
        let _ = writeln!(out, "markers     {}", r.markers.len());
        for m in &r.markers {
            let what = crate::status::marker_line(m.kind, m.text.as_deref(), m.duration_s);
            let _ = writeln!(out, "  {:>8}  {what}", clock(m.start_s));
        }
    }
}

/// `m:ss.s`.
fn clock(s: f64) -> String {
    let s = s.max(0.0);
    format!("{}:{:04.1}", (s / 60.0) as u64, s % 60.0)
}

/// Source, live or on demand, duration and the manifest's version and timescale.
fn write_overview(out: &mut String, r: &ProbeReport) {
    let _ = writeln!(out, "source      {}", r.source);
    let kind = if r.live {
        let dvr = match r.dvr_window_s {
            Some(s) => format!("DVR window {}", secs(s)),
            None => "DVR window infinite".to_owned(),
        };
        let lookahead = r
            .lookahead
            .map_or_else(String::new, |n| format!(", look-ahead {n}"));
        format!("live ({dvr}{lookahead})")
    } else {
        "on demand".to_owned()
    };
    let _ = writeln!(out, "type        {kind}");
    let duration = r.duration_s.map_or_else(|| "unknown".to_owned(), secs);
    let _ = writeln!(out, "duration    {duration}");
    let _ = writeln!(
        out,
        "manifest    version {}, timescale {}",
        r.version, r.timescale
    );
}

/// Stream `i`: its type, name, language and subtype, chunks, URL template and levels.
fn write_stream(out: &mut String, i: usize, s: &ProbeStream) {
    let mut head = format!("  [{i}] {}", s.stream_type);
    if let Some(n) = &s.name {
        let _ = write!(head, " \"{n}\"");
    }
    if let Some(l) = &s.language {
        let _ = write!(head, " language {l}");
    }
    if let Some(st) = &s.subtype {
        let _ = write!(head, " subtype {st}");
    }
    let _ = writeln!(out, "{head}");
    let span = match (s.first_t, s.last_t) {
        (Some(a), Some(b)) => format!(", start times {a} .. {b}"),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "      {} chunks{span}, timescale {}",
        s.chunks, s.timescale
    );
    if !s.url_template.is_empty() {
        let _ = writeln!(out, "      url {}", s.url_template);
    }
    for q in &s.quality_levels {
        let _ = writeln!(out, "      {}", level_line(q));
    }
}

/// One protection system: its id, header size and version, KIDs and license URLs.
fn write_protection(out: &mut String, p: &ProbeProtection) {
    let version = p
        .header_version
        .as_ref()
        .map_or_else(String::new, |v| format!(", header {v}"));
    let _ = writeln!(
        out,
        "  {} {} ({} bytes{version})",
        p.system, p.system_id, p.header_bytes
    );
    if let Some(e) = &p.header_error {
        let _ = writeln!(out, "      warning: {e} (no KIDs known)");
    }
    for k in &p.keys {
        let alg = k.algorithm.as_deref().unwrap_or("algorithm not given");
        let sum = if k.checksum {
            "key checksum"
        } else {
            "no key checksum"
        };
        let _ = writeln!(out, "      KID {} {alg}, {sum}", k.kid);
    }
    if let Some(u) = &p.la_url {
        let _ = writeln!(out, "      license {u}");
    }
    if let Some(u) = &p.lui_url {
        let _ = writeln!(out, "      license UI {u}");
    }
    if let Some(d) = &p.ds_id {
        let _ = writeln!(out, "      DS_ID {d}");
    }
}

fn level_line(q: &ProbeQualityLevel) -> String {
    let fourcc = if q.fourcc.is_empty() {
        "-"
    } else {
        q.fourcc.as_str()
    };
    let mut line = format!(
        "#{:<3} {:>9} bps  {fourcc:<5} {:<12}",
        q.index, q.bitrate, q.codec
    );
    if let (Some(w), Some(h)) = (q.width, q.height) {
        let _ = write!(line, " {w}x{h}");
    }
    if let Some(rate) = q.sampling_rate {
        let _ = write!(line, " {rate} Hz");
    }
    if let Some(ch) = q.channels {
        let _ = write!(line, " {ch} ch");
    }
    if !q.supported {
        line.push_str(" (unsupported)");
    }
    line.trim_end().to_owned()
}

/// Seconds with up to three decimals and no trailing zeros.
fn secs(s: f64) -> String {
    let t = format!("{s:.3}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    format!("{t} s")
}

#[cfg(test)]
mod tests {
    use super::*;
    use player_core::manifest::parse;

    const LIVE: &str = r#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="2" Duration="0" IsLive="TRUE" LookaheadCount="2" DVRWindowLength="0">
<StreamIndex Type="video" Name="video" Url="QualityLevels({bitrate})/Fragments(video={start time})">
  <QualityLevel Index="0" Bitrate="2962000" FourCC="H264" MaxWidth="1280" MaxHeight="720" CodecPrivateData="000000016764001FAC"/>
  <QualityLevel Index="1" Bitrate="900000" FourCC="HEV1" MaxWidth="960" MaxHeight="540"/>
  <c t="1000" d="20000000" r="3"/>
</StreamIndex>
<StreamIndex Type="audio" Name="audio" Language="eng" Url="QualityLevels({bitrate})/Fragments(audio={start time})">
  <QualityLevel Bitrate="128000" SamplingRate="48000" Channels="2" CodecPrivateData="1190"/>
</StreamIndex>
<Protection><ProtectionHeader SystemID="edef8ba9-79d6-4ace-a3c8-27dcd51d21ed">AAAA</ProtectionHeader></Protection>
</SmoothStreamingMedia>"#;

    fn report() -> ProbeReport {
        summarize(
            &parse(LIVE.as_bytes()).expect("manifest"),
            "http://h/live.isml/Manifest",
        )
    }

    #[test]
    fn json_has_exactly_the_documented_shape() {
        let text = render_json(&report()).expect("json");
        let v: serde_json::Value = serde_json::from_str(&text).expect("valid json");
        assert_eq!(v["live"], true);
        assert!(v["duration_s"].is_null());
        assert_eq!(v["timescale"], 10_000_000);
        assert!(v["dvr_window_s"].is_null(), "0 = infinite = null");
        assert_eq!(v["lookahead"], 2);
        let s = &v["streams"][0];
        assert_eq!(s["type"], "video");
        assert_eq!(s["name"], "video");
        assert!(s["language"].is_null() && s["subtype"].is_null());
        assert_eq!(
            s["url_template"],
            "QualityLevels({bitrate})/Fragments(video={start time})"
        );
        assert_eq!(s["timescale"], 10_000_000);
        assert_eq!(s["chunks"], 3);
        assert_eq!(s["first_t"], 1000);
        assert_eq!(s["last_t"], 40_001_000);
        let q = &s["quality_levels"][0];
        assert_eq!(q["index"], 0);
        assert_eq!(q["bitrate"], 2_962_000);
        assert_eq!(q["fourcc"], "H264");
        assert_eq!(q["codec"], "avc1.64001f");
        assert_eq!(
            (q["width"].clone(), q["height"].clone()),
            (1280.into(), 720.into())
        );
        assert!(q["sampling_rate"].is_null() && q["channels"].is_null());
        assert_eq!(q["supported"], true);
        assert_eq!(s["quality_levels"][1]["supported"], false);
        let a = &v["streams"][1];
        assert_eq!(
            (a["type"].as_str(), a["language"].as_str()),
            (Some("audio"), Some("eng"))
        );
        assert_eq!(a["chunks"], 0);
        assert!(a["first_t"].is_null() && a["last_t"].is_null());
        let aq = &a["quality_levels"][0];
        assert_eq!(
            (aq["fourcc"].as_str(), aq["codec"].as_str()),
            (Some("AACL"), Some("mp4a.40.2"))
        );
        assert_eq!(
            (aq["sampling_rate"].clone(), aq["channels"].clone()),
            (48_000.into(), 2.into())
        );
        assert!(aq["width"].is_null());
        let p = &v["protection"][0];
        assert_eq!(p["system_id"], "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed");
        assert_eq!(p["system"], "Widevine");
        assert_eq!(p["kids"], serde_json::json!([]));
        assert_eq!(p["keys"], serde_json::json!([]));
        assert_eq!(p["header_bytes"], 3);
        assert!(p["la_url"].is_null() && p["algorithm"].is_null());
        assert!(p["header_version"].is_null() && p["header_error"].is_null());
        let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
        for k in [
            "live",
            "duration_s",
            "timescale",
            "dvr_window_s",
            "lookahead",
            "streams",
            "protection",
        ] {
            assert!(keys.iter().any(|x| *x == k), "missing {k}");
        }
    }

    #[test]
    fn text_summary_reads_well() {
        let t = render_text(&report());
        assert!(t.contains("source      http://h/live.isml/Manifest"), "{t}");
        assert!(
            t.contains("type        live (DVR window infinite, look-ahead 2)"),
            "{t}"
        );
        assert!(t.contains("duration    unknown"), "{t}");
        assert!(t.contains("  [0] video \"video\""), "{t}");
        assert!(
            t.contains("3 chunks, start times 1000 .. 40001000, timescale 10000000"),
            "{t}"
        );
        assert!(
            t.contains("2962000 bps  H264  avc1.64001f  1280x720"),
            "{t}"
        );
        assert!(
            t.contains("HEV1  hev1         960x540 (unsupported)"),
            "{t}"
        );
        assert!(t.contains("  [1] audio \"audio\" language eng"), "{t}");
        assert!(t.contains("mp4a.40.2    48000 Hz 2 ch"), "{t}");
        assert!(
            t.contains("  Widevine edef8ba9-79d6-4ace-a3c8-27dcd51d21ed (3 bytes)"),
            "{t}"
        );
    }

    #[test]
    fn unreadable_playready_headers_and_unknown_systems_are_named() {
        let xml = LIVE.replace(
            r#"<ProtectionHeader SystemID="edef8ba9-79d6-4ace-a3c8-27dcd51d21ed">AAAA</ProtectionHeader>"#,
            r#"<ProtectionHeader SystemID="9A04F079-9840-4286-AB92-E65BE0885F95">AAAA</ProtectionHeader><ProtectionHeader SystemID="01020304-0506-0708-090a-0b0c0d0e0f10">AA==</ProtectionHeader>"#,
        );
        let r = summarize(&parse(xml.as_bytes()).expect("manifest"), "x");
        let pr = &r.protection[0];
        assert_eq!(pr.system, "PlayReady");
        assert!(pr.keys.is_empty());
        let e = pr.header_error.as_deref().expect("an error");
        assert!(!e.is_empty(), "{e}");
        assert_eq!(r.protection[1].system, "unknown");
        let t = render_text(&r);
        assert!(t.contains("      warning: PlayReady header (line "), "{t}");
        assert!(t.contains("not understood"), "{t}");
        assert!(
            t.contains("  unknown 01020304-0506-0708-090a-0b0c0d0e0f10 (1 bytes)"),
            "{t}"
        );
    }

    #[test]
    fn seconds_formatting() {
        assert_eq!(secs(121.333_333_3), "121.333 s");
        assert_eq!(secs(60.0), "60 s");
        assert_eq!(secs(8.008), "8.008 s");
    }
}
