//! The entry points that turn the bytes of one fragment (`moof` + `mdat`) into a
//! [`Fragment`]: Smooth Streaming fragments, and fragments of a single-file `.ismv`.

use super::fragment::{Fragment, TrackContext, TrackDefaults};
use super::moof::parse_moof;
use super::{BoxError, BoxIter};

struct FixedBase(u64);

impl TrackContext for FixedBase {
    fn base_time(&self, _: u32) -> u64 {
        self.0
    }
    fn defaults(&self, _: u32) -> TrackDefaults {
        TrackDefaults::default()
    }
    fn all_sync(&self, _: u32) -> bool {
        false
    }
}

/// Track knowledge from a `moov` (single files): trex defaults and whether all samples sync.
struct FromMovie {
    base: u64,
    defaults: TrackDefaults,
    all_sync: bool,
}

impl TrackContext for FromMovie {
    fn base_time(&self, _: u32) -> u64 {
        self.base
    }
    fn defaults(&self, _: u32) -> TrackDefaults {
        self.defaults
    }
    fn all_sync(&self, _: u32) -> bool {
        self.all_sync
    }
}

/// Parses one fragment of a single-file presentation, whose `moov` gave the track's trex
/// `defaults` and whether every sample is a sync sample (audio).
pub fn parse_fragment_with(
    buf: &[u8],
    default_base_time: u64,
    defaults: TrackDefaults,
    all_sync: bool,
) -> Result<Fragment, BoxError> {
    parse_one_moof(
        buf,
        &FromMovie {
            base: default_base_time,
            defaults,
            all_sync,
        },
    )
}

/// Parses one Smooth Streaming fragment: a `moof` and the `mdat` holding its samples.
///
/// `default_base_time` is the fragment's start time from the manifest (the `{start time}`
/// of its URL), used when the fragment carries neither tfxd nor tfdt. `free`, `skip`,
/// `styp`, `sidx` and unknown top-level boxes are skipped. Sample ranges index `buf`.
pub fn parse_fragment(buf: &[u8], default_base_time: u64) -> Result<Fragment, BoxError> {
    parse_one_moof(buf, &FixedBase(default_base_time))
}

fn parse_one_moof(buf: &[u8], ctx: &dyn TrackContext) -> Result<Fragment, BoxError> {
    let mut moof = None;
    let mut mdats = Vec::new();
    for item in BoxIter::new(buf, 0, "") {
        let (header, _) = item?;
        let start = header.offset as usize;
        let end = start + header.size as usize;
        match &header.kind.0 {
            b"moof" if moof.is_some() => {
                return Err(BoxError::Invalid {
                    path: "moof".into(),
                    offset: header.offset,
                    what: "a second moof in one fragment".into(),
                });
            }
            b"moof" => moof = Some(header),
            b"mdat" => mdats.push(start + header.header_len..end),
            _ => {}
        }
    }
    let Some(moof) = moof else {
        return Err(BoxError::Missing {
            path: String::new(),
            what: "moof".into(),
        });
    };
    parse_moof(buf, &moof, &mdats, ctx)
}
