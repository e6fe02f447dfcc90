//! The seek-bar thumbnail worker outside the window: a hovered time in, the picture of its
//! fragment out, from the cache the second time, only the latest of quick requests
//! answered last. Prints the hover-to-picture latency on loopback (`--nocapture`); nothing
//! here asserts on time.

use std::sync::mpsc;
use std::time::Duration;

use player_core::decode::Backend;
use player_core::thumbnail::{DEFAULT_CACHE_BYTES, ThumbnailConfig};
use player_desktop::thumbnails::{Preview, ThumbnailWorker};
use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::assets_dir;

/// Longest wait for one answer before the test calls it a hang.
const HANG: Duration = Duration::from_secs(30);

fn next(worker: &ThumbnailWorker, ready: &mpsc::Receiver<()>) -> Preview {
    loop {
        ready.recv_timeout(HANG).expect("the worker went silent");
        if let Some(r) = worker.take() {
            return r.unwrap_or_else(|e| panic!("thumbnail failed: {e}"));
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[test]
fn hovered_times_become_pictures_of_their_fragment() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let (tx, ready) = mpsc::channel();
    let config = ThumbnailConfig {
        decoder: Backend::Auto,
        ..ThumbnailConfig::default()
    };
    let worker = ThumbnailWorker::start(
        origin.url("demo/Manifest"),
        config,
        DEFAULT_CACHE_BYTES,
        move || {
            let _ = tx.send(());
        },
    )
    .expect("worker");

    // The first hover also waits for the worker to open the presentation.
    worker.request(Duration::from_secs(7));
    let first = next(&worker, &ready);
    assert_eq!(
        first.thumbnail.key.start, 60_000_000,
        "the fragment covering 7 s"
    );
    assert_eq!(
        first.covers,
        (Duration::from_secs(6), Duration::from_secs(8))
    );
    assert!(!first.cached);
    let mut cold = Vec::new();
    for s in [1, 3, 11, 15, 19] {
        worker.request(Duration::from_secs(s));
        let p = next(&worker, &ready);
        assert_eq!(
            p.thumbnail.key.start,
            s / 2 * 20_000_000,
            "fragment for {s} s"
        );
        assert!(!p.cached, "{s} s was not seen before");
        cold.push(p.latency);
    }
    // Within a fragment seen before: the cache answers.
    worker.request(Duration::from_millis(7900));
    let again = next(&worker, &ready);
    assert!(again.cached, "7.9 s is in the fragment of 7 s");
    assert_eq!(again.thumbnail.key.start, 60_000_000);

    // Quick moves along the bar: the last one is answered last.
    for s in [9, 10, 12, 13, 17] {
        worker.request(Duration::from_secs(s));
    }
    let mut last = next(&worker, &ready);
    while last.at != Duration::from_secs(17) {
        last = next(&worker, &ready);
    }
    assert_eq!(last.thumbnail.key.start, 160_000_000);

    cold.sort();
    println!(
        "hover-to-picture latency on loopback: first hover (opens the presentation) {:.1} ms; \
         uncached fragment median {:.1} ms, worst {:.1} ms (of {}); cached {:.2} ms",
        ms(first.latency),
        ms(cold[cold.len() / 2]),
        ms(cold[cold.len() - 1]),
        cold.len(),
        ms(again.latency)
    );
}

#[test]
fn a_presentation_that_cannot_be_opened_is_reported_once() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let (tx, ready) = mpsc::channel();
    let url = origin.url("missing/Manifest");
    let worker = ThumbnailWorker::start(
        url.clone(),
        ThumbnailConfig::default(),
        DEFAULT_CACHE_BYTES,
        move || {
            let _ = tx.send(());
        },
    )
    .expect("worker");
    ready.recv_timeout(HANG).expect("an answer");
    let e = worker.take().expect("a result").expect_err("cannot open");
    assert!(e.contains(&url) && e.contains("404"), "{e}");
}
