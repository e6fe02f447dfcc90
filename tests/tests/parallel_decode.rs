//! Fragment-parallel video decoding through the real pipeline: openh264 decoders on several
//! worker threads, each decoding whole fragments, their pictures merged in order. Every
//! frame must reach the screen once, in order, bit-exact, across quality switches and
//! seeks, also when a small memory budget keeps the workers from decoding far ahead.

use std::time::Duration;

use player_core::decode::Backend;
use player_core::player::{Config, Event, Player, Sinks};
use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::{
    CaptureAudio, CaptureVideo, CapturedFrame, Reference, assets_dir, run_to_end,
};

/// openh264 on three workers (more than this machine's cores: the merge, not the core
/// count, keeps the order).
fn parallel() -> Config {
    Config {
        fast: true,
        decoder: Backend::OpenH264,
        decode_threads: Some(3),
        ..Config::default()
    }
}

fn open(origin: &Origin, config: Config) -> (Player, CaptureVideo) {
    let video = CaptureVideo::default();
    let sinks = Sinks {
        video: Box::new(video.clone()),
        audio: Box::new(CaptureAudio::new(false)),
    };
    let player = Player::open(&origin.url("demo/Manifest"), config, sinks).expect("open");
    (player, video)
}

fn no_errors(events: &[Event]) {
    let errors: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, Event::Error { .. }))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

/// Each frame is the reference picture of its level at its time.
fn assert_bit_exact(frames: &[CapturedFrame], reference: &Reference) {
    for f in frames {
        let level = reference
            .level_by_size(f.width, f.height)
            .unwrap_or_else(|| panic!("unexpected size {}x{}", f.width, f.height));
        let r = level.frame_at(f.pts).expect("reference frame at this pts");
        assert_eq!(f.md5, r.md5, "frame {} ({}x{})", f.index, f.width, f.height);
        assert_eq!(
            f.pts,
            f.index * reference.frame_duration,
            "frame {}",
            f.index
        );
    }
}

/// The runs of consecutive frame numbers the screen showed, as (first, last).
fn runs(frames: &[CapturedFrame]) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::new();
    for f in frames {
        match out.last_mut() {
            Some((_, last)) if f.index == *last + 1 => *last = f.index,
            _ => out.push((f.index, f.index)),
        }
    }
    out
}

fn wait_for(video: &CaptureVideo, frames: usize) {
    for _ in 0..30_000 {
        if video.frames().len() >= frames {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("fewer than {frames} frames shown");
}

#[test]
fn every_frame_once_in_order_across_quality_switches_in_a_small_budget() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let reference = Reference::load(&assets_dir().join("demo")).expect("reference");
    let config = Config {
        quality: Some(0),
        buffer_ahead: Duration::from_secs(2),
        // Room for about four 720p pictures besides the compressed media.
        buffer_bytes: 8 << 20,
        ..parallel()
    };
    let (player, video) = open(&origin, config);
    wait_for(&video, 60);
    player.set_quality(Some(2));
    wait_for(&video, 260);
    player.set_quality(Some(1));
    let events = run_to_end(&player);
    drop(player);
    no_errors(&events);
    let frames = video.frames();
    assert_eq!(runs(&frames), vec![(0, 499)], "every frame once, in order");
    assert_bit_exact(&frames, &reference);
    let sizes: Vec<u32> = frames.iter().map(|f| f.width).collect();
    assert!(sizes.contains(&320) && sizes.contains(&1280) && sizes.contains(&640));
}

#[test]
fn every_frame_once_in_order_across_seeks() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let reference = Reference::load(&assets_dir().join("demo")).expect("reference");
    let config = Config {
        quality: Some(1),
        ..parallel()
    };
    let (player, video) = open(&origin, config);
    wait_for(&video, 40);
    player.seek(Duration::from_millis(12_500));
    // After the forward seek has landed (a jump to frame 300) and 30 frames more, jump back.
    for _ in 0..30_000 {
        let frames = video.frames();
        let jump = frames
            .windows(2)
            .position(|w| w[1].index == 300 && w[0].index != 299);
        if jump.is_some_and(|j| frames.len() > j + 31) {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    player.seek(Duration::from_secs(4));
    let events = run_to_end(&player);
    drop(player);
    no_errors(&events);
    let frames = video.frames();
    let r = runs(&frames);
    // Three runs: from the start until the seek, from 12 s (the keyframe before 12.5 s),
    // from 4 s to the end.
    assert_eq!(r.len(), 3, "{r:?}");
    assert_eq!(r[0].0, 0, "{r:?}");
    assert!(r[0].1 >= 39, "{r:?}");
    assert_eq!(r[1].0, 300, "{r:?}");
    assert!(r[1].1 >= 330, "{r:?}");
    assert_eq!(r[2], (100, 499), "{r:?}");
    assert_bit_exact(&frames, &reference);
}
