//! `smoothplay-headless play` end to end: the binary against the loopback origin, with its
//! Y4M and WAV outputs and its event lines checked.

use std::process::Command;

use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::{Reference, assets_dir, tone_hz};

fn headless() -> Command {
    Command::new(env!("CARGO_BIN_EXE_smoothplay-headless"))
}

/// Splits a YUV4MPEG2 file into (width, height, frames).
fn read_y4m(bytes: &[u8]) -> (u32, u32, Vec<&[u8]>) {
    let header_end = bytes.iter().position(|&b| b == b'\n').expect("header");
    let header = std::str::from_utf8(&bytes[..header_end]).expect("ascii header");
    let field = |p: char| -> u32 {
        header
            .split(' ')
            .find_map(|f| f.strip_prefix(p))
            .and_then(|v| v.parse().ok())
            .expect("size field")
    };
    let (w, h) = (field('W'), field('H'));
    let size = (w * h + 2 * w.div_ceil(2) * h.div_ceil(2)) as usize;
    let mut frames = Vec::new();
    let mut pos = header_end + 1;
    while pos < bytes.len() {
        assert_eq!(
            &bytes[pos..pos + 6],
            b"FRAME\n",
            "frame marker at byte {pos}"
        );
        pos += 6;
        frames.push(&bytes[pos..pos + size]);
        pos += size;
    }
    (w, h, frames)
}

fn md5_hex(data: &[u8]) -> String {
    use md5::Digest;
    md5::Md5::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn play_writes_every_frame_and_the_tone_and_reports_a_summary() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let dir = std::env::temp_dir().join(format!("sp-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let (y4m, wav, events) = (dir.join("o.y4m"), dir.join("o.wav"), dir.join("ev.jsonl"));
    let status = headless()
        .args([
            "play",
            &origin.url("demo/Manifest"),
            "--fast",
            "--quality",
            "2",
            "--quiet",
        ])
        .arg("--video-out")
        .arg(&y4m)
        .arg("--audio-out")
        .arg(&wav)
        .arg("--events")
        .arg(&events)
        .status()
        .expect("run smoothplay-headless");
    assert!(status.success(), "{status}");

    let reference = Reference::load(&assets_dir().join("demo")).expect("reference");
    let hd = &reference.video[2];
    let bytes = std::fs::read(&y4m).expect("y4m");
    let (w, h, frames) = read_y4m(&bytes);
    assert_eq!((w, h), (1280, 720));
    assert_eq!(frames.len(), hd.frame_count);
    for (i, (f, r)) in frames.iter().zip(&hd.frames).enumerate() {
        assert_eq!(md5_hex(f), r.md5, "frame {i}");
    }

    let mut reader = hound::WavReader::open(&wav).expect("wav");
    let spec = reader.spec();
    assert_eq!((spec.sample_rate, spec.channels), (48_000, 2));
    let samples: Vec<f32> = reader
        .samples::<f32>()
        .map(|s| s.expect("sample"))
        .collect();
    let eng = &reference.audio[0];
    assert_eq!(samples.len() as u64, eng.total_samples * 2);
    let hz = tone_hz(&samples, 2, 48_000, 2048);
    assert!((hz - eng.tone_hz).abs() < 1.0, "{hz} Hz");

    let text = std::fs::read_to_string(&events).expect("events");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert!(
        lines
            .iter()
            .all(|l| l["type"].is_string() && l["wall_s"].is_number())
    );
    let summary = lines.last().expect("summary line");
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["frames_decoded"], 500);
    assert_eq!(summary["frames_dropped"], 0);
    assert_eq!(summary["rebuffers"], 0);
    assert_eq!(summary["avg_bitrate"], 2_500_000);
    assert!(
        lines
            .iter()
            .any(|l| l["type"] == "stats" || l["type"] == "ended")
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn unreachable_input_exits_non_zero_with_a_clear_message() {
    let out = headless()
        .args(["play", "http://127.0.0.1:9/Manifest", "--fast"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("127.0.0.1:9"), "{err}");
}

#[test]
fn probe_json_describes_the_demo() {
    let out = headless()
        .args(["probe", "--json"])
        .arg(assets_dir().join("demo"))
        .output()
        .expect("run");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["live"], false);
    assert_eq!(v["streams"][0]["type"], "video");
    assert_eq!(v["streams"][0]["chunks"], 10);
    assert_eq!(v["streams"][0]["quality_levels"][2]["width"], 1280);
    assert_eq!(v["streams"][2]["language"], "fra");
}

#[test]
fn captions_are_reported_at_their_time() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let out = headless()
        .args([
            "play",
            &origin.url("demo/Manifest"),
            "--start",
            "6",
            "--for",
            "2",
            "--text",
            "eng",
            "--events",
            "-",
        ])
        .output()
        .expect("run smoothplay-headless");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let captions: Vec<(String, f64)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["type"] == "caption")
        .map(|v| {
            (
                v["text"].as_str().unwrap_or_default().to_string(),
                v["position_s"].as_f64().unwrap_or(-1.0),
            )
        })
        .collect();
    // Each caption is the cue of the second it was shown in (the clock may start a hair
    // before 6 s, inside the previous cue).
    for (text, at) in captions.iter().filter(|(t, _)| !t.is_empty()) {
        let n = at.floor() as u64;
        let expected = |n: u64| format!("Caption {n}\nt = {n} s");
        let near_next = at.ceil() - at < 0.1;
        assert!(
            *text == expected(n) || (near_next && *text == expected(n + 1)),
            "{text:?} at {at}: {captions:?}"
        );
    }
    for n in [6, 7] {
        let text = format!("Caption {n}\nt = {n} s");
        assert!(captions.iter().any(|(t, _)| *t == text), "{captions:?}");
    }
}

#[test]
fn probe_lists_the_chapters_and_markers_fetched_from_the_origin() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let out = headless()
        .args(["probe", "--json", &origin.url("demo/Manifest")])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let chapters: Vec<(f64, &str)> = v["chapters"]
        .as_array()
        .expect("chapters")
        .iter()
        .map(|c| {
            (
                c["start_s"].as_f64().unwrap_or(-1.0),
                c["title"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        chapters,
        vec![(0.0, "Opening"), (8.0, "Colour patches"), (14.0, "Finale")]
    );
    // The SCMD samples are fetched as fragments (the manifest does not carry them).
    assert_eq!(v["markers"][0]["kind"], "ad");
    assert_eq!(v["markers"][0]["start_s"], 6.0);
    assert_eq!(v["markers"][0]["duration_s"], 4.0);
    assert_eq!(v["markers"][1]["text"], "url https://example.com/more");
    let text = headless()
        .args(["probe", &origin.url("demo/Manifest")])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("chapters    3"), "{text}");
    assert!(text.contains("0:08.0  Colour patches"), "{text}");
}

#[test]
fn marker_events_are_json_lines_with_their_payload() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let out = headless()
        .args([
            "play",
            &origin.url("demo/Manifest"),
            "--start",
            "5",
            "--for",
            "2",
            "--events",
            "-",
        ])
        .output()
        .expect("run smoothplay-headless");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let markers: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["type"] == "marker")
        .collect();
    let ad: Vec<&serde_json::Value> = markers.iter().filter(|m| m["kind"] == "ad").collect();
    assert_eq!(ad.len(), 2, "announced, then delivered: {markers:#?}");
    assert_eq!(ad[0]["upcoming"], true);
    assert_eq!(ad[1]["upcoming"], false);
    for m in &ad {
        assert_eq!(m["stream"], "signals");
        assert_eq!(m["id"], "signals:60000000");
        assert_eq!(m["start_s"], 6.0);
        assert_eq!(m["duration_s"], 4.0);
        assert_eq!(m["text"], "adbreak duration=4 id=break-1");
        assert!(m.get("data_base64").is_none());
    }
    assert!(ad[1]["position_s"].as_f64().unwrap_or(0.0) >= 6.0);
}

#[test]
fn control_rate_fast_forwards_to_the_end_and_refuses_other_rates() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::Stdio;
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let mut child = headless()
        .args(["play", &origin.url("demo/Manifest"), "--quality", "0"])
        .args(["--control", "-", "--events", "-", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let (mut lines, mut sent) = (Vec::new(), false);
    for line in stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(&line.expect("line")).expect("json");
        if !sent && v["type"] == "state" && v["state"] == "playing" {
            writeln!(stdin, "rate 3").expect("write");
            writeln!(stdin, "rate 8").expect("write");
            sent = true;
        }
        lines.push(v);
    }
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "exit {}", out.status);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("rate: expected one of"), "{stderr}");
    let rates: Vec<_> = lines
        .iter()
        .filter(|v| v["type"] == "rate")
        .map(|v| (v["rate"].as_f64(), v["reason"].as_str().map(str::to_string)))
        .collect();
    assert_eq!(
        rates,
        [
            (Some(8.0), Some("command".to_string())),
            (Some(1.0), Some("end".to_string()))
        ]
    );
    assert!(
        lines
            .iter()
            .any(|v| v["type"] == "command" && v["command"] == "rate 8")
    );
}
