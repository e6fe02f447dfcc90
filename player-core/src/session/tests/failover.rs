//! What a failing fetch leads to: mirrors, other levels, skipped fragments, clear failures,
//! and downloads abandoned for a lower level.

use super::harness::*;
use crate::error::Error;
use crate::net::NetError;
use crate::session::{
    Action, Command, Event, FetchOutcome, FetchRequest, Input, SessionConfig, State, StreamKind,
    Target,
};

fn mirrored() -> SessionConfig {
    SessionConfig {
        locations: 2,
        ..SessionConfig::default()
    }
}

fn reset(req: &FetchRequest) -> Error {
    Error::Net(NetError::Transport {
        url: format!("http://origin/{}", req.chunk.start),
        message: "connection reset".into(),
    })
}

#[test]
fn a_failing_origin_is_tried_again_at_its_mirror() {
    let mut s = Script::open(&Pres::default(), mirrored());
    let first = s.tick();
    let audio = fetch_of(&first, StreamKind::Audio).expect("audio");
    assert_eq!(audio.location, 0);
    let retry = s.answer(&audio, FetchOutcome::Failed(reset(&audio)));
    assert_eq!(errors(&retry), vec![("network".to_string(), false)]);
    let mirror = fetch_of(&retry, StreamKind::Audio).expect("mirror");
    assert_eq!((mirror.location, mirror.chunk), (1, audio.chunk));
    assert_ne!(mirror.id, audio.id);
    let ok = s.deliver(&mirror, &[]);
    assert!(
        ok.iter()
            .any(|a| matches!(a, Action::Decode(StreamKind::Audio, _)))
    );
}

#[test]
fn when_every_location_fails_a_lower_level_is_tried_and_reported_as_an_error_switch() {
    let mut s = Script::open(&Pres::default(), mirrored());
    let first = s.command(Command::SetQuality(Some(1)));
    let video = fetch_of(&first, StreamKind::Video).expect("video");
    assert_eq!((video.quality_level, video.location), (1, 0));
    let at_mirror = fetch_of(
        &s.answer(&video, FetchOutcome::Failed(status(&video, 503))),
        StreamKind::Video,
    )
    .expect("mirror");
    assert_eq!((at_mirror.quality_level, at_mirror.location), (1, 1));
    let lower = s.answer(&at_mirror, FetchOutcome::Failed(status(&at_mirror, 503)));
    let lower = fetch_of(&lower, StreamKind::Video).expect("lower level");
    assert_eq!((lower.quality_level, lower.location), (0, 0));
    let ok = s.deliver(&lower, &[]);
    assert!(events(&ok).iter().any(|e| matches!(
        e,
        Event::Quality { to: 0, reason, .. } if reason == "error"
    )));
}

/// The failover events of `actions`: (from level, from location, to level, to location).
fn failovers(actions: &[Action]) -> Vec<(usize, usize, usize, usize, String)> {
    events(actions)
        .into_iter()
        .filter_map(|e| match e {
            Event::Failover {
                stream: StreamKind::Video,
                from_level,
                from_location,
                to_level,
                to_location,
                error,
                ..
            } => Some((from_level, from_location, to_level, to_location, error)),
            _ => None,
        })
        .collect()
}

#[test]
fn each_failover_is_reported_with_where_it_moves_from_and_to_and_why() {
    let mut s = Script::open(&Pres::default(), mirrored());
    let first = s.command(Command::SetQuality(Some(1)));
    let video = fetch_of(&first, StreamKind::Video).expect("video");
    let to_mirror = s.answer(&video, FetchOutcome::Failed(status(&video, 503)));
    let f = failovers(&to_mirror);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!((f[0].0, f[0].1, f[0].2, f[0].3), (1, 0, 1, 1));
    assert!(f[0].4.contains("503"), "{}", f[0].4);
    let at_mirror = fetch_of(&to_mirror, StreamKind::Video).expect("mirror");
    let lower = s.answer(&at_mirror, FetchOutcome::Failed(reset(&at_mirror)));
    let f = failovers(&lower);
    assert_eq!((f[0].0, f[0].1, f[0].2, f[0].3), (1, 1, 0, 0));
    assert!(f[0].4.contains("connection reset"), "{}", f[0].4);
    assert!(events(&lower).iter().any(|e| matches!(
        e,
        Event::Failover { position_s, .. } if *position_s == 0.0
    )));
    // Delivered at last: nothing more to report.
    let lowest = fetch_of(&lower, StreamKind::Video).expect("lower");
    assert!(failovers(&s.deliver(&lowest, &[])).is_empty());
}

#[test]
fn a_fragment_only_missing_at_a_live_edge_is_no_failover() {
    let (mut s, first) =
        super::live_origin::open_live(&super::live_origin::live(10, 2), mirrored());
    let video = fetch_of(&first, StreamKind::Video).expect("video");
    let next = s.answer(&video, FetchOutcome::Gone(status(&video, 404)));
    assert!(failovers(&next).is_empty(), "{:?}", events(&next));
    assert!(
        fetch_of(&next, StreamKind::Video).is_some(),
        "still tried elsewhere"
    );
}

#[test]
fn when_nothing_anywhere_can_be_fetched_playback_fails_with_the_last_error() {
    let mut s = Script::vod(&Pres::default());
    let first = s.tick();
    let mut req = fetch_of(&first, StreamKind::Audio).expect("audio");
    let mut seen = Vec::new();
    loop {
        let a = s.answer(&req, FetchOutcome::Failed(reset(&req)));
        seen.extend(errors(&a));
        match fetch_of(&a, StreamKind::Audio) {
            Some(r) if r.chunk == req.chunk => req = r,
            _ => {
                assert_eq!(states(&a), vec![State::Failed]);
                break;
            }
        }
    }
    assert_eq!(seen.last(), Some(&("network".to_string(), true)));
    assert!(seen[..seen.len() - 1].iter().all(|(_, fatal)| !fatal));
}

#[test]
fn a_fragment_missing_from_an_on_demand_presentation_is_a_failure() {
    let mut s = Script::vod(&Pres::default());
    let first = s.tick();
    let audio = fetch_of(&first, StreamKind::Audio).expect("audio");
    let gone = s.answer(&audio, FetchOutcome::Gone(status(&audio, 404)));
    assert_eq!(states(&gone), vec![State::Failed]);
    assert_eq!(errors(&gone).last(), Some(&("network".to_string(), true)));
}

#[test]
fn a_corrupt_fragment_is_reported_and_skipped() {
    let mut s = Script::vod(&Pres::default());
    let first = s.tick();
    let audio = fetch_of(&first, StreamKind::Audio).expect("audio");
    let error = Error::Box(crate::isobmff::BoxError::Missing {
        path: "moof".into(),
        what: "traf".into(),
    });
    let url = "http://origin/a/0".to_string();
    let skipped = s.answer(&audio, FetchOutcome::Corrupt { error, url });
    let message = events(&skipped).into_iter().find_map(|e| match e {
        Event::Error {
            kind,
            message,
            fatal: false,
        } if kind == "fragment" => Some(message),
        _ => None,
    });
    assert!(message.is_some_and(|m| m.contains("http://origin/a/0")));
    let next = fetch_of(&skipped, StreamKind::Audio).expect("next");
    assert_eq!(next.chunk.start, FRAG);
}

#[test]
fn a_cancelled_fetch_is_asked_again() {
    let mut s = Script::vod(&Pres::default());
    let first = s.tick();
    let audio = fetch_of(&first, StreamKind::Audio).expect("audio");
    let again = s.answer(&audio, FetchOutcome::Cancelled);
    let retry = fetch_of(&again, StreamKind::Audio).expect("again");
    assert_eq!(retry.chunk, audio.chunk);
}

/// Fills with fast downloads until the ABR fetches video above the lowest level; returns
/// that request, unanswered.
fn climb(s: &mut Script) -> FetchRequest {
    let mut pending = s.tick();
    for _ in 0..100 {
        let video = fetch_of(&pending, StreamKind::Video);
        if let Some(v) = &video
            && v.quality_level > 0
            && v.watch
        {
            return v.clone();
        }
        let mut next = Vec::new();
        for r in fetches(&pending) {
            next.extend(s.deliver(&r, &[]));
        }
        // Keep the buffer short so the ABR keeps asking.
        s.obs.position += secs(2.0);
        s.now += secs(2.0);
        next.extend(s.tick());
        pending = next;
    }
    panic!("the ABR never climbed");
}

#[test]
fn a_download_that_would_arrive_too_late_is_abandoned_for_a_lower_level() {
    let cfg = SessionConfig {
        buffer_ahead: secs(6.0),
        ..SessionConfig::default()
    };
    let p = Pres {
        chunks: 100,
        ..Pres::default()
    };
    let mut s = Script::open(&p, cfg);
    let high = climb(&mut s);
    // 3 s in and only 2 % of the fragment has come: it will not be in time.
    let expected = 625_000;
    let slow = s.input(Input::Progress {
        id: high.id,
        progress: progress(expected / 50, expected, 3.0),
    });
    assert!(
        slow.iter()
            .any(|a| matches!(a, Action::Cancel(id) if *id == high.id)),
        "{slow:?}"
    );
    let lower = fetch_of(&slow, StreamKind::Video).expect("refetch lower");
    assert_eq!(lower.chunk, high.chunk);
    assert!(lower.quality_level < high.quality_level);
    // The abandoned download's result no longer counts.
    let late = s.deliver(&high, &[]);
    assert!(!late.iter().any(|a| matches!(a, Action::Decode(..))));
}

#[test]
fn progress_on_time_or_for_an_unknown_request_changes_nothing() {
    let mut s = Script::vod(&Pres::default());
    let first = s.tick();
    let video = fetch_of(&first, StreamKind::Video).expect("video");
    let unknown = s.input(Input::Progress {
        id: crate::session::RequestId(999),
        progress: progress(1, 1_000_000, 100.0),
    });
    assert!(unknown.is_empty());
    // The lowest level is never abandoned.
    let lowest = s.input(Input::Progress {
        id: video.id,
        progress: progress(1, 1_000_000, 100.0),
    });
    assert!(!lowest.iter().any(|a| matches!(a, Action::Cancel(_))));
    assert!(
        fetches(&first)
            .iter()
            .any(|r| r.target == Target::Media(StreamKind::Audio) && !r.watch)
    );
}
