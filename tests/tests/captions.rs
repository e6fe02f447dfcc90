//! Captions end to end: the demo's TTML text stream fetched from the loopback origin, parsed,
//! and reported as `caption` events at the right positions, on and off and across a seek.

use std::time::{Duration, Instant};

use player_core::player::{Command, Config, Event, Player, Sinks, State};
use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::{CueRef, Reference, assets_dir};

/// The clock runs this many times faster than real time (null sinks paced to match).
const SPEED: f64 = 4.0;

fn open(origin: &Origin, captions: bool) -> Player {
    let config = Config {
        speed: SPEED,
        captions,
        ..Config::default()
    };
    Player::open(&origin.url("demo/Manifest"), config, Sinks::null_at(SPEED)).expect("open")
}

/// Reads events until `done` says so, the player ends, or a minute passes.
fn until(player: &Player, seen: &mut Vec<Event>, mut done: impl FnMut(&Event) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let Ok(ev) = player.events().recv_timeout(Duration::from_millis(200)) else {
            continue;
        };
        let stop = done(&ev) || matches!(ev, Event::Ended { .. });
        assert!(
            !matches!(
                ev,
                Event::State {
                    state: State::Failed,
                    ..
                }
            ),
            "playback failed: {seen:?}"
        );
        seen.push(ev);
        if stop {
            return;
        }
    }
    panic!("timed out; events: {seen:?}");
}

fn captions(seen: &[Event]) -> Vec<(String, f64)> {
    seen.iter()
        .filter_map(|e| match e {
            Event::Caption { text, position_s } => Some((text.clone(), *position_s)),
            _ => None,
        })
        .collect()
}

fn cues() -> Vec<CueRef> {
    let r = Reference::load(&assets_dir().join("demo")).expect("reference");
    r.captions.expect("the demo has captions").cues
}

/// The cue with this text, and whether `position_s` lies inside it (one controller tick of
/// slack at the test clock's speed either side).
fn shown_in_time(cues: &[CueRef], text: &str, position_s: f64) -> bool {
    let slack = 0.02 * SPEED + 0.05;
    cues.iter().any(|c| {
        c.text == text
            && position_s >= c.start as f64 / 1e7 - slack
            && position_s <= c.end as f64 / 1e7 + slack
    })
}

#[test]
fn every_cue_is_shown_in_order_at_its_time() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let cues = cues();
    let player = open(&origin, true);
    let mut seen = Vec::new();
    until(&player, &mut seen, |_| false);
    let shown = captions(&seen);
    let texts: Vec<&str> = shown
        .iter()
        .map(|(t, _)| t.as_str())
        .filter(|t| !t.is_empty())
        .collect();
    let expected: Vec<&str> = cues.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, expected, "captions shown: {shown:?}");
    for (text, at) in shown.iter().filter(|(t, _)| !t.is_empty()) {
        assert!(shown_in_time(&cues, text, *at), "{text:?} shown at {at}");
    }
    assert!(
        !seen.iter().any(|e| matches!(e, Event::Error { .. })),
        "{seen:?}"
    );
}

#[test]
fn captions_turn_on_and_off_and_follow_a_seek() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let cues = cues();
    let player = open(&origin, false);
    let mut seen = Vec::new();
    let at_least = |p: f64| move |e: &Event| matches!(e, Event::Stats(s) if s.position_s >= p);
    until(&player, &mut seen, at_least(3.0));
    assert!(captions(&seen).is_empty(), "captions are off by default");

    player.send(Command::SetCaptions(true));
    let on_at = seen.len();
    until(
        &player,
        &mut seen,
        |e| matches!(e, Event::Caption { text, .. } if !text.is_empty()),
    );
    let (text, at) = captions(&seen[on_at..]).remove(0);
    assert!(
        at >= 3.0 && shown_in_time(&cues, &text, at),
        "{text:?} at {at}"
    );

    // Back to a part not fetched yet: its cue is fetched and shown there.
    player.seek(Duration::from_secs(1));
    let seek_at = seen.len();
    until(
        &player,
        &mut seen,
        |e| matches!(e, Event::Caption { text, .. } if text.starts_with("Caption 1\n")),
    );
    let shown = captions(&seen[seek_at..]);
    let (text, at) = shown.last().expect("a caption after the seek");
    assert!(
        shown_in_time(&cues, text, *at),
        "{text:?} at {at}: {shown:?}"
    );

    player.send(Command::SetCaptions(false));
    let off_at = seen.len();
    until(&player, &mut seen, |e| matches!(e, Event::Caption { .. }));
    assert_eq!(
        captions(&seen[off_at..]).first().map(|(t, _)| t.as_str()),
        Some(""),
        "turning captions off clears the screen"
    );
    until(&player, &mut seen, at_least(8.0));
    assert!(
        captions(&seen[off_at..]).iter().all(|(t, _)| t.is_empty()),
        "{:?}",
        captions(&seen[off_at..])
    );
}

#[test]
fn a_presentation_without_captions_says_so_and_plays_on() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let player = Player::open(
        &origin.url("bframes/Manifest"),
        Config {
            speed: SPEED,
            ..Config::default()
        },
        Sinks::null_at(SPEED),
    )
    .expect("open");
    player.send(Command::SetCaptions(true));
    let mut seen = Vec::new();
    until(&player, &mut seen, |e| matches!(e, Event::Error { .. }));
    assert!(
        matches!(seen.last(), Some(Event::Error { kind, fatal: false, .. }) if kind == "selection"),
        "{seen:?}"
    );
    until(
        &player,
        &mut seen,
        |e| matches!(e, Event::Stats(s) if s.position_s >= 2.0),
    );
}

#[test]
fn live_captions_follow_the_live_timeline() {
    use player_tests::origin::LiveConfig;
    // Wall-clock-sized times: the origin moves each caption document's times with its fragment.
    let time_base: u64 = 17_000_000_000_000_000;
    let origin = Origin::start(
        assets_dir(),
        OriginConfig {
            live: Some(LiveConfig {
                speed: SPEED,
                time_base,
                ..LiveConfig::default()
            }),
            ..OriginConfig::default()
        },
    )
    .expect("origin");
    let reference = Reference::load(&assets_dir().join("demo")).expect("reference");
    // The content loops with this period (the longest stream's span).
    let period = reference.duration as f64 / 1e7;
    let mut origin_s = 0.0;
    let player = Player::open_with(
        &origin.url("demo/Manifest"),
        Config {
            speed: SPEED,
            captions: true,
            ..Config::default()
        },
        |info| {
            origin_s = info.origin.as_secs_f64() - time_base as f64 / 1e7;
            Sinks::null_at(SPEED)
        },
    )
    .expect("open");
    let mut seen = Vec::new();
    // Long enough to cross the loop point once.
    until(
        &player,
        &mut seen,
        |e| matches!(e, Event::Stats(s) if origin_s + s.position_s >= period + 6.0),
    );
    let shown: Vec<(String, f64)> = captions(&seen)
        .into_iter()
        .filter(|(t, _)| !t.is_empty())
        .collect();
    assert!(shown.len() >= 15, "{shown:?}");
    let slack = 0.02 * SPEED + 0.05;
    for (text, at) in &shown {
        // Where in the looped content this position is.
        let live = origin_s + at;
        let local = live - (live / period).floor() * period;
        let n: f64 = text
            .strip_prefix("Caption ")
            .and_then(|t| t.split('\n').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("unexpected caption {text:?}"));
        assert!(
            local >= n - slack && local <= n + 1.0 + slack,
            "{text:?} shown at content time {local:.3} (position {at})"
        );
    }
    assert!(
        !seen
            .iter()
            .any(|e| matches!(e, Event::Error { kind, .. } if kind == "captions")),
        "{seen:?}"
    );
}
