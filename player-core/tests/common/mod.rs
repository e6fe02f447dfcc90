//! Shared helpers for player-core integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use player_core::decode::{H264Decoder, VideoFrame};
use player_core::demux::{AnnexBConverter, H264Config};
use player_core::isobmff::Sample;

/// The shared corpus and external tools, with the skip policy of every test crate (fail
/// under CI, say SKIPPED elsewhere): the `player-tests` support file itself, included by path
/// because player-core cannot depend on player-tests.
#[path = "../../../tests/src/support/prereq.rs"]
pub mod prereq;

/// A committed fixture in `tests/fixtures/`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Decodes H.264 samples of `buf` in order, flushing at the end.
pub fn decode_video(
    decoder: &mut H264Decoder,
    converter: &mut AnnexBConverter,
    buf: &[u8],
    samples: &[Sample],
) -> Vec<VideoFrame> {
    let mut frames = Vec::new();
    for s in samples {
        let au = converter
            .convert(&buf[s.data.clone()])
            .expect("length-prefixed sample");
        frames.extend(
            decoder
                .decode(au, s.pts, u64::from(s.duration))
                .expect("decode"),
        );
    }
    frames
}

/// An attribute value from a manifest's text (tests only: no XML parser needed here).
pub fn attribute<'a>(xml: &'a str, element_hint: &str, name: &str) -> Option<&'a str> {
    let at = xml.find(element_hint)?;
    let rest = &xml[at..];
    let key = format!("{name}=\"");
    let start = rest.find(&key)? + key.len();
    let len = rest[start..].find('"')?;
    Some(&rest[start..start + len])
}

/// Hex to bytes.
pub fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

/// Configures a converter for an H.264 config.
pub fn converter(c: &H264Config) -> AnnexBConverter {
    AnnexBConverter::new(c).expect("converter")
}
