//! Nothing waits forever: no progress is a warning then a failure, unless playback is
//! waiting for something known; a fragment cannot move where an on-demand presentation ends.

use super::harness::*;
use super::live_origin::*;
use crate::session::{Command, FetchOutcome, SessionConfig, State, StreamKind};

fn stall_errors(s: &Script) -> Vec<bool> {
    errors(&s.log)
        .into_iter()
        .filter(|(kind, _)| kind == "stall")
        .map(|(_, fatal)| fatal)
        .collect()
}

#[test]
fn playback_that_makes_no_progress_warns_then_fails() {
    let mut s = Script::vod(&Pres::default());
    // The origin never answers.
    s.tick();
    for _ in 0..18 {
        s.wait(secs(0.5), false);
    }
    assert!(stall_errors(&s).is_empty(), "not yet");
    for _ in 0..6 {
        s.wait(secs(0.5), false);
    }
    assert_eq!(stall_errors(&s), vec![false], "a warning after 10 s");
    for _ in 0..40 {
        s.wait(secs(0.5), false);
    }
    assert_eq!(stall_errors(&s), vec![false, true]);
    assert_eq!(s.s.state(), State::Failed);
}

#[test]
fn a_paused_player_is_not_stalled() {
    let mut s = Script::vod(&Pres::default());
    s.fill();
    s.command(Command::Pause);
    for _ in 0..100 {
        s.wait(secs(0.5), false);
    }
    assert!(stall_errors(&s).is_empty());
}

#[test]
fn waiting_for_the_live_edge_is_not_a_stall() {
    let mut s = playing(&live(10, 2), SessionConfig::default());
    // The encoder stops: every new fragment is "not yet", for a long time.
    for _ in 0..160 {
        let a = s.wait(secs(0.25), true);
        s.serve(a, |r| {
            if r.chunk.end() > FIRST + 10 * FRAG {
                Some(FetchOutcome::NotYet)
            } else {
                Some(got(r, None, &[]))
            }
        });
    }
    assert!(stall_errors(&s).is_empty(), "{:?}", stall_errors(&s));
    assert_ne!(s.s.state(), State::Failed);
}

#[test]
fn a_fragment_claiming_another_duration_does_not_move_the_end_on_demand() {
    let mut s = Script::vod(&Pres::default());
    let first = s.tick();
    let video = fetch_of(&first, StreamKind::Video).expect("video");
    // A corrupt tfxd: 28.8 s instead of 2 s.
    let next = s.answer(&video, got(&video, Some(288_000_000), &[]));
    assert_eq!(s.s.view().end, secs(20.0));
    assert_eq!(
        fetch_of(&next, StreamKind::Video).map(|r| r.chunk.start),
        Some(FRAG)
    );
}
