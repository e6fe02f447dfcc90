//! Decoding ffmpeg-made `.ismv` fixtures (see `fixtures/README.md`): B-frames come out in
//! presentation order with their own timestamps, a quality switch between sizes decodes
//! cleanly, and the AAC track is the tone it was made from.
//!
//! Every fixture picture is flat with luma 16 + 15 × (frame number), so the decoded pixels
//! tell which frame a picture is.

mod common;

use common::fixture;
use player_core::decode::{AacDecoder, H264Decoder, VideoFrame};
use player_core::demux::{AnnexBConverter, DecoderConfig, track_decoder_config};
use player_core::isobmff::{Fragment, IsmvFile, SampleEntry, TrackKind};

const FRAME: u64 = 400_000; // 25 fps in 100-ns ticks

fn fragments(buf: &[u8], file: &IsmvFile) -> Vec<Fragment> {
    file.fragments(buf)
        .map(|f| f.expect("fragment").1)
        .collect()
}

fn mean_luma(f: &VideoFrame) -> f64 {
    let rows = (0..f.height as usize).flat_map(|r| f.y_row(r).iter().copied());
    rows.map(f64::from).sum::<f64>() / f64::from(f.width * f.height)
}

/// Asserts each picture is the frame its timestamp says: luma 16 + 15 × N within 3.
fn assert_content_matches_time(frames: &[VideoFrame], first_pts: u64) {
    for f in frames {
        let n = (f.pts - first_pts) / FRAME;
        let want = 16.0 + 15.0 * n as f64;
        let got = mean_luma(f);
        assert!(
            (got - want).abs() < 3.0,
            "picture at pts {} (frame {n}) has luma {got:.1}, want {want}",
            f.pts
        );
    }
}

fn video_config(file: &IsmvFile) -> (u32, player_core::demux::H264Config) {
    let track = file
        .tracks
        .iter()
        .find(|t| t.kind == TrackKind::Video)
        .expect("video track");
    match track_decoder_config(track).expect("config") {
        DecoderConfig::H264(c) => (track.track_id, c),
        other => panic!("video track configured as {other:?}"),
    }
}

#[test]
fn ismv_bframes_decode_in_presentation_order() {
    let buf = fixture("bframes_64x64.ismv");
    let file = IsmvFile::parse(&buf).expect("ismv");
    assert_eq!(file.tracks.len(), 2);
    let (video_id, config) = video_config(&file);
    assert_eq!((config.width, config.height), (64, 64));
    let video = file.track(video_id).expect("track");
    assert_eq!(video.timescale, 10_000_000);

    let mut decoder = H264Decoder::new(10_000_000).expect("decoder");
    let mut converter = AnnexBConverter::new(&config).expect("converter");
    let mut frames = Vec::new();
    let mut sample_pts = Vec::new();
    let mut reordered = false;
    for f in fragments(&buf, &file) {
        for t in f.tracks.iter().filter(|t| t.track_id == video_id) {
            reordered |= t.samples.windows(2).any(|w| w[1].pts < w[0].pts);
            sample_pts.extend(t.samples.iter().map(|s| s.pts));
            frames.extend(common::decode_video(
                &mut decoder,
                &mut converter,
                &buf,
                &t.samples,
            ));
        }
    }
    frames.extend(decoder.flush());
    assert!(
        reordered,
        "the fixture has B-frames (decode order differs from presentation order)"
    );
    assert_eq!(frames.len(), 10);
    sample_pts.sort_unstable();
    assert_eq!(frames.iter().map(|f| f.pts).collect::<Vec<_>>(), sample_pts);
    for w in frames.windows(2) {
        assert_eq!(w[1].pts - w[0].pts, FRAME);
    }
    assert!(
        frames
            .iter()
            .all(|f| (f.width, f.height, f.duration) == (64, 64, FRAME))
    );
    assert_content_matches_time(&frames, frames[0].pts);
}

#[test]
fn ismv_audio_track_decodes_a_440hz_tone() {
    let buf = fixture("bframes_64x64.ismv");
    let file = IsmvFile::parse(&buf).expect("ismv");
    let audio = file
        .tracks
        .iter()
        .find(|t| t.kind == TrackKind::Audio)
        .expect("audio track");
    assert!(
        matches!(
            audio.sample_entry,
            SampleEntry::Mp4a {
                sample_rate: 22_050,
                ..
            }
        ),
        "{:?}",
        audio.sample_entry
    );
    let DecoderConfig::Aac(config) = track_decoder_config(audio).expect("config") else {
        panic!("not AAC")
    };
    // ffmpeg writes a template channelcount of 2; the AudioSpecificConfig says mono.
    assert_eq!((config.channels, config.sample_rate), (1, 22_050));
    let mut decoder = AacDecoder::new(&config, u64::from(audio.timescale)).expect("decoder");
    let mut pcm = Vec::new();
    let mut last_pts = None;
    for f in fragments(&buf, &file) {
        for t in f.tracks.iter().filter(|t| t.track_id == audio.track_id) {
            for s in &t.samples {
                assert!(s.is_sync);
                if let Some(p) = last_pts {
                    assert!(s.pts >= p, "audio times never go back");
                }
                last_pts = Some(s.pts);
                let a = decoder.decode(&buf[s.data.clone()], s.pts).expect("decode");
                assert_eq!((a.sample_rate, a.channels, a.frames()), (22_050, 1, 1024));
                pcm.extend(a.samples);
            }
        }
    }
    // 0.4 s plus the encoder's priming and padding frames.
    assert!(
        (8..=12).contains(&(pcm.len() / 1024)),
        "{} frames",
        pcm.len() / 1024
    );
    // Zero crossings over the steady middle: two per period.
    let mid = &pcm[2048..2048 + 4410];
    let crossings = mid
        .windows(2)
        .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
        .count();
    let hz = crossings as f64 / 2.0 / (4410.0 / 22_050.0);
    assert!((hz - 440.0).abs() < 15.0, "tone at {hz:.0} Hz");
}

#[test]
fn quality_switch_between_sizes_decodes_without_corruption() {
    let small = fixture("switch_64x64.ismv");
    let large = fixture("switch_96x48.ismv");
    let small_file = IsmvFile::parse(&small).expect("small");
    let large_file = IsmvFile::parse(&large).expect("large");
    let (_, small_cfg) = video_config(&small_file);
    let (_, large_cfg) = video_config(&large_file);
    assert_eq!((large_cfg.width, large_cfg.height), (96, 48));
    let small_frags = fragments(&small, &small_file);
    let large_frags = fragments(&large, &large_file);
    assert_eq!((small_frags.len(), large_frags.len()), (3, 3));

    // Fragment 0 small, 1 large, 2 small: two switches, each at an IDR.
    let mut decoder = H264Decoder::new(10_000_000).expect("decoder");
    let mut converter = AnnexBConverter::new(&small_cfg).expect("converter");
    let mut frames = Vec::new();
    for (i, (buf, frag, cfg)) in [
        (&small, &small_frags[0], &small_cfg),
        (&large, &large_frags[1], &large_cfg),
        (&small, &small_frags[2], &small_cfg),
    ]
    .into_iter()
    .enumerate()
    {
        converter.set_config(cfg).expect("switch");
        let t = &frag.tracks[0];
        assert!(t.samples[0].is_sync, "fragment {i} starts at a sync sample");
        frames.extend(common::decode_video(
            &mut decoder,
            &mut converter,
            buf,
            &t.samples,
        ));
    }
    frames.extend(decoder.flush());
    assert_eq!(frames.len(), 15);
    let first = frames[0].pts;
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(f.pts, first + i as u64 * FRAME, "frame {i} time");
        let size = if (5..10).contains(&i) {
            (96, 48)
        } else {
            (64, 64)
        };
        assert_eq!((f.width, f.height), size, "frame {i} size");
    }
    assert_content_matches_time(&frames, first);
}

#[test]
fn corrupt_access_unit_does_not_shift_later_timestamps() {
    let buf = fixture("switch_64x64.ismv");
    let file = IsmvFile::parse(&buf).expect("ismv");
    let (_, config) = video_config(&file);
    let frags = fragments(&buf, &file);
    let mut decoder = H264Decoder::new(10_000_000).expect("decoder");
    let mut converter = AnnexBConverter::new(&config).expect("converter");
    let mut frames = Vec::new();
    let mut errors = 0;
    for (i, frag) in frags.iter().enumerate() {
        for (k, s) in frag.tracks[0].samples.iter().enumerate() {
            let mut data = buf[s.data.clone()].to_vec();
            if i == 1 && k == 1 {
                // Keep the length prefix and NAL header, scramble the slice data.
                for (j, b) in data.iter_mut().enumerate().skip(6) {
                    *b = (j as u8).wrapping_mul(151) ^ 0x5a;
                }
            }
            let au = converter.convert(&data).expect("framing is intact");
            match decoder.decode(au, s.pts, u64::from(s.duration)) {
                Ok(f) => frames.extend(f),
                Err(_) => errors += 1,
            }
        }
    }
    frames.extend(decoder.flush());
    // openh264 reports the scrambled picture and the ones that refer to it (frames 6–9).
    assert!(
        errors > 0 && frames.len() < 15,
        "{errors} errors, {} pictures",
        frames.len()
    );
    // Whatever was lost, every picture shown carries its own time: content matches pts.
    assert_content_matches_time(
        &frames,
        frags[0].tracks[0]
            .samples
            .iter()
            .map(|s| s.pts)
            .min()
            .expect("pts"),
    );
    let last_gop: Vec<_> = frames
        .iter()
        .filter(|f| f.pts >= frags[2].tracks[0].samples[0].dts)
        .collect();
    assert!(last_gop.len() >= 5, "decoding recovers at the next IDR");
}
