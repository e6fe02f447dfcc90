//! The parser against the project's own manifests in the styles of real producers
//! (`tests/fixtures/manifests/`, described in its README).

use std::path::PathBuf;

use player_core::manifest::{
    Codec, Manifest, StreamType, Uuid, expand_template, fragment_url, parse,
};

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/manifests")
        .join(name)
}

fn fixture(name: &str) -> Manifest {
    let path = fixture_path(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn starts(m: &Manifest, stream: usize) -> Vec<u64> {
    m.streams[stream].chunks.iter().map(|c| c.start).collect()
}

fn kids(m: &Manifest) -> Vec<String> {
    m.protection
        .iter()
        .filter_map(|p| p.playready.as_ref())
        .flat_map(|h| h.kids.iter().map(|k| k.kid.to_string()))
        .collect()
}

#[test]
fn spaced_attributes_split_url_and_custom_attributes() {
    let m = fixture("spaced_attributes.ismc");
    assert_eq!(m.duration, Some(1_200_000_000));
    assert_eq!(m.protection[0].system_id, Uuid::PLAYREADY);
    assert_eq!(kids(&m), vec!["6f2c1d0a-3b4e-4c5d-8e9f-a0b1c2d3e4f5"]);
    let pr = m.protection[0].playready.as_ref().expect("playready");
    assert_eq!(
        pr.la_url.as_deref(),
        Some("https://license.example.test/rightsmanager.asmx")
    );
    assert_eq!(
        pr.kids[0].checksum.as_deref(),
        Some(&[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88][..])
    );
    let v = &m.streams[0];
    assert_eq!(v.name.as_deref(), Some("camera"));
    assert_eq!(v.declared_chunks, Some(60));
    let got: Vec<(u64, u64)> = v.chunks.iter().map(|c| (c.start, c.duration)).collect();
    assert_eq!(
        got,
        vec![
            (0, 20_000_000),
            (20_000_000, 15_000_000),
            (35_000_000, 25_000_000)
        ]
    );
    assert_eq!(
        expand_template(&v.url_template, &v.quality_levels[1], 35_000_000),
        "QualityLevels(400000,Profile=Mobile)/Fragments(camera=35000000)"
    );
    let t = &m.streams[1];
    assert_eq!(
        (
            t.stream_type.clone(),
            t.subtype.as_deref(),
            t.language.as_deref()
        ),
        (StreamType::Text, Some("CAPT"), Some("deu"))
    );
    assert_eq!(t.chunks[1].duration, 40_000_000);
}

#[test]
fn iis_vod_v21_duration_coding_and_index_7() {
    let m = fixture("iis_vod_v21.ismc");
    assert_eq!(
        (m.major_version, m.minor_version, m.timescale),
        (2, 1, 10_000_000)
    );
    assert_eq!(starts(&m, 0), vec![0, 20_020_000, 40_040_000]);
    assert_eq!(starts(&m, 1), vec![0, 20_053_333, 40_000_000]);
    let v = &m.streams[0].quality_levels[0];
    assert_eq!((v.index, v.codec_string().as_str()), (7, "avc1.4d401e"));
    let a = &m.streams[1].quality_levels[0];
    assert_eq!((a.index, a.sampling_rate), (0, Some(48_000)));
}

#[test]
fn iis_live_absolute_times_lookahead_and_sparse_stream() {
    let m = fixture("iis_live.ismc");
    let t0 = 16_999_999_960_000_000u64;
    assert!(m.is_live);
    assert_eq!(
        (m.duration, m.lookahead_count, m.dvr_window_length),
        (None, Some(2), None)
    );
    assert_eq!(
        kids(&m),
        vec!["6f2c1d0a-3b4e-4c5d-8e9f-a0b1c2d3e4f5"],
        "wrapped base64"
    );
    assert_eq!(
        starts(&m, 0),
        (0..5).map(|k| t0 + k * 20_000_000).collect::<Vec<_>>()
    );
    assert_eq!(m.streams[0].declared_chunks, Some(0));
    let codecs: Vec<String> = m.streams[0]
        .quality_levels
        .iter()
        .map(|q| q.codec_string())
        .collect();
    assert_eq!(codecs, vec!["avc1.64001f", "avc1.42c01e", "avc1.42c015"]);
    assert_eq!(m.streams[1].first_start(), Some(t0 + 1066));
    let sparse = &m.streams[2];
    assert_eq!(sparse.subtype.as_deref(), Some("SCMD"));
    assert_eq!(sparse.parent_stream_index.as_deref(), Some("video"));
    assert!(sparse.manifest_output);
    assert_eq!(sparse.chunks[0].duration, 40_000_000, "d from the next t");
    assert_eq!(
        sparse.chunks[1].duration, 0,
        "the last sparse sample is open-ended"
    );
    let data: Vec<&[u8]> = sparse
        .embedded_samples
        .iter()
        .map(|s| s.data.as_slice())
        .collect();
    assert_eq!(
        data,
        vec![&b"<splice id=\"1\"/>"[..], &b"<splice id=\"2\"/>"[..]]
    );
    assert_eq!(sparse.quality_levels[0].codec, Codec::Unknown);
}

#[test]
fn azure_vod_runs_languages_and_protection_after_streams() {
    let m = fixture("azure_vod.ismc");
    assert_eq!((m.major_version, m.minor_version), (2, 2));
    let v = &m.streams[0];
    assert_eq!(v.chunks.len(), 61);
    assert_eq!(v.last_start(), Some(1_200_000_000));
    assert_eq!(v.end(), m.duration);
    let codecs: Vec<String> = v.quality_levels.iter().map(|q| q.codec_string()).collect();
    assert_eq!(codecs, vec!["avc1.640028", "avc1.64001f", "avc1.64001e"]);
    let eng = &m.streams[1];
    assert_eq!(
        (eng.name.as_deref(), eng.language.as_deref()),
        (Some("audio_eng"), Some("en"))
    );
    assert_eq!(eng.chunks.len(), 61);
    assert_eq!(
        &starts(&m, 1)[..4],
        &[0, 20_053_333, 40_000_000, 60_000_000]
    );
    assert_eq!(eng.end(), m.duration);
    let fra = &m.streams[2].quality_levels[0];
    assert_eq!(
        (fra.codec, fra.codec_string().as_str()),
        (Codec::AacHe, "mp4a.40.5")
    );
    assert_eq!(
        kids(&m),
        vec![
            "1e2d3c4b-5a69-4788-a9b0-c1d2e3f40516",
            "00112233-4455-4677-8899-aabbccddeeff"
        ]
    );
    let pr = m.protection[0].playready.as_ref().expect("playready");
    assert_eq!(pr.version, "4.3.0.0");
    assert_eq!(pr.kids[1].algid.as_deref(), Some("AESCBC"));
}

#[test]
fn unified_live_runs_dvr_window_and_subtitles() {
    let m = fixture("unified_live.ismc");
    let t0 = 17_000_000_000_000_000u64;
    assert!(m.is_live && m.can_seek && m.can_pause);
    assert_eq!(
        (m.lookahead_count, m.dvr_window_length),
        (Some(2), Some(600_000_000))
    );
    let a = starts(&m, 0);
    assert_eq!(a.len(), 32);
    assert_eq!(a[29], t0 + 29 * 19_200_000);
    assert_eq!(a[30], t0 + 576_000_000);
    assert_eq!(a[31], t0 + 576_000_000 + 20_053_333);
    let v = starts(&m, 1);
    assert_eq!((v.len(), v[31]), (32, t0 + 31 * 19_200_000));
    let t = &m.streams[2];
    assert_eq!(
        (t.subtype.as_deref(), t.language.as_deref(), t.chunks.len()),
        (Some("SUBT"), Some("nld"), 10)
    );
}

#[test]
fn ffmpeg_live_lowercase_true() {
    let m = fixture("ffmpeg_live.ismc");
    assert!(m.is_live);
    assert_eq!(
        (m.duration, m.lookahead_count, m.dvr_window_length),
        (None, Some(2), None)
    );
    assert_eq!(starts(&m, 0), vec![100_000_000, 120_000_000, 140_000_000]);
    assert_eq!(starts(&m, 1), vec![100_213_333, 120_266_666, 140_213_333]);
}

#[test]
fn legacy_v1_wave_format_ex_and_width_height() {
    let m = fixture("legacy_v1.ismc");
    assert_eq!((m.major_version, m.minor_version), (1, 0));
    assert!(!m.can_seek && !m.can_pause);
    assert_eq!(m.custom_attributes[0].name, "ContentId");
    assert_eq!(m.custom_attributes[0].value, "legacy-42");
    let v = &m.streams[0].quality_levels[0];
    assert_eq!(
        (v.max_width, v.max_height, v.codec),
        (Some(640), Some(480), Codec::Vc1)
    );
    let wma = &m.streams[1].quality_levels[0];
    assert_eq!((wma.fourcc.as_str(), wma.codec), ("WMAP", Codec::Wma));
    assert!(!wma.codec.is_supported());
    assert_eq!(
        (
            wma.sampling_rate,
            wma.channels,
            wma.bits_per_sample,
            wma.packet_size,
            wma.audio_tag
        ),
        (Some(44_100), Some(2), Some(16), Some(1511), Some(0x162))
    );
    let aac = &m.streams[2].quality_levels[0];
    assert_eq!(
        (aac.fourcc.as_str(), aac.sampling_rate, aac.channels),
        ("AACL", Some(22_050), Some(1))
    );
    assert_eq!(aac.codec_private_data, vec![0x13, 0x88]);
}

#[test]
fn utf16_with_bom_parses_the_same() {
    let text = std::fs::read_to_string(fixture_path("legacy_v1.ismc")).expect("read");
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(parse(&le).expect("utf-16le"), fixture("legacy_v1.ismc"));
}

#[test]
fn every_fixture_chunk_gets_an_exact_url_with_the_token() {
    let base = url::Url::parse("https://origin.example/live/channel.isml/Manifest?token=t0k")
        .expect("url");
    let names = [
        "spaced_attributes.ismc",
        "iis_vod_v21.ismc",
        "iis_live.ismc",
        "azure_vod.ismc",
        "unified_live.ismc",
        "ffmpeg_live.ismc",
        "legacy_v1.ismc",
    ];
    for name in names {
        let m = fixture(name);
        for s in m.streams.iter().filter(|s| !s.url_template.is_empty()) {
            for q in &s.quality_levels {
                for c in &s.chunks {
                    let u = fragment_url(&base, s, q, c.start).expect("url");
                    let text = u.as_str();
                    assert!(
                        text.starts_with("https://origin.example/live/channel.isml/"),
                        "{text}"
                    );
                    assert!(
                        text.ends_with(&format!("={})?token=t0k", c.start)),
                        "{name}: {text}"
                    );
                    if s.url_template.to_ascii_lowercase().contains("{bitrate}") {
                        assert!(text.contains(&format!("({}", q.bitrate)), "{name}: {text}");
                    }
                }
            }
        }
    }
}

#[test]
fn a_protection_header_that_is_not_base64_is_listed_with_its_defect() {
    let m = fixture("protection_not_base64.ismc");
    assert_eq!(m.streams.len(), 2);
    assert_eq!(starts(&m, 0), vec![0, 20_000_000, 40_000_000, 60_000_000]);
    assert_eq!(m.protection.len(), 1);
    let p = &m.protection[0];
    assert_eq!(p.system_id, Uuid::PLAYREADY);
    assert!(p.data.is_empty() && p.playready.is_none());
    assert!(kids(&m).is_empty());
    let defect = p.defect.as_deref().expect("the defect is named");
    assert!(defect.contains("not base64"), "{defect}");
    assert!(defect.contains("line 19"), "{defect}");
    assert!(defect.contains("${PLAYREADY_OBJECT_BASE64}"), "{defect}");
}
