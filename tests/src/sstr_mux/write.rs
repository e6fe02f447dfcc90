//! Writing a Smooth Streaming on-demand presentation of one audio stream: fragments of
//! `moof` (`mfhd`, `traf` with `tfhd`, `trun` and `tfxd`) + `mdat`, and the manifest. The
//! stream's timescale is its sample rate, so every duration is exact.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};

use super::frames::AudioTrack;

const TFXD: [u8; 16] = [
    0x6d, 0x1d, 0x9b, 0x05, 0x42, 0xd5, 0x44, 0xe6, 0x80, 0xe2, 0x14, 0x1d, 0xaf, 0xf7, 0x57, 0xb2,
];

fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(&(body.len() as u32 + 8).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

/// One fragment: `units` starting at `time` (sample ticks), sequence number `seq`.
pub fn fragment(units: &[(Vec<u8>, u32)], time: u64, seq: u32) -> Vec<u8> {
    let duration: u64 = units.iter().map(|u| u64::from(u.1)).sum();
    let mfhd = boxed(b"mfhd", &[&[0u8; 4][..], &seq.to_be_bytes()].concat());
    // tfhd v0, flags 0x20: default sample flags (every audio sample is a sync sample).
    let tfhd = boxed(b"tfhd", &[0, 0, 0, 0x20, 0, 0, 0, 1, 0x02, 0, 0, 0]);
    let mut tfxd = vec![1, 0, 0, 0];
    tfxd.extend_from_slice(&time.to_be_bytes());
    tfxd.extend_from_slice(&duration.to_be_bytes());
    let tfxd = boxed(b"uuid", &[&TFXD[..], &tfxd].concat());
    let trun_len = 8 + 12 + 8 * units.len();
    let moof_len = 8 + mfhd.len() + 8 + tfhd.len() + trun_len + tfxd.len();
    // trun v0, flags 0x301: data offset (from the moof), sample duration and size.
    let mut trun = vec![0, 0, 3, 1];
    trun.extend_from_slice(&(units.len() as u32).to_be_bytes());
    trun.extend_from_slice(&(moof_len as u32 + 8).to_be_bytes());
    for (data, d) in units {
        trun.extend_from_slice(&d.to_be_bytes());
        trun.extend_from_slice(&(data.len() as u32).to_be_bytes());
    }
    let traf = boxed(b"traf", &[tfhd, boxed(b"trun", &trun), tfxd].concat());
    let moof = boxed(b"moof", &[mfhd, traf].concat());
    let mdat: Vec<u8> = units.iter().flat_map(|u| u.0.iter().copied()).collect();
    [moof, boxed(b"mdat", &mdat)].concat()
}

/// Writes `track` as the presentation `out` (a stream named `name`, fragments of about
/// `fragment_s` seconds, announced at `bitrate` bits/s).
pub fn presentation(
    out: &Path,
    track: &AudioTrack,
    name: &str,
    bitrate: u64,
    fragment_s: u32,
) -> Result<()> {
    let level = out.join(format!("QualityLevels({bitrate})"));
    std::fs::create_dir_all(&level).with_context(|| format!("create {}", level.display()))?;
    let target = u64::from(track.sample_rate) * u64::from(fragment_s);
    let (mut chunks, mut time, mut seq) = (Vec::new(), 0u64, 1u32);
    let mut rest = &track.units[..];
    while !rest.is_empty() {
        let (mut n, mut d) = (0, 0u64);
        while n < rest.len() && (d < target || n == 0) {
            d += u64::from(rest[n].1);
            n += 1;
        }
        let path = level.join(format!("Fragments({name}={time})"));
        std::fs::write(&path, fragment(&rest[..n], time, seq))
            .with_context(|| format!("write {}", path.display()))?;
        chunks.push((time, d));
        (time, seq, rest) = (time + d, seq + 1, &rest[n..]);
    }
    std::fs::write(
        out.join("Manifest"),
        manifest(track, name, bitrate, &chunks),
    )
    .context("write Manifest")
}

fn manifest(t: &AudioTrack, name: &str, bitrate: u64, chunks: &[(u64, u64)]) -> String {
    let total: u64 = chunks.iter().map(|c| c.1).sum();
    let cpd: String = t.private_data.iter().map(|b| format!("{b:02X}")).collect();
    let mut x = String::new();
    let _ = writeln!(x, r#"<?xml version="1.0" encoding="utf-8"?>"#);
    let _ = writeln!(
        x,
        r#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="2" TimeScale="{}" Duration="{total}">"#,
        t.sample_rate
    );
    let _ = writeln!(
        x,
        r#"<StreamIndex Type="audio" Name="{name}" QualityLevels="1" Chunks="{}" TimeScale="{}" Url="QualityLevels({{bitrate}})/Fragments({name}={{start time}})">"#,
        chunks.len(),
        t.sample_rate
    );
    let _ = writeln!(
        x,
        r#"<QualityLevel Index="0" Bitrate="{bitrate}" FourCC="{}" SamplingRate="{}" Channels="{}" BitsPerSample="{}" PacketSize="{}" AudioTag="{}" CodecPrivateData="{cpd}" />"#,
        t.fourcc, t.sample_rate, t.channels, t.bits_per_sample, t.block_align, t.format_tag
    );
    for (i, (start, d)) in chunks.iter().enumerate() {
        if i == 0 {
            let _ = writeln!(x, r#"<c t="{start}" d="{d}" />"#);
        } else {
            let _ = writeln!(x, r#"<c d="{d}" />"#);
        }
    }
    x.push_str("</StreamIndex>\n</SmoothStreamingMedia>\n");
    x
}
