//! `moov` of a single-file `.ismv`/`.isma`: movie and track headers, handler types,
//! sample entries and `mvex`/`trex` fragment defaults.

use super::fragment::TrackDefaults;
use super::stsd::{SampleEntry, parse_stsd};
use super::{BoxError, BoxIter, FourCc, Reader};

/// What a track carries (from its `hdlr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackKind {
    /// `vide`.
    Video,
    /// `soun`.
    Audio,
    /// `text`, `subt`, `sbtl`.
    Text,
    /// Anything else.
    Other(FourCc),
}

/// One track of an `.ismv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsmvTrack {
    /// track_ID (meaningful inside one file: trafs refer to it).
    pub track_id: u32,
    /// Handler kind.
    pub kind: TrackKind,
    /// Media timescale (mdhd).
    pub timescale: u32,
    /// Media duration from mdhd (often 0 in fragmented files).
    pub duration: u64,
    /// The first sample entry.
    pub sample_entry: SampleEntry,
    /// trex defaults for this track's fragments.
    pub defaults: TrackDefaults,
}

/// A parsed moov.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movie {
    /// mvhd timescale.
    pub timescale: u32,
    /// mvhd duration.
    pub duration: u64,
    /// Tracks in file order.
    pub tracks: Vec<IsmvTrack>,
}

/// Parses a moov payload starting at absolute offset `at`.
pub fn parse_moov(body: &[u8], at: u64) -> Result<Movie, BoxError> {
    let mut movie = Movie {
        timescale: 0,
        duration: 0,
        tracks: Vec::new(),
    };
    let mut trex = Vec::new();
    for item in BoxIter::new(body, at, "moov") {
        let (h, payload) = item?;
        let at = h.offset + h.header_len as u64;
        match &h.kind.0 {
            b"mvhd" => {
                let mut r = Reader::new(payload, at, "moov/mvhd");
                let (timescale, duration) = times(&mut r)?;
                movie.timescale = timescale;
                movie.duration = duration;
            }
            b"trak" => movie.tracks.push(parse_trak(payload, at)?),
            b"mvex" => {
                for item in BoxIter::new(payload, at, "moov/mvex") {
                    let (h, payload) = item?;
                    if &h.kind.0 == b"trex" {
                        let mut r =
                            Reader::new(payload, h.offset + h.header_len as u64, "moov/mvex/trex");
                        let _ = r.version_flags()?;
                        let id = r.u32()?;
                        let _description = r.u32()?;
                        let d = TrackDefaults {
                            duration: Some(r.u32()?),
                            size: Some(r.u32()?),
                            flags: Some(r.u32()?),
                        };
                        trex.push((id, d));
                    }
                }
            }
            _ => {}
        }
    }
    for t in &mut movie.tracks {
        if let Some((_, d)) = trex.iter().find(|(id, _)| *id == t.track_id) {
            t.defaults = *d;
        }
    }
    Ok(movie)
}

/// (timescale, duration) of an mvhd or mdhd, v0 or v1.
fn times(r: &mut Reader<'_>) -> Result<(u32, u64), BoxError> {
    let (version, _) = r.version_flags()?;
    match version {
        0 => {
            r.skip(8)?;
            Ok((r.u32()?, u64::from(r.u32()?)))
        }
        1 => {
            r.skip(16)?;
            Ok((r.u32()?, r.u64()?))
        }
        v => Err(r.invalid(format!("unknown version {v}"))),
    }
}

fn parse_trak(body: &[u8], at: u64) -> Result<IsmvTrack, BoxError> {
    let mut track_id = None;
    let mut kind = None;
    let mut timing = None;
    let mut entry = None;
    for item in BoxIter::new(body, at, "moov/trak") {
        let (h, payload) = item?;
        let at = h.offset + h.header_len as u64;
        match &h.kind.0 {
            b"tkhd" => {
                let mut r = Reader::new(payload, at, "moov/trak/tkhd");
                let (version, _) = r.version_flags()?;
                r.skip(if version == 1 { 16 } else { 8 })?;
                track_id = Some(r.u32()?);
            }
            b"mdia" => {
                for item in BoxIter::new(payload, at, "moov/trak/mdia") {
                    let (h, payload) = item?;
                    let at = h.offset + h.header_len as u64;
                    match &h.kind.0 {
                        b"mdhd" => {
                            timing =
                                Some(times(&mut Reader::new(payload, at, "moov/trak/mdia/mdhd"))?)
                        }
                        b"hdlr" => {
                            let mut r = Reader::new(payload, at, "moov/trak/mdia/hdlr");
                            r.skip(8)?;
                            kind = Some(match &r.array::<4>()? {
                                b"vide" => TrackKind::Video,
                                b"soun" => TrackKind::Audio,
                                b"text" | b"subt" | b"sbtl" => TrackKind::Text,
                                other => TrackKind::Other(FourCc(*other)),
                            });
                        }
                        b"minf" => entry = find_stsd(payload, at)?,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    let missing = |what: &str| BoxError::Missing {
        path: "moov/trak".into(),
        what: what.into(),
    };
    let (timescale, duration) = timing.ok_or_else(|| missing("mdia/mdhd"))?;
    if timescale == 0 {
        return Err(BoxError::Invalid {
            path: "moov/trak/mdia/mdhd".into(),
            offset: at,
            what: "timescale 0".into(),
        });
    }
    Ok(IsmvTrack {
        track_id: track_id.ok_or_else(|| missing("tkhd"))?,
        kind: kind.ok_or_else(|| missing("mdia/hdlr"))?,
        timescale,
        duration,
        sample_entry: entry.ok_or_else(|| missing("mdia/minf/stbl/stsd"))?,
        defaults: TrackDefaults::default(),
    })
}

fn find_stsd(minf: &[u8], at: u64) -> Result<Option<SampleEntry>, BoxError> {
    for item in BoxIter::new(minf, at, "moov/trak/mdia/minf") {
        let (h, payload) = item?;
        if &h.kind.0 == b"stbl" {
            for item in BoxIter::new(
                payload,
                h.offset + h.header_len as u64,
                "moov/trak/mdia/minf/stbl",
            ) {
                let (h, payload) = item?;
                if &h.kind.0 == b"stsd" {
                    return parse_stsd(payload, h.offset + h.header_len as u64).map(Some);
                }
            }
        }
    }
    Ok(None)
}
