//! Markers end to end: the demo's sparse SCMD (ad break, URL) and CHAP (chapters) streams,
//! served by the loopback origin on demand and looped live, reported as marker events with
//! the right kind, text and duration, on time (within one frame of their start), announced
//! ahead when known early, and in order across seeks.

use std::time::{Duration, Instant};

use player_core::markers::MarkerKind;
use player_core::player::{Config, Event, Player, Sinks, State};
use player_tests::origin::{LiveConfig, Origin, OriginConfig};
use player_tests::support::assets_dir;

/// One frame of the demo (25 fps), seconds.
const FRAME_S: f64 = 0.04;

/// A marker event as the test keeps it.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    kind: MarkerKind,
    id: String,
    start_s: f64,
    duration_s: Option<f64>,
    text: Option<String>,
    upcoming: bool,
    position_s: f64,
}

/// What `assets/demo/markers.json` says a player must report.
#[derive(Debug, serde::Deserialize)]
struct Expected {
    kind: String,
    id: String,
    start_s: f64,
    duration_s: f64,
    text: String,
}

fn expected() -> Vec<Expected> {
    let path = assets_dir().join("demo/markers.json");
    let text = std::fs::read_to_string(&path).expect("markers.json");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    serde_json::from_value(v["markers"].clone()).expect("markers")
}

fn kind_name(k: MarkerKind) -> &'static str {
    match k {
        MarkerKind::Ad => "ad",
        MarkerKind::Chapter => "chapter",
        MarkerKind::Script => "script",
    }
}

fn seen(ev: &Event) -> Option<Seen> {
    match ev {
        Event::Marker {
            kind,
            id,
            start_s,
            duration_s,
            text,
            upcoming,
            position_s,
            ..
        } => Some(Seen {
            kind: *kind,
            id: id.clone(),
            start_s: *start_s,
            duration_s: *duration_s,
            text: text.clone(),
            upcoming: *upcoming,
            position_s: *position_s,
        }),
        _ => None,
    }
}

/// Reads events until `done` (given the latest position) says so; returns the markers seen.
fn play_until(player: &Player, mut done: impl FnMut(f64, &[Seen]) -> bool) -> Vec<Seen> {
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut markers = Vec::new();
    let mut position = 0.0;
    while Instant::now() < deadline {
        let Ok(ev) = player.events().recv_timeout(Duration::from_millis(200)) else {
            continue;
        };
        match &ev {
            Event::State {
                state: State::Failed,
                ..
            } => panic!("playback failed"),
            Event::Stats(s) => position = s.position_s,
            Event::Ended { .. } => return markers,
            _ => {}
        }
        if let Some(m) = seen(&ev) {
            position = position.max(m.position_s);
            markers.push(m);
        }
        if done(position, &markers) {
            return markers;
        }
    }
    panic!("timed out; markers so far: {markers:#?}");
}

fn delivered(markers: &[Seen]) -> Vec<&Seen> {
    markers.iter().filter(|m| !m.upcoming).collect()
}

/// Each delivered marker came when playback reached its start: never before, at most one
/// frame after.
fn assert_on_time(markers: &[Seen]) {
    for m in delivered(markers) {
        let late = m.position_s - m.start_s;
        eprintln!(
            "{:<22} start {:7.3} s  delivered at {:7.3} s  ({:+.4} s)",
            m.id, m.start_s, m.position_s, late
        );
        assert!(
            (-1e-6..=FRAME_S).contains(&late),
            "{} delivered at {:.3} s for {:.3} s ({late:+.3} s)",
            m.id,
            m.position_s,
            m.start_s
        );
    }
}

#[test]
fn on_demand_markers_come_on_time_with_their_kind_text_and_duration() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let config = Config {
        start: Some(Duration::from_secs(5)),
        ..Config::default()
    };
    let player =
        Player::open(&origin.url("demo/Manifest"), config, Sinks::null_at(1.0)).expect("open");
    let markers = play_until(&player, |_, m| delivered(m).len() >= 4);
    drop(player);
    let all = expected();
    let want: Vec<&Expected> = all.iter().filter(|e| e.start_s >= 5.0).collect();
    let got = delivered(&markers);
    assert_eq!(
        got.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        want.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        "delivered in order, the chapter before the start point left out"
    );
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(kind_name(g.kind), w.kind, "{}", w.id);
        assert_eq!(g.text.as_deref(), Some(w.text.as_str()), "{}", w.id);
        assert!((g.start_s - w.start_s).abs() < 1e-6, "{}", w.id);
        assert_eq!(g.duration_s, Some(w.duration_s), "{}", w.id);
    }
    assert_on_time(&markers);
    // The ad break was known before playback reached it: announced ahead, once.
    let ad = markers
        .iter()
        .filter(|m| m.kind == MarkerKind::Ad && m.upcoming)
        .collect::<Vec<_>>();
    assert_eq!(ad.len(), 1, "{markers:#?}");
    assert!(ad[0].position_s < ad[0].start_s);
}

#[test]
fn across_seeks_markers_come_again_in_order_and_skipped_ones_do_not() {
    const SPEED: f64 = 4.0;
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let config = Config {
        speed: SPEED,
        ..Config::default()
    };
    let player =
        Player::open(&origin.url("demo/Manifest"), config, Sinks::null_at(SPEED)).expect("open");
    // Up to the chapter at 8 s.
    let first = play_until(&player, |_, m| {
        delivered(m).iter().any(|d| d.id == "chapters:80000000")
    });
    // Back to 5 s: the ad at 6 s and the chapter at 8 s come again.
    player.seek(Duration::from_secs(5));
    let again = play_until(&player, |_, m| {
        delivered(m).iter().any(|d| d.id == "chapters:80000000")
    });
    // Forward past the chapter at 14 s (a seek to 17 s resumes from the keyframe at 16 s):
    // only the command at 16 s.
    player.seek(Duration::from_secs(17));
    let after = play_until(&player, |_, _| false);
    drop(player);
    let ids = |v: &[Seen]| -> Vec<String> { delivered(v).iter().map(|m| m.id.clone()).collect() };
    assert_eq!(
        ids(&first),
        vec!["chapters:0", "signals:60000000", "chapters:80000000"]
    );
    assert_eq!(ids(&again), vec!["signals:60000000", "chapters:80000000"]);
    assert_eq!(ids(&after), vec!["signals:160000000"]);
    // Announced once only, however often delivered.
    let upcoming: Vec<String> = [&first[..], &again, &after]
        .concat()
        .iter()
        .filter(|m| m.upcoming)
        .map(|m| m.id.clone())
        .collect();
    let mut unique = upcoming.clone();
    unique.dedup();
    assert_eq!(upcoming, unique);
}

#[test]
fn live_markers_loop_with_the_content_are_announced_ahead_and_come_on_time() {
    // The edge starts 7 s into the second lap: playback starts three fragments behind it,
    // before the ad break at 6 s of that lap.
    let lap = 20.010_666_6;
    let live = LiveConfig {
        preroll: Duration::from_secs_f64(lap + 7.0),
        manifest_lags: true,
        ..LiveConfig::default()
    };
    let config = OriginConfig {
        live: Some(live),
        ..OriginConfig::default()
    };
    let origin = Origin::start(assets_dir(), config).expect("origin");
    let player = Player::open(
        &origin.url("demo/Manifest"),
        Config::default(),
        Sinks::null_at(1.0),
    )
    .expect("open");
    let markers = play_until(&player, |_, m| {
        delivered(m)
            .iter()
            .any(|d| d.kind == MarkerKind::Chapter && d.start_s > lap + 7.0)
    });
    drop(player);
    let view_ids: Vec<&str> = delivered(&markers).iter().map(|m| m.id.as_str()).collect();
    let ad = delivered(&markers)
        .into_iter()
        .find(|m| m.kind == MarkerKind::Ad)
        .unwrap_or_else(|| panic!("the ad break of the second lap: {view_ids:?}"));
    assert_eq!(ad.text.as_deref(), Some("adbreak duration=4 id=break-1"));
    assert!((ad.start_s - (lap + 6.0)).abs() < 0.01, "{}", ad.start_s);
    assert!(
        markers
            .iter()
            .any(|m| m.upcoming && m.id == ad.id && m.position_s < ad.start_s),
        "announced ahead: {markers:#?}"
    );
    let chapter = delivered(&markers)
        .into_iter()
        .find(|m| m.kind == MarkerKind::Chapter)
        .expect("a chapter");
    assert_eq!(chapter.text.as_deref(), Some("Colour patches"));
    assert_on_time(&markers);
}
