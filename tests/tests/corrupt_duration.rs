//! Nothing waits forever on demand: a fragment whose tfxd claims a wrong duration (28.8 s
//! instead of 2 s) does not move where the presentation ends; playback ends at the
//! manifest's duration, the pictures shown in order to the last one.

use std::path::Path;

use player_core::isobmff::tfxd::TFXD_UUID;
use player_core::player::{Config, Event, Player, Sinks};
use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::{CaptureAudio, CaptureVideo, assets_dir, run_to_end};

const SPEED: f64 = 4.0;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Rewrites the duration in the tfxd box of the fragment file at `path`.
fn corrupt_tfxd_duration(path: &Path, duration: u64) {
    let mut bytes = std::fs::read(path).expect("fragment");
    let at = bytes
        .windows(16)
        .position(|w| w == TFXD_UUID)
        .expect("a tfxd box");
    let body = at + 16;
    let version = bytes[body];
    let field = body + 4;
    if version == 1 {
        bytes[field + 8..field + 16].copy_from_slice(&duration.to_be_bytes());
    } else {
        let d = u32::try_from(duration).expect("32-bit duration");
        bytes[field + 4..field + 8].copy_from_slice(&d.to_be_bytes());
    }
    std::fs::write(path, bytes).expect("write");
}

#[test]
fn a_corrupt_fragment_duration_does_not_keep_playback_from_ending() {
    let root = std::env::temp_dir().join(format!("sp-corrupt-{}", std::process::id()));
    let demo = root.join("demo");
    copy_dir(&assets_dir().join("demo"), &demo);
    for level in ["300000", "800000", "2500000"] {
        let f = demo.join(format!("QualityLevels({level})/Fragments(video=120000000)"));
        corrupt_tfxd_duration(&f, 288_000_000);
    }
    let origin = Origin::start(&root, OriginConfig::default()).expect("origin");
    let video = CaptureVideo::default();
    let sinks = Sinks {
        video: Box::new(video.clone()),
        audio: Box::new(CaptureAudio::paced_at(SPEED)),
    };
    let config = Config {
        speed: SPEED,
        // The lowest level: decoding at four times real time stays affordable.
        quality: Some(0),
        ..Config::default()
    };
    let player = Player::open(&origin.url("demo/Manifest"), config, sinks).expect("open");
    let seen = run_to_end(&player);
    drop(player);
    std::fs::remove_dir_all(&root).ok();
    let ended = seen.iter().find_map(|e| match e {
        Event::Ended { position_s } => Some(*position_s),
        _ => None,
    });
    let ended = ended.unwrap_or_else(|| panic!("no end: {seen:#?}"));
    assert!((19.0..=21.0).contains(&ended), "ended at {ended}");
    // Pictures in order, none twice, through the corrupt fragment to the last one (a loaded
    // machine may drop some at four times real time).
    let pts: Vec<u64> = video.frames().iter().map(|f| f.pts).collect();
    assert!(pts.windows(2).all(|w| w[0] < w[1]), "pictures out of order");
    assert!(pts.len() >= 250, "{} pictures shown", pts.len());
    assert!(
        pts.last().is_some_and(|&p| p >= 195_000_000),
        "the last picture was shown"
    );
}
