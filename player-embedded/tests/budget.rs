//! The byte budget is shared by the streams without starving any of them.

use std::time::{Duration, Instant};

use player_embedded::{Event, PlayerBuilder, State};
use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::assets_dir;

/// In real time, decoded pictures wait for the clock and stay charged to the budget. With a
/// budget they fill, audio (which drives the clock) must still fetch when it runs low:
/// otherwise the audio buffer runs dry, the clock stops, the pictures are never consumed and
/// playback stalls for good (before the fix in `fetch_loop` this hung at an audio fragment
/// boundary in 3 runs out of 3).
#[test]
fn a_budget_full_of_pictures_does_not_starve_the_audio_that_drives_the_clock() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let player = PlayerBuilder::new()
        .quality(Some(1))
        .buffer(Duration::from_secs(20), 1)
        .open(&origin.url("demo/Manifest"))
        .expect("opens");
    let target = Duration::from_secs(8);
    // A hang guard, not a timing assertion: 8 s of media play in about 8 s.
    let deadline = Instant::now() + Duration::from_secs(60);
    while player.position() < target {
        assert!(
            Instant::now() < deadline,
            "playback stuck at {:?}",
            player.position()
        );
        if let Ok(Event::State {
            state: State::Failed,
            ..
        }) = player.events().recv_timeout(Duration::from_millis(100))
        {
            panic!("playback failed");
        }
    }
    let audio = origin
        .log()
        .records()
        .iter()
        .filter(|r| r.path.contains("audio_eng="))
        .count();
    assert!(
        audio >= 4,
        "8 s need at least 4 audio fragments, {audio} fetched"
    );
}
