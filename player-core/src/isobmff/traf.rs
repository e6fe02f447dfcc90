//! `traf`: one track's fragment — tfhd defaults, trun rows, sdtp, tfdt and the Smooth
//! uuid boxes combined into samples with exact times and checked byte ranges.

use std::ops::Range;

use super::fragment::{RawBox, Sample, SyncSource, TrackContext, TrackFragment, TrackProtection};
use super::sdtp::Sdtp;
use super::tfdt::parse_tfdt;
use super::tfhd::Tfhd;
use super::tfrf::{TFRF_UUID, parse_tfrf};
use super::tfxd::{TFXD_UUID, Tfxd};
use super::trun::{SAMPLE_IS_NON_SYNC, Trun, sample_depends_on};
use super::{BoxError, BoxHeader, BoxIter, Reader};

const TRUN_PATH: &str = "moof/traf/trun";

/// Parses a traf; returns the track fragment and the end of its sample data (the implicit
/// data base of the next traf). `samples_left` is the fragment-wide sample budget.
pub(crate) fn parse_traf(
    buf: &[u8],
    traf: &BoxHeader,
    moof_start: usize,
    data_cursor: usize,
    mdats: &[Range<usize>],
    ctx: &dyn TrackContext,
    samples_left: &mut u32,
) -> Result<(TrackFragment, usize), BoxError> {
    let start = traf.offset as usize + traf.header_len;
    let end = traf.offset as usize + traf.size as usize;
    let payload = buf.get(start..end).unwrap_or(&[]);
    let mut tfhd = None;
    let mut truns = Vec::new();
    let mut sdtp = None;
    let mut tfdt = None;
    let mut tfxd = None;
    let mut tfrf = Vec::new();
    let mut protection = TrackProtection::default();
    for item in BoxIter::new(payload, start as u64, "moof/traf") {
        let (h, body) = item?;
        let at = h.offset + h.header_len as u64;
        match (&h.kind.0, h.user_type) {
            (b"tfhd", _) => tfhd = Some(Tfhd::parse(&mut Reader::new(body, at, "moof/traf/tfhd"))?),
            (b"trun", _) => truns.push((
                Trun::parse(&mut Reader::new(body, at, TRUN_PATH))?,
                h.offset,
            )),
            (b"sdtp", _) => sdtp = Some(Sdtp::parse(&mut Reader::new(body, at, "moof/traf/sdtp"))?),
            (b"tfdt", _) => tfdt = Some(parse_tfdt(&mut Reader::new(body, at, "moof/traf/tfdt"))?),
            (b"uuid", Some(TFXD_UUID)) => {
                tfxd = Some(Tfxd::parse(&mut Reader::new(body, at, "moof/traf/tfxd"))?);
            }
            (b"uuid", Some(TFRF_UUID)) => {
                tfrf = parse_tfrf(&mut Reader::new(body, at, "moof/traf/tfrf"))?
            }
            (b"senc" | b"saiz" | b"saio" | b"sbgp" | b"sgpd" | b"uuid", user_type) => {
                let from = at as usize;
                protection.boxes.push(RawBox {
                    kind: h.kind,
                    user_type,
                    offset: h.offset,
                    payload: from..from + body.len(),
                });
            }
            _ => {}
        }
    }
    let Some(tfhd) = tfhd else {
        return Err(BoxError::Missing {
            path: "moof/traf".into(),
            what: "tfhd".into(),
        });
    };
    let track_id = tfhd.track_id;
    let raw_base = tfxd
        .map(|t| t.time)
        .or(tfdt)
        .unwrap_or_else(|| ctx.base_time(track_id));
    // Times ≥ 2^63 are negative values written unsigned; do the arithmetic signed, clamp at 0.
    let signed_base = i128::from(raw_base as i64);
    let base_i = if raw_base > i64::MAX as u64 {
        signed_base
    } else {
        i128::from(raw_base)
    };
    let trex = ctx.defaults(track_id);
    let default_duration = tfhd.default_sample_duration.or(trex.duration);
    let default_size = tfhd.default_sample_size.or(trex.size);
    let default_flags = tfhd.default_sample_flags.or(trex.flags);
    let all_sync = ctx.all_sync(track_id);

    let data_base: i128 = match tfhd.base_data_offset {
        Some(b) => i128::from(b),
        None if tfhd.default_base_is_moof() => moof_start as i128,
        None => data_cursor as i128,
    };
    let mut next_data = data_base;
    let mut elapsed: i128 = 0;
    let total: usize = truns.iter().map(|(t, _)| t.sample_count as usize).sum();
    let mut samples = Vec::with_capacity(total.min(*samples_left as usize));
    let mut saw_flags = false;
    for (trun, trun_offset) in &truns {
        let invalid = |what: String| BoxError::Invalid {
            path: TRUN_PATH.into(),
            offset: *trun_offset,
            what,
        };
        if trun.sample_count > *samples_left {
            return Err(invalid(format!(
                "{} more samples exceed the per-fragment limit",
                trun.sample_count
            )));
        }
        if trun.record_size() == 0 && trun.sample_count as usize > buf.len() {
            return Err(invalid(format!(
                "{} samples with no per-sample fields",
                trun.sample_count
            )));
        }
        *samples_left -= trun.sample_count;
        let mut pos = match trun.data_offset {
            Some(off) => data_base + i128::from(off),
            None => next_data,
        };
        for entry in trun.entries() {
            let index = samples.len();
            let duration = match entry.duration.or(default_duration) {
                Some(d) => d,
                None if trun.sample_count == 1 => {
                    tfxd.map_or(0, |t| u32::try_from(t.duration).unwrap_or(u32::MAX))
                }
                None => {
                    return Err(invalid(format!(
                        "sample {index} has no duration (trun, tfhd or trex)"
                    )));
                }
            };
            let Some(size) = entry.size.or(default_size) else {
                return Err(invalid(format!(
                    "sample {index} has no size (trun, tfhd or trex)"
                )));
            };
            let data = sample_range(pos, size, mdats).ok_or_else(|| {
                invalid(format!(
                    "sample {index} ({size} bytes at {pos}) lies outside every mdat"
                ))
            })?;
            pos += i128::from(size);

            let flags = entry.flags.or(default_flags);
            let sdtp_dep = sdtp.as_ref().and_then(|s| s.depends_on(index));
            let is_sync = if all_sync {
                true
            } else if let Some(f) = flags {
                saw_flags = true;
                f & SAMPLE_IS_NON_SYNC == 0 && sample_depends_on(f) != 1 && sdtp_dep != Some(1)
            } else {
                match sdtp_dep {
                    Some(2) => true,
                    Some(1) => false,
                    _ => index == 0,
                }
            };
            let dts_i = base_i + elapsed;
            let pts_i = dts_i + i128::from(entry.cts.unwrap_or(0));
            elapsed += i128::from(duration);
            samples.push(Sample {
                dts: clamp_time(dts_i),
                pts: clamp_time(pts_i),
                duration,
                size,
                is_sync,
                data,
            });
        }
        next_data = pos;
    }
    let sync_source = if saw_flags {
        SyncSource::Flags
    } else if sdtp.is_some() {
        SyncSource::Sdtp
    } else {
        SyncSource::Assumed
    };
    let data_end = usize::try_from(next_data).unwrap_or(data_cursor);
    let track = TrackFragment {
        track_id,
        base_time: clamp_time(base_i),
        tfdt,
        tfxd,
        tfrf,
        samples,
        sync_source,
        protection,
    };
    Ok((track, data_end))
}

/// The byte range of a sample at `pos`, if it lies entirely inside one mdat payload.
fn sample_range(pos: i128, size: u32, mdats: &[Range<usize>]) -> Option<Range<usize>> {
    let start = usize::try_from(pos).ok()?;
    let end = start.checked_add(size as usize)?;
    mdats
        .iter()
        .any(|m| m.start <= start && end <= m.end)
        .then_some(start..end)
}

fn clamp_time(t: i128) -> u64 {
    u64::try_from(t.max(0)).unwrap_or(u64::MAX)
}
