//! Live latency: measured against the true edge, held at the configured delay by the
//! playback rate, caught up after a stall or jumped when far behind; go-live that lands at
//! the delay; an origin whose manifest lags the edge.

use std::time::Duration;

use super::harness::*;
use super::live_origin::*;
use crate::session::{Action, Command, Event, SessionConfig, State};

/// The true latency now: the origin's edge less the position, seconds.
fn true_latency(s: &Script) -> f64 {
    let edge = crate::time::ticks_to_duration(edge(s), TS);
    edge.as_secs_f64() - s.obs.position.as_secs_f64()
}

/// Plays `for_s` seconds (quarter-second steps) against the origin; returns (true latency,
/// reported latency) at every stats event and the rates asked for.
fn watch(s: &mut Script, for_s: f64) -> (Vec<(f64, f64)>, Vec<f64>) {
    let mut seen = Vec::new();
    let mut rates = Vec::new();
    for _ in 0..(for_s * 4.0) as usize {
        let a = s.wait(secs(0.25), true);
        let e = edge(s);
        let all = s.serve(a, origin(e, true));
        for a in &all {
            match a {
                Action::Emit(Event::Stats(st)) => {
                    seen.push((true_latency(s), st.latency_s.unwrap_or(f64::NAN)));
                }
                Action::SetRate(r) => rates.push(*r),
                _ => {}
            }
        }
    }
    (seen, rates)
}

/// The picture freezes for `for_s` seconds (the origin still answers).
fn freeze(s: &mut Script, for_s: f64) {
    for _ in 0..(for_s * 4.0) as usize {
        let a = s.wait(secs(0.25), false);
        let e = edge(s);
        s.serve(a, origin(e, true));
    }
}

#[test]
fn the_reported_latency_is_within_a_second_of_the_true_one() {
    let mut s = playing(&live(10, 2), SessionConfig::default());
    let (seen, _) = watch(&mut s, 30.0);
    assert!(seen.len() >= 25);
    for (truth, reported) in &seen {
        assert!(
            (truth - reported).abs() <= 1.0,
            "true {truth} reported {reported}"
        );
    }
}

#[test]
fn after_a_stall_the_delay_is_caught_up_by_the_rate_within_five_percent() {
    let mut s = playing(&live(10, 2), SessionConfig::default());
    watch(&mut s, 4.0);
    // Two seconds of a frozen picture: two seconds further behind.
    freeze(&mut s, 2.0);
    assert!(true_latency(&s) > 6.8, "{}", true_latency(&s));
    let (seen, rates) = watch(&mut s, 60.0);
    assert!(rates.iter().any(|r| *r > 1.0), "{rates:?}");
    assert!(rates.iter().all(|r| (0.95..=1.05).contains(r)), "{rates:?}");
    let steady: Vec<f64> = seen[seen.len() - 10..].iter().map(|x| x.0).collect();
    assert!(
        steady.iter().all(|l| (l - 6.0).abs() <= 0.5),
        "latency not held at 6 s: {steady:?}"
    );
    assert!(
        !s.log
            .iter()
            .skip(1)
            .any(|a| matches!(a, Action::Flush { generation, .. } if *generation > 1)),
        "caught up without a jump"
    );
}

#[test]
fn too_close_to_the_edge_slows_down() {
    let mut s = playing(&live(10, 2), SessionConfig::default());
    watch(&mut s, 4.0);
    // The clock ran ahead by two seconds.
    s.obs.position += secs(2.0);
    watch(&mut s, 2.0);
    assert!(s.rate < 1.0, "{}", s.rate);
    assert!(s.rate >= 0.95);
}

#[test]
fn far_behind_the_player_jumps_back_to_the_live_point() {
    let mut s = playing(&live(10, 2), SessionConfig::default());
    watch(&mut s, 2.0);
    freeze(&mut s, 10.0);
    assert!(true_latency(&s) > 14.0);
    let mut jumped = None;
    for _ in 0..8 {
        let a = s.wait(secs(0.25), false);
        let e = edge(&s);
        let all = s.serve(a, origin(e, true));
        if let Some((_, start)) = flush(&all) {
            jumped = Some(start);
            s.obs.position = start;
            break;
        }
    }
    assert!(jumped.is_some(), "no jump");
    assert!(
        (true_latency(&s) - 6.0).abs() <= 1.0,
        "{}",
        true_latency(&s)
    );
}

#[test]
fn a_seek_back_into_the_window_plays_at_the_normal_rate() {
    let mut s = playing(&live(10, 2), SessionConfig::default());
    watch(&mut s, 2.0);
    freeze(&mut s, 2.0);
    watch(&mut s, 2.0);
    assert!(s.rate > 1.0, "catching up: {}", s.rate);
    s.command(Command::SeekBy(-10.0));
    assert_eq!(s.rate, 1.0);
    let (_, rates) = watch(&mut s, 10.0);
    assert!(rates.is_empty(), "{rates:?}");
}

#[test]
fn go_live_after_a_long_pause_lands_at_the_delay() {
    let mut s = playing(&live(10, 2), SessionConfig::default());
    watch(&mut s, 2.0);
    s.command(Command::Pause);
    freeze(&mut s, 20.0);
    let play = s.command(Command::Play);
    assert!(states(&play).contains(&State::Buffering));
    let mut all = s.command(Command::GoLive);
    for _ in 0..8 {
        if flush(&all).is_some() {
            break;
        }
        let e = edge(&s);
        let probe = fetches(&all).pop().expect("a probe");
        all = s.answer(&probe, origin(e, true)(&probe).expect("answered"));
    }
    let (_, start) = flush(&all).expect("a jump");
    s.obs.position = start;
    assert!(
        (true_latency(&s) - 6.0).abs() <= 1.0,
        "{}",
        true_latency(&s)
    );
}

#[test]
fn a_manifest_lagging_the_edge_by_its_look_ahead_still_starts_at_the_delay() {
    // The origin's edge is at 1020 s; its manifest lists fragments up to 1016 s only.
    let (s, _) = open_live(&live(8, 2), SessionConfig::default());
    let (_, start) = flush(&s.log).expect("started");
    let truth = 1020.0 - start.as_secs_f64();
    assert!(
        (truth - 6.0).abs() <= 1.0,
        "started {truth} s behind the edge"
    );
}

#[test]
fn the_rate_is_reported_in_the_stats() {
    let mut s = playing(&live(10, 2), SessionConfig::default());
    let a = s.wait(Duration::from_secs(1), true);
    let st = events(&a)
        .into_iter()
        .find_map(|e| match e {
            Event::Stats(st) => Some(st),
            _ => None,
        })
        .expect("stats");
    assert!(
        st.rate.is_some_and(|r| (0.95..=1.05).contains(&r)),
        "{st:?}"
    );
}
