//! `traf`: one track's fragment — tfhd defaults, trun rows, sdtp, tfdt and the Smooth
//! uuid boxes combined into samples with exact times and checked byte ranges.

use std::ops::Range;

use super::fragment::{RawBox, Sample, SyncSource, TrackContext, TrackFragment, TrackProtection};
use super::sdtp::Sdtp;
use super::tfdt::parse_tfdt;
use super::tfhd::Tfhd;
use super::tfrf::{TFRF_UUID, parse_tfrf};
use super::tfxd::{TFXD_UUID, Tfxd};
use super::trun::{SAMPLE_IS_NON_SYNC, Trun, TrunEntry, sample_depends_on};
use super::{BoxError, BoxHeader, BoxIter, Reader, TfrfEntry};

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
    let boxes = TrafBoxes::read(buf, traf)?;
    let Some(tfhd) = &boxes.tfhd else {
        return Err(BoxError::Missing {
            path: "moof/traf".into(),
            what: "tfhd".into(),
        });
    };
    let track_id = tfhd.track_id;
    let raw_base = boxes
        .tfxd
        .map(|t| t.time)
        .or(boxes.tfdt)
        .unwrap_or_else(|| ctx.base_time(track_id));
    let data_base: i128 = match tfhd.base_data_offset {
        Some(b) => i128::from(b),
        None if tfhd.default_base_is_moof() => moof_start as i128,
        None => data_cursor as i128,
    };
    let mut table = SampleTable {
        rules: SampleRules::new(tfhd, ctx, &boxes),
        mdats,
        base: signed_time(raw_base),
        elapsed: 0,
        data_base,
        next_data: data_base,
        samples: Vec::new(),
        saw_flags: false,
    };
    let total: usize = boxes
        .truns
        .iter()
        .map(|(t, _)| t.sample_count as usize)
        .sum();
    table.samples.reserve(total.min(*samples_left as usize));
    for (trun, trun_offset) in &boxes.truns {
        table.add_run(trun, *trun_offset, buf.len(), samples_left)?;
    }
    let SampleTable {
        samples,
        saw_flags,
        next_data,
        base,
        ..
    } = table;
    let sync_source = if saw_flags {
        SyncSource::Flags
    } else if boxes.sdtp.is_some() {
        SyncSource::Sdtp
    } else {
        SyncSource::Assumed
    };
    let data_end = usize::try_from(next_data).unwrap_or(data_cursor);
    let track = TrackFragment {
        track_id,
        base_time: clamp_time(base),
        tfdt: boxes.tfdt,
        tfxd: boxes.tfxd,
        tfrf: boxes.tfrf,
        samples,
        sync_source,
        protection: boxes.protection,
    };
    Ok((track, data_end))
}

/// The children of a traf: parsed where the samples need them, kept raw for the decryptor.
#[derive(Default)]
struct TrafBoxes<'a> {
    tfhd: Option<Tfhd>,
    /// Each run with the absolute offset of its box (for errors).
    truns: Vec<(Trun<'a>, u64)>,
    sdtp: Option<Sdtp<'a>>,
    tfdt: Option<u64>,
    tfxd: Option<Tfxd>,
    tfrf: Vec<TfrfEntry>,
    protection: TrackProtection,
}

impl<'a> TrafBoxes<'a> {
    /// Reads the children of the traf `traf` (a box of `buf`), in file order.
    fn read(buf: &'a [u8], traf: &BoxHeader) -> Result<TrafBoxes<'a>, BoxError> {
        let start = traf.offset as usize + traf.header_len;
        let end = traf.offset as usize + traf.size as usize;
        let payload = buf.get(start..end).unwrap_or(&[]);
        let mut boxes = TrafBoxes::default();
        for item in BoxIter::new(payload, start as u64, "moof/traf") {
            let (h, body) = item?;
            boxes.add(&h, body)?;
        }
        Ok(boxes)
    }

    /// Takes one child box whose payload is `body`.
    fn add(&mut self, h: &BoxHeader, body: &'a [u8]) -> Result<(), BoxError> {
        let at = h.offset + h.header_len as u64;
        let reader = |path| Reader::new(body, at, path);
        match (&h.kind.0, h.user_type) {
            (b"tfhd", _) => self.tfhd = Some(Tfhd::parse(&mut reader("moof/traf/tfhd"))?),
            (b"trun", _) => self
                .truns
                .push((Trun::parse(&mut reader(TRUN_PATH))?, h.offset)),
            (b"sdtp", _) => self.sdtp = Some(Sdtp::parse(&mut reader("moof/traf/sdtp"))?),
            (b"tfdt", _) => self.tfdt = Some(parse_tfdt(&mut reader("moof/traf/tfdt"))?),
            (b"uuid", Some(TFXD_UUID)) => {
                self.tfxd = Some(Tfxd::parse(&mut reader("moof/traf/tfxd"))?);
            }
            (b"uuid", Some(TFRF_UUID)) => self.tfrf = parse_tfrf(&mut reader("moof/traf/tfrf"))?,
            (b"senc" | b"saiz" | b"saio" | b"sbgp" | b"sgpd" | b"uuid", user_type) => {
                let from = at as usize;
                self.protection.boxes.push(RawBox {
                    kind: h.kind,
                    user_type,
                    offset: h.offset,
                    payload: from..from + body.len(),
                });
            }
            _ => {}
        }
        Ok(())
    }
}

/// What fills in the fields trun rows leave out, and decides whether a sample is sync.
struct SampleRules<'b, 'a> {
    /// tfhd's default, else trex's.
    duration: Option<u32>,
    size: Option<u32>,
    flags: Option<u32>,
    /// The whole track is sync samples (audio in a single file).
    all_sync: bool,
    sdtp: Option<&'b Sdtp<'a>>,
    /// A one-sample run without a duration lasts the tfxd duration.
    tfxd: Option<Tfxd>,
}

impl<'b, 'a> SampleRules<'b, 'a> {
    fn new(tfhd: &Tfhd, ctx: &dyn TrackContext, boxes: &'b TrafBoxes<'a>) -> SampleRules<'b, 'a> {
        let trex = ctx.defaults(tfhd.track_id);
        SampleRules {
            duration: tfhd.default_sample_duration.or(trex.duration),
            size: tfhd.default_sample_size.or(trex.size),
            flags: tfhd.default_sample_flags.or(trex.flags),
            all_sync: ctx.all_sync(tfhd.track_id),
            sdtp: boxes.sdtp.as_ref(),
            tfxd: boxes.tfxd,
        }
    }

    /// Whether sample `index` (with these sample flags) can start decoding.
    fn is_sync(&self, index: usize, flags: Option<u32>) -> bool {
        let sdtp_dep = self.sdtp.and_then(|s| s.depends_on(index));
        if self.all_sync {
            true
        } else if let Some(f) = flags {
            f & SAMPLE_IS_NON_SYNC == 0 && sample_depends_on(f) != 1 && sdtp_dep != Some(1)
        } else {
            match sdtp_dep {
                Some(2) => true,
                Some(1) => false,
                _ => index == 0,
            }
        }
    }
}

/// The samples of a traf as its runs are read, with the running decode time and data offset.
struct SampleTable<'m, 'b, 'a> {
    rules: SampleRules<'b, 'a>,
    mdats: &'m [Range<usize>],
    /// Decode time of the first sample, signed (see [`signed_time`]).
    base: i128,
    /// Ticks since `base` at the end of the samples so far.
    elapsed: i128,
    /// Where run data offsets count from.
    data_base: i128,
    /// Where a run without a data offset starts: the end of the previous run's data.
    next_data: i128,
    samples: Vec<Sample>,
    /// Whether any sample had flags (the sync source is then `Flags`).
    saw_flags: bool,
}

impl SampleTable<'_, '_, '_> {
    /// Appends the samples of one run (its box at `trun_offset`), within the sample budget.
    fn add_run(
        &mut self,
        trun: &Trun<'_>,
        trun_offset: u64,
        buf_len: usize,
        samples_left: &mut u32,
    ) -> Result<(), BoxError> {
        let invalid = |what: String| BoxError::Invalid {
            path: TRUN_PATH.into(),
            offset: trun_offset,
            what,
        };
        if trun.sample_count > *samples_left {
            return Err(invalid(format!(
                "{} more samples exceed the per-fragment limit",
                trun.sample_count
            )));
        }
        if trun.record_size() == 0 && trun.sample_count as usize > buf_len {
            return Err(invalid(format!(
                "{} samples with no per-sample fields",
                trun.sample_count
            )));
        }
        *samples_left -= trun.sample_count;
        let mut pos = match trun.data_offset {
            Some(off) => self.data_base + i128::from(off),
            None => self.next_data,
        };
        for entry in trun.entries() {
            let sample = self
                .sample(entry, pos, trun.sample_count)
                .map_err(invalid)?;
            pos += i128::from(sample.size);
            self.samples.push(sample);
        }
        self.next_data = pos;
        Ok(())
    }

    /// The next sample, from its run row, with its data at `pos`; the error says what is wrong.
    fn sample(&mut self, entry: TrunEntry, pos: i128, run_len: u32) -> Result<Sample, String> {
        let index = self.samples.len();
        let rules = &self.rules;
        let duration = match entry.duration.or(rules.duration) {
            Some(d) => d,
            None if run_len == 1 => rules
                .tfxd
                .map_or(0, |t| u32::try_from(t.duration).unwrap_or(u32::MAX)),
            None => {
                return Err(format!(
                    "sample {index} has no duration (trun, tfhd or trex)"
                ));
            }
        };
        let Some(size) = entry.size.or(rules.size) else {
            return Err(format!("sample {index} has no size (trun, tfhd or trex)"));
        };
        let data = sample_range(pos, size, self.mdats).ok_or_else(|| {
            format!("sample {index} ({size} bytes at {pos}) lies outside every mdat")
        })?;
        let flags = entry.flags.or(rules.flags);
        // Flags count as a source only where they decide (not for an all-sync track).
        self.saw_flags |= flags.is_some() && !rules.all_sync;
        let is_sync = rules.is_sync(index, flags);
        let dts = self.base + self.elapsed;
        let pts = dts + i128::from(entry.cts.unwrap_or(0));
        self.elapsed += i128::from(duration);
        Ok(Sample {
            dts: clamp_time(dts),
            pts: clamp_time(pts),
            duration,
            size,
            is_sync,
            data,
        })
    }
}

/// A decode time as a signed number: times ≥ 2^63 are negative values written unsigned
/// (ffmpeg does so for AAC priming); the arithmetic is done signed and clamped at 0.
fn signed_time(raw: u64) -> i128 {
    if raw > i64::MAX as u64 {
        i128::from(raw as i64)
    } else {
        i128::from(raw)
    }
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
