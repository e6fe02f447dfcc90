//! Sparse streams for the demo: an `SCMD` stream of script commands (an ad break, a URL) and
//! a `CHAP` stream of chapter titles, both attached to the video (`ParentStreamIndex`); the
//! chapters are also carried in the manifest (`ManifestOutput`). Each sample is one small text
//! document in a fragment of its own (the muxer's `moof`+`mdat` with one sample), as an
//! encoder pushes sparse samples. `markers.json` lists what a player must report.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use base64::Engine;

use super::write::fragment;

/// The presentation timescale the sparse streams use (the demo's).
const TS: u64 = 10_000_000;
/// The QualityLevel bitrate of the sparse streams (their fragment directory).
const BITRATE: u64 = 1000;

/// One sparse sample: start and duration in seconds, and its text.
struct Sample {
    start_s: f64,
    duration_s: f64,
    text: &'static str,
}

/// A sparse stream to write.
struct Sparse {
    name: &'static str,
    subtype: &'static str,
    manifest_output: bool,
    samples: &'static [Sample],
}

const STREAMS: [Sparse; 2] = [
    Sparse {
        name: "signals",
        subtype: "SCMD",
        manifest_output: false,
        samples: &[
            Sample {
                start_s: 6.0,
                duration_s: 4.0,
                text: "adbreak duration=4 id=break-1",
            },
            Sample {
                start_s: 16.0,
                duration_s: 2.0,
                text: "url https://example.com/more",
            },
        ],
    },
    Sparse {
        name: "chapters",
        subtype: "CHAP",
        manifest_output: true,
        samples: &[
            Sample {
                start_s: 0.0,
                duration_s: 8.0,
                text: "Opening",
            },
            Sample {
                start_s: 8.0,
                duration_s: 6.0,
                text: "Colour patches",
            },
            Sample {
                start_s: 14.0,
                duration_s: 6.0,
                text: "Finale",
            },
        ],
    },
];

fn ticks(s: f64) -> u64 {
    (s * TS as f64).round() as u64
}

/// Adds the sparse streams to the presentation in `dir` (replacing them if present) and
/// writes `dir/markers.json`.
pub fn add_markers(dir: &Path) -> Result<()> {
    let manifest_path = dir.join("Manifest");
    let mut xml = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("read {}", manifest_path.display()))?;
    for s in &STREAMS {
        xml = without_stream(&xml, s.name);
    }
    let Some(end) = xml.rfind("</SmoothStreamingMedia>") else {
        bail!("{}: no </SmoothStreamingMedia>", manifest_path.display());
    };
    let level = dir.join(format!("QualityLevels({BITRATE})"));
    std::fs::create_dir_all(&level)?;
    let mut streams = String::new();
    for s in &STREAMS {
        for (seq, sample) in s.samples.iter().enumerate() {
            let data = sample.text.as_bytes().to_vec();
            let d = u32::try_from(ticks(sample.duration_s))?;
            let bytes = fragment(&[(data, d)], ticks(sample.start_s), seq as u32 + 1);
            let path = level.join(format!("Fragments({}={})", s.name, ticks(sample.start_s)));
            std::fs::write(&path, bytes).with_context(|| format!("write {}", path.display()))?;
        }
        streams.push_str(&stream_xml(s));
    }
    xml.insert_str(end, &streams);
    std::fs::write(&manifest_path, xml)?;
    std::fs::write(dir.join("markers.json"), markers_json()?)?;
    Ok(())
}

fn stream_xml(s: &Sparse) -> String {
    let mut x = format!(
        r#"  <StreamIndex Type="text" Subtype="{}" Name="{}" ParentStreamIndex="video"{} QualityLevels="1" Chunks="{}" Url="QualityLevels({{bitrate}})/Fragments({}={{start time}})">"#,
        s.subtype,
        s.name,
        if s.manifest_output {
            r#" ManifestOutput="TRUE""#
        } else {
            ""
        },
        s.samples.len(),
        s.name
    );
    let _ = write!(
        x,
        "\n    <QualityLevel Index=\"0\" Bitrate=\"{BITRATE}\" FourCC=\"\" />\n"
    );
    for sample in s.samples {
        let (t, d) = (ticks(sample.start_s), ticks(sample.duration_s));
        if s.manifest_output {
            let b64 = base64::engine::general_purpose::STANDARD.encode(sample.text);
            let _ = writeln!(x, r#"    <c t="{t}" d="{d}"><f i="0">{b64}</f></c>"#);
        } else {
            let _ = writeln!(x, r#"    <c t="{t}" d="{d}" />"#);
        }
    }
    x.push_str("  </StreamIndex>\n");
    x
}

/// `xml` without the StreamIndex named `name`.
fn without_stream(xml: &str, name: &str) -> String {
    let needle = format!("Name=\"{name}\"");
    let Some(at) = xml.find(&needle) else {
        return xml.to_string();
    };
    let start = xml[..at].rfind("<StreamIndex").unwrap_or(at);
    let line_start = xml[..start].rfind('\n').map_or(start, |n| n + 1);
    let end = xml[at..]
        .find("</StreamIndex>")
        .map_or(xml.len(), |e| at + e + "</StreamIndex>".len());
    let end = if xml[end..].starts_with('\n') {
        end + 1
    } else {
        end
    };
    format!("{}{}", &xml[..line_start], &xml[end..])
}

/// What a player must report, in start order: kind, stream, id, start, duration, text.
fn markers_json() -> Result<String> {
    let mut all = Vec::new();
    for s in &STREAMS {
        for sample in s.samples {
            let kind = match (s.subtype, sample.text.starts_with("adbreak")) {
                ("CHAP", _) => "chapter",
                (_, true) => "ad",
                _ => "script",
            };
            all.push(serde_json::json!({
                "kind": kind,
                "stream": s.name,
                "id": format!("{}:{}", s.name, ticks(sample.start_s)),
                "start_s": sample.start_s,
                "duration_s": sample.duration_s,
                "text": sample.text,
            }));
        }
    }
    all.sort_by(|a, b| {
        a["start_s"]
            .as_f64()
            .partial_cmp(&b["start_s"].as_f64())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(serde_json::to_string_pretty(&serde_json::json!({ "markers": all }))? + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_is_cut_out_whole() {
        let xml = "<A>\n  <StreamIndex Name=\"x\">\n  </StreamIndex>\n  <StreamIndex Name=\"y\">\n  </StreamIndex>\n</A>";
        assert_eq!(
            without_stream(xml, "x"),
            "<A>\n  <StreamIndex Name=\"y\">\n  </StreamIndex>\n</A>"
        );
        assert_eq!(without_stream(xml, "z"), xml);
    }
}
