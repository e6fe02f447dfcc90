//! `.ismv` tests on hand-built files: trex defaults, time continuity, track kinds, errors.

use super::testutil::{bx, cat, full, words};
use super::*;

fn trak(id: u32, handler: &[u8; 4], timescale: u32, entry: Vec<u8>) -> Vec<u8> {
    let tkhd = full(b"tkhd", 0, 3, &cat(&[&words(&[0, 0, id]), &[0; 72]]));
    let mdhd = full(b"mdhd", 0, 0, &words(&[0, 0, timescale, 0, 0]));
    let hdlr = full(b"hdlr", 0, 0, &cat(&[&[0; 4], handler, &[0; 13]]));
    let stsd = full(b"stsd", 0, 0, &cat(&[&words(&[1]), &entry]));
    let minf = bx(b"minf", &bx(b"stbl", &stsd));
    bx(
        b"trak",
        &cat(&[&tkhd, &bx(b"mdia", &cat(&[&mdhd, &hdlr, &minf]))]),
    )
}

fn avc1() -> Vec<u8> {
    let mut p = vec![0u8; 78];
    p[24..28].copy_from_slice(&[0, 64, 0, 48]);
    let avcc = bx(
        b"avcC",
        &[
            1, 0x42, 0, 0x1e, 0xfd, 0xe1, 0, 2, 0x67, 0x42, 1, 0, 2, 0x68, 0xce,
        ],
    );
    bx(b"avc1", &cat(&[&p, &avcc]))
}

fn mp4a() -> Vec<u8> {
    let mut p = vec![0u8; 28];
    p[16..18].copy_from_slice(&[0, 2]);
    p[24..28].copy_from_slice(&(48_000u32 << 16).to_be_bytes());
    let esds = full(
        b"esds",
        0,
        0,
        &[
            3, 25, 0, 2, 0, 4, 17, 0x40, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 2, 0x11, 0x90,
            6, 1, 2,
        ],
    );
    bx(b"mp4a", &cat(&[&p, &esds]))
}

fn trex(id: u32, duration: u32, size: u32, flags: u32) -> Vec<u8> {
    full(b"trex", 0, 0, &words(&[id, 1, duration, size, flags]))
}

/// A moof with one traf per (track, sample count) that relies on trex for everything
/// (default-base-is-moof, so every data offset counts from the moof), and
/// the mdat after it; `seq` numbers the fragment.
fn pair(seq: u32, tracks: &[(u32, u32, u8)], size_of: impl Fn(u32) -> u32) -> Vec<u8> {
    let build = |offsets: &[u32]| {
        let trafs: Vec<u8> = tracks
            .iter()
            .zip(offsets)
            .flat_map(|(&(id, n, _), &off)| {
                bx(
                    b"traf",
                    &cat(&[
                        &full(b"tfhd", 0, 0x2_0000, &words(&[id])),
                        &full(b"trun", 0, 1, &words(&[n, off])),
                    ]),
                )
            })
            .collect();
        bx(
            b"moof",
            &cat(&[&full(b"mfhd", 0, 0, &words(&[seq])), &trafs]),
        )
    };
    let probe = build(&vec![0; tracks.len()]);
    let mut offsets = Vec::new();
    let mut at = probe.len() as u32 + 8;
    for &(id, n, _) in tracks {
        offsets.push(at);
        at += n * size_of(id);
    }
    let media: Vec<u8> = tracks
        .iter()
        .flat_map(|&(id, n, byte)| vec![byte; (n * size_of(id)) as usize])
        .collect();
    cat(&[&build(&offsets), &bx(b"mdat", &media)])
}

fn file() -> Vec<u8> {
    let moov = bx(
        b"moov",
        &cat(&[
            &full(b"mvhd", 0, 0, &cat(&[&words(&[0, 0, 1000, 0]), &[0; 80]])),
            &trak(1, b"vide", 90_000, avc1()),
            &trak(2, b"soun", 48_000, mp4a()),
            &bx(
                b"mvex",
                &cat(&[&trex(1, 3000, 4, 0x0101_0000), &trex(2, 1024, 2, 0)]),
            ),
        ]),
    );
    let size = |id: u32| if id == 1 { 4 } else { 2 };
    cat(&[
        &bx(b"ftyp", b"isml\0\0\0\x01piff"),
        &moov,
        &pair(1, &[(1, 2, 0xa1), (2, 3, 0xa2)], size),
        &pair(2, &[(2, 1, 0xb2), (1, 1, 0xb1)], size),
        &bx(b"mfra", &full(b"mfro", 0, 0, &words(&[16]))),
    ])
}

#[test]
fn reads_tracks_and_trex_defaults() {
    let buf = file();
    let f = IsmvFile::parse(&buf).expect("ismv");
    assert_eq!(f.timescale, 1000);
    assert_eq!(f.tracks.len(), 2);
    let v = f.track(1).expect("video");
    assert_eq!((v.kind, v.timescale), (TrackKind::Video, 90_000));
    match &v.sample_entry {
        SampleEntry::Avc {
            width,
            height,
            config,
            protected,
        } => {
            assert_eq!(
                (*width, *height, config.nal_length_size, *protected),
                (64, 48, 2, false)
            );
            assert_eq!(
                config.annex_b(),
                vec![0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x68, 0xce]
            );
        }
        other => panic!("video entry {other:?}"),
    }
    let a = f.track(2).expect("audio");
    assert_eq!(a.kind, TrackKind::Audio);
    assert_eq!(
        a.sample_entry,
        SampleEntry::Mp4a {
            channels: 2,
            sample_rate: 48_000,
            asc: vec![0x11, 0x90],
            protected: false
        }
    );
    assert_eq!(
        a.defaults,
        TrackDefaults {
            duration: Some(1024),
            size: Some(2),
            flags: Some(0)
        }
    );
}

#[test]
fn fragments_continue_each_tracks_time_and_use_trex() {
    let buf = file();
    let f = IsmvFile::parse(&buf).expect("ismv");
    let frags: Vec<_> = f
        .fragments(&buf)
        .collect::<Result<_, _>>()
        .expect("fragments");
    assert_eq!(frags.len(), 2, "mfra is not a fragment");
    let (_, first) = &frags[0];
    let (_, second) = &frags[1];
    assert_eq!(second.sequence_number, Some(2));
    let video: Vec<_> = [first, second]
        .iter()
        .flat_map(|f| f.tracks.iter().filter(|t| t.track_id == 1))
        .flat_map(|t| t.samples.clone())
        .collect();
    assert_eq!(
        video.iter().map(|s| s.dts).collect::<Vec<_>>(),
        vec![0, 3000, 6000]
    );
    assert_eq!(
        video.iter().map(|s| s.is_sync).collect::<Vec<_>>(),
        vec![false, false, false],
        "trex flags say non-sync"
    );
    assert!(
        video
            .iter()
            .all(|s| buf[s.data.clone()].iter().all(|&b| b == 0xa1 || b == 0xb1))
    );
    let audio: Vec<_> = [first, second]
        .iter()
        .flat_map(|f| f.tracks.iter().filter(|t| t.track_id == 2))
        .flat_map(|t| t.samples.clone())
        .collect();
    assert_eq!(
        audio.iter().map(|s| s.dts).collect::<Vec<_>>(),
        vec![0, 1024, 2048, 3072]
    );
    assert!(audio.iter().all(|s| s.is_sync && s.size == 2));
    assert_eq!(&buf[audio[3].data.clone()], &[0xb2, 0xb2]);
}

#[test]
fn missing_moov_and_damaged_files_are_typed_errors() {
    let buf = file();
    let no_moov = cat(&[&bx(b"ftyp", b"isml"), &bx(b"mdat", &[])]);
    assert_eq!(
        IsmvFile::parse(&no_moov),
        Err(BoxError::Missing {
            path: String::new(),
            what: "moov".into()
        })
    );
    for len in 0..buf.len() {
        if let Ok(f) = IsmvFile::parse(&buf[..len]) {
            for (_, frag) in f.fragments(&buf[..len]).flatten() {
                assert!(
                    frag.tracks
                        .iter()
                        .all(|t| t.samples.iter().all(|s| s.data.end <= len))
                );
            }
        }
    }
    let mut m = buf.clone();
    for i in 0..m.len() {
        let keep = m[i];
        for v in [0, 0xff, keep ^ 0x10] {
            m[i] = v;
            if let Ok(f) = IsmvFile::parse(&m) {
                for (_, frag) in f.fragments(&m).flatten() {
                    assert!(
                        frag.tracks
                            .iter()
                            .all(|t| t.samples.iter().all(|s| s.data.end <= m.len()))
                    );
                }
            }
        }
        m[i] = keep;
    }
}
