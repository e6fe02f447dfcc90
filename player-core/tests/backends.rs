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

#[test]
fn vc1_wma_pro_and_he_aac_decoders_open_from_their_private_data() {
    use player_core::demux::codec_config::{aac_config, vc1_config, wma_config};
    use player_core::manifest::{Codec, QualityLevel};
    let hex = |s: &str| -> Vec<u8> {
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
            .collect()
    };
    let level = |fourcc: &str, codec: Codec, cpd: &str| QualityLevel {
        index: 0,
        bitrate: 1_536_000,
        fourcc: fourcc.into(),
        codec,
        max_width: Some(720),
        max_height: Some(480),
        codec_private_data: hex(cpd),
        sampling_rate: Some(44100),
        channels: Some(2),
        bits_per_sample: Some(16),
        packet_size: Some(5945),
        audio_tag: Some(0x162),
        nal_unit_length_field: 4,
        wave_format_ex: None,
        custom_attributes: vec![],
    };
    let f = DecoderFactory::new(Backend::Libav, 2).expect("libav");
    // A WVC1 sequence header and entry point as IIS writes them (androidx/media's sample).
    let vc1 = level(
        "WVC1",
        Codec::Vc1,
        "270000010FCBEE1670EF8A16783BF180C9089CC4AFA11C0000010E1207F840",
    );
    let config = DecoderConfig::Vc1(vc1_config(&vc1).expect("vc1"));
    let mut d = f.video(&config, 10_000_000).expect("VC-1 decoder");
    // Garbage is an error or nothing, never a crash.
    let _ = d.decode(&[0, 0, 1, 0x0d, 0xff, 0x13, 0x37], 0, 1);
    assert!(d.flush().len() <= 1);
    // WMA Pro: the WAVEFORMATEX extra bytes IIS writes for 2-channel 44.1 kHz.
    let wmap = level("WMAP", Codec::Wma, "1000030000000000000000000000E0000000");
    let config = DecoderConfig::Wma(wma_config(&wmap).expect("wmap"));
    f.audio(&config, 10_000_000, true).expect("WMA Pro decoder");
    // HE-AAC v2 signalled explicitly (AOT 29: PS), and HE-AAC v1 from attributes only.
    let v2 = aac_config("AACH", &hex("EB098800"), true, Some(44100), Some(2)).expect("v2");
    assert_eq!(
        (v2.sample_rate, v2.output_rate, v2.channels),
        (24000, 48000, 1)
    );
    f.audio(&DecoderConfig::Aac(v2), 10_000_000, true)
        .expect("HE-AAC v2 decoder");
    let v1 = aac_config("AACH", &[], true, Some(48000), Some(2)).expect("v1");
    f.audio(&DecoderConfig::Aac(v1), 10_000_000, true)
        .expect("HE-AAC v1 decoder");
}
