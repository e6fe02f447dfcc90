//! The parser against the public test manifests in `../shared/corpus`. Without the corpus
//! these tests fail under CI and say SKIPPED elsewhere (see README: Test corpus).

mod common;

use std::path::PathBuf;

use common::prereq;
use player_core::manifest::{
    Codec, Manifest, StreamType, Uuid, expand_template, fragment_url, parse,
};

/// The corpus manifest `rel`, parsed; `None` when the corpus lacks it (see `prereq`).
fn load(test: &str, rel: &str) -> Option<(PathBuf, Manifest)> {
    let path = prereq::corpus(test, rel)?;
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let m = parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some((path, m))
}

fn starts(m: &Manifest, stream: usize) -> Vec<u64> {
    m.streams[stream].chunks.iter().map(|c| c.start).collect()
}

#[test]
fn androidx_sample_ismc_1() {
    let Some((_, m)) = load("androidx_sample_ismc_1", "androidx-media/sample_ismc_1") else {
        return;
    };
    assert_eq!((m.major_version, m.minor_version), (2, 0));
    assert_eq!(m.duration, Some(2_300_000_000));
    assert!(!m.is_live);
    assert_eq!(m.protection.len(), 1);
    let p = &m.protection[0];
    assert_eq!(p.system_id, Uuid::PLAYREADY);
    let pr = p.playready.as_ref().expect("PlayReady header parsed");
    assert_eq!(pr.version, "4.0.0.0");
    assert_eq!(pr.kids.len(), 1);
    assert_eq!(
        pr.kids[0].kid.to_string(),
        "380ca505-2c67-4085-8377-0df861c91f64"
    );
    assert_eq!(pr.kids[0].algid.as_deref(), Some("AESCTR"));
    assert_eq!(
        pr.kids[0].checksum.as_deref(),
        Some(&[0x83, 0xb3, 0x5a, 0x44, 0x32, 0x08, 0x3b, 0xdd][..])
    );
    assert_eq!(
        pr.la_url.as_deref(),
        Some("https://T-ONLINE.DUMMY-SERVER/ArtemisLicenseServer/PlayReadyManager.asmx")
    );

    let v = &m.streams[0];
    assert_eq!(v.stream_type, StreamType::Video);
    assert_eq!(v.declared_chunks, Some(115), "declared, not trusted");
    assert_eq!(starts(&m, 0), vec![0, 19_680_000, 28_660_000]);
    assert_eq!(v.chunks[2].duration, 8_980_000);
    assert_eq!(
        v.url_template, "QualityLevels({bitrate},{CustomAttributes})/Fragments(video={start_time})",
        "the Url split across lines is one value"
    );
    let idx: Vec<(u32, u64)> = v
        .quality_levels
        .iter()
        .map(|q| (q.index, q.bitrate))
        .collect();
    assert_eq!(idx, vec![(0, 1_536_000), (5, 307_200)]);
    assert!(
        v.quality_levels
            .iter()
            .all(|q| q.codec == Codec::Vc1 && !q.codec.is_supported())
    );
    assert_eq!(
        expand_template(&v.url_template, &v.quality_levels[1], 19_680_000),
        "QualityLevels(307200,Compatibility=Handheld)/Fragments(video=19680000)"
    );
}

#[test]
fn androidx_sample_ismc_2_braced_system_id() {
    let Some((_, m)) = load(
        "androidx_sample_ismc_2_braced_system_id",
        "androidx-media/sample_ismc_2",
    ) else {
        return;
    };
    assert_eq!(m.protection[0].system_id, Uuid::PLAYREADY);
    assert!(m.protection[0].playready.is_some());
    assert_eq!(starts(&m, 0), vec![0, 19_680_000]);
}

#[test]
fn exoplayer_text_track_label() {
    let Some((_, m)) = load(
        "exoplayer_text_track_label",
        "exoplayer-legacy/sample_text_track_label",
    ) else {
        return;
    };
    assert_eq!(m.streams.len(), 2);
    let t = &m.streams[1];
    assert_eq!(t.stream_type, StreamType::Text);
    assert_eq!(t.subtype.as_deref(), Some("CAPT"));
    assert_eq!(t.language.as_deref(), Some("eng"));
    assert_eq!(t.name.as_deref(), Some("this_is_the_name_to_parse"));
    assert_eq!(t.quality_levels[0].codec, Codec::Ttml);
    assert!(t.quality_levels[0].codec_private_data.is_empty());
    assert_eq!(starts(&m, 1), vec![0, 19_680_000]);
}

#[test]
fn shaka_mss_clear_fragments_resolve_to_the_files_beside_the_manifest() {
    let Some((path, m)) = load(
        "shaka_mss_clear_fragments_resolve_to_the_files_beside_the_manifest",
        "shaka/mss-clear/Manifest",
    ) else {
        return;
    };
    assert_eq!((m.major_version, m.minor_version), (2, 1));
    assert_eq!(m.timescale, 10_000_000, "default");
    assert_eq!(m.duration, Some(80_080_000));
    assert!(m.protection.is_empty());
    assert_eq!(starts(&m, 0), vec![0, 20_020_000, 40_040_000, 60_060_000]);
    assert_eq!(starts(&m, 1), vec![0, 20_201_360, 40_170_521, 60_139_682]);

    let v = &m.streams[0].quality_levels[0];
    assert_eq!((v.index, v.bitrate, v.codec), (7, 230_000, Codec::H264));
    assert_eq!((v.max_width, v.max_height), (Some(224), Some(128)));
    assert_eq!(v.codec_string(), "avc1.64000d");
    let a = &m.streams[1].quality_levels[0];
    assert_eq!(
        (a.index, a.codec, a.codec_string().as_str()),
        (0, Codec::AacLc, "mp4a.40.2")
    );
    assert_eq!(
        (a.sampling_rate, a.channels, a.audio_tag),
        (Some(44_100), Some(2), Some(255))
    );
    assert_eq!(a.codec_private_data, vec![0x12, 0x10]);

    let base = url::Url::from_file_path(&path).expect("file URL");
    for s in &m.streams {
        for c in &s.chunks {
            let u = fragment_url(&base, s, &s.quality_levels[0], c.start).expect("url");
            let file = u.to_file_path().expect("file path");
            assert!(file.is_file(), "{} does not exist", file.display());
        }
    }
}
