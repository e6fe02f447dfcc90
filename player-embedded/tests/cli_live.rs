//! `smoothplay-headless play --control -` on a simulated live stream: commands from stdin
//! come back as events, and the end of the event ends playback with exit code 0.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use player_tests::origin::{LiveConfig, Origin, OriginConfig};
use player_tests::support::assets_dir;

#[test]
fn control_commands_drive_a_live_stream_to_its_end() {
    let origin = Origin::start(
        assets_dir(),
        OriginConfig {
            live: Some(LiveConfig {
                speed: 4.0,
                end_at: Some(Duration::from_secs(40)),
                ..LiveConfig::default()
            }),
            ..OriginConfig::default()
        },
    )
    .expect("origin");
    let mut child = Command::new(env!("CARGO_BIN_EXE_smoothplay-headless"))
        .args(["play", &origin.url("demo/Manifest"), "--speed", "4"])
        .args([
            "--max-bitrate",
            "800000",
            "--control",
            "-",
            "--events",
            "-",
            "--quiet",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut sent = false;
    let mut lines = Vec::new();
    for line in stdout.lines() {
        let line = line.expect("line");
        let v: serde_json::Value = serde_json::from_str(&line).expect("json event");
        // Once playing, drive it: pause, resume, jump back, replay, back to live.
        if !sent && v["type"] == "state" && v["state"] == "playing" {
            for cmd in ["pause", "play", "seek -4", "replay 2", "live", "bogus"] {
                writeln!(stdin, "{cmd}").expect("write command");
            }
            sent = true;
        }
        lines.push(v);
    }
    let status = child.wait().expect("wait");
    assert!(status.success(), "exit {status}");
    let commands: Vec<&str> = lines
        .iter()
        .filter(|v| v["type"] == "command")
        .filter_map(|v| v["command"].as_str())
        .collect();
    assert_eq!(commands, ["pause", "play", "seek -4", "seek -2", "live"]);
    assert!(
        lines
            .iter()
            .any(|v| v["type"] == "state" && v["state"] == "paused")
    );
    assert!(lines.iter().filter(|v| v["type"] == "seek").count() >= 3);
    assert!(
        lines
            .iter()
            .any(|v| v["type"] == "stats" && v["latency_s"].is_number())
    );
    assert!(lines.iter().any(|v| v["type"] == "ended"));
    assert_eq!(
        lines.last().map(|v| v["type"].clone()),
        Some("summary".into())
    );
}

/// `--for` counts media played from wherever playback starts, live or on demand: on a live
/// stream whose window starts 40 s before the edge, `--for 10` plays 10 s, not until position
/// 10 of the window.
#[test]
fn for_plays_that_much_media_from_the_live_start_point() {
    let origin = Origin::start(
        assets_dir(),
        OriginConfig {
            live: Some(LiveConfig {
                speed: 4.0,
                preroll: Duration::from_secs(40),
                ..LiveConfig::default()
            }),
            ..OriginConfig::default()
        },
    )
    .expect("origin");
    let out = Command::new(env!("CARGO_BIN_EXE_smoothplay-headless"))
        .args(["play", &origin.url("demo/Manifest"), "--speed", "4"])
        .args([
            "--max-bitrate",
            "800000",
            "--for",
            "10",
            "--live-delay",
            "4",
        ])
        .args(["--events", "-", "--quiet"])
        .output()
        .expect("run");
    assert!(out.status.success(), "exit {}", out.status);
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json event"))
        .collect();
    let started = lines
        .iter()
        .find(|v| v["type"] == "state" && v["state"] == "playing")
        .and_then(|v| v["position_s"].as_f64())
        .expect("playing");
    // Four seconds behind an edge 40 s into the window (and on by the time it starts).
    assert!((34.0..44.0).contains(&started), "started at {started}");
    let summary = lines
        .iter()
        .find(|v| v["type"] == "summary")
        .expect("a summary");
    let played = summary["duration_played_s"].as_f64().expect("played");
    assert!((10.0..11.5).contains(&played), "played {played} s of media");
}
