//! Local single-file presentations (`.ismv`, `.isma`, fragmented MP4): an index of the file
//! built from its `moov` and its small `moof` boxes, presented as a manifest so the rest of
//! the player treats them like any Smooth presentation; fragments are read by byte range.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::local_file::{read_range, scan_boxes};
use crate::error::Error;
use crate::isobmff::{
    BoxError, BoxHeader, IsmvTrack, Movie, SampleEntry, TrackDefaults, TrackKind, parse_moov,
    summarize_moof,
};
use crate::limits::{MAX_CHUNKS_PER_STREAM, MAX_FRAGMENT_BYTES, MAX_MANIFEST_BYTES};
use crate::manifest::{Chunk, Codec, Manifest, QualityLevel, StreamIndex, StreamType};
use crate::time::rescale;

/// Fragment start → (byte offset of its moof, bytes up to the next moof).
type Ranges = HashMap<u64, (u64, u64)>;

/// Where each fragment of each stream lies in the file.
#[derive(Debug)]
pub(crate) struct FileIndex {
    pub path: PathBuf,
    /// Indexed like the manifest's streams.
    pub streams: Vec<FileStream>,
}

/// One track of the file.
#[derive(Debug)]
pub(crate) struct FileStream {
    pub track_id: u32,
    pub defaults: TrackDefaults,
    /// Audio: every sample is a sync sample.
    pub all_sync: bool,
    /// Where each fragment lies.
    pub ranges: Ranges,
}

/// One track being indexed: its description, its fragments, where each lies.
type Indexed = (IsmvTrack, Vec<Chunk>, Ranges);

/// Indexes the file and describes it as a manifest.
pub(crate) async fn open(path: &Path) -> Result<(Manifest, FileIndex), Error> {
    let boxes = scan_boxes(path).await?;
    let moov = boxes
        .iter()
        .find(|b| &b.kind.0 == b"moov")
        .ok_or_else(|| BoxError::Missing {
            path: String::new(),
            what: "moov".into(),
        })?;
    let moov_bytes = read_range(path, moov.offset, moov.size, MAX_MANIFEST_BYTES).await?;
    let movie = parse_moov(
        &moov_bytes[moov.header_len..],
        moov.offset + moov.header_len as u64,
    )?;
    let mut streams: Vec<Indexed> = movie
        .tracks
        .iter()
        .filter(|t| matches!(t.kind, TrackKind::Video | TrackKind::Audio))
        .map(|t| (t.clone(), Vec::new(), HashMap::new()))
        .collect();
    let moofs: Vec<&BoxHeader> = boxes.iter().filter(|b| &b.kind.0 == b"moof").collect();
    for (n, moof) in moofs.iter().enumerate() {
        // A fragment runs from its moof to the next one (or the mfra, or the file's end).
        let until = moofs
            .get(n + 1)
            .map(|b| b.offset)
            .or_else(|| {
                boxes
                    .iter()
                    .find(|b| &b.kind.0 == b"mfra")
                    .map(|b| b.offset)
            })
            .unwrap_or_else(|| boxes.last().map_or(0, |b| b.offset + b.size));
        index_moof(path, moof, until, &movie, &mut streams).await?;
    }
    Ok(describe(path, streams))
}

/// Adds the fragments one moof holds (one per track it carries) to the index.
async fn index_moof(
    path: &Path,
    moof: &BoxHeader,
    until: u64,
    movie: &Movie,
    streams: &mut [Indexed],
) -> Result<(), Error> {
    let bytes = read_range(path, moof.offset, moof.size, MAX_FRAGMENT_BYTES).await?;
    let at = moof.offset + moof.header_len as u64;
    let summaries = summarize_moof(&bytes[moof.header_len..], at, |id| {
        movie
            .tracks
            .iter()
            .find(|t| t.track_id == id)
            .map(|t| t.defaults)
            .unwrap_or_default()
    })?;
    for s in summaries {
        let Some((_, chunks, ranges)) = streams.iter_mut().find(|(t, ..)| t.track_id == s.track_id)
        else {
            continue;
        };
        let start = s.time.or(chunks.last().map(Chunk::end)).unwrap_or(0);
        if chunks.len() as u64 >= MAX_CHUNKS_PER_STREAM || s.duration == 0 {
            continue;
        }
        if chunks.last().is_some_and(|c: &Chunk| start < c.start) {
            return Err(Error::Box(BoxError::Invalid {
                path: "moof".into(),
                offset: moof.offset,
                what: format!("track {} goes back in time", s.track_id),
            }));
        }
        chunks.push(Chunk {
            start,
            duration: s.duration,
        });
        ranges.insert(start, (moof.offset, until - moof.offset));
    }
    Ok(())
}

/// The manifest describing the indexed tracks, and where their fragments lie.
fn describe(path: &Path, streams: Vec<Indexed>) -> (Manifest, FileIndex) {
    let timescale = streams
        .iter()
        .find(|(t, ..)| t.kind == TrackKind::Video)
        .or(streams.first())
        .map_or(10_000_000, |(t, ..)| u64::from(t.timescale));
    let duration = streams
        .iter()
        .filter_map(|(t, c, _)| {
            c.last()
                .map(|l| rescale(l.end(), u64::from(t.timescale), timescale))
        })
        .max();
    let mut index = FileIndex {
        path: path.to_path_buf(),
        streams: Vec::new(),
    };
    let mut manifest_streams = Vec::new();
    for (track, chunks, ranges) in streams {
        if chunks.is_empty() {
            continue;
        }
        let bitrate = measured_bitrate(&track, &chunks, &ranges);
        manifest_streams.push(stream_of(&track, chunks, bitrate));
        index.streams.push(FileStream {
            track_id: track.track_id,
            defaults: track.defaults,
            all_sync: track.kind == TrackKind::Audio,
            ranges,
        });
    }
    let manifest = Manifest {
        major_version: 2,
        minor_version: 0,
        timescale,
        duration,
        is_live: false,
        lookahead_count: None,
        dvr_window_length: None,
        can_seek: true,
        can_pause: true,
        custom_attributes: Vec::new(),
        protection: Vec::new(),
        streams: manifest_streams,
    };
    (manifest, index)
}

/// Bitrate as the file really has it: bytes per second over the track.
fn measured_bitrate(track: &IsmvTrack, chunks: &[Chunk], ranges: &Ranges) -> u64 {
    let bytes: u64 = ranges.values().map(|(_, len)| len).sum();
    let seconds =
        chunks.iter().map(|c| c.duration).sum::<u64>() as f64 / f64::from(track.timescale.max(1));
    if seconds > 0.0 {
        (bytes as f64 * 8.0 / seconds) as u64
    } else {
        0
    }
}

/// A StreamIndex with one quality level describing `track`.
fn stream_of(track: &IsmvTrack, chunks: Vec<Chunk>, bitrate: u64) -> StreamIndex {
    let (stream_type, level) = match &track.sample_entry {
        SampleEntry::Avc {
            width,
            height,
            config,
            ..
        } => (
            StreamType::Video,
            QualityLevel {
                fourcc: "AVC1".into(),
                codec: Codec::H264,
                max_width: Some(u32::from(*width)),
                max_height: Some(u32::from(*height)),
                codec_private_data: config.annex_b(),
                nal_unit_length_field: config.nal_length_size,
                ..blank_level()
            },
        ),
        SampleEntry::Mp4a {
            channels,
            sample_rate,
            asc,
            ..
        } => (
            StreamType::Audio,
            QualityLevel {
                fourcc: "AACL".into(),
                codec: Codec::AacLc,
                codec_private_data: asc.clone(),
                sampling_rate: Some(*sample_rate),
                channels: Some(*channels),
                ..blank_level()
            },
        ),
        SampleEntry::Other(kind) => (
            if track.kind == TrackKind::Video {
                StreamType::Video
            } else {
                StreamType::Audio
            },
            QualityLevel {
                fourcc: kind.to_string().trim().to_uppercase(),
                codec: Codec::Unknown,
                ..blank_level()
            },
        ),
    };
    StreamIndex {
        stream_type,
        subtype: None,
        name: Some(format!("track{}", track.track_id)),
        language: None,
        url_template: String::new(),
        timescale: u64::from(track.timescale),
        declared_chunks: Some(chunks.len() as u64),
        max_width: level.max_width,
        max_height: level.max_height,
        display_width: None,
        display_height: None,
        parent_stream_index: None,
        manifest_output: false,
        quality_levels: vec![QualityLevel { bitrate, ..level }],
        chunks,
        embedded_samples: Vec::new(),
    }
}

fn blank_level() -> QualityLevel {
    QualityLevel {
        index: 0,
        bitrate: 0,
        fourcc: String::new(),
        codec: Codec::Unknown,
        max_width: None,
        max_height: None,
        codec_private_data: Vec::new(),
        sampling_rate: None,
        channels: None,
        bits_per_sample: None,
        packet_size: None,
        audio_tag: None,
        nal_unit_length_field: 4,
        wave_format_ex: None,
        custom_attributes: Vec::new(),
    }
}
