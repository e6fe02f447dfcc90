//! Fragment-level tests on hand-built moof/mdat pairs and on the real IIS corpus.

use super::testutil::{bx, cat, full, uuid_full, words};
use super::tfrf::TFRF_UUID;
use super::tfxd::TFXD_UUID;
use super::*;

const NON_SYNC: u32 = 0x0101_0000;
const SYNC: u32 = 0x0200_0000;

/// A moof with the given traf children, followed by an mdat holding `media`; returns the bytes.
/// `data_offset_at` is patched so the first trun's data offset points at the mdat payload.
fn fragment(traf_children: &[Vec<u8>], media: &[u8]) -> Vec<u8> {
    let traf = bx(b"traf", &traf_children.concat());
    let moof = bx(b"moof", &cat(&[&full(b"mfhd", 0, 0, &words(&[7])), &traf]));
    cat(&[&moof, &bx(b"mdat", media)])
}

/// Size of the moof that `fragment` will build, so data offsets can be computed first.
fn moof_len(traf_children: &[Vec<u8>]) -> u32 {
    let children: usize = traf_children.iter().map(Vec::len).sum();
    (8 + 16 + 8 + children) as u32
}

fn tfhd(flags: u32, fields: &[u32]) -> Vec<u8> {
    full(b"tfhd", 0, flags, &words(&[&[1u32][..], fields].concat()))
}

fn trun(version: u8, flags: u32, count: u32, fields: &[u32]) -> Vec<u8> {
    full(
        b"trun",
        version,
        flags,
        &words(&[&[count][..], fields].concat()),
    )
}

fn media(sizes: &[u32]) -> Vec<u8> {
    sizes
        .iter()
        .enumerate()
        .flat_map(|(i, &s)| vec![i as u8 + 1; s as usize])
        .collect()
}

#[test]
fn smooth_fragment_with_tfxd_tfrf_and_negative_v1_offsets() {
    let sizes = [5u32, 3, 4];
    let mut tfxd_p = 1_000_000_000u64.to_be_bytes().to_vec();
    tfxd_p.extend_from_slice(&20_000_000u64.to_be_bytes());
    let mut tfrf_p = vec![2u8];
    for v in [1_020_000_000u64, 20_000_000, 1_040_000_000, 20_000_000] {
        tfrf_p.extend_from_slice(&v.to_be_bytes());
    }
    let build = |offset: u32| {
        vec![
            tfhd(0x20, &[NON_SYNC]),
            // data-offset, first-sample-flags, duration, size, cts; v1 with a negative offset
            trun(
                1,
                0xb05,
                3,
                &[
                    offset,
                    SYNC,
                    400,
                    5,
                    800,
                    400,
                    3,
                    (-400i32) as u32,
                    400,
                    4,
                    0,
                ],
            ),
            uuid_full(&TFXD_UUID, 1, &tfxd_p),
            uuid_full(&TFRF_UUID, 1, &tfrf_p[..]),
        ]
    };
    let children = build(0);
    let children = build(moof_len(&children) + 8);
    let buf = fragment(&children, &media(&sizes));
    let f = parse_fragment(&buf, 5).expect("fragment");
    assert_eq!(f.sequence_number, Some(7));
    assert_eq!(f.tracks.len(), 1);
    let t = &f.tracks[0];
    assert_eq!(t.base_time, 1_000_000_000, "tfxd wins over the default");
    assert_eq!(
        t.tfxd,
        Some(Tfxd {
            time: 1_000_000_000,
            duration: 20_000_000
        })
    );
    assert_eq!(t.tfrf.len(), 2);
    assert_eq!(
        t.tfrf[1],
        TfrfEntry {
            time: 1_040_000_000,
            duration: 20_000_000
        }
    );
    assert_eq!(t.sync_source, SyncSource::Flags);
    let times: Vec<_> = t
        .samples
        .iter()
        .map(|s| (s.dts, s.pts, s.is_sync))
        .collect();
    let b = 1_000_000_000;
    assert_eq!(
        times,
        vec![
            (b, b + 800, true),
            (b + 400, b, false),
            (b + 800, b + 800, false)
        ]
    );
    for (i, s) in t.samples.iter().enumerate() {
        assert_eq!(s.size, sizes[i]);
        assert_eq!(
            &buf[s.data.clone()],
            &vec![i as u8 + 1; sizes[i] as usize][..]
        );
    }
}

#[test]
fn base_time_prefers_tfxd_then_tfdt_then_default() {
    let with = |extra: Vec<Vec<u8>>| {
        let mut c = vec![tfhd(0x38, &[10, 2, SYNC])];
        c.extend(extra);
        c.push(trun(0, 0x1, 2, &[0]));
        let n = moof_len(&c) + 8;
        c.pop();
        c.push(trun(0, 0x1, 2, &[n]));
        let buf = fragment(&c, &media(&[2, 2]));
        let f = parse_fragment(&buf, 77).expect("fragment");
        f.tracks[0]
            .samples
            .iter()
            .map(|s| s.dts)
            .collect::<Vec<_>>()
    };
    assert_eq!(with(vec![]), vec![77, 87]);
    assert_eq!(
        with(vec![full(b"tfdt", 1, 0, &9_000u64.to_be_bytes())]),
        vec![9_000, 9_010]
    );
    assert_eq!(
        with(vec![full(b"tfdt", 0, 0, &words(&[9_000]))]),
        vec![9_000, 9_010]
    );
    assert_eq!(
        with(vec![
            full(b"tfdt", 1, 0, &9_000u64.to_be_bytes()),
            uuid_full(&TFXD_UUID, 0, &words(&[50, 20]))
        ]),
        vec![50, 60]
    );
}

#[test]
fn negative_tfxd_time_and_offsets_clamp_at_zero() {
    // ffmpeg writes -priming as an unsigned 64-bit tfxd time for AAC.
    let mut p = (-232_200i64 as u64).to_be_bytes().to_vec();
    p.extend_from_slice(&1_000_000u64.to_be_bytes());
    let mk = |n: u32| {
        vec![
            tfhd(0x38, &[232_200, 1, SYNC]),
            uuid_full(&TFXD_UUID, 1, &p),
            trun(0, 0x1, 3, &[n]),
        ]
    };
    let c = mk(moof_len(&mk(0)) + 8);
    let buf = fragment(&c, &media(&[1, 1, 1]));
    let t = &parse_fragment(&buf, 0).expect("fragment").tracks[0];
    assert_eq!(t.base_time, 0);
    let dts: Vec<_> = t.samples.iter().map(|s| s.dts).collect();
    assert_eq!(dts, vec![0, 0, 232_200]);
}

#[test]
fn defaults_come_from_tfhd_when_trun_has_none() {
    let mk = |n: u32| {
        vec![
            tfhd(0x38, &[1001, 6, NON_SYNC]),
            trun(0, 0x5, 3, &[n, SYNC]),
        ]
    };
    let c = mk(moof_len(&mk(0)) + 8);
    let buf = fragment(&c, &media(&[6, 6, 6]));
    let t = &parse_fragment(&buf, 0).expect("fragment").tracks[0];
    let got: Vec<_> = t
        .samples
        .iter()
        .map(|s| (s.dts, s.duration, s.size, s.is_sync))
        .collect();
    assert_eq!(
        got,
        vec![
            (0, 1001, 6, true),
            (1001, 1001, 6, false),
            (2002, 1001, 6, false)
        ]
    );
}

#[test]
fn sync_from_sdtp_alone_or_assumed_first() {
    let sdtp = full(b"sdtp", 0, 0, &[0x24, 0x14, 0x24]);
    let mk = |n: u32, s: bool| {
        let mut c = vec![tfhd(0x18, &[10, 1]), trun(0, 0x1, 3, &[n])];
        if s {
            c.push(sdtp.clone());
        }
        c
    };
    for with_sdtp in [true, false] {
        let c = mk(moof_len(&mk(0, with_sdtp)) + 8, with_sdtp);
        let buf = fragment(&c, &media(&[1, 1, 1]));
        let t = &parse_fragment(&buf, 0).expect("fragment").tracks[0];
        let sync: Vec<_> = t.samples.iter().map(|s| s.is_sync).collect();
        if with_sdtp {
            assert_eq!(t.sync_source, SyncSource::Sdtp);
            assert_eq!(sync, vec![true, false, true]);
        } else {
            assert_eq!(t.sync_source, SyncSource::Assumed);
            assert_eq!(sync, vec![true, false, false]);
        }
    }
}

#[test]
fn sdtp_overrides_flags_that_claim_every_sample_is_sync() {
    // IIS: default flags 0x4001 never set the non-sync bit; sdtp tells the truth.
    let mk = |n: u32| {
        vec![
            tfhd(0x20, &[0x4001]),
            trun(0, 0x301, 2, &[n, 10, 1, 10, 1]),
            full(b"sdtp", 0, 0, &[0x24, 0x14]),
        ]
    };
    let c = mk(moof_len(&mk(0)) + 8);
    let buf = fragment(&c, &media(&[1, 1]));
    let t = &parse_fragment(&buf, 0).expect("fragment").tracks[0];
    assert_eq!(
        t.samples.iter().map(|s| s.is_sync).collect::<Vec<_>>(),
        vec![true, false]
    );
}

#[test]
fn data_offsets_chain_across_runs_and_trafs() {
    // Two trafs, no data offsets in the second run or traf: data follows on.
    let traf_a = bx(
        b"traf",
        &cat(&[
            &tfhd(0x18, &[10, 2]),
            &trun(0, 0x1, 1, &[0]),
            &trun(0, 0, 2, &[]),
        ]),
    );
    let traf_b_children = cat(&[
        &full(b"tfhd", 0, 0x18, &words(&[2, 20, 3])),
        &trun(0, 0, 1, &[]),
    ]);
    let traf_b = bx(b"traf", &traf_b_children);
    let moof_size = (8 + 16 + traf_a.len() + traf_b.len()) as u32;
    let traf_a = bx(
        b"traf",
        &cat(&[
            &tfhd(0x18, &[10, 2]),
            &trun(0, 0x1, 1, &[moof_size + 8]),
            &trun(0, 0, 2, &[]),
        ]),
    );
    let moof = bx(
        b"moof",
        &cat(&[&full(b"mfhd", 0, 0, &words(&[1])), &traf_a, &traf_b]),
    );
    let buf = cat(&[&moof, &bx(b"mdat", &[1, 1, 2, 2, 3, 3, 9, 9, 9])]);
    let f = parse_fragment(&buf, 0).expect("fragment");
    assert_eq!(f.tracks.len(), 2);
    let bytes = |t: &TrackFragment| {
        t.samples
            .iter()
            .map(|s| buf[s.data.clone()].to_vec())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        bytes(&f.tracks[0]),
        vec![vec![1, 1], vec![2, 2], vec![3, 3]]
    );
    assert_eq!(
        f.tracks[0]
            .samples
            .iter()
            .map(|s| s.dts)
            .collect::<Vec<_>>(),
        vec![0, 10, 20]
    );
    assert_eq!(f.tracks[1].track_id, 2);
    assert_eq!(bytes(&f.tracks[1]), vec![vec![9, 9, 9]]);
}

#[test]
fn base_data_offset_and_default_base_is_moof() {
    // tfhd base-data-offset is absolute; default-base-is-moof makes trun offsets moof-relative.
    let prefix = bx(b"free", &[0; 4]);
    let mk = |flags: u32, base: Option<u64>, off: u32| {
        let mut f = vec![];
        if let Some(b) = base {
            f.extend_from_slice(&words(&[(b >> 32) as u32, b as u32]));
        }
        f.extend_from_slice(&words(&[4, 2]));
        let tfhd = full(b"tfhd", 0, flags | 0x18, &cat(&[&words(&[1]), &f]));
        vec![tfhd, trun(0, 0x1, 2, &[off])]
    };
    let media_bytes = [5u8, 5, 6, 6];
    for mode in 0..2 {
        let probe = if mode == 0 {
            mk(0x1, Some(0), 0)
        } else {
            mk(0x2_0000, None, 0)
        };
        let moof_size = moof_len(&probe) as usize;
        let mdat_payload = prefix.len() + moof_size + 8;
        let c = if mode == 0 {
            mk(0x1, Some(mdat_payload as u64 - 2), 2)
        } else {
            mk(0x2_0000, None, (moof_size + 8) as u32)
        };
        let buf = cat(&[&prefix, &fragment(&c, &media_bytes)]);
        let t = &parse_fragment(&buf, 0).expect("fragment").tracks[0];
        assert_eq!(
            t.samples[0].data,
            mdat_payload..mdat_payload + 2,
            "mode {mode}"
        );
        assert_eq!(&buf[t.samples[1].data.clone()], &[6, 6]);
    }
}

#[test]
fn unknown_free_and_skip_boxes_are_ignored() {
    let mk = |n: u32| {
        vec![
            bx(b"free", &[1, 2]),
            tfhd(0x38, &[1, 1, SYNC]),
            bx(b"zzzz", &[0; 9]),
            trun(0, 0x1, 1, &[n]),
        ]
    };
    let c = mk(moof_len(&mk(0)) + 8);
    // Offsets are moof-relative, so boxes before the moof do not move the samples.
    let buf = cat(&[
        &bx(b"styp", b"msdh"),
        &bx(b"skip", &[]),
        &fragment(&c, &[42]),
        &bx(b"free", &[]),
    ]);
    let t = &parse_fragment(&buf, 0).expect("fragment").tracks[0];
    assert_eq!(&buf[t.samples[0].data.clone()], &[42]);
}

#[test]
fn sample_outside_mdat_is_an_error_with_path_and_offset() {
    let mk = |n: u32| vec![tfhd(0x38, &[1, 4, SYNC]), trun(0, 0x1, 2, &[n])];
    let c = mk(moof_len(&mk(0)) + 8);
    let buf = fragment(&c, &[1, 2, 3, 4, 5]); // second sample runs past the mdat
    let trun_offset = (8 + 16 + 8 + c[0].len()) as u64;
    match parse_fragment(&buf, 0) {
        Err(BoxError::Invalid { path, offset, what }) => {
            assert_eq!(path, "moof/traf/trun");
            assert_eq!(offset, trun_offset);
            assert!(what.contains("sample 1"), "{what}");
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    // A data offset pointing into the moof itself is just as wrong.
    let buf = fragment(&mk(0), &[0; 8]);
    assert!(matches!(
        parse_fragment(&buf, 0),
        Err(BoxError::Invalid { .. })
    ));
}

#[test]
fn structural_errors_are_typed() {
    let buf = bx(b"mdat", &[0; 4]);
    assert_eq!(
        parse_fragment(&buf, 0),
        Err(BoxError::Missing {
            path: String::new(),
            what: "moof".into()
        })
    );

    let buf = fragment(&[trun(0, 0x1, 0, &[0])], &[]);
    assert_eq!(
        parse_fragment(&buf, 0),
        Err(BoxError::Missing {
            path: "moof/traf".into(),
            what: "tfhd".into()
        })
    );

    let mk = |n: u32| vec![tfhd(0, &[]), trun(0, 0x101, 2, &[n, 10, 10])];
    let c = mk(moof_len(&mk(0)) + 8);
    match parse_fragment(&fragment(&c, &[0; 4]), 0) {
        Err(BoxError::Invalid { what, .. }) => assert!(what.contains("no size"), "{what}"),
        other => panic!("expected missing size, got {other:?}"),
    }

    let one = fragment(&mk(0), &[]);
    let two = cat(&[&one, &one]);
    assert!(
        matches!(parse_fragment(&two, 0), Err(BoxError::Invalid { ref what, .. }) if what.contains("second moof"))
    );
}

#[test]
fn child_running_past_its_parent_is_oversized() {
    let mut traf = bx(b"traf", &tfhd(0x20, &[SYNC]));
    // Claim the tfhd is 100 bytes long inside a traf with 20 bytes of payload.
    traf[8..12].copy_from_slice(&100u32.to_be_bytes());
    let buf = cat(&[&bx(b"moof", &traf), &bx(b"mdat", &[])]);
    assert_eq!(
        parse_fragment(&buf, 0),
        Err(BoxError::Oversized {
            path: "moof/traf/tfhd".into(),
            offset: 16,
            size: 100,
            available: 20
        })
    );
}

fn reference_fragment() -> Vec<u8> {
    let mut tfxd_p = 10u64.to_be_bytes().to_vec();
    tfxd_p.extend_from_slice(&30u64.to_be_bytes());
    let mk = |n: u32| {
        vec![
            tfhd(0x38, &[10, 3, NON_SYNC]),
            full(b"tfdt", 1, 0, &5u64.to_be_bytes()),
            trun(
                1,
                0xb05,
                3,
                &[n, SYNC, 10, 3, 0, 10, 3, 20, 10, 3, (-10i32) as u32],
            ),
            full(b"sdtp", 0, 0, &[0x24, 0x14, 0x14]),
            uuid_full(&TFXD_UUID, 1, &tfxd_p),
            uuid_full(&TFRF_UUID, 0, &[1, 0, 0, 0, 40, 0, 0, 0, 10]),
        ]
    };
    let c = mk(moof_len(&mk(0)) + 8);
    fragment(&c, &media(&[3, 3, 3]))
}

/// Every truncation and every single-byte corruption gives a result or a typed error: no
/// panic, and every sample still lies inside the buffer.
fn no_panic_under_mutation(buf: &[u8]) {
    for len in 0..buf.len() {
        if let Ok(f) = parse_fragment(&buf[..len], 0) {
            for t in &f.tracks {
                assert!(t.samples.iter().all(|s| s.data.end <= len));
            }
        }
    }
    let mut m = buf.to_vec();
    for i in 0..buf.len() {
        for v in [0x00, 0xff, 0x80, m[i] ^ 0x01] {
            let keep = m[i];
            m[i] = v;
            if let Ok(f) = parse_fragment(&m, 0) {
                for t in &f.tracks {
                    assert!(t.samples.iter().all(|s| s.data.end <= m.len()));
                }
            }
            m[i] = keep;
        }
    }
}

#[test]
fn mutated_and_truncated_hand_built_fragment_never_panics() {
    let buf = reference_fragment();
    assert!(parse_fragment(&buf, 0).is_ok());
    for len in [0, 7, 8, 20, buf.len() - 1] {
        assert!(
            parse_fragment(&buf[..len], 0).is_err(),
            "truncated to {len}"
        );
    }
    no_panic_under_mutation(&buf);
}

fn corpus_dir() -> Option<std::path::PathBuf> {
    // A checkout's parent (or an ancestor's) holds `shared/corpus`; absent on a fresh clone.
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/corpus/shaka/mss-clear"))
        .find(|p| p.is_dir())
}

#[test]
fn corpus_superspeedway_fragment_mutations_never_panic_when_present() {
    let Some(dir) = corpus_dir() else {
        eprintln!("skipped: corpus folder absent");
        return;
    };
    let buf = std::fs::read(dir.join("Fragments(audio=0)")).expect("read corpus fragment");
    // Only the moof region and the mdat header: mutating media bytes cannot change parsing.
    let f = parse_fragment(&buf, 0).expect("parse");
    let head = f.tracks[0].samples[0].data.start;
    for len in (0..buf.len()).step_by(97) {
        let _ = parse_fragment(&buf[..len], 0);
    }
    let mut m = buf.clone();
    for i in 0..head {
        for v in [0x00, 0xff, m[i] ^ 0x80] {
            let keep = m[i];
            m[i] = v;
            if let Ok(f) = parse_fragment(&m, 0) {
                assert!(
                    f.tracks
                        .iter()
                        .all(|t| t.samples.iter().all(|s| s.data.end <= m.len()))
                );
            }
            m[i] = keep;
        }
    }
}

#[test]
fn empty_duration_traf_has_no_samples() {
    let buf = fragment(
        &[
            tfhd(0x1_0008, &[20_000_000]),
            full(b"tfdt", 1, 0, &40u64.to_be_bytes()),
        ],
        &[],
    );
    let t = &parse_fragment(&buf, 0).expect("fragment").tracks[0];
    assert!(t.samples.is_empty());
    assert_eq!(t.base_time, 40);
}

#[test]
fn v0_offsets_with_the_high_bit_set_read_as_negative() {
    // Producers write negative offsets into version-0 runs; read them signed.
    let mk = |n: u32| {
        vec![
            tfhd(0x38, &[10, 1, SYNC]),
            trun(0, 0x801, 2, &[n, 10, (-10i32) as u32]),
        ]
    };
    let c = mk(moof_len(&mk(0)) + 8);
    let buf = fragment(&c, &[1, 2]);
    let t = &parse_fragment(&buf, 100).expect("fragment").tracks[0];
    assert_eq!(
        t.samples.iter().map(|s| (s.dts, s.pts)).collect::<Vec<_>>(),
        vec![(100, 110), (110, 100)]
    );
}
