//! A manifest whose ProtectionHeader is not base64 (`protection_not_base64.ismc`, over the
//! clear fragments of `assets/protected/clear`): `probe` lists the protection with its system
//! and no KIDs and names the defect; `play` warns (a non-fatal error event naming it) and
//! plays the clear streams to the end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::assets_dir;

/// A presentation directory: the fixture as its Manifest, the clear fragments linked in.
struct Presentation(PathBuf);

impl Presentation {
    fn new(test: &str) -> Presentation {
        let root =
            std::env::temp_dir().join(format!("sp-protection-{test}-{}", std::process::id()));
        let dir = root.join("broken");
        std::fs::create_dir_all(&dir).expect("tmp");
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../player-core/tests/fixtures/manifests/protection_not_base64.ismc");
        std::fs::copy(&fixture, dir.join("Manifest")).expect("copy the fixture");
        let clear = assets_dir().join("protected/clear");
        for level in ["QualityLevels(128000)", "QualityLevels(300000)"] {
            let link = dir.join(level);
            if !link.exists() {
                std::os::unix::fs::symlink(clear.join(level), &link).expect("link fragments");
            }
        }
        Presentation(root)
    }
}

impl Drop for Presentation {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

fn headless(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smoothplay-headless"))
        .env_remove("SMOOTHPLAY_LOG")
        .args(args)
        .output()
        .expect("smoothplay-headless runs")
}

#[test]
fn probe_lists_the_protection_without_kids_and_names_the_defect() {
    let p = Presentation::new("probe");
    let origin = Origin::start(&p.0, OriginConfig::default()).expect("origin");
    let url = origin.url("broken/Manifest");
    let out = headless(&["probe", &url, "--json"]);
    assert!(out.status.success(), "{out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let prot = &report["protection"][0];
    assert_eq!(prot["system"], "PlayReady");
    assert_eq!(prot["system_id"], "9a04f079-9840-4286-ab92-e65be0885f95");
    assert_eq!(prot["kids"], serde_json::json!([]));
    let defect = prot["header_error"].as_str().expect("the defect");
    assert!(defect.contains("not base64"), "{defect}");
    assert_eq!(report["streams"].as_array().map(Vec::len), Some(2));
    let text = headless(&["probe", &url]);
    assert!(text.status.success(), "{text:?}");
    let shown = String::from_utf8_lossy(&text.stdout);
    assert!(
        shown.contains("PlayReady 9a04f079-9840-4286-ab92-e65be0885f95"),
        "{shown}"
    );
    assert!(
        shown.contains("warning: ProtectionHeader (line 19) is not base64"),
        "{shown}"
    );
    assert!(out.stderr.is_empty() && text.stderr.is_empty(), "{out:?}");
}

#[test]
fn play_warns_and_plays_the_clear_streams_to_the_end() {
    let p = Presentation::new("play");
    let origin = Origin::start(&p.0, OriginConfig::default()).expect("origin");
    let url = origin.url("broken/Manifest");
    let out = headless(&["play", &url, "--fast", "--quiet", "--events", "-"]);
    assert!(out.status.success(), "{out:?}");
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let warning = events
        .iter()
        .find(|e| e["type"] == "error")
        .expect("a warning event");
    assert_eq!(warning["fatal"], false, "{warning}");
    assert_eq!(warning["kind"], "manifest", "{warning}");
    let message = warning["message"].as_str().unwrap_or("");
    assert!(
        message.contains("not base64") && message.contains("clear streams"),
        "{message}"
    );
    let ended = events.iter().find(|e| e["type"] == "ended").expect("ended");
    assert!(
        ended["position_s"].as_f64().unwrap_or(0.0) >= 7.9,
        "{ended}"
    );
    let summary = events
        .iter()
        .find(|e| e["type"] == "summary")
        .expect("summary");
    assert!(
        summary["frames_decoded"].as_u64().unwrap_or(0) >= 190,
        "{summary}"
    );
}
