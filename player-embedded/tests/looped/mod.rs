//! A long on-demand presentation made by repeating the demo: one video level and the English
//! audio, every fragment copied once per loop with its `tfxd` (and `tfrf`) times moved by the
//! loop's offset, so the player sees one continuous presentation from a plain origin.

use std::path::{Path, PathBuf};

use player_core::isobmff::tfrf::TFRF_UUID;
use player_core::isobmff::tfxd::TFXD_UUID;
use player_core::isobmff::{BoxError, BoxIter};
use player_core::manifest::{StreamIndex, StreamType};

/// A presentation directory, removed when dropped.
pub struct Looped {
    pub root: PathBuf,
}

impl Drop for Looped {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.root).ok();
    }
}

/// One repeated stream: its manifest lines and its chunks (start, duration) in one loop.
struct Source<'a> {
    stream: &'a StreamIndex,
    /// The QualityLevel element copied from the demo manifest.
    level_xml: String,
    bitrate: u64,
    key: &'static str,
}

/// Adds `delta` to the fragment's tfxd time and to every tfrf entry's time, in place.
pub fn shift_fragment(buf: &mut [u8], delta: u64) -> Result<(), BoxError> {
    let mut at = Vec::new(); // (offset of a 64-bit time, what)
    for b in BoxIter::new(buf, 0, "") {
        let (moof, _) = b?;
        if &moof.kind.0 != b"moof" {
            continue;
        }
        let moof_payload = moof.offset as usize + moof.header_len;
        let end = moof.offset as usize + moof.size as usize;
        for t in BoxIter::new(&buf[moof_payload..end], moof_payload as u64, "moof") {
            let (traf, _) = t?;
            if &traf.kind.0 != b"traf" {
                continue;
            }
            let traf_payload = traf.offset as usize + traf.header_len;
            let traf_end = traf.offset as usize + traf.size as usize;
            for u in BoxIter::new(&buf[traf_payload..traf_end], traf_payload as u64, "traf") {
                let (uuid, payload) = u?;
                let p = uuid.offset as usize + uuid.header_len;
                match uuid.user_type {
                    // version 1: version/flags, then 64-bit time and duration.
                    Some(t) if t == TFXD_UUID && payload.first() == Some(&1) => at.push(p + 4),
                    // version 1: version/flags, count, then (time, duration) pairs.
                    Some(t) if t == TFRF_UUID && payload.first() == Some(&1) => {
                        let count = usize::from(payload.get(4).copied().unwrap_or(0));
                        at.extend((0..count).map(|i| p + 5 + 16 * i));
                    }
                    Some(t) if t == TFXD_UUID || t == TFRF_UUID => {
                        panic!("version 0 tfxd/tfrf cannot hold long presentations' times")
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(!at.is_empty(), "no tfxd in the fragment");
    for off in at {
        let field: &mut [u8; 8] = (&mut buf[off..off + 8]).try_into().expect("8 bytes");
        *field = (u64::from_be_bytes(*field) + delta).to_be_bytes();
    }
    Ok(())
}

/// The `<QualityLevel …/>` line of the demo manifest inside the StreamIndex named `stream`
/// with `Bitrate="{bitrate}"`.
fn level_line(manifest: &str, stream: &str, bitrate: u64) -> String {
    let start = manifest
        .find(&format!("Name=\"{stream}\""))
        .expect("stream in demo manifest");
    manifest[start..]
        .lines()
        .find(|l| l.contains("<QualityLevel") && l.contains(&format!("Bitrate=\"{bitrate}\"")))
        .expect("quality level")
        .trim()
        .to_string()
}

/// Writes the demo's `video_bitrate` level and English audio repeated `loops` times under
/// `root`, plus `root/<name>/Manifest` for each `(name, loops)` in `cuts` (a prefix of the
/// loops, sharing the fragment files).
pub fn make(root: &Path, video_bitrate: u64, loops: usize, cuts: &[(&str, usize)]) -> Looped {
    let demo = player_tests::support::assets_dir().join("demo");
    let text = std::fs::read_to_string(demo.join("Manifest")).expect("demo manifest");
    let manifest = player_core::manifest::parse(text.as_bytes()).expect("demo parses");
    let find = |ty: StreamType, name: &str| {
        manifest
            .streams
            .iter()
            .find(|s| s.stream_type == ty && s.name.as_deref() == Some(name))
            .expect("demo stream")
    };
    let sources = [
        Source {
            stream: find(StreamType::Video, "video"),
            level_xml: level_line(&text, "video", video_bitrate),
            bitrate: video_bitrate,
            key: "video",
        },
        Source {
            stream: find(StreamType::Audio, "audio_eng"),
            level_xml: level_line(&text, "audio_eng", 128_000),
            bitrate: 128_000,
            key: "audio_eng",
        },
    ];
    // One loop lasts as long as its longest stream, so both stay aligned loop after loop.
    let period = sources
        .iter()
        .filter_map(|s| s.stream.chunks.last().map(|c| c.end()))
        .max()
        .expect("chunks");
    let all = root.join("all");
    for s in &sources {
        write_looped_fragments(&demo, &all, s, loops, period);
    }
    for (name, n) in cuts {
        write_cut(&root.join(name), &all, &sources, *n, period);
    }
    Looped {
        root: root.to_path_buf(),
    }
}

/// Copies every fragment of `s` from the demo into `all`, `loops` times, each copy's times
/// moved by its loop's offset.
fn write_looped_fragments(demo: &Path, all: &Path, s: &Source, loops: usize, period: u64) {
    let dir = all.join(format!("QualityLevels({})", s.bitrate));
    std::fs::create_dir_all(&dir).expect("mkdir");
    for c in &s.stream.chunks {
        let src = demo
            .join(format!("QualityLevels({})", s.bitrate))
            .join(format!("Fragments({}={})", s.key, c.start));
        let original = std::fs::read(&src).expect("demo fragment");
        for k in 0..loops as u64 {
            let mut copy = original.clone();
            shift_fragment(&mut copy, k * period).expect("fragment boxes");
            let name = format!("Fragments({}={})", s.key, c.start + k * period);
            std::fs::write(dir.join(name), copy).expect("write fragment");
        }
    }
}

/// Writes `dir/Manifest` for the first `n` loops, with the level directories of `all` linked
/// beside it.
fn write_cut(dir: &Path, all: &Path, sources: &[Source], n: usize, period: u64) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join("Manifest"), cut_manifest(sources, n, period)).expect("write manifest");
    let level = format!("QualityLevels({})", sources[0].bitrate);
    for s in sources {
        let level = format!("QualityLevels({})", s.bitrate);
        std::os::unix::fs::symlink(all.join(&level), dir.join(&level)).expect("symlink");
    }
    assert!(dir.join(level).is_dir());
}

/// The manifest of the first `n` loops of `sources`.
fn cut_manifest(sources: &[Source], n: usize, period: u64) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml += &format!(
        "<SmoothStreamingMedia MajorVersion=\"2\" MinorVersion=\"0\" TimeScale=\"10000000\" Duration=\"{}\">\n",
        period * n as u64
    );
    for s in sources {
        let ty = if s.key == "video" { "video" } else { "audio" };
        xml += &format!(
            "<StreamIndex Type=\"{ty}\" Name=\"{}\" QualityLevels=\"1\" Chunks=\"{}\" Url=\"QualityLevels({{bitrate}})/Fragments({}={{start time}})\">\n{}\n",
            s.key,
            s.stream.chunks.len() * n,
            s.key,
            s.level_xml
        );
        for k in 0..n as u64 {
            for c in &s.stream.chunks {
                xml += &format!(
                    "<c t=\"{}\" d=\"{}\" />\n",
                    c.start + k * period,
                    c.duration
                );
            }
        }
        xml += "</StreamIndex>\n";
    }
    xml += "</SmoothStreamingMedia>\n";
    xml
}
