//! Live and DVR end to end: the simulated live origin (a faster test clock) and the real
//! pipeline paced at the same speed, so latency, rebuffers and requests mean what they say.
//! Each scenario runs against both live origins: one whose manifest lists every fragment that
//! exists, and one whose manifest lags the edge by its look-ahead, as IIS does.

use std::time::{Duration, Instant};

use player_core::player::{Command, Config, Event, Player, Sinks, State, Stats};
use player_tests::origin::{LiveConfig, Origin, OriginConfig, parse_gap};
use player_tests::support::{CaptureAudio, CaptureVideo, assets_dir};

/// Media seconds per wall second, for both the origin and the player.
const SPEED: f64 = 4.0;
const FRAGMENT: f64 = 2.0;
/// The default live delay: three fragments.
const DELAY: f64 = 3.0 * FRAGMENT;

fn origin(iis: bool, live: LiveConfig) -> Origin {
    let live = LiveConfig {
        speed: SPEED,
        manifest_lags: iis,
        time_base: 17_000_000_000_000_000,
        ..live
    };
    Origin::start(
        assets_dir(),
        OriginConfig {
            live: Some(live),
            ..OriginConfig::default()
        },
    )
    .expect("origin")
}

/// These tests pace playback at 4x real time and decode video: run them one at a time so
/// they do not starve each other of CPU on a two-core machine.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

fn open(origin: &Origin, config: Config) -> (Player, CaptureVideo) {
    let video = CaptureVideo::default();
    let sinks = Sinks {
        video: Box::new(video.clone()),
        audio: Box::new(CaptureAudio::paced_at(SPEED)),
    };
    let config = Config {
        speed: SPEED,
        // Keep decoding affordable on a loaded test machine: at most the 800k level.
        max_bitrate: Some(800_000),
        ..config
    };
    let player = Player::open(&origin.url("demo/Manifest"), config, sinks).expect("open");
    (player, video)
}

/// Collects events until `done` says so (or 90 s of wall time pass: a hang fails the test).
fn until(player: &Player, seen: &mut Vec<Event>, mut done: impl FnMut(&Event) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while Instant::now() < deadline {
        if let Ok(ev) = player.events().recv_timeout(Duration::from_millis(100)) {
            let stop = done(&ev);
            seen.push(ev);
            if stop {
                return;
            }
        }
    }
    panic!("timed out waiting; events so far: {seen:#?}");
}

fn stats(seen: &[Event]) -> Vec<&Stats> {
    seen.iter()
        .filter_map(|e| match e {
            Event::Stats(s) => Some(s),
            _ => None,
        })
        .collect()
}

fn position_at_least(p: f64) -> impl FnMut(&Event) -> bool {
    move |e| matches!(e, Event::Stats(s) if s.position_s >= p)
}

fn errors(seen: &[Event]) -> Vec<&Event> {
    seen.iter()
        .filter(|e| matches!(e, Event::Error { .. }))
        .collect()
}

fn last_seek(seen: &[Event]) -> (f64, f64, bool) {
    seen.iter()
        .rev()
        .find_map(|e| match e {
            Event::Seek {
                requested_s,
                position_s,
                clamped,
            } => Some((*requested_s, *position_s, *clamped)),
            _ => None,
        })
        .expect("a seek event")
}

fn live_starts_behind_the_edge_and_follows_it_through_tfrf_alone(iis: bool) {
    let _serial = serial();
    let origin = origin(iis, LiveConfig::default());
    let (player, _) = open(&origin, Config::default());
    let mut seen = Vec::new();
    until(&player, &mut seen, position_at_least(64.0));
    let summary = player.summary();
    drop(player);
    // Preroll 10 s: the edge is at 10 s, the player starts three fragments behind it.
    let start = seen
        .iter()
        .find_map(|e| match e {
            Event::State {
                state: State::Playing,
                position_s,
            } => Some(*position_s),
            _ => None,
        })
        .expect("playing");
    assert!(
        (start - (10.0 - DELAY)).abs() <= FRAGMENT,
        "started at {start}"
    );
    let steady: Vec<f64> = stats(&seen)
        .iter()
        .filter(|s| s.position_s > start + 10.0)
        .filter_map(|s| s.latency_s)
        .collect();
    assert!(!steady.is_empty());
    for l in &steady {
        assert!(
            (l - DELAY).abs() <= 2.0 * FRAGMENT,
            "latency {l} s drifted from {DELAY} s"
        );
    }
    assert_eq!(summary.rebuffers, 0, "{seen:#?}");
    assert!(errors(&seen).is_empty(), "{:#?}", errors(&seen));
    assert_refreshed_only_after_a_missed_guess(&origin);
}

/// The edge is followed through tfrf: the manifest is asked again only when a guess of the
/// next fragment missed (the test origin's loop point is a timestamp discontinuity, which no
/// cadence predicts), never to poll for the edge.
fn assert_refreshed_only_after_a_missed_guess(origin: &Origin) {
    let records = origin.log().records();
    let mut missed = false;
    for (i, r) in records.iter().enumerate().skip(1) {
        if r.is_manifest() {
            assert!(
                missed,
                "manifest polled without a missed guess: {:#?}",
                &records[..=i]
            );
            missed = false;
        } else if r.status == 404 {
            missed = true;
        }
    }
    let refreshes = origin.log().manifest_requests() - 1;
    let missed_guesses = records.iter().filter(|r| r.status == 404).count();
    assert!(
        refreshes <= missed_guesses,
        "{refreshes} refreshes, {missed_guesses} misses"
    );
}

#[test]
fn without_lookahead_the_manifest_refresh_path_keeps_playing() {
    let _serial = serial();
    let origin = origin(
        false,
        LiveConfig {
            lookahead: 0,
            ..LiveConfig::default()
        },
    );
    let (player, _) = open(&origin, Config::default());
    let mut seen = Vec::new();
    until(&player, &mut seen, position_at_least(34.0));
    drop(player);
    assert!(
        !seen
            .iter()
            .any(|e| matches!(e, Event::Error { fatal: true, .. })),
        "{seen:#?}"
    );
    assert!(
        origin.log().manifest_requests() > 5,
        "refreshes kept the timeline growing"
    );
}

fn dvr_pause_resume_seek_back_go_live_replay_and_clamp(iis: bool) {
    let _serial = serial();
    let origin = origin(
        iis,
        LiveConfig {
            dvr_window: Some(Duration::from_secs(60)),
            preroll: Duration::from_secs(60),
            ..LiveConfig::default()
        },
    );
    let (player, video) = open(&origin, Config::default());
    let mut seen = Vec::new();
    until(&player, &mut seen, position_at_least(58.0));

    pause_for_20_s_then_resume_where_it_paused(&player, &video, &mut seen);
    seek_back_30_s_into_the_window(&player, &mut seen);
    go_live_returns_to_the_target_latency(&player, &mut seen);
    instant_replay_goes_10_s_back(&player, &mut seen);
    a_seek_before_the_window_is_clamped_to_its_start(&player, &mut seen);
    drop(player);
    assert!(
        !seen
            .iter()
            .any(|e| matches!(e, Event::Error { fatal: true, .. })),
        "{seen:#?}"
    );
}

fn state_is(state: State) -> impl FnMut(&Event) -> bool {
    move |e| matches!(e, Event::State { state: s, .. } if *s == state)
}

/// Pause for 20 s of media, then resume: playback goes on from where it paused, and the
/// pause adds to the latency.
fn pause_for_20_s_then_resume_where_it_paused(
    player: &Player,
    video: &CaptureVideo,
    seen: &mut Vec<Event>,
) {
    player.pause();
    until(player, seen, state_is(State::Paused));
    let paused_frames = video.frames().len();
    let paused_pts = video.frames().last().expect("frames").pts;
    std::thread::sleep(Duration::from_secs_f64(20.0 / SPEED));
    assert!(
        video.frames().len() <= paused_frames + 1,
        "nothing is shown while paused"
    );
    player.play();
    until(player, seen, state_is(State::Playing));
    until(player, seen, |e| matches!(e, Event::Stats(_)));
    let resumed = video.frames();
    let next = &resumed[paused_frames.min(resumed.len() - 1)];
    assert!(
        next.pts >= paused_pts && next.pts <= paused_pts + 20_000_000,
        "resumed at {} after pausing at {paused_pts}: {:#?}",
        next.pts,
        &seen[seen.len().saturating_sub(12)..]
    );
    let latency = stats(seen)
        .last()
        .and_then(|s| s.latency_s)
        .expect("latency");
    assert!(
        latency > DELAY + 10.0,
        "the pause added to the latency: {latency}"
    );
}

/// Seek back 30 s into the window: not clamped, within a fragment of the target.
fn seek_back_30_s_into_the_window(player: &Player, seen: &mut Vec<Event>) {
    let here = player.position().as_secs_f64();
    player.send(Command::SeekBy(-30.0));
    until(player, seen, |e| matches!(e, Event::Seek { .. }));
    let (_, landed, clamped) = last_seek(seen);
    assert!(!clamped);
    assert!(
        (landed - (here - 30.0)).abs() <= FRAGMENT + 0.5,
        "{here} - 30 -> {landed}"
    );
}

/// Go live: latency back to the target.
fn go_live_returns_to_the_target_latency(player: &Player, seen: &mut Vec<Event>) {
    player.go_live();
    until(player, seen, |e| matches!(e, Event::Seek { .. }));
    until(
        player,
        seen,
        |e| matches!(e, Event::Stats(s) if s.latency_s.is_some_and(|l| (l - DELAY).abs() <= 2.0 * FRAGMENT)),
    );
}

/// Instant replay: 10 s earlier, within a fragment.
fn instant_replay_goes_10_s_back(player: &Player, seen: &mut Vec<Event>) {
    until(player, seen, |e| matches!(e, Event::Stats(_)));
    let here = player.position().as_secs_f64();
    player.replay(Duration::from_secs(10));
    until(player, seen, |e| matches!(e, Event::Seek { .. }));
    let (_, landed, _) = last_seek(seen);
    assert!(
        (landed - (here - 10.0)).abs() <= FRAGMENT + 0.5,
        "{here} - 10 -> {landed}"
    );
}

/// Before the window: clamped to its start, and playback goes on from there.
fn a_seek_before_the_window_is_clamped_to_its_start(player: &Player, seen: &mut Vec<Event>) {
    player.seek(Duration::ZERO);
    until(player, seen, |e| matches!(e, Event::Seek { .. }));
    let (_, landed, clamped) = last_seek(seen);
    assert!(clamped, "a seek before the window is clamped");
    let (start, _) = player.seekable();
    assert!(
        landed + FRAGMENT >= start.as_secs_f64(),
        "{landed} vs window {start:?}"
    );
    until(player, seen, state_is(State::Playing));
}

fn an_encoder_gap_on_all_levels_is_waited_out_without_errors(iis: bool) {
    let _serial = serial();
    let origin = origin(
        iis,
        LiveConfig {
            gaps: vec![parse_gap("20..30").expect("gap")],
            ..LiveConfig::default()
        },
    );
    let (player, video) = open(&origin, Config::default());
    let mut seen = Vec::new();
    until(&player, &mut seen, position_at_least(40.0));
    drop(player);
    assert!(errors(&seen).is_empty(), "{:#?}", errors(&seen));
    let frames = video.frames();
    let base = 17_000_000_000_000_000u64;
    let in_gap = |t: u64| (200_000_000..300_000_000).contains(&(t - base));
    assert!(
        !frames.iter().any(|f| in_gap(f.pts)),
        "nothing from inside the gap"
    );
    assert!(
        frames.iter().any(|f| f.pts - base >= 300_000_000),
        "playback resumed after it"
    );
}

fn a_gap_on_the_current_level_only_makes_the_player_switch_level(iis: bool) {
    let _serial = serial();
    let origin = origin(
        iis,
        LiveConfig {
            gaps: vec![parse_gap("16..26@300000").expect("gap")],
            ..LiveConfig::default()
        },
    );
    let (player, video) = open(
        &origin,
        Config {
            quality: Some(0),
            ..Config::default()
        },
    );
    let mut seen = Vec::new();
    until(&player, &mut seen, position_at_least(30.0));
    let summary = player.summary();
    drop(player);
    assert!(
        seen.iter()
            .any(|e| matches!(e, Event::Quality { reason, .. } if reason == "error")),
        "{seen:#?}"
    );
    let base = 17_000_000_000_000_000u64;
    let frames = video.frames();
    assert!(
        frames
            .iter()
            .any(|f| (160_000_000..260_000_000).contains(&(f.pts - base)) && f.width != 320)
    );
    // Fragments kept coming from the other level: playback never stalled.
    assert_eq!(summary.rebuffers, 0, "{seen:#?}");
}

fn the_end_of_a_live_event_ends_playback(iis: bool) {
    let _serial = serial();
    let origin = origin(
        iis,
        LiveConfig {
            end_at: Some(Duration::from_secs(24)),
            ..LiveConfig::default()
        },
    );
    let (player, _) = open(&origin, Config::default());
    let mut seen = Vec::new();
    until(&player, &mut seen, |e| {
        matches!(
            e,
            Event::Ended { .. }
                | Event::State {
                    state: State::Failed,
                    ..
                }
        )
    });
    drop(player);
    assert!(
        matches!(seen.last(), Some(Event::Ended { .. })),
        "{seen:#?}"
    );
    let last = stats(&seen).last().map_or(0.0, |s| s.position_s);
    assert!(last >= 18.0, "played up to the end: {last}");
}

/// Each scenario against the origin whose manifest lists everything, and the IIS-like one.
macro_rules! against_both_origins {
    ($($name:ident),* $(,)?) => {
        mod eager_manifest {
            $(#[test]
            fn $name() {
                super::$name(false);
            })*
        }
        mod iis_manifest {
            $(#[test]
            fn $name() {
                super::$name(true);
            })*
        }
    };
}

against_both_origins!(
    live_starts_behind_the_edge_and_follows_it_through_tfrf_alone,
    dvr_pause_resume_seek_back_go_live_replay_and_clamp,
    an_encoder_gap_on_all_levels_is_waited_out_without_errors,
    a_gap_on_the_current_level_only_makes_the_player_switch_level,
    the_end_of_a_live_event_ends_playback,
);
