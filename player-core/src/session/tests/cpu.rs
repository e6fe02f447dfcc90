//! The decoder cannot keep up with the level buffered: what it would drop is refetched at a
//! level it keeps up with, from the first fragment that can still arrive in time.

use std::time::Duration;

use super::harness::*;
use crate::session::{Action, Command, LevelCounters, SessionConfig, StreamKind, Target};

/// The decoder at 2.5 Mbit/s falls behind: per second, 25 pictures of which 15 late, each
/// taking 60 ms to decode (40 ms allowed).
fn overloaded(s: &mut Script, seconds: u64) {
    let c = &mut s.obs.counters;
    c.frame_s = 0.04;
    c.per_level = vec![(
        2_500_000,
        LevelCounters {
            decoded: 25 * seconds,
            dropped: 15 * seconds,
            decode_wall: Duration::from_millis(60 * 25 * seconds),
        },
    )];
}

#[test]
fn pictures_the_decoder_cannot_keep_up_with_are_refetched_lower() {
    let cfg = SessionConfig {
        quality: Some(2),
        ..SessionConfig::default()
    };
    let mut s = Script::open(&Pres::default(), cfg);
    s.fill();
    s.command(Command::SetQuality(None));
    assert_eq!(states(&s.tick()), vec![crate::session::State::Playing]);
    // Ten fragments buffered at 2.5 Mbit/s.
    let mut replaced = None;
    for second in 1..=8 {
        overloaded(&mut s, second);
        let a = s.wait(secs(1.0), true);
        replaced = a.iter().find_map(|a| match a {
            Action::Replace { kind, from, epoch } => Some((*kind, *from, *epoch)),
            _ => None,
        });
        if let Some((_, from, _)) = replaced {
            let refetch = fetches(&a)
                .into_iter()
                .find(|r| r.target == Target::Media(StreamKind::Video))
                .expect("a refetch");
            assert_eq!(
                refetch.chunk.start,
                crate::time::duration_to_ticks(from, TS)
            );
            assert!(refetch.quality_level < 2, "{refetch:?}");
            break;
        }
    }
    let (kind, from, epoch) = replaced.expect("the buffered pictures were replaced");
    assert_eq!((kind, epoch), (StreamKind::Video, 1));
    // From the first fragment that can still arrive in time, not before the position.
    assert!(from > s.obs.position && from.as_secs() % 2 == 0, "{from:?}");
}

#[test]
fn fast_runs_and_a_decoder_that_keeps_up_replace_nothing() {
    let mut s = Script::vod(&Pres::default());
    s.fill();
    s.tick();
    for _ in 0..5 {
        let a = s.wait(secs(1.0), true);
        assert!(!a.iter().any(|a| matches!(a, Action::Replace { .. })));
    }
}
