//! Compressed manifests, as IIS serves them to clients that accept it: the player asks for
//! gzip/deflate on manifest requests only, decodes them, and plays; fragments are never
//! asked compressed. A two-hour DVR manifest is measured on the wire.

use std::time::Duration;

use player_core::net::{FetchConfig, Fetcher, ProxySetting};
use player_core::player::{Config, Event, Player, Sinks};
use player_tests::origin::{LiveConfig, Origin, OriginConfig};
use player_tests::support::{assets_dir, run_to_end};

fn gzip_origin(live: Option<LiveConfig>) -> Origin {
    let config = OriginConfig {
        compress_manifests: true,
        live,
        ..OriginConfig::default()
    };
    Origin::start(assets_dir(), config).expect("origin")
}

/// A direct fetcher (the tests' own client: no proxy from the environment).
fn fetch_config() -> FetchConfig {
    FetchConfig {
        proxy: ProxySetting::Direct,
        ..FetchConfig::default()
    }
}

#[test]
fn manifests_come_gzipped_fragments_never_and_the_presentation_plays() {
    let origin = gzip_origin(None);
    let config = Config {
        fast: true,
        quality: Some(0),
        fetch: fetch_config(),
        ..Config::default()
    };
    let player =
        Player::open(&origin.url("demo/Manifest"), config, Sinks::null(true)).expect("open");
    let seen = run_to_end(&player);
    drop(player);
    assert!(
        matches!(seen.last(), Some(Event::Ended { .. })),
        "{seen:#?}"
    );
    let records = origin.log().records();
    let manifest = records.iter().find(|r| r.is_manifest()).expect("manifest");
    assert_eq!(manifest.content_encoding, Some("gzip"));
    assert!(
        manifest
            .accept_encoding
            .as_deref()
            .is_some_and(|a| a.contains("gzip") && a.contains("deflate")),
        "{manifest:?}"
    );
    let fragments: Vec<_> = records.iter().filter(|r| !r.is_manifest()).collect();
    assert!(fragments.len() >= 20, "every video and audio fragment");
    for f in fragments {
        assert_eq!(
            (f.accept_encoding.as_deref(), f.content_encoding),
            (None, None),
            "{f:?}"
        );
    }
}

/// The manifest of a live presentation with a two-hour DVR window, fetched as the player
/// fetches it: (decoded bytes, bytes on the wire).
fn two_hour_dvr_manifest(time_base: u64) -> (usize, u64) {
    let two_hours = Duration::from_secs(2 * 3600);
    let live = LiveConfig {
        dvr_window: Some(two_hours),
        preroll: two_hours,
        time_base,
        ..LiveConfig::default()
    };
    let origin = gzip_origin(Some(live));
    let url = url::Url::parse(&origin.url("demo/Manifest")).expect("url");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let fetcher = Fetcher::new(fetch_config()).expect("fetcher");
    let limit = player_core::limits::MAX_MANIFEST_BYTES;
    let download = runtime
        .block_on(fetcher.fetch_manifest(&url, limit))
        .expect("manifest");
    let manifest = player_core::manifest::parse(&download.body).expect("parses");
    let chunks: usize = manifest.streams.iter().map(|s| s.chunks.len()).sum();
    assert!(
        chunks >= 4 * 3590,
        "two hours of 2 s fragments in 4 streams: {chunks}"
    );
    let record = origin
        .log()
        .records()
        .into_iter()
        .find(|r| r.is_manifest())
        .expect("served");
    assert_eq!(record.content_encoding, Some("gzip"));
    (download.body.len(), record.bytes)
}

#[test]
fn a_two_hour_dvr_manifest_is_about_ten_times_smaller_on_the_wire() {
    // Times as IIS writes them: 100-ns units since 1970 (here 2025-01-01), or from 0.
    for (what, base) in [("wall-clock t", 17_356_896_000_000_000), ("t from 0", 0)] {
        let (decoded, wire) = two_hour_dvr_manifest(base);
        let ratio = decoded as f64 / wire as f64;
        println!(
            "2-hour DVR manifest ({what}): {decoded} bytes, {wire} bytes gzip on the wire, {ratio:.1}x"
        );
        assert!(
            ratio >= 8.0,
            "{what}: only {ratio:.1}x ({decoded} -> {wire})"
        );
    }
}
