//! The ABR in the real pipeline: a bandwidth drop from a trace-shaped origin, and a decoder
//! too slow for the top level. Played at 2x on a faster test clock (origin and player).

use std::time::Duration;

use player_core::player::{Config, Event, Player, SlowDecode, StreamKind};
use player_tests::abrsim::trace::{Trace, TraceFormat};
use player_tests::origin::{LiveConfig, Origin, OriginConfig};
use player_tests::support::{CaptureAudio, CaptureVideo, assets_dir, run_to_end};

const SPEED: f64 = 2.0;

/// Both tests decode video against the clock: one at a time, so they do not starve each
/// other of CPU on a two-core machine (the CPU test would measure the other test).
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A 70 s on-demand presentation (the demo looped; an ended live event) behind an origin
/// whose link follows `trace` (wall-clock seconds and Mbit/s).
fn origin(trace: Option<&str>) -> Origin {
    let live = LiveConfig {
        preroll: Duration::from_secs(70),
        end_at: Some(Duration::from_secs(70)),
        ..LiveConfig::default()
    };
    Origin::start(
        assets_dir(),
        OriginConfig {
            live: Some(live),
            rate_trace: trace.map(|t| Trace::parse("test", t, TraceFormat::Cooked).expect("trace")),
            ..OriginConfig::default()
        },
    )
    .expect("origin")
}

fn play(
    origin: &Origin,
    config: Config,
) -> (Vec<Event>, CaptureVideo, player_core::player::Summary) {
    let video = CaptureVideo::default();
    let sinks = player_core::player::Sinks {
        video: Box::new(video.clone()),
        audio: Box::new(CaptureAudio::paced_at(SPEED)),
    };
    let config = Config {
        speed: SPEED,
        ..config
    };
    let player = Player::open(&origin.url("demo/Manifest"), config, sinks).expect("open");
    assert!(!player.is_live(), "an ended event plays on demand");
    let seen = run_to_end(&player);
    let summary = player.summary();
    drop(player);
    (seen, video, summary)
}

/// (wall_index_in_events, from, to, reason) of the video quality changes.
fn switches(seen: &[Event]) -> Vec<(usize, usize, String)> {
    seen.iter()
        .filter_map(|e| match e {
            Event::Quality {
                stream: StreamKind::Video,
                from: Some(from),
                to,
                reason,
                ..
            } => Some((*from, *to, reason.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_bandwidth_drop_is_met_by_switching_down_before_the_buffer_runs_dry_and_back_up() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    // At 2x, 8 Mbit/s is the 4 Mbit/s of real-time playback and 1 Mbit/s is 0.5 Mbit/s:
    // 16 s of media at 4, 20 s at 0.5, then 4 again.
    let origin = origin(Some("0 8\n8 8\n18 1\n60 8\n"));
    let (seen, _, summary) = play(&origin, Config::default());
    assert!(
        !seen
            .iter()
            .any(|e| matches!(e, Event::Error { fatal: true, .. })),
        "{seen:#?}"
    );
    assert_eq!(summary.rebuffers, 0, "switched down in time: {seen:#?}");
    let sw = switches(&seen);
    let down = sw
        .iter()
        .position(|(from, to, reason)| to < from && (reason == "bandwidth" || reason == "buffer"))
        .unwrap_or_else(|| panic!("no switch down for bandwidth: {sw:?}"));
    assert!(
        sw[down + 1..].iter().any(|(from, to, _)| to > from),
        "no switch back up after the recovery: {sw:?}"
    );
}

#[test]
fn a_decoder_too_slow_for_the_top_level_settles_below_it() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let origin = origin(None);
    let slow = SlowDecode {
        min_height: 720,
        // 720p pictures take 30 ms more: at 2x a picture is due every 20 ms.
        per_frame: Duration::from_millis(30),
    };
    let config = Config {
        slow_decode: Some(slow),
        ..Config::default()
    };
    let (seen, video, summary) = play(&origin, config);
    assert_eq!(summary.rebuffers, 0);
    let sw = switches(&seen);
    assert!(
        sw.iter()
            .any(|(from, to, reason)| *from == 2 && *to < 2 && reason == "cpu"),
        "no switch down for the CPU: {sw:?}"
    );
    // Settled: the last 20 s of media at 360p with almost nothing dropped.
    let frames = video.frames();
    let tail: Vec<_> = frames.iter().rev().take(500).collect();
    let hd = tail.iter().filter(|f| f.height == 720).count();
    assert!(
        hd <= 100,
        "at most one probe upward in the last 20 s: {hd} 720p frames"
    );
    let heights: Vec<u32> = tail.iter().map(|f| f.height).collect();
    let n360 = heights.iter().filter(|h| **h == 360).count();
    assert!(
        n360 >= 350,
        "{n360} 360p frames in the last 500; switches {sw:?}; {} 180p",
        heights.iter().filter(|h| **h == 180).count()
    );
    let probes = sw
        .iter()
        .filter(|(from, to, _)| *to == 2 && *from < 2)
        .count();
    assert!(probes <= 3, "probes upward at most every 30 s: {sw:?}");
    // Steady state: of the pictures due in the last 20 s of media, how many were shown.
    let last = frames.last().map_or(0, |f| f.pts);
    let window = 200_000_000u64;
    let shown = frames.iter().filter(|f| f.pts + window > last).count();
    let shown_share = shown as f64 / 500.0;
    assert!(
        shown_share >= 0.97,
        "only {shown} of 500 pictures shown in the last 20 s"
    );
}

/// When the decoder falls behind, the pictures buffered at the level it cannot keep up
/// with are worth nothing: they are refetched at the level it keeps up with, so few frames
/// are dropped over the whole run and the switch comes early.
#[test]
fn a_decoder_falling_behind_has_the_buffered_pictures_replaced_and_drops_little() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let origin = origin(None);
    let slow = SlowDecode {
        min_height: 720,
        per_frame: Duration::from_millis(30),
    };
    let config = Config {
        slow_decode: Some(slow),
        // Decode with one thread: the slowness is the point.
        decode_threads: Some(1),
        ..Config::default()
    };
    let (seen, _, summary) = play(&origin, config);
    let first_cpu = seen.iter().find_map(|e| match e {
        Event::Quality { reason, .. } if reason == "cpu" => Some(()),
        _ => None,
    });
    assert!(first_cpu.is_some(), "no switch for the CPU");
    // Media position of the first CPU switch: the stats just before it.
    let mut position = 0.0;
    for e in &seen {
        match e {
            Event::Stats(s) => position = s.position_s,
            Event::Quality { reason, .. } if reason == "cpu" => break,
            _ => {}
        }
    }
    let all = summary.frames_decoded + summary.frames_dropped;
    let dropped = summary.frames_dropped as f64 / all.max(1) as f64;
    eprintln!(
        "first CPU switch at {position:.1} s of media; {} of {all} frames dropped",
        summary.frames_dropped
    );
    assert!(position <= 4.0, "first CPU switch at {position} s of media");
    assert!(
        dropped <= 0.10,
        "{} of {all} frames dropped; switches {:?}",
        summary.frames_dropped,
        switches(&seen)
    );
}

/// Copies the demo without its audio streams: the clock then runs free, driven by nothing
/// but time, as it does for video-only presentations.
fn video_only_demo(root: &std::path::Path) {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                copy(&path, &to.join(entry.file_name()));
            } else {
                std::fs::copy(&path, to.join(entry.file_name())).expect("copy");
            }
        }
    }
    let demo = root.join("demo");
    copy(&assets_dir().join("demo"), &demo);
    let manifest = std::fs::read_to_string(demo.join("Manifest")).expect("manifest");
    let mut kept = String::new();
    let mut skipping = false;
    for line in manifest.lines() {
        skipping |= line.contains("<StreamIndex") && !line.contains("Type=\"video\"");
        if !skipping {
            kept.push_str(line);
            kept.push('\n');
        }
        skipping &= !line.contains("</StreamIndex>");
    }
    assert!(!kept.contains("Type=\"audio\""), "{kept}");
    std::fs::write(demo.join("Manifest"), kept).expect("write manifest");
}

#[test]
fn a_late_decoder_without_audio_skips_pictures_but_never_the_clock() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let root = std::env::temp_dir().join(format!("sp-video-only-{}", std::process::id()));
    video_only_demo(&root);
    let origin = Origin::start(&root, OriginConfig::default()).expect("origin");
    // Too slow for 720p at this speed (30 ms a picture, 20 ms allowed): groups of pictures
    // are skipped to catch up until the level is replaced. The gaps they leave are the
    // decoder's, not the stream's: a clock that jumped over them made the next pictures
    // late too, and skipped seconds of the presentation in a cascade.
    let config = Config {
        slow_decode: Some(SlowDecode {
            min_height: 720,
            per_frame: Duration::from_millis(30),
        }),
        decode_threads: Some(1),
        speed: SPEED,
        quality: Some(2),
        ..Config::default()
    };
    let video = CaptureVideo::default();
    let sinks = player_core::player::Sinks {
        video: Box::new(video.clone()),
        audio: Box::new(CaptureAudio::paced_at(SPEED)),
    };
    let player = Player::open(&origin.url("demo/Manifest"), config, sinks).expect("open");
    let started = std::time::Instant::now();
    let seen = run_to_end(&player);
    let took = started.elapsed().as_secs_f64();
    let summary = player.summary();
    drop(player);
    let shown = video.frames().len() as u64;
    eprintln!(
        "{took:.1} s to play 20 s at {SPEED}x: shown {shown}, dropped {}; switches {:?}",
        summary.frames_dropped,
        switches(&seen)
    );
    // A clock that never jumps takes the presentation's time to play it (the cascade took
    // 3 s for 10 s and showed 20 pictures).
    assert!(took >= 20.0 / SPEED * 0.95, "played 20 s in {took:.1} s");
    // Every picture is shown or counted as dropped.
    assert!(shown + summary.frames_dropped >= 495);
    assert!(shown >= 50, "{shown} pictures shown");
    let _ = std::fs::remove_dir_all(&root);
}
