//! The ABR under a live latency target: with the delay bounding the buffer to a few seconds,
//! a drop from 3 to 0.5 Mbit/s is met by stepping down in time — no rebuffer at the default
//! delay, at most one at the lowest. Played at 2x on a faster test clock (origin and player),
//! against the IIS-like origin whose manifest lags the edge.

use std::time::Duration;

use player_core::player::{Config, Event, Player, Sinks, StreamKind, Summary};
use player_tests::abrsim::trace::{Trace, TraceFormat};
use player_tests::origin::{LiveConfig, Origin, OriginConfig};
use player_tests::support::{CaptureAudio, CaptureVideo, assets_dir};

const SPEED: f64 = 2.0;

static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn origin() -> Origin {
    // Wall-clock seconds and Mbit/s: at 2x, 6 Mbit/s is the 3 Mbit/s of real-time playback
    // and 1 Mbit/s is 0.5 Mbit/s. The drop comes 8 s (16 s of media) in.
    let trace =
        Trace::parse("drop", "0 6\n8 6\n8.01 1\n60 1\n", TraceFormat::Cooked).expect("trace");
    let live = LiveConfig {
        speed: SPEED,
        manifest_lags: true,
        preroll: Duration::from_secs(30),
        dvr_window: Some(Duration::from_secs(60)),
        ..LiveConfig::default()
    };
    let config = OriginConfig {
        live: Some(live),
        rate_trace: Some(trace),
        ..OriginConfig::default()
    };
    Origin::start(assets_dir(), config).expect("origin")
}

/// Plays 40 s of media behind `delay` (None: the default); returns the events and summary.
fn play(delay: Option<f64>) -> (Vec<Event>, Summary) {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let origin = origin();
    let sinks = Sinks {
        video: Box::new(CaptureVideo::default()),
        audio: Box::new(CaptureAudio::paced_at(SPEED)),
    };
    let config = Config {
        speed: SPEED,
        live_delay: delay.map(Duration::from_secs_f64),
        ..Config::default()
    };
    let player = Player::open(&origin.url("demo/Manifest"), config, sinks).expect("open");
    let mut seen = Vec::new();
    let mut played = 0.0;
    while played < 40.0 {
        let ev = player
            .events()
            .recv_timeout(Duration::from_secs(30))
            .expect("the player went silent");
        if matches!(ev, Event::Stats(_)) {
            played = player.summary().duration_played_s;
        }
        seen.push(ev);
    }
    let summary = player.summary();
    drop(player);
    (seen, summary)
}

/// The video levels switched to, in order.
fn levels(seen: &[Event]) -> Vec<usize> {
    seen.iter()
        .filter_map(|e| match e {
            Event::Quality {
                stream: StreamKind::Video,
                to,
                ..
            } => Some(*to),
            _ => None,
        })
        .collect()
}

/// What happened, for a failure message: state changes, switches, stalls and errors, with
/// the latency and buffer at each stats report.
fn story(seen: &[Event]) -> String {
    let mut out = String::new();
    for e in seen {
        let line = match e {
            Event::Stats(s) => format!(
                "stats pos {:.2} latency {:?} buffer {:.2}",
                s.position_s, s.latency_s, s.buffer_s
            ),
            Event::Caption { .. } => continue,
            other => format!("{other:?}"),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn assert_no_fatal_error(seen: &[Event]) {
    let fatal: Vec<&Event> = seen
        .iter()
        .filter(|e| matches!(e, Event::Error { fatal: true, .. }))
        .collect();
    assert!(fatal.is_empty(), "{fatal:#?}");
}

#[test]
fn a_bandwidth_drop_at_the_default_delay_steps_down_without_rebuffering() {
    let (seen, summary) = play(None);
    assert_no_fatal_error(&seen);
    let levels = levels(&seen);
    assert!(levels.iter().any(|l| *l >= 1), "climbed first: {levels:?}");
    assert_eq!(
        levels.last(),
        Some(&0),
        "ended at the level 0.5 Mbit/s sustains"
    );
    assert_eq!(summary.rebuffers, 0, "{levels:?}\n{}", story(&seen));
}

#[test]
fn a_bandwidth_drop_at_the_lowest_delay_rebuffers_at_most_once() {
    let (seen, summary) = play(Some(3.0));
    assert_no_fatal_error(&seen);
    let levels = levels(&seen);
    assert_eq!(levels.last(), Some(&0), "{levels:?}");
    assert!(
        summary.rebuffers <= 1,
        "{} rebuffers: {levels:?}\n{}",
        summary.rebuffers,
        story(&seen)
    );
}
