//! Host commands: seek, replay, pause, quality, stream switches, stop.

use super::harness::*;
use crate::session::{
    Action, Command, Event, FetchOutcome, Input, SessionConfig, State, StreamKind,
};

fn seek_event(actions: &[Action]) -> Option<(f64, f64, bool)> {
    events(actions).into_iter().find_map(|e| match e {
        Event::Seek {
            requested_s,
            position_s,
            clamped,
        } => Some((requested_s, position_s, clamped)),
        _ => None,
    })
}

#[test]
fn a_seek_starts_a_generation_at_the_keyframe_at_or_before_the_target() {
    let mut s = Script::vod(&Pres::default());
    let first = s.tick();
    let old = fetch_of(&first, StreamKind::Video).expect("video");
    let seek = s.command(Command::Seek(secs(7.0)));
    assert_eq!(flush(&seek), Some((2, secs(6.0))));
    assert_eq!(seek_event(&seek), Some((7.0, 6.0, false)));
    assert!(
        seek.iter()
            .any(|a| matches!(a, Action::Cancel(id) if *id == old.id)),
        "the old requests are cancelled"
    );
    assert_eq!(states(&seek), vec![], "still buffering");
    assert_eq!(last_hold(&seek), Some(true));
    let video = fetch_of(&seek, StreamKind::Video).expect("refetch");
    let audio = fetch_of(&seek, StreamKind::Audio).expect("refetch");
    assert_eq!((video.chunk.start, audio.chunk.start), (3 * FRAG, 3 * FRAG));
}

#[test]
fn results_of_an_older_generation_are_ignored() {
    let mut s = Script::vod(&Pres::default());
    let first = s.tick();
    let old = fetch_of(&first, StreamKind::Video).expect("video");
    s.command(Command::Seek(secs(10.0)));
    let late = s.deliver(&old, &[]);
    assert!(
        !late.iter().any(|a| matches!(a, Action::Decode(..))),
        "{late:?}"
    );
}

#[test]
fn seeks_outside_the_presentation_are_clamped() {
    let mut s = Script::vod(&Pres::default());
    let past = s.command(Command::Seek(secs(500.0)));
    let (_, position, clamped) = seek_event(&past).expect("seek");
    assert!(clamped);
    assert_eq!(position, 18.0, "the last fragment");
    let before = s.command(Command::SeekBy(-100.0));
    assert_eq!(seek_event(&before), Some((-82.0, 0.0, true)));
}

#[test]
fn instant_replay_goes_back_from_the_position() {
    let mut s = Script::vod(&Pres::default());
    s.obs.position = secs(15.0);
    s.tick();
    let replay = s.command(Command::SeekBy(-10.0));
    assert_eq!(seek_event(&replay), Some((5.0, 4.0, false)));
}

#[test]
fn pause_holds_the_clock_and_play_resumes_through_buffering() {
    let mut s = Script::vod(&Pres::default());
    s.fill();
    assert_eq!(states(&s.tick()), vec![State::Playing]);
    let paused = s.command(Command::Pause);
    assert_eq!(states(&paused), vec![State::Paused]);
    assert_eq!(last_hold(&paused), Some(true));
    assert!(states(&s.wait(secs(5.0), false)).is_empty(), "stays paused");
    let play = s.command(Command::Play);
    assert_eq!(states(&play), vec![State::Buffering]);
    let resumed = s.tick();
    assert_eq!(states(&resumed), vec![State::Playing]);
    assert_eq!(last_hold(&resumed), Some(false));
}

#[test]
fn every_command_is_echoed_as_an_event() {
    let mut s = Script::vod(&Pres::default());
    let a = s.command(Command::SetMaxBitrate(Some(1_000_000)));
    assert_eq!(
        events(&a),
        vec![Event::Command {
            command: "maxbitrate 1000000".into()
        }]
    );
}

#[test]
fn a_manual_level_is_fetched_from_the_next_fragment() {
    let mut s = Script::vod(&Pres::default());
    let first = s.tick();
    let video = fetch_of(&first, StreamKind::Video).expect("video");
    s.command(Command::SetQuality(Some(2)));
    let next = fetch_of(&s.deliver(&video, &[]), StreamKind::Video).expect("next");
    assert_eq!(next.quality_level, 2);
    let switched = s.deliver(&next, &[]);
    assert!(events(&switched).iter().any(|e| matches!(
        e,
        Event::Quality { from: Some(0), to: 2, reason, height: Some(720), .. } if reason == "manual"
    )));
}

#[test]
fn a_bitrate_cap_keeps_the_abr_below_it() {
    let mut s = Script::vod(&Pres::default());
    s.command(Command::SetMaxBitrate(Some(500_000)));
    let all = s.fill();
    assert!(
        fetches(&all)
            .iter()
            .filter(|r| r.target == crate::session::Target::Media(StreamKind::Video))
            .all(|r| r.quality_level == 0)
    );
}

#[test]
fn switching_the_audio_language_takes_over_at_the_next_boundary_without_a_restart() {
    let mut s = Script::vod(&Pres::default());
    s.fill();
    s.obs.position = secs(4.5);
    s.tick();
    let switch = s.command(Command::SelectStream {
        kind: StreamKind::Audio,
        name: "fra".into(),
    });
    // No new generation: the position stays, nothing is played twice.
    assert_eq!(flush(&switch), None);
    assert!(events(&switch).contains(&Event::Track {
        stream: StreamKind::Audio,
        name: "fra".into()
    }));
    // The old language plays to 6 s (the first boundary the new one can make in time);
    // the new one is fetched from there.
    let replaced: Vec<(StreamKind, std::time::Duration)> = switch
        .iter()
        .filter_map(|a| match a {
            crate::session::Action::Replace { kind, from, .. } => Some((*kind, *from)),
            _ => None,
        })
        .collect();
    assert_eq!(replaced, vec![(StreamKind::Audio, secs(6.0))]);
    let audio = fetch_of(&switch, StreamKind::Audio).expect("audio");
    assert_eq!((audio.stream, audio.chunk.start), (2, 3 * FRAG));
    assert_eq!(s.s.view().selected, [Some(0), Some(2)]);
    // Too close to a boundary to make it: the one after.
    let mut s = Script::vod(&Pres::default());
    s.fill();
    s.obs.position = secs(5.7);
    s.tick();
    let switch = s.command(Command::SelectStream {
        kind: StreamKind::Audio,
        name: "fra".into(),
    });
    let audio = fetch_of(&switch, StreamKind::Audio).expect("audio");
    assert_eq!(audio.chunk.start, 4 * FRAG);
}

#[test]
fn unknown_or_unplayable_stream_switches_are_errors_that_change_nothing() {
    let mut s = Script::vod(&Pres::default());
    let unknown = s.command(Command::SelectStream {
        kind: StreamKind::Audio,
        name: "deu".into(),
    });
    assert_eq!(errors(&unknown), vec![("selection".to_string(), false)]);
    assert_eq!(flush(&unknown), None);
    let p = Pres {
        video: false,
        ..Pres::default()
    };
    let mut s = Script::vod(&p);
    let none = s.command(Command::SelectStream {
        kind: StreamKind::Video,
        name: "video".into(),
    });
    assert_eq!(errors(&none), vec![("selection".to_string(), false)]);
}

#[test]
fn go_live_on_demand_says_it_is_not_live() {
    let mut s = Script::vod(&Pres::default());
    let a = s.command(Command::GoLive);
    assert_eq!(errors(&a), vec![("not_live".to_string(), false)]);
    assert_eq!(flush(&a), None);
}

#[test]
fn stop_cancels_everything_and_closes() {
    let mut s = Script::vod(&Pres::default());
    let first = s.tick();
    let stop = s.command(Command::Stop);
    for r in fetches(&first) {
        assert!(
            stop.iter()
                .any(|a| matches!(a, Action::Cancel(id) if *id == r.id))
        );
    }
    assert_eq!(states(&stop), vec![State::Stopped]);
    assert!(matches!(stop.last(), Some(Action::Close)));
    assert!(fetches(&s.wait(secs(1.0), false)).is_empty());
    assert_eq!(s.s.poll_timeout(), None);
}

/// Fuzzing regression (fuzz/ target `session`): commands after `Close` were still echoed.
#[test]
fn after_close_nothing_comes_out_whatever_goes_in() {
    let mut s = Script::vod(&Pres::default());
    s.tick();
    let stop = s.command(Command::Stop);
    assert!(matches!(stop.last(), Some(Action::Close)));
    for c in [
        Command::Play,
        Command::Pause,
        Command::Stop,
        Command::SetCaptions(true),
    ] {
        assert!(s.command(c).is_empty());
    }
    assert!(s.wait(secs(5.0), true).is_empty());
}

#[test]
fn a_failed_session_takes_no_seek() {
    let mut s = Script::vod(&Pres::default());
    let first = s.tick();
    let video = fetch_of(&first, StreamKind::Video).expect("video");
    let key = crate::error::Error::Decrypt(crate::decrypt::DecryptError::KeyUnavailable {
        kid: crate::base::Uuid([1; 16]),
    });
    let failed = s.answer(&video, FetchOutcome::Fatal(key));
    assert_eq!(errors(&failed), vec![("decrypt".to_string(), true)]);
    assert_eq!(states(&failed), vec![State::Failed]);
    let seek = s.command(Command::Seek(secs(4.0)));
    assert_eq!(flush(&seek), None);
    assert!(fetches(&seek).is_empty());
}

#[test]
fn a_decoder_failure_ends_playback() {
    let mut s = Script::vod(&Pres::default());
    s.fill();
    let e = crate::error::Error::NoPlayableStream;
    let failed = s.input(Input::DecoderFailed(e));
    assert_eq!(states(&failed), vec![State::Failed]);
    assert_eq!(errors(&failed), vec![("selection".to_string(), true)]);
}

#[test]
fn the_viewport_caps_what_the_abr_fetches() {
    let cfg = SessionConfig {
        buffer_ahead: secs(40.0),
        ..SessionConfig::default()
    };
    let p = Pres {
        chunks: 30,
        ..Pres::default()
    };
    let mut s = Script::open(&p, cfg);
    s.command(Command::SetViewport(Some((320, 180))));
    let all = s.fill();
    let top = fetches(&all)
        .iter()
        .filter(|r| r.target == crate::session::Target::Media(StreamKind::Video))
        .map(|r| r.quality_level)
        .max();
    assert!(top <= Some(1), "a 320x180 window needs no 720p: {top:?}");
}
