//! Without a display, `smoothplay` says so in one line and plays headless to the end.

mod support;

use std::process::Command;

use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::assets_dir;
use support::{Player, Scratch};

#[test]
fn no_display_plays_the_demo_headless_to_the_end() {
    let dir = Scratch::new("headless-fallback");
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let mut command = Command::new(env!("CARGO_BIN_EXE_smoothplay"));
    command.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY");
    let mut player = Player::start(command, &[&origin.url("/demo/Manifest")], &dir.0);
    let status = player.wait_exit();
    let stderr = player.stderr();
    assert_eq!(status.code(), Some(0), "stderr:\n{stderr}");
    let notes: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("playing headless"))
        .collect();
    assert_eq!(notes.len(), 1, "stderr:\n{stderr}");
    assert!(notes[0].contains("no display"), "{}", notes[0]);
    let events = player.events.all();
    let ended = events
        .iter()
        .find(|v| v["type"] == "ended")
        .expect("an ended event");
    assert!(
        ended["position_s"].as_f64().unwrap_or(0.0) >= 19.9,
        "{ended}"
    );
    let summary = events
        .iter()
        .find(|v| v["type"] == "summary")
        .expect("a summary");
    assert!(
        summary["frames_decoded"].as_u64().unwrap_or(0) >= 490,
        "{summary}"
    );
    assert!(
        !origin.log().records().is_empty(),
        "nothing was fetched from the origin"
    );
}
