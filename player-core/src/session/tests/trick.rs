//! Trick play: key-frame fetches at the lowest level forwards and backwards, 2× with every
//! picture, no audio, back to 1 by command, at the start and at the live point, the DVR
//! window, refused rates.

use std::time::Duration;

use bytes::Bytes;

use super::harness::*;
use super::live_origin::*;
use crate::demux::MediaUnit;
use crate::session::{
    Action, Command, DecodeFragment, Event, FetchOutcome, FetchRequest, Payload, SessionConfig,
    State, StreamKind, Target,
};

/// A fragment of three samples, the first a keyframe, as an origin would answer `r`.
fn with_units(r: &FetchRequest) -> Option<FetchOutcome> {
    let mut out = got(r, None, &[]);
    if let FetchOutcome::Got(f) = &mut out
        && let Payload::Samples { units, .. } = &mut f.payload
    {
        let step = r.chunk.duration / 3;
        *units = (0..3)
            .map(|i| MediaUnit {
                data: Bytes::new(),
                dts: r.chunk.start + i * step,
                pts: r.chunk.start + i * step,
                duration: u32::try_from(step).unwrap_or(u32::MAX),
                is_sync: i == 0,
            })
            .collect();
    }
    Some(out)
}

/// On demand, playing from the start, at `at` seconds.
fn vod_at(at: f64) -> Script {
    let mut s = Script::vod(&Pres::default());
    let all = s.tick();
    s.serve(all, with_units);
    assert_eq!(states(&s.tick()), vec![State::Playing]);
    s.wait(secs(at), true);
    s
}

/// The media fetches among `actions`: (kind, fragment number, level).
fn media(actions: &[Action]) -> Vec<(StreamKind, u64, usize)> {
    fetches(actions)
        .iter()
        .filter_map(|r| match r.target {
            Target::Media(k) => Some((k, r.chunk.start / FRAG, r.quality_level)),
            _ => None,
        })
        .collect()
}

/// The video fragments handed to the decoder among `actions`.
fn decoded_video(actions: &[Action]) -> Vec<DecodeFragment> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Decode(StreamKind::Video, f) => Some(f.clone()),
            _ => None,
        })
        .collect()
}

/// The rate events among `actions`: (rate, reason).
fn rates(actions: &[Action]) -> Vec<(f64, String)> {
    events(actions)
        .into_iter()
        .filter_map(|e| match e {
            Event::Rate { rate, reason } => Some((rate, reason)),
            _ => None,
        })
        .collect()
}

/// The new generation's trick-play rate among `actions`.
fn flush_rate(actions: &[Action]) -> Option<f64> {
    actions.iter().find_map(|a| match a {
        Action::Flush { rate, .. } => Some(*rate),
        _ => None,
    })
}

#[test]
fn fast_forward_fetches_only_keyframes_at_the_lowest_level_in_ascending_order() {
    for rate in [4.0, 8.0, 16.0] {
        let mut s = vod_at(5.0);
        let cmd = s.command(Command::SetRate(rate));
        assert_eq!(
            flush(&cmd),
            Some((2, secs(5.0))),
            "restarts at the position"
        );
        assert_eq!(flush_rate(&cmd), Some(rate));
        assert_eq!(rates(&cmd), vec![(rate, "command".to_string())]);
        let all = s.serve(cmd, with_units);
        let fetched = media(&all);
        let expected: Vec<_> = (2..10).map(|n| (StreamKind::Video, n, 0)).collect();
        assert_eq!(
            fetched, expected,
            "rate {rate}: no audio, lowest level, in order"
        );
        for f in decoded_video(&all) {
            assert_eq!(f.units.len(), 1, "only the keyframe is decoded");
            let u = &f.units[0];
            assert!(u.is_sync);
            assert_eq!(
                u.pts + u64::from(u.duration),
                f.span.end.as_nanos() as u64 / 100,
                "it is shown until the fragment ends"
            );
        }
        let quality = events(&all).into_iter().find_map(|e| match e {
            Event::Quality { reason, .. } => Some(reason),
            _ => None,
        });
        assert_eq!(quality.as_deref(), Some("trick"));
        assert!(all.contains_end_of_video());
    }
}

trait Ends {
    fn contains_end_of_video(&self) -> bool;
}

impl Ends for Vec<Action> {
    fn contains_end_of_video(&self) -> bool {
        self.iter()
            .any(|a| matches!(a, Action::EndOfStream(StreamKind::Video, _)))
    }
}

#[test]
fn rewind_fetches_keyframes_in_descending_order_then_plays_on_from_the_start() {
    let mut s = vod_at(9.0);
    let cmd = s.command(Command::SetRate(-4.0));
    assert_eq!(flush(&cmd), Some((2, secs(9.0))));
    assert_eq!(flush_rate(&cmd), Some(-4.0));
    let all = s.serve(cmd, with_units);
    let expected: Vec<_> = (0..=4).rev().map(|n| (StreamKind::Video, n, 0)).collect();
    assert_eq!(media(&all), expected, "descending, no audio");
    assert!(decoded_video(&all).iter().all(|f| f.units.len() == 1));
    assert!(
        all.contains_end_of_video(),
        "the first fragment is the last"
    );
    let started = s.tick();
    assert_eq!(states(&started), vec![State::Playing]);
    let mut back = Vec::new();
    for _ in 0..12 {
        let a = s.wait(secs(0.25), true);
        assert!(
            !states(&a).contains(&State::Ended),
            "rewinding to the start is not the end"
        );
        back.extend(a);
        if flush(&back).is_some() {
            break;
        }
    }
    assert_eq!(rates(&back), vec![(1.0, "start".to_string())]);
    assert_eq!(flush(&back), Some((3, Duration::ZERO)));
    assert_eq!(flush_rate(&back), Some(1.0));
    let kinds: Vec<_> = media(&back).into_iter().map(|(k, n, _)| (k, n)).collect();
    assert!(kinds.contains(&(StreamKind::Video, 0)) && kinds.contains(&(StreamKind::Audio, 0)));
}

#[test]
fn two_times_decodes_every_picture_at_the_abr_level_without_audio() {
    let mut s = vod_at(4.0);
    let cmd = s.command(Command::SetRate(2.0));
    assert_eq!(flush_rate(&cmd), Some(2.0));
    let all = s.serve(cmd, with_units);
    let fetched = media(&all);
    assert!(!fetched.is_empty());
    assert!(fetched.iter().all(|(k, _, _)| *k == StreamKind::Video));
    let numbers: Vec<_> = fetched.iter().map(|(_, n, _)| *n).collect();
    assert_eq!(numbers, (2..10).collect::<Vec<_>>());
    assert!(decoded_video(&all).iter().all(|f| f.units.len() == 3));
    let stats_rate = {
        let a = s.wait(secs(1.1), true);
        stats(&a).last().and_then(|st| st.rate)
    };
    assert_eq!(stats_rate, Some(2.0));
}

#[test]
fn back_to_one_by_command_restarts_at_the_position_with_audio_and_no_rebuffer() {
    let mut s = vod_at(2.0);
    let cmd = s.command(Command::SetRate(8.0));
    s.serve(cmd, with_units);
    s.tick();
    s.wait(secs(0.5), true);
    assert_eq!(s.obs.position, secs(6.0));
    let back = s.command(Command::SetRate(1.0));
    assert_eq!(flush(&back), Some((3, secs(6.0))));
    assert_eq!(flush_rate(&back), Some(1.0));
    assert_eq!(rates(&back), vec![(1.0, "command".to_string())]);
    let commands: Vec<_> = events(&back)
        .into_iter()
        .filter_map(|e| match e {
            Event::Command { command } => Some(command),
            _ => None,
        })
        .collect();
    assert_eq!(commands, vec!["rate 1".to_string()]);
    let all = s.serve(back, with_units);
    let fetched = media(&all);
    assert!(fetched.contains(&(StreamKind::Audio, 3, 0)), "{fetched:?}");
    assert!(decoded_video(&all).iter().all(|f| f.units.len() == 3));
    let resumed = s.tick();
    assert_eq!(states(&resumed), vec![State::Playing]);
    let everything: Vec<_> = s.log.iter().map(clone_action).collect();
    assert!(
        !events(&everything)
            .iter()
            .any(|e| matches!(e, Event::Buffering { active: true })),
        "no rebuffer on the way"
    );
    assert!(
        s.command(Command::SetRate(1.0))
            .iter()
            .all(|a| !matches!(a, Action::Flush { .. })),
        "already at 1: nothing to do"
    );
}

#[test]
fn fast_forward_to_the_end_ends_at_rate_one() {
    let mut s = vod_at(2.0);
    let cmd = s.command(Command::SetRate(16.0));
    s.serve(cmd, with_units);
    s.tick();
    s.wait(secs(1.0), true);
    s.obs.output_done = [true, false];
    let end = s.tick();
    assert_eq!(states(&end), vec![State::Ended], "audio is not waited for");
    assert_eq!(rates(&end), vec![(1.0, "end".to_string())]);
}

#[test]
fn refused_rates_are_an_error_event_and_change_nothing() {
    let mut s = vod_at(2.0);
    for rate in [0.0, 3.0, 32.0, -1.0, f64::NAN] {
        let a = s.command(Command::SetRate(rate));
        assert_eq!(errors(&a), vec![("command".to_string(), false)], "{rate}");
        assert!(flush(&a).is_none());
    }
    let no_video = Pres {
        video: false,
        ..Pres::default()
    };
    let mut s = Script::vod(&no_video);
    let a = s.command(Command::SetRate(4.0));
    assert_eq!(errors(&a), vec![("command".to_string(), false)]);
}

/// Plays live until `until` holds for what happened, at most `for_s` seconds.
fn run_until(s: &mut Script, for_s: f64, until: impl Fn(&[Action]) -> bool) -> Vec<Action> {
    let mut all = Vec::new();
    for _ in 0..(for_s * 4.0) as usize {
        all.extend(run(s, 0.25, true, 2));
        if until(&all) {
            break;
        }
    }
    all
}

#[test]
fn live_rewind_goes_down_the_dvr_window_without_latency_control_and_stops_at_its_start() {
    let mut s = playing(&live(10, 2), SessionConfig::default());
    run(&mut s, 2.0, true, 2);
    let at = s.obs.position;
    let cmd = s.command(Command::SetRate(-4.0));
    assert_eq!(flush_rate(&cmd), Some(-4.0));
    let e = edge(&s);
    let all = s.serve(cmd, origin(e, true));
    let starts = media(&all);
    assert!(starts.len() >= 3, "{starts:?}");
    assert!(
        starts.windows(2).all(|w| w[1].1 < w[0].1),
        "descending: {starts:?}"
    );
    assert!(
        starts
            .iter()
            .all(|(k, _, l)| *k == StreamKind::Video && *l == 0)
    );
    let rewound = run_until(&mut s, 10.0, |a| !rates(a).is_empty());
    assert!(
        !rewound
            .iter()
            .any(|a| matches!(a, Action::SetRate(r) if *r != 1.0)),
        "the latency control does not fight the rewind"
    );
    assert!(s.obs.position < at);
    assert_eq!(rates(&rewound), vec![(1.0, "start".to_string())]);
    let (_, start) = flush(&rewound).expect("a restart at the window's start");
    let window = s.s.view().window_start;
    let near = start.max(window) - start.min(window);
    assert!(near <= secs(2.5), "{start:?} {window:?}");
    assert_eq!(flush_rate(&rewound), Some(1.0));
}

#[test]
fn live_fast_forward_reaching_the_live_point_returns_to_one_and_follows_it() {
    let mut s = playing(&live(10, 2), SessionConfig::default());
    run(&mut s, 1.0, true, 2);
    // Back into the window first.
    let seek = s.command(Command::SeekBy(-10.0));
    let e = edge(&s);
    s.serve(seek, origin(e, true));
    run(&mut s, 2.0, true, 2);
    let behind = s.obs.position;
    let cmd = s.command(Command::SetRate(8.0));
    assert_eq!(flush_rate(&cmd), Some(8.0));
    let forward = run_until(&mut s, 10.0, |a| !rates(a).is_empty());
    assert!(s.obs.position > behind);
    assert_eq!(rates(&forward), vec![(1.0, "live".to_string())]);
    // The jump to the live point follows (after locating the edge when needed).
    let after = run_until(&mut s, 4.0, |a| flush(a).is_some());
    let resumed: Vec<_> = forward.into_iter().chain(after).collect();
    assert_eq!(flush_rate(&resumed), Some(1.0));
    let more = run(&mut s, 4.0, true, 2);
    assert!(
        media(&more).iter().any(|(k, _, _)| *k == StreamKind::Audio),
        "audio again"
    );
    let st = stats(&more);
    let last = st.last().expect("stats");
    assert!(last.latency_s.is_some_and(|l| l < 8.0), "{last:?}");
    assert_ne!(last.rate, Some(8.0));
}
