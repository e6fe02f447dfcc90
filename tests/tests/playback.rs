//! End-to-end on-demand playback through the real pipeline: loopback HTTP origin, fragment
//! parser, openh264 and symphonia decoders, clock and presenters, with capturing sinks.

use std::time::Duration;

use player_core::player::{Config, Event, Player, Sinks};
use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::{
    CaptureAudio, CaptureVideo, CapturedFrame, Reference, assets_dir, prereq, run_to_end, tone_hz,
};

fn fatal_errors(events: &[Event]) -> Vec<&Event> {
    events
        .iter()
        .filter(|e| matches!(e, Event::Error { fatal: true, .. }))
        .collect()
}

fn fast() -> Config {
    Config {
        fast: true,
        ..Config::default()
    }
}

fn play(input: &str, config: Config) -> (Vec<Event>, Vec<CapturedFrame>, CaptureAudio) {
    let video = CaptureVideo::default();
    let audio = CaptureAudio::new(!config.fast);
    let sinks = Sinks {
        video: Box::new(video.clone()),
        audio: Box::new(audio.clone()),
    };
    let player = Player::open(input, config, sinks).expect("open");
    let events = run_to_end(&player);
    drop(player);
    (events, video.frames(), audio)
}

/// Every frame must be the reference picture of its level at its time, in order, with none missing.
fn assert_frames_match_reference(frames: &[CapturedFrame], reference: &Reference, first_pts: u64) {
    let count = reference.video[0].frame_count;
    assert_eq!(frames.len(), count, "frame count");
    for (i, f) in frames.iter().enumerate() {
        let expected_pts = first_pts + i as u64 * reference.frame_duration;
        assert_eq!(f.pts, expected_pts, "frame {i}: presentation time");
        assert_eq!(f.index, i as u64, "frame {i}: index drawn in the picture");
        let level = reference
            .level_by_size(f.width, f.height)
            .unwrap_or_else(|| panic!("frame {i}: unexpected size {}x{}", f.width, f.height));
        let r = level.frame_at(f.pts).expect("reference frame at this pts");
        assert_eq!(
            f.md5, r.md5,
            "frame {i} ({}x{}) differs from ffmpeg's decode",
            f.width, f.height
        );
    }
}

#[test]
fn demo_over_http_plays_every_frame_bit_exact_with_the_right_tone() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let reference = Reference::load(&assets_dir().join("demo")).expect("reference");
    let (events, frames, audio) = play(&origin.url("demo/Manifest"), fast());
    assert!(fatal_errors(&events).is_empty(), "{events:?}");
    assert_frames_match_reference(&frames, &reference, 0);
    let a = audio.captured();
    let eng = &reference.audio[0];
    assert_eq!((a.rate, a.channels), (eng.sample_rate, eng.channels));
    let frames_out = (a.samples.len() / usize::from(a.channels)) as u64;
    assert_eq!(
        frames_out, eng.total_samples,
        "every decoded audio sample is played once"
    );
    let hz = tone_hz(&a.samples, usize::from(a.channels), a.rate, 2048);
    assert!(
        (hz - eng.tone_hz).abs() < 1.0,
        "tone {hz} Hz, expected {}",
        eng.tone_hz
    );
    // The ABR started low and climbed: the quality events say so, with reasons.
    let reasons: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Quality { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .collect();
    assert!(reasons.iter().any(|r| r == "startup"), "{reasons:?}");
}

#[test]
fn second_audio_language_plays_its_own_tone() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let reference = Reference::load(&assets_dir().join("demo")).expect("reference");
    let config = Config {
        audio: Some("fra".into()),
        quality: Some(0),
        ..fast()
    };
    let (events, _, audio) = play(&origin.url("demo/Manifest"), config);
    assert!(fatal_errors(&events).is_empty(), "{events:?}");
    let a = audio.captured();
    let fra = reference
        .audio
        .iter()
        .find(|r| r.language == "fra")
        .expect("fra reference");
    let hz = tone_hz(&a.samples, usize::from(a.channels), a.rate, 2048);
    assert!(
        (hz - fra.tone_hz).abs() < 1.0,
        "tone {hz} Hz, expected {}",
        fra.tone_hz
    );
}

#[test]
fn b_frames_come_out_in_presentation_order_with_their_times() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let reference = Reference::load(&assets_dir().join("bframes")).expect("reference");
    for level in 0..reference.video.len() {
        let config = Config {
            quality: Some(level),
            ..fast()
        };
        let (events, frames, _) = play(&origin.url("bframes/Manifest"), config);
        assert!(fatal_errors(&events).is_empty(), "{events:?}");
        let r = &reference.video[level];
        assert_eq!(frames.len(), r.frame_count, "level {level}: frame count");
        for (i, (f, rf)) in frames.iter().zip(&r.frames).enumerate() {
            assert_eq!(f.pts, rf.pts, "level {level} frame {i}: pts");
            assert_eq!(
                f.index, rf.index,
                "level {level} frame {i}: picture content"
            );
            assert_eq!((f.width, f.height), (r.width, r.height));
        }
    }
}

#[test]
fn forced_quality_switch_mid_stream_decodes_cleanly_at_the_new_size() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let reference = Reference::load(&assets_dir().join("demo")).expect("reference");
    let video = CaptureVideo::default();
    let config = Config {
        quality: Some(0),
        // A short forward buffer, so the switch lands mid-stream rather than after the end.
        buffer_ahead: Duration::from_secs(2),
        ..fast()
    };
    let sinks = Sinks {
        video: Box::new(video.clone()),
        audio: Box::new(CaptureAudio::new(false)),
    };
    let player = Player::open(&origin.url("demo/Manifest"), config, sinks).expect("open");
    while video.frames().len() < 60 {
        std::thread::sleep(Duration::from_millis(2));
    }
    player.set_quality(Some(2));
    let events = run_to_end(&player);
    drop(player);
    assert!(fatal_errors(&events).is_empty(), "{events:?}");
    let frames = video.frames();
    assert_frames_match_reference(&frames, &reference, 0);
    let first_hd = frames
        .iter()
        .position(|f| f.width == 1280)
        .expect("the switch reached the screen");
    assert!(
        (60..450).contains(&first_hd),
        "switched at frame {first_hd}"
    );
    assert!(
        frames[first_hd..]
            .iter()
            .all(|f| f.width == 1280 && f.height == 720),
        "every frame after the switch has the new size"
    );
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Quality { to: 2, reason, .. } if reason == "manual"
    )));
}

#[test]
fn local_directory_playback_gives_the_same_frames_as_http() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let config = || Config {
        quality: Some(1),
        ..fast()
    };
    let (_, http, _) = play(&origin.url("demo/Manifest"), config());
    let dir = assets_dir().join("demo");
    let (events, local, _) = play(dir.to_str().expect("utf-8 path"), config());
    assert!(fatal_errors(&events).is_empty(), "{events:?}");
    assert_eq!(http.len(), 500);
    assert_eq!(http, local);
}

#[test]
fn seek_starts_at_the_keyframe_at_or_before_the_target() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let config = Config {
        quality: Some(0),
        start: Some(Duration::from_millis(9_300)),
        ..fast()
    };
    let (events, frames, _) = play(&origin.url("demo/Manifest"), config);
    assert!(fatal_errors(&events).is_empty(), "{events:?}");
    let first = frames.first().expect("frames");
    // Fragments are 2 s and each starts with an IDR: 9.3 s snaps back to 8 s.
    assert_eq!(first.pts, 80_000_000);
    assert_eq!(first.index, 200);
    assert_eq!(frames.len(), 300);
}

#[test]
fn corpus_superspeedway_iis_presentation_plays() {
    let test = "corpus_superspeedway_iis_presentation_plays";
    let Some(clip) = prereq::corpus(test, "shaka/mss-clear") else {
        return;
    };
    let origin = Origin::start(&clip, OriginConfig::default()).expect("origin");
    let (events, frames, audio) = play(&origin.url("Manifest"), fast());
    assert!(fatal_errors(&events).is_empty(), "{events:?}");
    assert_eq!(frames.len(), 192, "4 fragments of 2.002 s at 23.976 fps");
    assert!(frames.iter().all(|f| (f.width, f.height) == (224, 128)));
    assert!(
        frames.windows(2).all(|w| w[1].pts > w[0].pts),
        "presentation order"
    );
    let a = audio.captured();
    assert_eq!((a.rate, a.channels), (44_100, 2));
    let seconds = a.samples.len() as f64 / 2.0 / 44_100.0;
    assert!((seconds - 8.0).abs() < 0.1, "{seconds} s of audio");
    assert!(
        a.samples.iter().any(|s| s.abs() > 0.01),
        "audio is not silent"
    );
}

#[test]
fn missing_manifest_and_unsupported_codecs_are_typed_errors() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let err = Player::open(&origin.url("nothing/Manifest"), fast(), Sinks::null(true))
        .err()
        .expect("404");
    assert!(
        matches!(
            &err,
            player_core::Error::Net(player_core::net::NetError::Status { status: 404, .. })
        ),
        "{err:?}"
    );
    // VC-1 video only: nothing openh264 + symphonia can decode.
    let test = "missing_manifest_and_unsupported_codecs_are_typed_errors (VC-1 part)";
    if let Some(path) = prereq::corpus(test, "androidx-media/sample_ismc_1") {
        let pure = Config {
            decoder: player_core::decode::Backend::OpenH264,
            ..fast()
        };
        let err = Player::open(path.to_str().expect("utf-8"), pure, Sinks::null(true))
            .err()
            .expect("unsupported");
        assert_eq!(err.kind(), "unsupported", "{err}");
    }
}

#[test]
fn a_local_single_file_ismv_plays_with_b_frames_in_order() {
    let file =
        player_tests::support::repo_root().join("player-core/tests/fixtures/bframes_64x64.ismv");
    let (events, frames, audio) = play(file.to_str().expect("utf-8"), fast());
    assert!(fatal_errors(&events).is_empty(), "{events:?}");
    assert_eq!(frames.len(), 10);
    assert!(
        frames.windows(2).all(|w| w[1].pts > w[0].pts),
        "presentation order"
    );
    // Each picture is flat with luma 16 + 15 × its frame number.
    for (n, f) in frames.iter().enumerate() {
        assert_eq!((f.width, f.height), (64, 64));
        let want = 16 + 15 * n as i32;
        assert!(
            (i32::from(f.center_luma) - want).abs() <= 3,
            "frame {n}: luma {}",
            f.center_luma
        );
    }
    let a = audio.captured();
    let hz = tone_hz(&a.samples, usize::from(a.channels), a.rate, 2048);
    assert!((hz - 440.0).abs() < 2.0, "tone {hz} Hz");
}
