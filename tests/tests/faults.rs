//! Faults on the wire — server errors, resets, truncated bodies, stalls — are retried with
//! backoff and failed over to mirrors; playback stays bit-exact, and ends in a clear error
//! only when nothing can be fetched.

use std::time::Duration;

use player_core::net::FetchConfig;
use player_core::player::{Config, Event, Player, Sinks, State};
use player_tests::origin::{Fault, Origin, OriginConfig, parse_faults};
use player_tests::support::{CaptureAudio, CaptureVideo, Reference, assets_dir, run_to_end};

fn faulty(spec: &str) -> Origin {
    Origin::start(
        assets_dir(),
        OriginConfig {
            faults: Some(parse_faults(spec).expect("spec")),
            ..OriginConfig::default()
        },
    )
    .expect("origin")
}

fn config() -> Config {
    Config {
        fast: true,
        quality: Some(1),
        fetch: FetchConfig {
            // Stalls must cost a timeout and a retry, not the test's patience.
            read_timeout: Duration::from_millis(600),
            ..FetchConfig::default()
        },
        ..Config::default()
    }
}

fn play(url: &str, config: Config) -> (Vec<Event>, CaptureVideo, CaptureAudio) {
    let video = CaptureVideo::default();
    let audio = CaptureAudio::new(false);
    let sinks = Sinks {
        video: Box::new(video.clone()),
        audio: Box::new(audio.clone()),
    };
    let player = Player::open(url, config, sinks).expect("open");
    let seen = run_to_end(&player);
    drop(player);
    (seen, video, audio)
}

fn assert_bit_exact(video: &CaptureVideo, audio: &CaptureAudio) {
    let reference = Reference::load(&assets_dir().join("demo")).expect("reference");
    let frames = video.frames();
    assert_eq!(frames.len(), 500);
    for (i, f) in frames.iter().enumerate() {
        let level = reference.level_by_size(f.width, f.height).expect("level");
        assert_eq!(
            f.md5,
            level.frame_at(f.pts).expect("frame").md5,
            "frame {i}"
        );
    }
    let a = audio.captured();
    assert_eq!(a.samples.len() as u64, reference.audio[0].total_samples * 2);
}

#[test]
fn faults_are_retried_and_the_picture_stays_bit_exact() {
    let origin = faulty("error=0.1,reset=0.05,truncate=0.05,stall=0.03,stall-for=1,seed=11");
    let (seen, video, audio) = play(&origin.url("demo/Manifest"), config());
    assert!(
        matches!(seen.last(), Some(Event::Ended { .. })),
        "{seen:#?}"
    );
    assert_bit_exact(&video, &audio);
    let records = origin.log().records();
    for fault in [Fault::Error, Fault::Reset, Fault::Truncate] {
        assert!(
            records.iter().any(|r| r.fault == fault),
            "no {fault:?} was injected"
        );
    }
    assert!(records.iter().any(|r| matches!(r.fault, Fault::Stall(_))));
    // Each retry was told: which request, which attempt of how many, the wait, and why.
    let retries: Vec<_> = seen
        .iter()
        .filter_map(|e| match e {
            Event::Retry {
                request,
                attempt,
                attempts,
                delay_s,
                error,
                ..
            } => Some((
                request.clone(),
                *attempt,
                *attempts,
                *delay_s,
                error.clone(),
            )),
            _ => None,
        })
        .collect();
    assert!(!retries.is_empty(), "no retry event");
    for (request, attempt, attempts, delay_s, error) in &retries {
        assert!(request == "fragment" || request == "manifest", "{request}");
        assert!(
            *attempt >= 1 && attempt < attempts,
            "{attempt} of {attempts}"
        );
        assert!(*delay_s > 0.0 && *delay_s <= 2.0, "{delay_s}");
        assert!(!error.is_empty());
    }
    assert!(retries.iter().any(|r| r.4.contains("503")), "{retries:?}");
}

#[test]
fn a_failing_origin_fails_over_to_its_mirror() {
    let primary = faulty("error=1");
    let mirror = Origin::start(assets_dir(), OriginConfig::default()).expect("mirror");
    let config = Config {
        backup_urls: vec![mirror.url("demo/Manifest")],
        ..config()
    };
    let (seen, video, audio) = play(&primary.url("demo/Manifest"), config);
    assert!(
        matches!(seen.last(), Some(Event::Ended { .. })),
        "{seen:#?}"
    );
    assert_bit_exact(&video, &audio);
    assert!(
        mirror
            .log()
            .records()
            .iter()
            .any(|r| r.path.contains("Fragments("))
    );
    // Each move to the mirror was told, with the primary's error.
    let failovers: Vec<_> = seen
        .iter()
        .filter_map(|e| match e {
            Event::Failover {
                from_location,
                to_location,
                error,
                ..
            } => Some((*from_location, *to_location, error.clone())),
            _ => None,
        })
        .collect();
    assert!(!failovers.is_empty(), "no failover event");
    assert!(
        failovers
            .iter()
            .all(|(from, to, e)| (*from, *to) == (0, 1) && e.contains("503")),
        "{failovers:?}"
    );
}

#[test]
fn when_nothing_can_be_fetched_playback_fails_with_a_clear_error() {
    let origin = faulty("error=1");
    let (seen, video, _) = play(&origin.url("demo/Manifest"), config());
    assert!(video.frames().is_empty());
    let fatal = seen
        .iter()
        .find_map(|e| match e {
            Event::Error {
                fatal: true,
                kind,
                message,
            } => Some((kind.clone(), message.clone())),
            _ => None,
        })
        .expect("a fatal error");
    assert_eq!(fatal.0, "network");
    assert!(fatal.1.contains("503"), "{}", fatal.1);
    assert!(matches!(
        seen.last(),
        Some(Event::State {
            state: State::Failed,
            ..
        })
    ));
}
