//! Live latency as the viewer sees it: how far playback is behind the origin's true edge
//! (what its simulated encoder has produced), sampled at every stats event, next to what
//! the player reports. Shared by the latency tests and `latency-bench`.

use std::time::{Duration, Instant};

use player_core::player::{Event, Player, State};

use crate::origin::Origin;

/// How far behind the origin's true edge playback is now, seconds.
pub fn true_latency(origin: &Origin, player: &Player) -> f64 {
    let edge = origin.live_edge().expect("live").as_secs_f64();
    edge - (player.origin() + player.position()).as_secs_f64()
}

/// What a run saw: the events, and (true, reported) latency at every stats event.
#[derive(Debug, Default)]
pub struct LiveWatch {
    /// Every event seen.
    pub seen: Vec<Event>,
    /// (true, reported) latency at every stats event, seconds.
    pub latency: Vec<(f64, f64)>,
}

impl LiveWatch {
    /// Reads events until `done` (90 s of wall time at most: a hang fails the test).
    pub fn until(&mut self, o: &Origin, p: &Player, mut done: impl FnMut(&Event, &Player) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            let Ok(ev) = p.events().recv_timeout(Duration::from_millis(100)) else {
                continue;
            };
            if let Event::Stats(s) = &ev {
                let reported = s.latency_s.unwrap_or(f64::NAN);
                self.latency.push((true_latency(o, p), reported));
            }
            let stop = done(&ev, p);
            self.seen.push(ev);
            if stop {
                return;
            }
        }
        panic!(
            "timed out; last events: {:#?}",
            &self.seen[self.seen.len().saturating_sub(10)..]
        );
    }

    /// Reads until the state is `state`; returns the true latency then.
    pub fn until_state(&mut self, o: &Origin, p: &Player, state: State) -> f64 {
        self.until(
            o,
            p,
            |e, _| matches!(e, Event::State { state: s, .. } if *s == state),
        );
        true_latency(o, p)
    }

    /// Plays `media_s` seconds more.
    pub fn play_for(&mut self, o: &Origin, p: &Player, media_s: f64) {
        let end = p.position().as_secs_f64() + media_s;
        self.until(o, p, |e, p| {
            matches!(e, Event::Stats(_)) && p.position().as_secs_f64() >= end
        });
    }

    /// The fatal errors seen.
    pub fn fatal_errors(&self) -> Vec<&Event> {
        self.seen
            .iter()
            .filter(|e| matches!(e, Event::Error { fatal: true, .. }))
            .collect()
    }
}

/// The 95th percentile of `v`.
pub fn p95(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 * 0.95).ceil() as usize).clamp(1, v.len()) - 1]
}

/// The median of `v`.
pub fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}
