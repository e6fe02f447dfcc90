//! The real IIS SuperSpeedway fragments (shared corpus): parse, decode every video frame
//! and every audio frame. Without the corpus these tests fail under CI and say SKIPPED
//! elsewhere (see README: Test corpus).

mod common;

use common::{attribute, decode_video, hex, prereq};
use player_core::decode::{AacDecoder, H264Decoder};
use player_core::demux::codec_config::{aac_config, h264_config};
use player_core::isobmff::{SyncSource, parse_fragment};

const TIMESCALE: u64 = 10_000_000;

fn fragments(dir: &std::path::Path, stream: &str) -> Vec<(u64, Vec<u8>)> {
    let mut out: Vec<(u64, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let t = name
                .strip_prefix(&format!("Fragments({stream}="))?
                .strip_suffix(')')?
                .parse()
                .ok()?;
            Some((t, std::fs::read(dir.join(&name)).ok()?))
        })
        .collect();
    out.sort_by_key(|f| f.0);
    out
}

#[test]
fn corpus_superspeedway_video_decodes() {
    let Some(dir) = prereq::corpus("corpus_superspeedway_video_decodes", "shaka/mss-clear") else {
        return;
    };
    let manifest = std::fs::read_to_string(dir.join("Manifest")).expect("manifest");
    let cpd = hex(attribute(&manifest, "Type=\"video\"", "CodecPrivateData").expect("video CPD"));
    let config = h264_config("H264", &cpd, 4, (None, None)).expect("config");
    assert_eq!((config.width, config.height), (224, 128));
    let mut converter = common::converter(&config);
    let mut decoder = H264Decoder::new(TIMESCALE).expect("decoder");

    let frags = fragments(&dir, "video");
    assert_eq!(frags.len(), 4);
    let mut frames = Vec::new();
    let mut sample_times = Vec::new();
    let mut next_dts = 0;
    for (start, buf) in &frags {
        let f = parse_fragment(buf, *start).expect("parse video fragment");
        let t = &f.tracks[0];
        assert_eq!(
            t.base_time, *start,
            "no tfxd/tfdt: the URL time is the base"
        );
        assert_eq!(t.samples[0].dts, next_dts, "fragments are contiguous");
        assert_eq!(t.samples.len(), 48, "2.002 s at 23.976 fps");
        assert_eq!(t.sync_source, SyncSource::Flags);
        assert!(t.samples[0].is_sync);
        assert_eq!(
            t.samples.iter().filter(|s| s.is_sync).count(),
            1,
            "one IDR per fragment (sdtp)"
        );
        let total: u64 = t.samples.iter().map(|s| u64::from(s.duration)).sum();
        assert_eq!(total, 20_020_000);
        next_dts = t.samples[0].dts + total;
        sample_times.extend(t.samples.iter().map(|s| (s.pts, u64::from(s.duration))));
        frames.extend(decode_video(&mut decoder, &mut converter, buf, &t.samples));
    }
    frames.extend(decoder.flush());

    assert_eq!(frames.len(), 192, "4 fragments × 48 frames");
    assert!(frames.iter().all(|f| (f.width, f.height) == (224, 128)));
    sample_times.sort_unstable();
    let got: Vec<_> = frames.iter().map(|f| (f.pts, f.duration)).collect();
    assert_eq!(
        got, sample_times,
        "every picture carries its own sample's time, in order"
    );
    for w in frames.windows(2) {
        assert_eq!(
            w[1].pts,
            w[0].pts + w[0].duration,
            "presentation times are contiguous"
        );
    }
    // Real pictures, not grey: the luma of a race-track scene varies.
    let y = frames[100].to_i420();
    let (min, max) = y[..224 * 128]
        .iter()
        .fold((255u8, 0u8), |(a, b), &v| (a.min(v), b.max(v)));
    assert!(max - min > 100, "luma range {min}..{max}");
}

#[test]
fn corpus_superspeedway_audio_decodes() {
    let Some(dir) = prereq::corpus("corpus_superspeedway_audio_decodes", "shaka/mss-clear") else {
        return;
    };
    let manifest = std::fs::read_to_string(dir.join("Manifest")).expect("manifest");
    let cpd = hex(attribute(&manifest, "Type=\"audio\"", "CodecPrivateData").expect("audio CPD"));
    let config = aac_config("AACL", &cpd, false, Some(44_100), Some(2)).expect("config");
    let mut decoder = AacDecoder::new(&config, TIMESCALE).expect("decoder");

    let mut frames = 0usize;
    let mut samples = 0usize;
    let mut energy = 0f64;
    let mut prev_end: Option<u64> = None;
    for (start, buf) in fragments(&dir, "audio") {
        let f = parse_fragment(&buf, start).expect("parse audio fragment");
        let t = &f.tracks[0];
        if let Some(end) = prev_end {
            // IIS rounds each fragment's start to the tick: within one tick of the last end.
            assert!(
                start.abs_diff(end) <= 1,
                "fragment at {start}, previous ended at {end}"
            );
        }
        for w in t.samples.windows(2) {
            assert_eq!(w[1].dts, w[0].dts + u64::from(w[0].duration));
        }
        assert!(t.samples.iter().all(|s| s.is_sync && s.pts == s.dts));
        for s in &t.samples {
            let a = decoder
                .decode(&buf[s.data.clone()], s.pts)
                .expect("decode AAC");
            assert_eq!(
                (a.sample_rate, a.channels, a.frames(), a.pts),
                (44_100, 2, 1024, s.pts)
            );
            energy += a
                .samples
                .iter()
                .map(|v| f64::from(*v) * f64::from(*v))
                .sum::<f64>();
            samples += a.samples.len();
            frames += 1;
        }
        prev_end = t.samples.last().map(|s| s.dts + u64::from(s.duration));
    }
    // 8 s of 44.1 kHz audio in 1024-sample frames.
    assert!((340..=350).contains(&frames), "{frames} AAC frames");
    let rms = (energy / samples as f64).sqrt();
    assert!(rms > 0.01, "audio is not silent (rms {rms})");
}
