//! On demand: start, buffering, stalls, the end, budgets.

use std::time::Duration;

use super::harness::*;
use crate::session::{Action, Event, SessionConfig, State, StreamKind, Target};

#[test]
fn the_first_tick_asks_once_for_the_first_video_and_audio_fragments() {
    let mut s = Script::vod(&Pres::default());
    let first = s.tick();
    let reqs = fetches(&first);
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    let video = fetch_of(&first, StreamKind::Video).expect("video");
    let audio = fetch_of(&first, StreamKind::Audio).expect("audio");
    assert_eq!((video.chunk.start, audio.chunk.start), (0, 0));
    assert_eq!(video.quality_level, 0, "a conservative start");
    assert_eq!(audio.stream, 1, "the first audio stream");
    assert!(
        fetches(&s.tick()).is_empty(),
        "one request per stream at a time"
    );
}

#[test]
fn playback_starts_once_the_startup_buffer_is_in_and_then_keeps_fetching() {
    let mut s = Script::vod(&Pres::default());
    let first = s.tick();
    let video = fetch_of(&first, StreamKind::Video).expect("video");
    let after_video = s.deliver(&video, &[]);
    assert_eq!(
        fetch_of(&after_video, StreamKind::Video).map(|r| r.chunk.start),
        Some(FRAG),
        "the next fragment follows at once"
    );
    assert!(states(&s.tick()).is_empty(), "audio is not in yet");
    let audio = fetch_of(&first, StreamKind::Audio).expect("audio");
    s.deliver(&audio, &[]);
    let started = s.tick();
    assert_eq!(states(&started), vec![State::Playing]);
    assert_eq!(last_hold(&started), Some(false));
}

#[test]
fn fragments_reach_the_decoder_stamped_with_level_and_generation() {
    let mut s = Script::vod(&Pres::default());
    let all = s.fill();
    let decoded: Vec<_> = all
        .iter()
        .filter_map(|a| match a {
            Action::Decode(StreamKind::Video, f) => Some((f.generation, f.bitrate, f.timescale)),
            _ => None,
        })
        .collect();
    assert!(!decoded.is_empty());
    assert!(decoded.iter().all(|&(g, _, ts)| g == 1 && ts == TS));
    let quality: Vec<_> = events(&all)
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                Event::Quality {
                    stream: StreamKind::Video,
                    ..
                }
            )
        })
        .collect();
    assert!(
        matches!(&quality[0], Event::Quality { from: None, reason, .. } if reason == "startup"),
        "{quality:?}"
    );
}

#[test]
fn fetching_stops_at_the_forward_buffer_target() {
    let cfg = SessionConfig {
        buffer_ahead: secs(6.0),
        ..SessionConfig::default()
    };
    let mut s = Script::open(&Pres::default(), cfg);
    let all = s.fill();
    let video: Vec<u64> = fetches(&all)
        .iter()
        .filter(|r| r.target == Target::Media(StreamKind::Video))
        .map(|r| r.chunk.start / FRAG)
        .collect();
    assert_eq!(video, vec![0, 1, 2]);
    // Two seconds played: room for one more.
    let more = s.wait(secs(2.0), true);
    assert_eq!(
        fetch_of(&more, StreamKind::Video).map(|r| r.chunk.start / FRAG),
        Some(3)
    );
}

#[test]
fn the_byte_budget_stops_fetching_except_for_a_starving_stream() {
    let mut s = Script::vod(&Pres::default());
    s.obs.queued_bytes = 64 * 1024 * 1024;
    let first = s.tick();
    assert_eq!(
        fetches(&first).len(),
        2,
        "nothing buffered: both streams starve"
    );
    let video = fetch_of(&first, StreamKind::Video).expect("video");
    let next = s.deliver(&video, &[]);
    assert!(
        fetch_of(&next, StreamKind::Video).is_none(),
        "two seconds buffered, over budget: wait"
    );
    s.obs.queued_bytes = 0;
    assert!(fetch_of(&s.tick(), StreamKind::Video).is_some());
}

#[test]
fn the_end_of_each_stream_is_told_and_playback_ends_when_the_outputs_are_done() {
    let p = Pres {
        chunks: 3,
        ..Pres::default()
    };
    let mut s = Script::vod(&p);
    let all = s.fill();
    let ends: Vec<_> = all
        .iter()
        .filter_map(|a| match a {
            Action::EndOfStream(k, g) => Some((*k, *g)),
            _ => None,
        })
        .collect();
    assert_eq!(ends.len(), 2, "{ends:?}");
    assert!(ends.iter().all(|(_, g)| *g == 1));
    s.obs.output_done = [true, false];
    assert!(!states(&s.wait(secs(6.0), true)).contains(&State::Ended));
    s.obs.output_done = [true, true];
    let ended = s.tick();
    assert_eq!(states(&ended), vec![State::Ended]);
    assert!(
        events(&ended)
            .iter()
            .any(|e| matches!(e, Event::Ended { position_s } if (*position_s - 6.0).abs() < 1e-9))
    );
    assert_eq!(last_hold(&ended), Some(true));
    assert!(states(&s.tick()).is_empty(), "ended once");
}

#[test]
fn running_dry_is_a_stall_and_data_ends_it() {
    let mut s = Script::vod(&Pres::default());
    let first = s.tick();
    let (video, audio) = (
        fetch_of(&first, StreamKind::Video).expect("video"),
        fetch_of(&first, StreamKind::Audio).expect("audio"),
    );
    let v1 = fetch_of(&s.deliver(&video, &[]), StreamKind::Video).expect("next video");
    let a1 = fetch_of(&s.deliver(&audio, &[]), StreamKind::Audio).expect("next audio");
    assert_eq!(states(&s.tick()), vec![State::Playing]);
    let dry = s.wait(secs(2.0), true);
    assert_eq!(states(&dry), vec![State::Buffering]);
    assert_eq!(last_hold(&dry), Some(true));
    assert!(events(&dry).contains(&Event::Buffering { active: true }));
    s.deliver(&v1, &[]);
    s.deliver(&a1, &[]);
    s.now += secs(0.5);
    let back = s.tick();
    assert!(events(&back).contains(&Event::Buffering { active: false }));
    assert_eq!(states(&back), vec![State::Playing]);
}

#[test]
fn fast_mode_starts_at_once_and_never_stalls() {
    let cfg = SessionConfig {
        fast: true,
        ..SessionConfig::default()
    };
    let mut s = Script::open(&Pres::default(), cfg);
    let started = s.tick();
    assert_eq!(states(&started), vec![State::Playing]);
    let later = s.wait(secs(30.0), true);
    assert!(states(&later).is_empty(), "{later:?}");
}

#[test]
fn opening_paused_buffers_then_waits_for_play() {
    let cfg = SessionConfig {
        start_paused: true,
        ..SessionConfig::default()
    };
    let mut s = Script::open(&Pres::default(), cfg);
    assert_eq!(states(&s.log), vec![State::Paused], "paused from the start");
    let buffered = s.fill();
    assert!(states(&buffered).is_empty());
    assert_ne!(last_hold(&buffered), Some(false));
    let play = s.command(crate::session::Command::Play);
    assert_eq!(states(&play), vec![State::Buffering]);
    assert_eq!(states(&s.tick()), vec![State::Playing]);
}

#[test]
fn a_configured_start_begins_at_the_fragment_holding_it() {
    let cfg = SessionConfig {
        start: Some(secs(5.0)),
        ..SessionConfig::default()
    };
    let mut s = Script::open(&Pres::default(), cfg);
    let first = flush(&s.log);
    assert_eq!(first, Some((1, secs(4.0))));
    let reqs = s.tick();
    assert_eq!(
        fetch_of(&reqs, StreamKind::Video).map(|r| r.chunk.start),
        Some(2 * FRAG)
    );
}

#[test]
fn positions_count_from_the_first_fragment_of_a_presentation_that_starts_late() {
    let p = Pres {
        first: 50 * TS,
        ..Pres::default()
    };
    let mut s = Script::vod(&p);
    assert_eq!(s.s.view().origin, secs(50.0));
    s.fill();
    let stats = s.wait(secs(1.0), false);
    let Some(Event::Stats(st)) = events(&stats)
        .into_iter()
        .find(|e| matches!(e, Event::Stats(_)))
    else {
        panic!("no stats: {stats:?}");
    };
    assert_eq!(st.position_s, 0.0);
    assert!(st.buffer_s >= 19.0, "{st:?}");
}

#[test]
fn stats_come_once_a_second_with_the_buffer_and_the_bandwidth() {
    let mut s = Script::vod(&Pres::default());
    s.fill();
    let mut count = 0;
    for _ in 0..50 {
        let a = s.wait(Duration::from_millis(100), false);
        count += events(&a)
            .iter()
            .filter(|e| matches!(e, Event::Stats(_)))
            .count();
    }
    assert_eq!(count, 5);
    let a = s.wait(Duration::from_secs(1), false);
    let Some(Event::Stats(st)) = events(&a)
        .into_iter()
        .find(|e| matches!(e, Event::Stats(_)))
    else {
        panic!("no stats");
    };
    assert!(st.bandwidth_bps > 1_000_000, "100 kB in 40 ms: {st:?}");
    assert_eq!(st.live_edge_s, None);
}
