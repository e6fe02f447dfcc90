//! A parsed media fragment as data: track fragments whose samples carry exact times and
//! zero-copy ranges into the fragment bytes. The parsers (`fragment_parser`, `moof`,
//! `traf`) build these; nothing here parses.

use std::ops::Range;

use super::{FourCc, TfrfEntry, Tfxd};

/// One parsed fragment: the track fragments of its `moof`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    /// mfhd sequence_number, when the moof has an mfhd.
    pub sequence_number: Option<u32>,
    /// The `traf`s in file order (Smooth fragments carry one).
    pub tracks: Vec<TrackFragment>,
}

/// One `traf`: a track's samples in this fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackFragment {
    /// tfhd track_ID (arbitrary in Smooth Streaming; meaningful only inside one `.ismv`).
    pub track_id: u32,
    /// Decode time of the first sample: the tfxd time, else the tfdt, else the caller's default.
    /// A time written as a negative number (≥ 2^63, as ffmpeg does for AAC priming) reads as 0.
    pub base_time: u64,
    /// baseMediaDecodeTime from tfdt, when present.
    pub tfdt: Option<u64>,
    /// The Smooth tfxd box (absolute time and duration), when present.
    pub tfxd: Option<Tfxd>,
    /// The Smooth tfrf box entries (look-ahead fragments on live streams).
    pub tfrf: Vec<TfrfEntry>,
    /// Samples in decode order.
    pub samples: Vec<Sample>,
    /// Where each sample's sync flag came from.
    pub sync_source: SyncSource,
    /// Encryption-related boxes of this traf, left for the decryptor to parse.
    pub protection: TrackProtection,
}

/// Where sample sync flags came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncSource {
    /// Sample flags (trun, tfhd or trex), refined by sdtp when present.
    Flags,
    /// sdtp alone.
    Sdtp,
    /// Nothing: only the first sample is marked sync (right for video; audio callers treat
    /// every sample as sync).
    Assumed,
}

/// One media sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// Decode time, in the track's timescale.
    pub dts: u64,
    /// Presentation time: `dts` plus the signed composition offset, saturating at 0.
    pub pts: u64,
    /// Duration, in the track's timescale.
    pub duration: u32,
    /// Size in bytes (`data.len()`).
    pub size: u32,
    /// Whether decoding can start at this sample.
    pub is_sync: bool,
    /// Where the sample's bytes are in the buffer that was parsed (always inside an mdat).
    pub data: Range<usize>,
}

/// Encryption boxes of a traf (`senc`, `saiz`, `saio`, `sbgp`, `sgpd` and unknown uuid boxes
/// such as PIFF's sample-encryption box), as found; the decryptor parses them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrackProtection {
    /// The boxes in file order.
    pub boxes: Vec<RawBox>,
}

/// A box kept unparsed: its type and where its payload lies in the parsed buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBox {
    /// Box type.
    pub kind: FourCc,
    /// Extended type of `uuid` boxes.
    pub user_type: Option<[u8; 16]>,
    /// Absolute offset of the box.
    pub offset: u64,
    /// The payload (after the header) as a range of the parsed buffer.
    pub payload: Range<usize>,
}

/// Sample defaults from `trex` (single-file `.ismv`), used when tfhd and trun give none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrackDefaults {
    /// default_sample_duration.
    pub duration: Option<u32>,
    /// default_sample_size.
    pub size: Option<u32>,
    /// default_sample_flags.
    pub flags: Option<u32>,
}

/// What the caller knows about tracks that the moof does not say.
pub(crate) trait TrackContext {
    /// Decode time of the first sample when the traf has neither tfxd nor tfdt.
    fn base_time(&self, track_id: u32) -> u64;
    /// trex defaults for this track.
    fn defaults(&self, track_id: u32) -> TrackDefaults;
    /// Whether every sample of the track is a sync sample (audio).
    fn all_sync(&self, track_id: u32) -> bool;
}
