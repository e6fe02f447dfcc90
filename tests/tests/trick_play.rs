//! Trick play end to end through the real pipeline (loopback origin, decoders, clock,
//! presenters, capturing sinks): the position moves at the rate asked for, forwards and
//! backwards; above 2× only the first picture of each fragment is shown; 1× resumes with
//! audio and no rebuffer; rewinding to the start, or fast forwarding to the live point of a
//! live presentation, returns to 1× by itself.

use std::time::{Duration, Instant};

use player_core::player::{Config, Event, Player, Sinks, State};
use player_tests::origin::{LiveConfig, Origin, OriginConfig};
use player_tests::support::{CaptureAudio, CaptureVideo, CapturedFrame, assets_dir};

/// Demo fragments: 2 s at 10 MHz, 25 pictures a second.
const FRAGMENT_TICKS: u64 = 20_000_000;
const FRAME_TICKS: u64 = 400_000;
/// How far a measured rate may be from the one asked for.
const TOLERANCE: f64 = 0.15;

/// These tests pace playback in real time and decode video: one at a time, so that they do
/// not starve each other of CPU on a two-core machine.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

struct Run {
    player: Player,
    video: CaptureVideo,
    audio: CaptureAudio,
    /// Every event so far.
    seen: Vec<Event>,
    /// The clock speed (media seconds per wall second at 1×).
    speed: f64,
}

impl Run {
    fn open(url: &str, speed: f64) -> Run {
        let video = CaptureVideo::default();
        let audio = CaptureAudio::paced_at(speed);
        let sinks = Sinks {
            video: Box::new(video.clone()),
            audio: Box::new(audio.clone()),
        };
        let config = Config {
            speed,
            // Decoding every picture at 2× stays affordable on a loaded machine.
            quality: Some(0),
            ..Config::default()
        };
        let player = Player::open(url, config, sinks).expect("open");
        Run {
            player,
            video,
            audio,
            seen: Vec::new(),
            speed,
        }
    }

    /// Reads events until `done` holds for one (a 60 s silence fails the test).
    fn until(&mut self, mut done: impl FnMut(&Event) -> bool) {
        loop {
            let ev = self
                .player
                .events()
                .recv_timeout(Duration::from_secs(60))
                .expect("the player went silent for 60 s");
            let fatal = matches!(ev, Event::Error { fatal: true, .. });
            assert!(!fatal, "{ev:?}");
            let hit = done(&ev);
            self.seen.push(ev);
            if hit {
                return;
            }
        }
    }

    fn until_playing(&mut self) {
        self.until(|e| {
            matches!(
                e,
                Event::State {
                    state: State::Playing,
                    ..
                }
            )
        });
    }

    /// Asks for `rate` and waits until it plays at it.
    fn rate(&mut self, rate: f64) {
        self.player.set_rate(rate);
        self.until(|e| matches!(e, Event::Rate { rate: r, .. } if *r == rate));
        self.until_playing();
    }

    /// The position in seconds, sampled over `wall` while the events are read: the rate
    /// (media seconds per second of the clock) between the first and the last sample.
    fn measure(&mut self, wall: Duration) -> f64 {
        let start = (Instant::now(), self.player.position().as_secs_f64());
        let end_at = start.0 + wall;
        while Instant::now() < end_at {
            while let Ok(ev) = self.player.events().try_recv() {
                self.seen.push(ev);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let end = (Instant::now(), self.player.position().as_secs_f64());
        self.assert_pictures_follow(end.1);
        let wall_s = end.0.duration_since(start.0).as_secs_f64() * self.speed;
        (end.1 - start.1) / wall_s
    }

    /// The picture on screen is the one of the position: within its fragment (a keyframe
    /// stands for it in trick play), so the pictures move at the clock's rate too.
    fn assert_pictures_follow(&self, position_s: f64) {
        let Some(last) = self.video.frames().last().cloned() else {
            return;
        };
        let origin = self.player.origin().as_secs_f64();
        let shown = last.pts as f64 / last.timescale as f64 - origin;
        let fragment = FRAGMENT_TICKS as f64 / 1e7;
        assert!(
            (position_s - shown).abs() <= fragment + 0.25,
            "the picture on screen ({shown:.2} s) is far from the position ({position_s:.2} s)"
        );
    }

    /// Rate events so far: (rate, reason).
    fn rates(&self) -> Vec<(f64, String)> {
        self.seen
            .iter()
            .filter_map(|e| match e {
                Event::Rate { rate, reason } => Some((*rate, reason.clone())),
                _ => None,
            })
            .collect()
    }
}

fn assert_rate(measured: f64, asked: f64) {
    let off = (measured - asked).abs() / asked.abs();
    assert!(
        off <= TOLERANCE,
        "asked for {asked}x, measured {measured:.2}x"
    );
    eprintln!(
        "rate {asked:+}: measured {measured:+.3} ({:.1} % off)",
        off * 100.0
    );
}

/// Whether `f` is the first picture of its fragment: by its time and by the frame number
/// drawn in it.
fn is_first_of_fragment(f: &CapturedFrame) -> bool {
    f.pts.is_multiple_of(FRAGMENT_TICKS) && f.index == f.pts / FRAME_TICKS
}

#[test]
fn fast_forward_and_rewind_move_at_the_asked_speed_and_rewind_stops_at_the_start() {
    let _one = serial();
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let mut run = Run::open(&origin.url("demo/Manifest"), 1.0);
    run.until_playing();
    run.rate(4.0);
    assert_rate(run.measure(Duration::from_millis(2500)), 4.0);
    // From about 11 s: 6 s down at 8x, then 3 s at 4x, short of the start.
    run.rate(-8.0);
    assert_rate(run.measure(Duration::from_millis(750)), -8.0);
    run.rate(-4.0);
    assert_rate(run.measure(Duration::from_millis(750)), -4.0);
    // On to the start: back to 1 by itself, playing on from there.
    run.until(|e| matches!(e, Event::Rate { reason, .. } if reason == "start"));
    assert_eq!(run.player.rate(), 1.0);
    run.until_playing();
    let at = run.player.position();
    assert!(at < Duration::from_secs(1), "{at:?}");
    assert_rate(run.measure(Duration::from_millis(1500)), 1.0);
    let rates = run.rates();
    assert_eq!(rates.last(), Some(&(1.0, "start".to_string())), "{rates:?}");
    assert_eq!(run.player.summary().rebuffers, 0);
}

#[test]
fn above_two_only_the_first_picture_of_each_fragment_is_shown_and_two_shows_every_one() {
    let _one = serial();
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let mut run = Run::open(&origin.url("demo/Manifest"), 1.0);
    run.until_playing();
    run.rate(2.0);
    let from = run.video.frames().len();
    assert_rate(run.measure(Duration::from_millis(2000)), 2.0);
    let at_two: Vec<_> = run.video.frames()[from..].to_vec();
    // Every picture of the media crossed, in order (a few may be late on a loaded machine).
    let crossed = (at_two.last().expect("pictures").pts - at_two[0].pts) / FRAME_TICKS + 1;
    assert!(
        at_two.len() as f64 >= crossed as f64 * 0.9,
        "{} pictures over {crossed}",
        at_two.len()
    );
    assert!(at_two.windows(2).all(|w| w[1].pts > w[0].pts));
    run.rate(8.0);
    let from = run.video.frames().len();
    run.until(|e| matches!(e, Event::Ended { .. }));
    let at_eight: Vec<_> = run.video.frames()[from..].to_vec();
    assert!(!at_eight.is_empty());
    for f in &at_eight {
        assert!(
            is_first_of_fragment(f),
            "not a fragment's first picture: {f:?}"
        );
    }
    let first = at_eight[0].pts / FRAGMENT_TICKS;
    let last = at_eight.last().map_or(0, |f| f.pts / FRAGMENT_TICKS);
    let crossed = (last - first + 1) as usize;
    assert_eq!(at_eight.len(), crossed, "one picture per fragment crossed");
    assert!(last >= 8, "to the end: {last}");
    assert_eq!(
        run.rates().last(),
        Some(&(1.0, "end".to_string())),
        "the end returns the rate to 1"
    );
}

#[test]
fn back_to_one_resumes_with_audio_and_without_a_rebuffer() {
    let _one = serial();
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let mut run = Run::open(&origin.url("demo/Manifest"), 1.0);
    run.until_playing();
    // Far enough from the start that the rewind below does not reach it.
    run.measure(Duration::from_millis(3000));
    assert!(!run.audio.captured().samples.is_empty(), "audio at 1x");
    run.rate(-2.0);
    run.measure(Duration::from_millis(300));
    let muted = run.audio.captured().samples.len();
    run.measure(Duration::from_millis(700));
    assert_eq!(
        run.audio.captured().samples.len(),
        muted,
        "no sound while rewinding"
    );
    run.rate(4.0);
    run.measure(Duration::from_millis(1000));
    let before = run.audio.captured();
    let at = run.player.position();
    run.rate(1.0);
    let resumed_at = run.player.position();
    assert!(
        resumed_at.abs_diff(at) < Duration::from_secs(2),
        "{at:?} {resumed_at:?}"
    );
    assert_rate(run.measure(Duration::from_millis(1500)), 1.0);
    let after = run.audio.captured();
    let heard = (after.samples.len() - before.samples.len()) / usize::from(after.channels.max(1));
    assert!(
        heard as f64 > 0.5 * f64::from(after.rate),
        "audio plays again: {heard} sample frames"
    );
    let summary = run.player.summary();
    assert_eq!(summary.rebuffers, 0, "{summary:?}");
    let commands: Vec<_> = run
        .seen
        .iter()
        .filter_map(|e| match e {
            Event::Command { command } if command.starts_with("rate") => Some(command.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(commands, ["rate -2", "rate 4", "rate 1"]);
}

#[test]
fn live_dvr_rewind_then_fast_forward_to_the_live_point_follows_it_again() {
    let _one = serial();
    // A faster test clock for both, so that the window fills quickly.
    const SPEED: f64 = 2.0;
    let live = LiveConfig {
        speed: SPEED,
        dvr_window: Some(Duration::from_secs(60)),
        preroll: Duration::from_secs(50),
        time_base: 17_000_000_000_000_000,
        ..LiveConfig::default()
    };
    let origin = Origin::start(
        assets_dir(),
        OriginConfig {
            live: Some(live),
            ..OriginConfig::default()
        },
    )
    .expect("origin");
    let mut run = Run::open(&origin.url("demo/Manifest"), SPEED);
    run.until_playing();
    assert!(run.player.is_live());
    run.measure(Duration::from_millis(1000));
    let live_at = run.player.position();
    run.rate(-4.0);
    assert_rate(run.measure(Duration::from_millis(2000)), -4.0);
    assert!(run.player.position() + Duration::from_secs(8) < live_at);
    run.rate(8.0);
    assert_rate(run.measure(Duration::from_millis(500)), 8.0);
    run.until(|e| matches!(e, Event::Rate { reason, .. } if reason == "live"));
    run.until_playing();
    // Following the edge again: the latency settles near the delay, audio plays.
    let before = run.audio.captured().samples.len();
    run.until(|e| matches!(e, Event::Stats(s) if s.latency_s.is_some_and(|l| l < 9.0)));
    run.measure(Duration::from_millis(1000));
    assert!(run.audio.captured().samples.len() > before, "audio again");
    assert_eq!(run.player.rate(), 1.0);
}
