//! Live: the start behind the edge, following the edge through tfrf, probes and refreshes,
//! 412s, gaps, the DVR window, pausing, going live, the end of an event.

use super::harness::*;
use super::live_origin::*;
use crate::manifest::Chunk;
use crate::session::{
    Action, Command, Event, FetchOutcome, Input, SessionConfig, State, StreamKind,
};

#[test]
fn live_starts_three_fragments_behind_the_located_edge() {
    let (s, first) = open_live(&live(10, 2), SessionConfig::default());
    let probes = fetches(&s.log).len() - fetches(&first).len();
    assert!((1..=4).contains(&probes), "{probes} probes");
    // The edge is in [1020, 1022): its middle less three fragments.
    assert_eq!(flush(&s.log), Some((1, secs(1015.0))));
    let video = fetch_of(&first, StreamKind::Video).expect("video");
    assert_eq!(video.chunk, chunk(7));
    let view = s.s.view();
    assert!(view.live);
    assert_eq!((view.window_start, view.end), (secs(1000.0), secs(1020.0)));
}

#[test]
fn a_configured_delay_is_kept_but_never_under_a_fragment_and_a_half() {
    let cfg = |d: f64| SessionConfig {
        live_delay: Some(secs(d)),
        ..SessionConfig::default()
    };
    let (s, _) = open_live(&live(10, 2), cfg(10.0));
    assert_eq!(flush(&s.log), Some((1, secs(1011.0))));
    let (mut s, first) = open_live(&live(10, 2), cfg(0.5));
    // Never under 1.5 fragments: so close, the start is the delay behind the end of the
    // fragment being made (1022 s)...
    assert_eq!(flush(&s.log), Some((1, secs(1019.0))));
    // ...and the clock waits until that fragment exists.
    let e = edge(&s);
    s.serve(first, origin(e, true));
    for _ in 0..7 {
        let a = s.wait(secs(0.25), false);
        assert!(
            !states(&a).contains(&State::Playing),
            "playing before 1022 s exists"
        );
        let e = edge(&s);
        s.serve(a, origin(e, true));
    }
    let mut started = false;
    for _ in 0..4 {
        let a = s.wait(secs(0.25), false);
        started |= states(&a).contains(&State::Playing);
        let e = edge(&s);
        s.serve(a, origin(e, true));
    }
    assert!(started, "playing once 1022 s exists");
}

#[test]
fn near_the_edge_only_a_short_buffer_is_kept() {
    let (mut s, first) = open_live(&live(10, 2), SessionConfig::default());
    let all = s.serve(first, |r| Some(got(r, None, &[])));
    let video: Vec<Chunk> = fetches(&all)
        .iter()
        .filter(|r| r.target == crate::session::Target::Media(StreamKind::Video))
        .map(|r| r.chunk)
        .collect();
    // 5 s behind the newest fragment known, a fragment and a half of it stays unfetched.
    assert_eq!(video, vec![chunk(7), chunk(8)]);
}

#[test]
fn the_edge_is_followed_through_tfrf_without_refreshing_the_manifest() {
    let mut s = playing(&live(10, 2), SessionConfig::default());
    let all = run(&mut s, 20.0, true, 2);
    assert_eq!(refreshes(&all), 0);
    assert!(decoded(&all) >= 9, "{}", decoded(&all));
    let st = stats(&all);
    let last = st.last().expect("stats");
    assert!(last.live_edge_s.is_some_and(|e| e >= 38.0), "{last:?}");
    let latency: Vec<f64> = st.iter().filter_map(|x| x.latency_s).collect();
    assert!(
        latency.iter().all(|l| (1.5..=8.0).contains(l)),
        "{latency:?}"
    );
    assert!(
        last.window_start_s.is_some_and(|w| w > 0.0),
        "the window moved: {last:?}"
    );
}

#[test]
fn past_the_known_edge_the_next_fragment_is_guessed_until_it_exists() {
    let mut s = playing(&live(10, 2), SessionConfig::default());
    let all = run(&mut s, 10.0, false, 2);
    assert_eq!(refreshes(&all), 0, "no refresh while guesses work");
    let probes = fetches(&all)
        .iter()
        .filter(|r| r.chunk.start >= chunk(10).start)
        .count();
    assert!(probes >= 4, "{probes}");
    assert!(!states(&all).contains(&State::Buffering), "no stall");
}

#[test]
fn a_fragment_not_yet_made_is_asked_again_a_little_later() {
    let (mut s, first) = open_live(&live(10, 2), SessionConfig::default());
    let video = fetch_of(&first, StreamKind::Video).expect("video");
    let wait = s.answer(&video, FetchOutcome::NotYet);
    assert!(fetch_of(&wait, StreamKind::Video).is_none());
    assert!(errors(&wait).is_empty());
    assert!(fetch_of(&s.wait(secs(0.3), false), StreamKind::Video).is_none());
    let again = s.wait(secs(0.3), false);
    assert_eq!(
        fetch_of(&again, StreamKind::Video).map(|r| r.chunk),
        Some(video.chunk)
    );
}

#[test]
fn a_wrong_guess_asks_the_manifest_which_tells_what_came_next() {
    let mut s = playing(&live(10, 2), SessionConfig::default());
    let mut probe = None;
    for _ in 0..40 {
        let a = s.wait(secs(0.25), true);
        let all = s.serve(a, |r| {
            (r.chunk.start < chunk(10).start).then(|| got(r, None, &[]))
        });
        probe = fetch_of(&all, StreamKind::Video).filter(|r| r.chunk == chunk(10));
        if probe.is_some() {
            break;
        }
    }
    let mut req = probe.expect("probe");
    // An encoder gap: no level has it.
    let gone = loop {
        let a = s.answer(&req, FetchOutcome::Gone(status(&req, 404)));
        match fetch_of(&a, StreamKind::Video) {
            Some(r) if r.chunk == req.chunk => req = r,
            _ => break a,
        }
    };
    assert!(errors(&gone).is_empty(), "an encoder gap is no error");
    assert_eq!(refreshes(&gone), 1);
    // The encoder resumed: the manifest lists fragments from 40 s on.
    let mut fresh = live(4, 2);
    fresh.first = FIRST + 20 * FRAG;
    let resumed = s.input(Input::Manifest(Ok(manifest(&fresh))));
    assert_eq!(
        fetch_of(&resumed, StreamKind::Video).map(|r| r.chunk.start),
        Some(FIRST + 20 * FRAG)
    );
}

#[test]
fn without_look_ahead_the_manifest_is_refreshed_at_most_twice_a_fragment() {
    let mut s = playing(&live(10, 0), SessionConfig::default());
    let all = run(&mut s, 16.0, false, 0);
    let asked = refreshes(&all);
    // Sixteen seconds at half a fragment apart at most: no more than sixteen.
    assert!((1..=17).contains(&asked), "{asked}");
    // Fragments 9 to 14 end by 1030 s, what playing 6 s behind an edge at 1036 s needs.
    assert!(
        decoded(&all) >= 6,
        "playback follows the edge: {}",
        decoded(&all)
    );
    assert!(!states(&all).contains(&State::Buffering), "no stall");
}

#[test]
fn a_failed_refresh_is_a_warning_and_is_tried_again() {
    let mut s = playing(&live(10, 0), SessionConfig::default());
    let mut refreshed = false;
    for _ in 0..40 {
        let a = s.wait(secs(0.25), true);
        let e = edge(&s);
        if refreshes(&s.serve(a, origin(e, false))) > 0 {
            refreshed = true;
            break;
        }
    }
    assert!(refreshed);
    let e = crate::error::Error::Net(crate::net::NetError::Status {
        url: "http://origin/Manifest".into(),
        status: 500,
    });
    let failed = s.input(Input::Manifest(Err(e)));
    assert_eq!(errors(&failed), vec![("network".to_string(), false)]);
    let mut again = 0;
    for _ in 0..4 {
        again += refreshes(&s.wait(secs(0.25), true));
    }
    assert_eq!(again, 1, "once the rate limit allows");
}

#[test]
fn a_fragment_the_origin_never_made_is_skipped_silently() {
    let (mut s, first) = open_live(&live(10, 2), SessionConfig::default());
    let video = fetch_of(&first, StreamKind::Video).expect("video");
    let mut req = video.clone();
    let mut seen = Vec::new();
    loop {
        let a = s.answer(&req, FetchOutcome::Gone(status(&req, 404)));
        seen.extend(errors(&a));
        match fetch_of(&a, StreamKind::Video) {
            Some(r) if r.chunk == video.chunk => req = r,
            other => {
                assert_eq!(other.map(|r| r.chunk), Some(chunk(8)), "skips to the next");
                break;
            }
        }
    }
    assert!(seen.is_empty(), "{seen:?}");
    assert!(s.s.view().live);
}

#[test]
fn a_gap_on_one_level_only_is_filled_from_another() {
    let cfg = SessionConfig {
        quality: Some(2),
        ..SessionConfig::default()
    };
    let (mut s, first) = open_live(&live(10, 2), cfg);
    let video = fetch_of(&first, StreamKind::Video).expect("video");
    assert_eq!(video.quality_level, 2);
    let lower = s.answer(&video, FetchOutcome::Gone(status(&video, 404)));
    let lower = fetch_of(&lower, StreamKind::Video).expect("lower");
    assert_eq!((lower.chunk, lower.quality_level), (video.chunk, 1));
    let ok = s.deliver(&lower, &[]);
    assert!(events(&ok).iter().any(|e| matches!(
        e,
        Event::Quality { to: 1, reason, .. } if reason == "error"
    )));
}

#[test]
fn seeks_stay_inside_the_dvr_window_and_short_of_the_edge() {
    let (mut s, _) = open_live(&live(10, 2), SessionConfig::default());
    let back = s.command(Command::Seek(secs(0.0)));
    // The window's first fragment leaves it next: start one fragment in.
    assert_eq!(flush(&back), Some((2, secs(1002.0))));
    let ahead = s.command(Command::Seek(secs(100.0)));
    assert_eq!(flush(&ahead), Some((3, secs(1016.0))));
    let inside = s.command(Command::Seek(secs(9.0)));
    assert_eq!(flush(&inside), Some((4, secs(1008.0))));
}

#[test]
fn the_timeline_keeps_only_the_dvr_window() {
    let mut s = playing(&live(10, 2), SessionConfig::default());
    run(&mut s, 30.0, true, 2);
    let view = s.s.view();
    let window = view.end.saturating_sub(view.window_start);
    assert!(window <= secs(22.0), "{view:?}");
    assert!(view.window_start > secs(1010.0), "{view:?}");
}

#[test]
fn a_pause_longer_than_the_window_resumes_at_its_start() {
    let mut s = playing(&live(10, 2), SessionConfig::default());
    s.command(Command::Pause);
    let mut refreshed = 0;
    for _ in 0..16 {
        let n = refreshes(&s.wait(secs(0.5), false));
        if n > 0 {
            s.input(Input::Manifest(Ok(manifest_at(edge(&s), 2))));
        }
        refreshed += n;
    }
    assert_eq!(refreshed, 2, "a refresh every two fragments while paused");
    // The window moved on by 30 s while paused.
    let mut moved = live(10, 2);
    moved.first = FIRST + 15 * FRAG;
    s.input(Input::Manifest(Ok(manifest(&moved))));
    let play = s.command(Command::Play);
    let (_, start) = flush(&play).expect("a jump into the window");
    assert_eq!(start, secs(1032.0));
    let clamped = events(&play)
        .into_iter()
        .any(|e| matches!(e, Event::Seek { clamped: true, .. }));
    assert!(clamped);
}

#[test]
fn go_live_jumps_back_to_the_delay_behind_the_edge() {
    let (mut s, _) = open_live(&live(10, 2), SessionConfig::default());
    s.command(Command::Seek(secs(4.0)));
    // Twenty seconds back in the window: the edge moved on by the clock meanwhile.
    s.wait(secs(20.0), true);
    let live_again = s.command(Command::GoLive);
    assert_eq!(flush(&live_again), Some((3, secs(1035.0))));
    assert!(events(&live_again).iter().any(|e| matches!(
        e,
        Event::Seek { clamped: false, position_s, .. } if (*position_s - 35.0).abs() < 1e-9
    )));
}

#[test]
fn the_end_of_a_live_event_ends_playback() {
    let mut s = playing(&live(10, 0), SessionConfig::default());
    let mut ended = live(10, 0);
    ended.live = None;
    for _ in 0..40 {
        let a = s.wait(secs(0.25), true);
        if refreshes(&a) > 0 {
            s.input(Input::Manifest(Ok(manifest(&ended))));
        }
        let all = s.serve(a, |r| Some(got(r, None, &[])));
        if all.iter().any(|a| matches!(a, Action::EndOfStream(..))) {
            break;
        }
    }
    assert!(!s.s.view().live);
    assert!(
        s.log
            .iter()
            .any(|a| matches!(a, Action::EndOfStream(StreamKind::Video, _)))
    );
    s.obs.output_done = [true, true];
    assert_eq!(states(&s.tick()), vec![State::Ended]);
}
