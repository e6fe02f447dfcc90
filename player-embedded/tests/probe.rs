//! `probe` summaries of the corpus manifests and of the project's producer-style fixtures.
//! Without the corpus its tests fail under CI and say SKIPPED elsewhere (see README: Test
//! corpus).

use std::path::Path;

use player_core::decode::Backend;
use player_core::manifest::parse;
use player_embedded::probe::{ProbeReport, render_json, render_text, summarize, summarize_for};
use player_tests::support::prereq;

fn fixture(name: &str) -> ProbeReport {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../player-core/tests/fixtures/manifests")
        .join(name);
    report(&path)
}

fn report(path: &Path) -> ProbeReport {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let m = parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    summarize(&m, &path.display().to_string())
}

/// The probe report of the corpus manifest `rel`; `None` when the corpus lacks it (then the
/// test fails under CI, or says it skipped).
fn corpus(test: &str, rel: &str) -> Option<ProbeReport> {
    prereq::corpus(test, rel).map(|path| report(&path))
}

#[test]
fn shaka_mss_clear() {
    let Some(r) = corpus("shaka_mss_clear", "shaka/mss-clear/Manifest") else {
        return;
    };
    assert!(!r.live);
    assert_eq!(r.duration_s, Some(8.008));
    assert_eq!(
        (r.timescale, r.dvr_window_s, r.lookahead),
        (10_000_000, None, None)
    );
    assert_eq!(r.version, "2.1");
    let v = &r.streams[0];
    assert_eq!(
        (v.stream_type, v.name.as_deref(), v.chunks),
        ("video", Some("video"), 4)
    );
    assert_eq!((v.first_t, v.last_t), (Some(0), Some(60_060_000)));
    let q = &v.quality_levels[0];
    assert_eq!(
        (q.index, q.bitrate, q.fourcc.as_str(), q.codec.as_str()),
        (7, 230_000, "H264", "avc1.64000d")
    );
    assert_eq!(
        (q.width, q.height, q.supported),
        (Some(224), Some(128), true)
    );
    let a = &r.streams[1];
    assert_eq!(
        (a.stream_type, a.chunks, a.last_t),
        ("audio", 4, Some(60_139_682))
    );
    let aq = &a.quality_levels[0];
    assert_eq!(
        (aq.codec.as_str(), aq.sampling_rate, aq.channels),
        ("mp4a.40.2", Some(44_100), Some(2))
    );
    assert!(r.protection.is_empty());
    let text = render_text(&r);
    assert!(text.contains("type        on demand"), "{text}");
    assert!(text.contains("duration    8.008 s"), "{text}");
    assert!(text.contains("protection  none"), "{text}");
}

#[test]
fn androidx_playready_wvc1() {
    let Some(r) = corpus("androidx_playready_wvc1", "androidx-media/sample_ismc_1") else {
        return;
    };
    assert_eq!(r.duration_s, Some(230.0));
    let v = &r.streams[0];
    assert_eq!(v.chunks, 3, "expanded, not the declared 115");
    // VC-1 plays with the libav backend only: `supported` says what the build decodes.
    let with_libav = Backend::Auto.support().is_some_and(|c| c.vc1);
    assert!(
        v.quality_levels
            .iter()
            .all(|q| q.supported == with_libav && q.codec == "wvc1")
    );
    let path = prereq::corpus("androidx_playready_wvc1", "androidx-media/sample_ismc_1");
    let m = parse(&std::fs::read(path.expect("corpus")).expect("read")).expect("manifest");
    let pure = summarize_for(&m, "x", &player_core::demux::CodecSupport::PURE);
    assert!(pure.streams[0].quality_levels.iter().all(|q| !q.supported));
    let p = &r.protection[0];
    assert_eq!(p.system, "PlayReady");
    assert_eq!(p.system_id, "9a04f079-9840-4286-ab92-e65be0885f95");
    assert_eq!(p.kids, vec!["380ca505-2c67-4085-8377-0df861c91f64"]);
    assert_eq!(p.algorithm.as_deref(), Some("AESCTR"));
    assert_eq!(
        p.la_url.as_deref(),
        Some("https://T-ONLINE.DUMMY-SERVER/ArtemisLicenseServer/PlayReadyManager.asmx")
    );
    let text = render_text(&r);
    assert!(
        text.contains("KID 380ca505-2c67-4085-8377-0df861c91f64"),
        "{text}"
    );
    assert_eq!(text.contains("(unsupported)"), !with_libav, "{text}");
    assert!(render_text(&pure).contains("(unsupported)"));
}

#[test]
fn exoplayer_text_track() {
    let Some(r) = corpus(
        "exoplayer_text_track",
        "exoplayer-legacy/sample_text_track_label",
    ) else {
        return;
    };
    let t = &r.streams[1];
    assert_eq!(t.stream_type, "text");
    assert_eq!(
        (t.subtype.as_deref(), t.language.as_deref()),
        (Some("CAPT"), Some("eng"))
    );
    assert_eq!(t.name.as_deref(), Some("this_is_the_name_to_parse"));
    let q = &t.quality_levels[0];
    assert_eq!(
        (q.fourcc.as_str(), q.codec.as_str(), q.supported),
        ("TTML", "stpp", true)
    );
}

#[test]
fn iis_live_fixture() {
    let r = fixture("iis_live.ismc");
    let t0 = 16_999_999_960_000_000u64;
    assert!(r.live);
    assert_eq!(
        (r.duration_s, r.dvr_window_s, r.lookahead),
        (None, None, Some(2))
    );
    assert_eq!(
        (r.streams[0].first_t, r.streams[0].last_t),
        (Some(t0), Some(t0 + 80_000_000))
    );
    assert_eq!(r.streams[2].subtype.as_deref(), Some("SCMD"));
    assert_eq!(
        r.protection[0].kids,
        vec!["6f2c1d0a-3b4e-4c5d-8e9f-a0b1c2d3e4f5"]
    );
    let text = render_text(&r);
    assert!(
        text.contains("type        live (DVR window infinite, look-ahead 2)"),
        "{text}"
    );
    assert!(
        text.contains("license https://license.example.test/rightsmanager.asmx"),
        "{text}"
    );
}

#[test]
fn unified_live_fixture_has_a_finite_window() {
    let r = fixture("unified_live.ismc");
    assert_eq!(r.dvr_window_s, Some(60.0));
    let chunks: Vec<usize> = r.streams.iter().map(|s| s.chunks).collect();
    assert_eq!(chunks, vec![32, 32, 10]);
    assert!(render_text(&r).contains("live (DVR window 60 s, look-ahead 2)"));
}

#[test]
fn azure_fixture_playready_4_3() {
    let r = fixture("azure_vod.ismc");
    assert_eq!(r.duration_s, Some(121.333_333_3));
    let p = &r.protection[0];
    assert_eq!(
        p.kids,
        vec![
            "1e2d3c4b-5a69-4788-a9b0-c1d2e3f40516",
            "00112233-4455-4677-8899-aabbccddeeff"
        ]
    );
    assert_eq!(p.algorithm.as_deref(), Some("AESCBC"));
    let langs: Vec<Option<&str>> = r.streams.iter().map(|s| s.language.as_deref()).collect();
    assert_eq!(langs, vec![None, Some("en"), Some("fr")]);
    assert_eq!(r.streams[2].quality_levels[0].codec, "mp4a.40.5");
}

#[test]
fn every_fixture_renders_as_json_and_text() {
    for name in [
        "spaced_attributes.ismc",
        "iis_vod_v21.ismc",
        "iis_live.ismc",
        "azure_vod.ismc",
        "unified_live.ismc",
        "ffmpeg_live.ismc",
        "legacy_v1.ismc",
    ] {
        let r = fixture(name);
        let json = render_json(&r).expect("json");
        let v: serde_json::Value = serde_json::from_str(&json).expect("valid");
        assert_eq!(
            v["streams"].as_array().map(Vec::len),
            Some(r.streams.len()),
            "{name}"
        );
        let text = render_text(&r);
        assert_eq!(
            text.matches("  [").count(),
            r.streams.len(),
            "{name}: {text}"
        );
    }
}
