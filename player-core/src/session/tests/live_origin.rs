//! A live origin for scripted sessions: an edge advancing with the script's clock, the
//! fragments that exist by then (412 past it), tfrf naming the next one, manifests of the
//! moment; and helpers that open a live session and play it against that origin.

use super::harness::*;
use crate::manifest::Chunk;
use crate::session::{
    Action, Event, FetchOutcome, FetchRequest, Input, SessionConfig, State, StreamKind,
};

/// First fragment of the live test presentations, ticks.
pub const FIRST: u64 = 1000 * TS;

pub fn live(chunks: u64, lookahead: u32) -> Pres {
    Pres {
        chunks,
        first: FIRST,
        live: Some((lookahead, Some(20))),
        ..Pres::default()
    }
}

pub fn chunk(n: u64) -> Chunk {
    Chunk {
        start: FIRST + n * FRAG,
        duration: FRAG,
    }
}

pub fn refreshes(actions: &[Action]) -> usize {
    actions
        .iter()
        .filter(|a| matches!(a, Action::RefreshManifest))
        .count()
}

/// The edge of the test origin `s` plays against: 1020 s of media when opened, advancing in
/// real time.
pub fn edge(s: &Script) -> u64 {
    let elapsed = s.now.saturating_duration_since(s.t0);
    FIRST + 10 * FRAG + crate::time::duration_to_ticks(elapsed, TS)
}

/// An origin whose edge is at `edge`: fragments not ended by then are not made yet (412);
/// with `tfrf`, each names the next one once that exists.
pub fn origin(edge: u64, tfrf: bool) -> impl FnMut(&FetchRequest) -> Option<FetchOutcome> {
    move |r| {
        if r.chunk.end() > edge {
            return Some(FetchOutcome::NotYet);
        }
        let next = Chunk {
            start: r.chunk.end(),
            duration: FRAG,
        };
        let named: Vec<Chunk> = (tfrf && next.end() <= edge)
            .then_some(next)
            .into_iter()
            .collect();
        Some(got(r, None, &named))
    }
}

/// The manifest the origin serves when its edge is at `edge`: the last 20 s.
pub fn manifest_at(edge: u64, lookahead: u32) -> crate::manifest::Manifest {
    lagging_manifest_at(edge, lookahead, 0)
}

/// The manifest of an origin that, as IIS does, leaves out the newest `lag` fragments.
pub fn lagging_manifest_at(edge: u64, lookahead: u32, lag: u64) -> crate::manifest::Manifest {
    let made = ((edge - FIRST) / FRAG).saturating_sub(lag);
    let first = made.saturating_sub(10);
    manifest(&Pres {
        chunks: made - first,
        first: FIRST + first * FRAG,
        live: Some((lookahead, Some(20))),
        ..Pres::default()
    })
}

/// Plays `for_s` seconds in quarter-second steps against the origin, answering fetches and
/// refreshes; returns every action seen.
pub fn run(s: &mut Script, for_s: f64, tfrf: bool, lookahead: u32) -> Vec<Action> {
    let mut all = Vec::new();
    for _ in 0..(for_s * 4.0) as usize {
        let a = s.wait(secs(0.25), true);
        let now_edge = edge(s);
        let mut seen = s.serve(a, origin(now_edge, tfrf));
        if refreshes(&seen) > 0 {
            let back = s.input(Input::Manifest(Ok(manifest_at(now_edge, lookahead))));
            seen.extend(s.serve(back, origin(now_edge, tfrf)));
        }
        all.extend(seen);
    }
    all
}

/// The stats events among `actions`.
pub fn stats(actions: &[Action]) -> Vec<crate::session::Stats> {
    events(actions)
        .into_iter()
        .filter_map(|e| match e {
            Event::Stats(st) => Some(st),
            _ => None,
        })
        .collect()
}

/// How many video fragments were handed to the decoder among `actions`.
pub fn decoded(actions: &[Action]) -> usize {
    actions
        .iter()
        .filter(|a| matches!(a, Action::Decode(StreamKind::Video, _)))
        .count()
}

/// Opens `p` and answers the probes that locate the edge (the origin's, at 1020 s); returns
/// the script and what the session asked for once it jumped to the live point.
pub fn open_live(p: &Pres, cfg: SessionConfig) -> (Script, Vec<Action>) {
    let mut s = Script::open(p, cfg);
    let mut pending: Vec<Action> = s.log.iter().map(clone_action).collect();
    for _ in 0..8 {
        if flush(&pending).is_some() {
            let (_, start) = flush(&pending).unwrap_or_default();
            s.obs.position = start;
            return (s, pending);
        }
        let probe = fetches(&pending)
            .pop()
            .expect("a probe while locating the edge");
        let e = edge(&s);
        let outcome = origin(e, true)(&probe).expect("answered");
        pending = s.answer(&probe, outcome);
    }
    panic!("the edge was never located");
}

/// Opens `p`, buffers what the edge allows and starts playing.
pub fn playing(p: &Pres, cfg: SessionConfig) -> Script {
    let (mut s, first) = open_live(p, cfg);
    let e = edge(&s);
    s.serve(first, origin(e, true));
    let started = s.tick();
    assert_eq!(states(&started), vec![State::Playing]);
    s.serve(started, origin(e, true));
    s
}
