//! Single-file `.ismv`/`.isma`: `ftyp`, `moov` (with `mvex`), then `moof`+`mdat` pairs and
//! an optional `mfra` index (ignored). Here track IDs are meaningful: one file holds every
//! track, and each traf names its track.

use std::ops::Range;

use super::fragment::{Fragment, TrackContext, TrackDefaults};
use super::moof::parse_moof;
use super::moov::{IsmvTrack, TrackKind, parse_moov};
use super::{BoxError, BoxHeader, BoxIter};

/// The header of a single-file presentation: its tracks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsmvFile {
    /// mvhd timescale.
    pub timescale: u32,
    /// mvhd duration (often 0 in fragmented files).
    pub duration: u64,
    /// Tracks in file order.
    pub tracks: Vec<IsmvTrack>,
    /// Top-level boxes of the file, in order.
    boxes: Vec<BoxHeader>,
}

impl IsmvFile {
    /// Parses the file's top-level structure and its `moov`.
    pub fn parse(buf: &[u8]) -> Result<IsmvFile, BoxError> {
        let mut boxes = Vec::new();
        let mut movie = None;
        for item in BoxIter::new(buf, 0, "") {
            let (h, payload) = item?;
            if &h.kind.0 == b"moov" {
                movie = Some(parse_moov(payload, h.offset + h.header_len as u64)?);
            }
            boxes.push(h);
        }
        let movie = movie.ok_or_else(|| BoxError::Missing {
            path: String::new(),
            what: "moov".into(),
        })?;
        Ok(IsmvFile {
            timescale: movie.timescale,
            duration: movie.duration,
            tracks: movie.tracks,
            boxes,
        })
    }

    /// The track with this ID.
    pub fn track(&self, track_id: u32) -> Option<&IsmvTrack> {
        self.tracks.iter().find(|t| t.track_id == track_id)
    }

    /// The movie fragments in file order, each with the absolute offset of its moof. Sample
    /// ranges index `buf` (the same bytes given to [`IsmvFile::parse`]). Fragments without
    /// tfxd or tfdt continue where the track's previous fragment ended.
    pub fn fragments<'a>(&'a self, buf: &'a [u8]) -> IsmvFragments<'a> {
        IsmvFragments {
            file: self,
            buf,
            index: 0,
            next_dts: Vec::new(),
            failed: false,
        }
    }
}

/// Iterator over the fragments of an `.ismv`; see [`IsmvFile::fragments`].
pub struct IsmvFragments<'a> {
    file: &'a IsmvFile,
    buf: &'a [u8],
    index: usize,
    next_dts: Vec<(u32, u64)>,
    failed: bool,
}

impl TrackContext for IsmvFragments<'_> {
    fn base_time(&self, track_id: u32) -> u64 {
        self.next_dts
            .iter()
            .find(|(id, _)| *id == track_id)
            .map_or(0, |(_, t)| *t)
    }

    fn defaults(&self, track_id: u32) -> TrackDefaults {
        self.file
            .track(track_id)
            .map(|t| t.defaults)
            .unwrap_or_default()
    }

    fn all_sync(&self, track_id: u32) -> bool {
        self.file
            .track(track_id)
            .is_some_and(|t| t.kind == TrackKind::Audio)
    }
}

impl Iterator for IsmvFragments<'_> {
    /// (absolute offset of the moof, the fragment).
    type Item = Result<(u64, Fragment), BoxError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let boxes = &self.file.boxes;
        let at = boxes
            .get(self.index..)?
            .iter()
            .position(|h| &h.kind.0 == b"moof")?
            + self.index;
        let moof = *boxes.get(at)?;
        let following = boxes.get(at + 1..).unwrap_or(&[]);
        let count = following
            .iter()
            .position(|h| &h.kind.0 == b"moof")
            .unwrap_or(following.len());
        self.index = at + 1 + count;
        let mdats: Vec<Range<usize>> = following
            .iter()
            .take(count)
            .filter(|h| &h.kind.0 == b"mdat")
            .map(|h| h.offset as usize + h.header_len..(h.offset + h.size) as usize)
            .collect();
        let result = parse_moof(self.buf, &moof, &mdats, self);
        match &result {
            Ok(f) => {
                for t in &f.tracks {
                    if let Some(last) = t.samples.last() {
                        let end = last.dts.saturating_add(u64::from(last.duration));
                        match self.next_dts.iter_mut().find(|(id, _)| *id == t.track_id) {
                            Some(slot) => slot.1 = end,
                            None => self.next_dts.push((t.track_id, end)),
                        }
                    }
                }
            }
            Err(_) => self.failed = true,
        }
        Some(result.map(|f| (moof.offset, f)))
    }
}
