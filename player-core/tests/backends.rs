//! Both decoder backends on the same media: H.264 decoding is bit-exact, so openh264 and
//! libavcodec must produce identical pictures from the demo presentation; the factories
//! answer what each can decode; hardware decoding falls back to software when no device
//! answers (no GPU here).
#![cfg(feature = "libav")]

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use player_core::decode::{Backend, DecoderFactory, VideoFrame};
use player_core::demux::{AnnexBConverter, DecoderConfig, decoder_config, stream_track, units};
use player_core::manifest::{self, Manifest, StreamType};

fn demo() -> (PathBuf, Manifest) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/demo");
    let xml = std::fs::read(dir.join("Manifest")).expect("demo manifest");
    (dir, manifest::parse(&xml).expect("manifest"))
}

/// Decodes the first `n` fragments of video level `level` (in manifest order) with `backend`.
fn decode_level(backend: Backend, level: usize, n: usize) -> (Vec<VideoFrame>, &'static str) {
    let (dir, m) = demo();
    let s = m
        .streams
        .iter()
        .find(|s| s.stream_type == StreamType::Video)
        .expect("video stream");
    let q = &s.quality_levels[level];
    let config = Arc::new(decoder_config(q).expect("config"));
    let DecoderConfig::H264(h) = config.as_ref() else {
        panic!("not H.264")
    };
    let mut conv = AnnexBConverter::new(h).expect("converter");
    let factory = DecoderFactory::new(backend, 2).expect("backend");
    let mut dec = factory.video(&config, 10_000_000).expect("decoder");
    let mut frames = Vec::new();
    for chunk in s.chunks.iter().take(n) {
        let name = format!(
            "QualityLevels({})/Fragments(video={})",
            q.bitrate, chunk.start
        );
        let body = Bytes::from(std::fs::read(dir.join(name)).expect("fragment"));
        let track = stream_track(&body, chunk.start, None).expect("track");
        for u in units(&track, &body) {
            let au = conv.convert(&u.data).expect("annex b");
            frames.extend(
                dec.decode(au, u.pts, u64::from(u.duration))
                    .expect("decode"),
            );
        }
        frames.extend(dec.flush());
    }
    (frames, dec.name())
}

#[test]
fn openh264_and_libav_decode_the_demo_to_identical_pictures() {
    for level in 0..3 {
        let (a, name_a) = decode_level(Backend::OpenH264, level, 2);
        let (b, name_b) = decode_level(Backend::Libav, level, 2);
        assert_eq!((name_a, name_b), ("openh264", "libav"));
        assert_eq!(a.len(), 100, "level {level}: 2 fragments of 50 pictures");
        assert_eq!(a.len(), b.len(), "level {level}");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(
                (x.pts, x.duration, x.width, x.height),
                (y.pts, y.duration, y.width, y.height)
            );
            assert!(
                x.to_i420() == y.to_i420(),
                "level {level}: picture at {} differs",
                x.pts
            );
        }
    }
}

#[test]
fn auto_falls_back_to_software_when_no_hardware_device_answers() {
    // No VA-API render node on this machine (CI has none either): `auto` tries, logs once,
    // and decodes in software with libav.
    if std::path::Path::new("/dev/dri").exists() {
        eprintln!("SKIPPED auto fallback: this machine has /dev/dri");
        return;
    }
    let (frames, name) = decode_level(Backend::Auto, 0, 1);
    assert_eq!((name, frames.len()), ("libav", 50));
    let f = DecoderFactory::new(Backend::Auto, 1).expect("auto");
    assert!(!f.hardware_fell_back());
    let (_, m) = demo();
    let q = &m.streams[0].quality_levels[0];
    let config = decoder_config(q).expect("config");
    assert_eq!(f.video(&config, 1).expect("decoder").name(), "libav");
    assert!(
        f.hardware_fell_back(),
        "the failed hardware attempt is remembered"
    );
    // The second decoder does not try again (and logs nothing more).
    assert_eq!(f.video(&config, 1).expect("decoder").name(), "libav");
}

#[test]
fn backends_say_what_they_decode() {
    use player_core::demux::CodecSupport;
    assert_eq!(Backend::OpenH264.support(), Some(CodecSupport::PURE));
    assert_eq!(Backend::Libav.support(), Some(CodecSupport::LIBAV));
    assert_eq!(Backend::Auto.support(), Some(CodecSupport::LIBAV));
    assert_eq!("LibAV".parse::<Backend>(), Ok(Backend::Libav));
    assert!("vlc".parse::<Backend>().is_err());
    let pure = DecoderFactory::new(Backend::OpenH264, 4).expect("pure");
    assert_eq!(pure.describe(), "openh264+symphonia");
}
