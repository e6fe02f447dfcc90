//! Live latency end to end, measured against the origin's true edge (what its simulated
//! encoder has produced): at the start, in steady state, after go-live, at the lowest delay;
//! against an origin whose manifest lists every fragment and one that lags the edge by its
//! look-ahead as IIS does. Played at 4x on a faster test clock (origin and player).

use std::time::{Duration, Instant};

use player_core::player::{Command, Config, Event, Player, Sinks, State};
use player_tests::origin::{LiveConfig, Origin, OriginConfig};
use player_tests::support::{CaptureAudio, CaptureVideo, assets_dir};

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

/// How far behind the origin's true edge playback is now, seconds.
fn true_latency(origin: &Origin, player: &Player) -> f64 {
    let edge = origin.live_edge().expect("live").as_secs_f64();
    edge - (player.origin() + player.position()).as_secs_f64()
}

/// What a run saw: the events, and (true, reported) latency at every stats event.
#[derive(Default)]
struct Watch {
    seen: Vec<Event>,
    latency: Vec<(f64, f64)>,
}

impl Watch {
    /// Reads events until `done` (90 s of wall time at most: a hang fails the test).
    fn until(&mut self, o: &Origin, p: &Player, mut done: impl FnMut(&Event, &Player) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            let Ok(ev) = p.events().recv_timeout(Duration::from_millis(100)) else {
                continue;
            };
            if let Event::Stats(s) = &ev {
                let reported = s.latency_s.unwrap_or(f64::NAN);
                self.latency.push((true_latency(o, p), reported));
            }
            let stop = done(&ev, p);
            self.seen.push(ev);
            if stop {
                return;
            }
        }
        panic!(
            "timed out; last events: {:#?}",
            &self.seen[self.seen.len().saturating_sub(10)..]
        );
    }

    /// Reads until the state is `state`; returns the true latency then.
    fn until_state(&mut self, o: &Origin, p: &Player, state: State) -> f64 {
        self.until(
            o,
            p,
            |e, _| matches!(e, Event::State { state: s, .. } if *s == state),
        );
        true_latency(o, p)
    }

    /// Plays `media_s` seconds more.
    fn play_for(&mut self, o: &Origin, p: &Player, media_s: f64) {
        let end = p.position().as_secs_f64() + media_s;
        self.until(o, p, |e, p| {
            matches!(e, Event::Stats(_)) && p.position().as_secs_f64() >= end
        });
    }

    fn fatal_errors(&self) -> Vec<&Event> {
        self.seen
            .iter()
            .filter(|e| matches!(e, Event::Error { fatal: true, .. }))
            .collect()
    }
}

/// The 95th percentile of `v`.
fn p95(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 * 0.95).ceil() as usize).clamp(1, v.len()) - 1]
}

fn start_steady_state_and_go_live(iis: bool) {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let o = origin(iis);
    let p = open(&o, None);
    let mut w = Watch::default();
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
    let mut w = Watch::default();
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
