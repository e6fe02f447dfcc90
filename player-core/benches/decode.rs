//! Fragment parsing and H.264 decoding speed on a 720p stream.
//!
//! The stream is made with ffmpeg at bench time (`/tmp/smoothplay-bench-720p.ismv`, 10 s of
//! 1280x720 at 25 fps, 3 Mb/s, 2 s fragments) when it is not there yet; without ffmpeg the
//! benchmarks print a framed SKIPPED notice and measure nothing. Run: `cargo bench -p player-core --bench decode`.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use player_core::decode::H264Decoder;
use player_core::demux::{AnnexBConverter, DecoderConfig, track_decoder_config};
use player_core::isobmff::{IsmvFile, TrackKind, parse_fragment};

const STREAM: &str = "/tmp/smoothplay-bench-720p.ismv";

fn stream() -> Option<Vec<u8>> {
    if !Path::new(STREAM).exists() {
        let status = Command::new("ffmpeg")
            .args([
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
            ])
            .arg("testsrc2=size=1280x720:rate=25")
            .args([
                "-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-b:v", "3M", "-g", "50",
            ])
            .args(["-frag_duration", "2000000", "-f", "ismv", STREAM])
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            let line = "=".repeat(78);
            eprintln!(
                "{line}\nSKIPPED decode benchmarks: ffmpeg could not make {STREAM}, so NOTHING \
                 WAS MEASURED.\nInstall ffmpeg (`./x deps` installs it, Debian package ffmpeg) \
                 and run again.\n{line}"
            );
            return None;
        }
    }
    std::fs::read(STREAM).ok()
}

/// The first video fragment as a standalone Smooth fragment (moof + mdat bytes).
fn first_fragment(buf: &[u8]) -> Vec<u8> {
    let file = IsmvFile::parse(buf).expect("ismv");
    let (offset, frag) = file
        .fragments(buf)
        .next()
        .expect("a fragment")
        .expect("parses");
    let end = frag.tracks[0].samples.last().expect("samples").data.end;
    buf[offset as usize..end].to_vec()
}

fn benches(c: &mut Criterion) {
    let Some(buf) = stream() else { return };
    let fragment = first_fragment(&buf);
    let parsed = parse_fragment(&fragment, 0).expect("fragment");
    let samples = parsed.tracks[0].samples.clone();

    let mut group = c.benchmark_group("720p");
    group.sample_size(10);
    group.throughput(Throughput::Elements(samples.len() as u64));
    group.bench_function("parse_fragment (2 s, samples/s)", |b| {
        b.iter(|| parse_fragment(black_box(&fragment), 0).expect("parse"))
    });

    let file = IsmvFile::parse(&buf).expect("ismv");
    let track = file
        .tracks
        .iter()
        .find(|t| t.kind == TrackKind::Video)
        .expect("video");
    let DecoderConfig::H264(config) = track_decoder_config(track).expect("config") else {
        panic!("not H.264")
    };
    group.bench_function("annex_b_convert (frames/s)", |b| {
        let mut conv = AnnexBConverter::new(&config).expect("converter");
        b.iter(|| {
            for s in &samples {
                black_box(
                    conv.convert(&fragment[s.data.clone()])
                        .expect("convert")
                        .len(),
                );
            }
        })
    });
    group.bench_function("h264_decode (frames/s)", |b| {
        b.iter(|| {
            let mut conv = AnnexBConverter::new(&config).expect("converter");
            let mut dec = H264Decoder::new(10_000_000).expect("decoder");
            let mut n = 0;
            for s in &samples {
                let au = conv.convert(&fragment[s.data.clone()]).expect("convert");
                n += dec
                    .decode(au, s.pts, u64::from(s.duration))
                    .expect("decode")
                    .len();
            }
            n += dec.flush().len();
            assert_eq!(n, samples.len());
        })
    });
    group.finish();
}

criterion_group!(decode, benches);
criterion_main!(decode);
