//! Fragment parsing, every box: whole inputs as a Smooth fragment, as a single-file `.ismv`
//! and through the demuxer; and each box parser on its own, the first byte choosing which.
//! Any bytes give data or a typed error, never a panic; sample ranges stay inside the input.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use player_core::decrypt::sample_encryption;
use player_core::demux::{stream_track, units};
use player_core::isobmff::fragment::TrackDefaults;
use player_core::isobmff::{self as b, AvcConfig, IsmvFile, Reader, parse_fragment};

/// Runs one box parser on `payload` (a box's bytes after its header).
fn one_box(which: u8, payload: &[u8]) {
    let at = 8;
    let path = "fuzz";
    match which % 20 {
        0 => drop(b::pssh::parse_pssh(payload, at, path)),
        1 => drop(b::pssh::parse_piff_pssh(payload, at, path)),
        2 => drop(b::protection_scheme::parse_tenc(payload, at, path)),
        3 => drop(b::protection_scheme::parse_sinf(payload, at, path)),
        4 => drop(b::saiz_saio::parse_saiz(payload, at, path)),
        5 => drop(b::saiz_saio::parse_saio(payload, at, path)),
        6 => drop(b::piff_senc::parse_piff_senc(payload, at, path, 8)),
        7 => drop(b::piff_senc::parse_piff_senc(payload, at, path, 16)),
        8 => drop(b::senc::parse_senc(payload, at, path, 8)),
        9 => drop(b::piff_tenc::parse_piff_tenc(payload, at, path)),
        10 => drop(b::moov::parse_moov(payload, at)),
        11 => drop(b::stsd::parse_stsd(payload, at)),
        12 => drop(b::stsd::parse_esds(payload, at)),
        13 => drop(b::tfhd::Tfhd::parse(&mut Reader::new(payload, at, path))),
        14 => drop(
            b::trun::Trun::parse(&mut Reader::new(payload, at, path)).map(|t| t.entries().count()),
        ),
        15 => drop(b::tfxd::Tfxd::parse(&mut Reader::new(payload, at, path))),
        16 => drop(b::tfrf::parse_tfrf(&mut Reader::new(payload, at, path))),
        17 => drop(AvcConfig::parse(&mut Reader::new(payload, at, path)).map(|c| c.annex_b())),
        18 => drop(b::sdtp::Sdtp::parse(&mut Reader::new(payload, at, path)).map(|s| s.len())),
        _ => drop(b::summarize_moof(payload, at, |_| TrackDefaults::default())),
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(f) = parse_fragment(data, 0) {
        for t in &f.tracks {
            for s in &t.samples {
                assert!(
                    s.data.end <= data.len(),
                    "sample range outside the fragment"
                );
            }
            let _ = sample_encryption(data, t);
        }
    }
    let body = Bytes::copy_from_slice(data);
    if let Ok(track) = stream_track(&body, 1000, None) {
        let _ = units(&track, &body);
    }
    if let Ok(file) = IsmvFile::parse(data) {
        for fragment in file.fragments(data).take(64) {
            if fragment.is_err() {
                break;
            }
        }
    }
    if let Some((&which, payload)) = data.split_first() {
        one_box(which, payload);
    }
});
