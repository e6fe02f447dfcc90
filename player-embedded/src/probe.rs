//! `smoothplay-headless probe`: what a manifest holds, as a stable JSON document or as text.
//!
//! The JSON shape is a contract other tools rely on (documented in the README): field names
//! and types only ever grow. Times in `*_s` fields are seconds for display; `first_t` and
//! `last_t` are exact start times in the stream's timescale, as in fragment URLs.

use std::fmt::Write as _;

use player_core::manifest::{Manifest, QualityLevel, StreamIndex, StreamType, Uuid};
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
    /// `PlayReady` or `unknown`.
    pub system: &'static str,
    /// Key IDs as big-endian UUIDs (the form tenc/senc use).
    pub kids: Vec<String>,
    /// License acquisition URL.
    pub la_url: Option<String>,
    /// Encryption algorithm (`AESCTR`, `AESCBC`, `COCKTAIL`) of the first key.
    pub algorithm: Option<String>,
}

/// Summarizes a parsed manifest read from `source`.
pub fn summarize(m: &Manifest, source: &str) -> ProbeReport {
    ProbeReport {
        source: source.to_owned(),
        live: m.is_live,
        duration_s: m.duration.map(|d| ticks_to_secs(d, m.timescale)),
        timescale: m.timescale,
        dvr_window_s: m.dvr_window_length.map(|d| ticks_to_secs(d, m.timescale)),
        lookahead: m.lookahead_count,
        version: format!("{}.{}", m.major_version, m.minor_version),
        streams: m.streams.iter().map(stream).collect(),
        protection: m
            .protection
            .iter()
            .map(|p| {
                let pr = p.playready.as_ref();
                ProbeProtection {
                    system_id: p.system_id.to_string(),
                    system: if p.system_id == Uuid::PLAYREADY {
                        "PlayReady"
                    } else {
                        "unknown"
                    },
                    kids: pr
                        .map(|h| h.kids.iter().map(|k| k.kid.to_string()).collect())
                        .unwrap_or_default(),
                    la_url: pr.and_then(|h| h.la_url.clone()),
                    algorithm: pr.and_then(|h| h.kids.iter().find_map(|k| k.algid.clone())),
                }
            })
            .collect(),
    }
}

fn stream(s: &StreamIndex) -> ProbeStream {
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
        quality_levels: s.quality_levels.iter().map(level).collect(),
    }
}

fn level(q: &QualityLevel) -> ProbeQualityLevel {
    ProbeQualityLevel {
        index: q.index,
        bitrate: q.bitrate,
        fourcc: q.fourcc.clone(),
        codec: q.codec_string(),
        width: q.max_width,
        height: q.max_height,
        sampling_rate: q.sampling_rate,
        channels: q.channels,
        supported: q.codec.is_supported(),
    }
}

/// The report as one pretty-printed JSON document (the `--json` output).
pub fn render_json(r: &ProbeReport) -> serde_json::Result<String> {
    serde_json::to_string_pretty(r)
}

/// A readable multi-line summary of a report.
pub fn render_text(r: &ProbeReport) -> String {
    let mut out = String::new();
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
    let _ = writeln!(out, "streams     {}", r.streams.len());
    for (i, s) in r.streams.iter().enumerate() {
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
    if r.protection.is_empty() {
        let _ = writeln!(out, "protection  none");
    } else {
        let _ = writeln!(out, "protection  {}", r.protection.len());
        for p in &r.protection {
            let _ = writeln!(out, "  {} {}", p.system, p.system_id);
            for k in &p.kids {
                let _ = writeln!(out, "      KID {k}");
            }
            if let Some(a) = &p.algorithm {
                let _ = writeln!(out, "      algorithm {a}");
            }
            if let Some(u) = &p.la_url {
                let _ = writeln!(out, "      license {u}");
            }
        }
    }
    out
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
        assert_eq!(p["system"], "unknown");
        assert_eq!(p["kids"], serde_json::json!([]));
        assert!(p["la_url"].is_null() && p["algorithm"].is_null());
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
            t.contains("  unknown edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"),
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
