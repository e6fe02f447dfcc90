//! Captions: fetched a little ahead while on, shown when their time comes, never holding
//! playback up.

use std::time::Duration;

use super::harness::*;
use crate::captions::Cue;
use crate::session::{
    Command, Event, FetchOutcome, FetchRequest, Fetched, Payload, SessionConfig, Target,
};

fn with_captions() -> Pres {
    Pres {
        captions: true,
        ..Pres::default()
    }
}

fn on() -> SessionConfig {
    SessionConfig {
        captions: true,
        ..SessionConfig::default()
    }
}

fn text_fetches(actions: &[crate::session::Action]) -> Vec<FetchRequest> {
    fetches(actions)
        .into_iter()
        .filter(|r| r.target == Target::Text)
        .collect()
}

fn cue(from: f64, to: f64, text: &str) -> FetchOutcome {
    FetchOutcome::Got(Fetched {
        url: "http://origin/t".into(),
        bytes: 100,
        ttfb: Duration::ZERO,
        total: Duration::ZERO,
        exact_duration: None,
        next: Vec::new(),
        children: Vec::new(),
        payload: Payload::Cues(vec![Cue {
            start: secs(from),
            end: secs(to),
            text: text.into(),
        }]),
    })
}

fn captions(actions: &[crate::session::Action]) -> Vec<String> {
    events(actions)
        .into_iter()
        .filter_map(|e| match e {
            Event::Caption { text, .. } => Some(text),
            _ => None,
        })
        .collect()
}

#[test]
fn captions_are_fetched_ten_seconds_ahead_only_while_on() {
    let mut s = Script::vod(&with_captions());
    assert!(text_fetches(&s.tick()).is_empty(), "off: nothing fetched");
    assert!(s.s.view().has_captions);
    let first = s.command(Command::SetCaptions(true));
    let mut starts = Vec::new();
    s.serve(first, |r| {
        if r.target == Target::Text {
            starts.push(r.chunk.start / FRAG);
        }
        Some(got(r, None, &[]))
    });
    assert_eq!(starts, vec![0, 1, 2, 3, 4, 5]);
}

#[test]
fn the_text_on_screen_is_reported_when_it_changes() {
    let mut s = Script::open(&with_captions(), on());
    let first = s.tick();
    let req = text_fetches(&first).remove(0);
    s.answer(&req, cue(1.0, 2.0, "hello"));
    assert!(captions(&s.wait(secs(0.5), true)).is_empty());
    assert_eq!(captions(&s.wait(secs(0.6), true)), vec!["hello"]);
    assert!(captions(&s.wait(secs(0.1), true)).is_empty(), "unchanged");
    assert_eq!(captions(&s.wait(secs(1.0), true)), vec![""]);
    s.obs.position = secs(1.5);
    let off = s.command(Command::SetCaptions(false));
    let _ = off;
    assert!(captions(&s.tick()).is_empty(), "nothing was showing");
}

#[test]
fn turning_captions_on_without_a_caption_stream_is_an_error() {
    let mut s = Script::vod(&Pres::default());
    assert!(!s.s.view().has_captions);
    let a = s.command(Command::SetCaptions(true));
    assert_eq!(errors(&a), vec![("selection".to_string(), false)]);
}

#[test]
fn a_caption_fragment_that_fails_is_reported_once_and_skipped() {
    let mut s = Script::open(&with_captions(), on());
    let first = s.tick();
    let req = text_fetches(&first).remove(0);
    let failed = s.answer(&req, FetchOutcome::Failed(status(&req, 500)));
    assert_eq!(errors(&failed), vec![("captions".to_string(), false)]);
    let next = text_fetches(&failed);
    assert_eq!(next.first().map(|r| r.chunk.start), Some(FRAG));
}

#[test]
fn captions_never_hold_playback_up() {
    let mut s = Script::open(&with_captions(), on());
    let first = s.tick();
    // Media arrives; caption requests are never answered.
    let all = s.serve(first, |r| {
        (r.target != Target::Text).then(|| got(r, None, &[]))
    });
    assert!(!text_fetches(&all).is_empty());
    assert_eq!(states(&s.tick()), vec![crate::session::State::Playing]);
}

#[test]
fn a_text_stream_can_be_chosen_by_language_and_a_missing_one_is_a_warning() {
    let cfg = SessionConfig {
        text: Some("deu".into()),
        ..on()
    };
    let s = Script::open(&with_captions(), cfg);
    assert!(!s.s.view().has_captions);
    assert_eq!(errors(&s.log), vec![("selection".to_string(), false)]);
    let cfg = SessionConfig {
        text: Some("eng".into()),
        ..on()
    };
    let s = Script::open(&with_captions(), cfg);
    assert!(s.s.view().has_captions);
}
