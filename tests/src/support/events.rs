//! Reading a player's events in tests.

use std::time::Duration;

use player_core::player::{Event, Player, State};

/// Collects events until playback ends or fails; panics if the player says nothing for 60 s
/// (a hang, not a slow machine).
pub fn run_to_end(player: &Player) -> Vec<Event> {
    let mut seen = Vec::new();
    loop {
        let ev = player
            .events()
            .recv_timeout(Duration::from_secs(60))
            .expect("the player went silent for 60 s");
        let done = matches!(
            ev,
            Event::Ended { .. }
                | Event::State {
                    state: State::Failed,
                    ..
                }
        );
        seen.push(ev);
        if done {
            return seen;
        }
    }
}
