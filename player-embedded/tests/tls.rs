//! HTTPS against a loopback origin whose certificate comes from a CA made for the test:
//! `--ca-file` makes it trusted (play and probe); without it, with an expired certificate
//! or with one for another host name, `smoothplay-headless` says so in one line, asks only
//! once (a bad certificate is not retried), and no dependency log reaches the terminal
//! unless `SMOOTHPLAY_LOG` asks for it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::assets_dir;
use player_tests::support::test_ca::{TestCa, Validity};

/// Proxy variables a developer's shell may hold: the tests say what they want.
const PROXY_VARS: [&str; 8] = [
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

fn headless(args: &[&str], log: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_smoothplay-headless"));
    for v in PROXY_VARS {
        c.env_remove(v);
    }
    match log {
        Some(filter) => c.env("SMOOTHPLAY_LOG", filter),
        None => c.env_remove("SMOOTHPLAY_LOG"),
    };
    c.args(args).output().expect("smoothplay-headless runs")
}

struct Https {
    origin: Origin,
    ca_file: PathBuf,
    dir: PathBuf,
}

/// An HTTPS origin serving `assets/` with a certificate for `names`, and the CA file.
fn https(test: &str, names: &[&str], validity: Validity) -> Https {
    let dir = std::env::temp_dir().join(format!("sp-tls-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let ca = TestCa::new();
    let ca_file = dir.join("ca.pem");
    ca.write_pem(&ca_file);
    let config = OriginConfig {
        tls: Some(ca.server(names, validity)),
        ..OriginConfig::default()
    };
    let origin = Origin::start(assets_dir(), config).expect("https origin");
    Https {
        origin,
        ca_file,
        dir,
    }
}

impl Drop for Https {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Plays the clear protected-set presentation to the end; its events.
fn play(h: &Https, extra: &[&str]) -> (Output, Vec<serde_json::Value>) {
    let url = h.origin.url("protected/clear/Manifest");
    let mut args = vec!["play", &url, "--fast", "--quiet", "--events", "-"];
    args.extend_from_slice(extra);
    let out = headless(&args, None);
    let events = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    (out, events)
}

/// The one line a refused certificate leaves on stderr.
fn the_one_line(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = stderr(out);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one clear message, nothing else:\n{text}");
    assert!(lines[0].starts_with("smoothplay: "), "{text}");
    assert!(lines[0].contains("TLS certificate"), "{text}");
    eprintln!("the message: {}", lines[0]);
    for noise in ["rustls", "ERROR", "WARN", "\u{1b}["] {
        assert!(!text.contains(noise), "{noise:?} on the terminal:\n{text}");
    }
    lines[0].to_string()
}

#[test]
fn a_private_ca_given_with_ca_file_is_trusted_for_play_and_probe() {
    let h = https("trusted", &["127.0.0.1", "localhost"], Validity::Current);
    let (out, events) = play(&h, &["--ca-file", path(&h.ca_file)]);
    assert!(out.status.success(), "{out:?}");
    assert!(events.iter().any(|e| e["type"] == "ended"), "{events:?}");
    assert!(
        h.origin
            .log()
            .records()
            .iter()
            .any(|r| r.path.contains("Fragments(video=60000000)")),
        "the last video fragment came over HTTPS"
    );
    let url = h.origin.url("protected/clear/Manifest");
    let probe = headless(&["probe", &url, "--ca-file", path(&h.ca_file)], None);
    assert!(probe.status.success(), "{probe:?}");
    assert!(String::from_utf8_lossy(&probe.stdout).contains("video"));
}

#[test]
fn without_the_ca_the_certificate_is_refused_once_in_one_line() {
    let h = https("untrusted", &["127.0.0.1"], Validity::Current);
    let (out, _) = play(&h, &[]);
    let line = the_one_line(&out);
    assert!(line.contains("not signed by a trusted authority"), "{line}");
    assert!(
        line.contains("--ca-file"),
        "the message says what to do: {line}"
    );
    assert_eq!(
        h.origin.connections(),
        1,
        "a bad certificate is not retried"
    );
    assert!(
        h.origin.log().records().is_empty(),
        "no request got through"
    );
}

#[test]
fn an_expired_certificate_is_refused_once_in_one_line() {
    let h = https("expired", &["127.0.0.1"], Validity::Expired);
    let (out, _) = play(&h, &["--ca-file", path(&h.ca_file)]);
    let line = the_one_line(&out);
    assert!(line.contains("expired"), "{line}");
    assert_eq!(
        h.origin.connections(),
        1,
        "a bad certificate is not retried"
    );
}

#[test]
fn a_certificate_for_another_host_name_is_refused_once_in_one_line() {
    let h = https("wrong-name", &["media.example.test"], Validity::Current);
    let (out, _) = play(&h, &["--ca-file", path(&h.ca_file)]);
    let line = the_one_line(&out);
    assert!(line.contains("another host name"), "{line}");
    assert!(line.contains("127.0.0.1"), "{line}");
    assert_eq!(
        h.origin.connections(),
        1,
        "a bad certificate is not retried"
    );
}

#[test]
fn smoothplay_log_lets_the_tls_stack_speak() {
    let h = https("verbose", &["127.0.0.1"], Validity::Current);
    let url = h.origin.url("protected/clear/Manifest");
    let out = headless(&["probe", &url], Some("debug"));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = stderr(&out);
    assert!(
        text.contains("rustls"),
        "dependency logs with SMOOTHPLAY_LOG:\n{text}"
    );
}

#[test]
fn a_file_that_holds_no_certificate_is_named() {
    let h = https("bad-ca-file", &["127.0.0.1"], Validity::Current);
    let bogus = h.dir.join("bogus.pem");
    std::fs::write(&bogus, "not a certificate\n").expect("write");
    let (out, _) = play(&h, &["--ca-file", path(&bogus)]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = stderr(&out);
    assert!(
        text.contains("bogus.pem") && text.contains("no PEM certificate"),
        "{text}"
    );
    assert_eq!(
        h.origin.connections(),
        0,
        "nothing is fetched with an unusable CA file"
    );
}
