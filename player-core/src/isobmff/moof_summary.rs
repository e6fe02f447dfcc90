//! What a `moof` says about its tracks without its `mdat`: track, start time, duration.
//! Enough to index a single-file `.ismv` by reading only the small moof boxes.

use super::fragment::TrackDefaults;
use super::tfdt::parse_tfdt;
use super::tfhd::Tfhd;
use super::tfxd::{TFXD_UUID, Tfxd};
use super::trun::Trun;
use super::{BoxError, BoxIter, Reader};

/// One traf of a moof, summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrafSummary {
    /// tfhd track_ID.
    pub track_id: u32,
    /// Start time from tfxd, else tfdt (None: continues the track's previous fragment).
    pub time: Option<u64>,
    /// Sum of the sample durations (tfhd / trex defaults applied).
    pub duration: u64,
    /// Number of samples.
    pub samples: u64,
}

/// Summarises the trafs of a moof payload (the bytes after its header) found at absolute
/// offset `at`; `defaults` gives a track's trex defaults.
pub fn summarize_moof(
    payload: &[u8],
    at: u64,
    defaults: impl Fn(u32) -> TrackDefaults,
) -> Result<Vec<TrafSummary>, BoxError> {
    let mut out = Vec::new();
    for item in BoxIter::new(payload, at, "moof") {
        let (h, body) = item?;
        if &h.kind.0 != b"traf" {
            continue;
        }
        let body_at = h.offset + h.header_len as u64;
        let mut tfhd = None;
        let (mut tfxd, mut tfdt) = (None, None);
        let mut runs = Vec::new();
        for child in BoxIter::new(body, body_at, "moof/traf") {
            let (c, cb) = child?;
            let cat = c.offset + c.header_len as u64;
            match (&c.kind.0, c.user_type) {
                (b"tfhd", _) => {
                    tfhd = Some(Tfhd::parse(&mut Reader::new(cb, cat, "moof/traf/tfhd"))?)
                }
                (b"tfdt", _) => {
                    tfdt = Some(parse_tfdt(&mut Reader::new(cb, cat, "moof/traf/tfdt"))?)
                }
                (b"uuid", Some(u)) if u == TFXD_UUID => {
                    tfxd = Some(Tfxd::parse(&mut Reader::new(cb, cat, "moof/traf/tfxd"))?);
                }
                (b"trun", _) => runs.push((cb, cat)),
                _ => {}
            }
        }
        let tfhd = tfhd.ok_or_else(|| BoxError::Missing {
            path: "moof/traf".into(),
            what: "tfhd".into(),
        })?;
        let trex = defaults(tfhd.track_id);
        let default_duration = tfhd.default_sample_duration.or(trex.duration).unwrap_or(0);
        let (mut duration, mut samples) = (0u64, 0u64);
        for (cb, cat) in runs {
            let trun = Trun::parse(&mut Reader::new(cb, cat, "moof/traf/trun"))?;
            for e in trun.entries() {
                duration =
                    duration.saturating_add(u64::from(e.duration.unwrap_or(default_duration)));
                samples += 1;
            }
        }
        out.push(TrafSummary {
            track_id: tfhd.track_id,
            // ffmpeg writes AAC priming as a negative time stored unsigned: that is 0.
            time: tfxd
                .map(|x| x.time)
                .or(tfdt)
                .map(|t| if (t as i64) < 0 { 0 } else { t }),
            duration,
            samples,
        });
    }
    Ok(out)
}
