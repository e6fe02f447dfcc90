//! `moof` and `mfhd`: walks the movie fragment and hands each `traf` to [`super::traf`].

use std::ops::Range;

use super::fragment::{Fragment, TrackContext};
use super::traf::parse_traf;
use super::{BoxError, BoxHeader, BoxIter, Reader};
use crate::limits::MAX_SAMPLES_PER_FRAGMENT;

/// Parses the moof described by `moof` (a box of `buf`); samples must lie in one of `mdats`.
pub(crate) fn parse_moof(
    buf: &[u8],
    moof: &BoxHeader,
    mdats: &[Range<usize>],
    ctx: &dyn TrackContext,
) -> Result<Fragment, BoxError> {
    let start = moof.offset as usize;
    let payload = buf
        .get(start + moof.header_len..start + moof.size as usize)
        .ok_or_else(|| BoxError::Oversized {
            path: "moof".into(),
            offset: moof.offset,
            size: moof.size,
            available: buf.len().saturating_sub(start) as u64,
        })?;
    let mut sequence_number = None;
    let mut tracks = Vec::new();
    // Without base-data-offset or default-base-is-moof, a traf's data follows the previous one's.
    let mut data_cursor = start;
    let mut samples_left = MAX_SAMPLES_PER_FRAGMENT;
    for item in BoxIter::new(payload, moof.offset + moof.header_len as u64, "moof") {
        let (header, body) = item?;
        match &header.kind.0 {
            b"mfhd" => {
                let mut r =
                    Reader::new(body, header.offset + header.header_len as u64, "moof/mfhd");
                let _ = r.version_flags()?;
                sequence_number = Some(r.u32()?);
            }
            b"traf" => {
                let (track, end) = parse_traf(
                    buf,
                    &header,
                    start,
                    data_cursor,
                    mdats,
                    ctx,
                    &mut samples_left,
                )?;
                data_cursor = end;
                tracks.push(track);
            }
            _ => {}
        }
    }
    if tracks.is_empty() {
        return Err(BoxError::Missing {
            path: "moof".into(),
            what: "traf".into(),
        });
    }
    Ok(Fragment {
        sequence_number,
        tracks,
    })
}
