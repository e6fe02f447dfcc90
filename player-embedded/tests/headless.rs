//! `smoothplay-headless play` as a vendor would run it: budget, periodic stats, HTTP identity.

use std::io::{Read, Write};
use std::process::{Command, Output};

use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::assets_dir;

fn headless(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smoothplay-headless"))
        .args(args)
        .output()
        .expect("smoothplay-headless runs")
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn stats_interval_with_events_writes_json_stats_at_that_interval() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let url = origin.url("demo/Manifest");
    // Real time: two seconds of media take at least two seconds, so at 0.5 s at least three
    // stats lines are due. A 1-byte budget still plays: one fragment is always let through.
    let out = headless(&[
        "play",
        &url,
        "--for",
        "2",
        "--stats-interval",
        "0.5",
        "--events",
        "-",
        "--budget",
        "1",
        "--quiet",
    ]);
    assert!(out.status.success(), "{out:?}");
    let lines = json_lines(&out);
    let stats: Vec<&serde_json::Value> = lines.iter().filter(|v| v["type"] == "stats").collect();
    assert!(stats.len() >= 3, "{lines:#?}");
    let walls: Vec<f64> = stats
        .iter()
        .map(|v| v["wall_s"].as_f64().expect("wall_s"))
        .collect();
    assert!(
        walls.windows(2).all(|w| w[1] - w[0] >= 0.49),
        "stats lines come at the interval, not once a second in between: {walls:?}"
    );
    let positions: Vec<f64> = stats
        .iter()
        .map(|v| v["position_s"].as_f64().expect("position_s"))
        .collect();
    assert!(positions.windows(2).all(|w| w[1] >= w[0]), "{positions:?}");
    assert!(stats.iter().all(|v| v.get("buffer_s").is_some()));
    assert_eq!(
        lines.last().map(|v| v["type"].clone()),
        Some("summary".into())
    );
}

#[test]
fn stats_interval_alone_prints_status_lines() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let url = origin.url("demo/Manifest");
    let out = headless(&["play", &url, "--for", "1", "--stats-interval", "0.3"]);
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let status_lines = stderr.lines().filter(|l| l.starts_with("▶ ")).count();
    assert!(status_lines >= 3, "{stderr}");
    assert!(stderr.contains(" / 0:20 · "), "{stderr}");
    assert!(
        stderr.lines().any(|l| l.starts_with("startup ")),
        "summary: {stderr}"
    );
}

#[test]
fn user_agent_and_headers_go_out_with_every_request() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/p/Manifest", listener.local_addr().expect("addr"));
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && conn.read(&mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
        let _ = conn
            .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        String::from_utf8_lossy(&head).to_lowercase()
    });
    let out = headless(&[
        "play",
        &url,
        "--user-agent",
        "acme-stb/2.1",
        "--header",
        "X-Device-Id: stb-42",
        "--header",
        "X-Region:eu",
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let head = server.join().expect("server");
    assert!(head.contains("\r\nuser-agent: acme-stb/2.1\r\n"), "{head}");
    assert!(head.contains("\r\nx-device-id: stb-42\r\n"), "{head}");
    assert!(head.contains("\r\nx-region: eu\r\n"), "{head}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("404"),
        "{out:?}"
    );
}

#[test]
fn malformed_budget_interval_and_header_are_usage_errors() {
    for (flag, value, says) in [
        ("--budget", "12T", "invalid size"),
        ("--stats-interval", "0", "must be more than 0"),
        ("--header", "no-colon", "Name: value"),
    ] {
        let out = headless(&["play", "http://127.0.0.1:1/Manifest", flag, value]);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{flag} {value}: {stderr}");
    }
}
