//! Live latency end to end, measured against the origin's true edge (what its simulated
//! encoder has produced): at the start, in steady state, after go-live, at the lowest delay;
//! against an origin whose manifest lists every fragment and one that lags the edge by its
//! look-ahead as IIS does. Played at 4x on a faster test clock (origin and player).

use std::time::Duration;

use player_core::player::{Command, Config, Event, Player, Sinks, State};
use player_tests::origin::{LiveConfig, Origin, OriginConfig};
use player_tests::support::{CaptureAudio, CaptureVideo, LiveWatch, assets_dir, p95};

const SPEED: f64 = 4.0;
const FRAGMENT: f64 = 2.0;
/// The default delay: three fragments.
const DELAY: f64 = 3.0 * FRAGMENT;

static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn origin(iis: bool) -> Origin {
    let live = LiveConfig {
        speed: SPEED,
        manifest_lags: iis,
        preroll: Duration::from_secs(30),
        dvr_window: Some(Duration::from_secs(60)),
        time_base: 17_000_000_000_000_000,
        ..LiveConfig::default()
    };
    let config = OriginConfig {
        live: Some(live),
        ..OriginConfig::default()
    };
    Origin::start(assets_dir(), config).expect("origin")
}

fn open(origin: &Origin, delay: Option<f64>) -> Player {
    let sinks = Sinks {
        video: Box::new(CaptureVideo::default()),
        audio: Box::new(CaptureAudio::paced_at(SPEED)),
    };
    let config = Config {
        speed: SPEED,
        live_delay: delay.map(Duration::from_secs_f64),
        max_bitrate: Some(800_000),
        ..Config::default()
    };
    Player::open(&origin.url("demo/Manifest"), config, sinks).expect("open")
}

fn start_steady_state_and_go_live(iis: bool) {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let o = origin(iis);
    let p = open(&o, None);
    let mut w = LiveWatch::default();
    let at_start = w.until_state(&o, &p, State::Playing);
    assert!(
        at_start <= DELAY + 1.0,
        "started {at_start:.2} s behind the edge"
    );
    w.play_for(&o, &p, 8.0);
    let settled = w.latency.len();
    w.play_for(&o, &p, 24.0);
    let steady: Vec<f64> = w.latency[settled..].iter().map(|l| l.0).collect();
    assert!(
        p95(&steady) <= DELAY + 1.0,
        "steady p95 {:.2}: {steady:?}",
        p95(&steady)
    );
    for (truth, reported) in &w.latency[settled..] {
        assert!(
            (truth - reported).abs() <= 1.0,
            "true {truth:.2} reported {reported:.2}"
        );
    }
    // Back into the window for a while, then live again.
    p.send(Command::SeekBy(-12.0));
    w.until_state(&o, &p, State::Playing);
    w.play_for(&o, &p, 6.0);
    p.go_live();
    w.until(&o, &p, |e, _| matches!(e, Event::Seek { .. }));
    let after = w.until_state(&o, &p, State::Playing);
    assert!(
        after <= DELAY + 1.0,
        "go-live landed {after:.2} s behind the edge"
    );
    assert!(
        after >= DELAY - 1.0,
        "go-live landed too close: {after:.2} s"
    );
    assert_eq!(p.summary().rebuffers, 0, "{:#?}", w.seen);
    assert!(w.fatal_errors().is_empty(), "{:#?}", w.fatal_errors());
}

fn the_lowest_delay_holds_without_rebuffering(iis: bool) {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let o = origin(iis);
    // A fragment and a half.
    let delay = 1.5 * FRAGMENT;
    let p = open(&o, Some(delay));
    let mut w = LiveWatch::default();
    let at_start = w.until_state(&o, &p, State::Playing);
    assert!(
        at_start <= delay + 1.0,
        "started {at_start:.2} s behind the edge"
    );
    w.play_for(&o, &p, 30.0);
    let truth: Vec<f64> = w.latency.iter().map(|l| l.0).collect();
    assert!(
        p95(&truth) <= delay + 1.0,
        "p95 {:.2}: {truth:?}",
        p95(&truth)
    );
    assert_eq!(p.summary().rebuffers, 0, "{:#?}", w.seen);
    assert!(w.fatal_errors().is_empty(), "{:#?}", w.fatal_errors());
}

mod eager_manifest {
    #[test]
    fn start_steady_state_and_go_live() {
        super::start_steady_state_and_go_live(false);
    }

    #[test]
    fn the_lowest_delay_holds_without_rebuffering() {
        super::the_lowest_delay_holds_without_rebuffering(false);
    }
}

mod iis_manifest {
    #[test]
    fn start_steady_state_and_go_live() {
        super::start_steady_state_and_go_live(true);
    }

    #[test]
    fn the_lowest_delay_holds_without_rebuffering() {
        super::the_lowest_delay_holds_without_rebuffering(true);
    }
}
