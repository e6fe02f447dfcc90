//! `trun`: track fragment run — per-sample durations, sizes, flags and composition offsets.
//!
//! The per-sample table is kept as a borrowed slice and decoded lazily, so parsing a run
//! allocates nothing.

use super::{BoxError, Reader};
use crate::limits::MAX_SAMPLES_PER_FRAGMENT;

/// trun flag: a signed data offset follows.
pub const DATA_OFFSET_PRESENT: u32 = 0x00_0001;
/// trun flag: first-sample flags follow.
pub const FIRST_SAMPLE_FLAGS_PRESENT: u32 = 0x00_0004;
/// trun flag: each sample has a duration.
pub const SAMPLE_DURATION_PRESENT: u32 = 0x00_0100;
/// trun flag: each sample has a size.
pub const SAMPLE_SIZE_PRESENT: u32 = 0x00_0200;
/// trun flag: each sample has flags.
pub const SAMPLE_FLAGS_PRESENT: u32 = 0x00_0400;
/// trun flag: each sample has a composition time offset.
pub const SAMPLE_CTS_PRESENT: u32 = 0x00_0800;

/// Bit of the sample flags that marks a sample that is not a sync sample.
pub const SAMPLE_IS_NON_SYNC: u32 = 0x0001_0000;

/// `sample_depends_on` from sample flags: 0 unknown, 1 depends on others, 2 does not (an I picture).
pub fn sample_depends_on(flags: u32) -> u8 {
    ((flags >> 24) & 0b11) as u8
}

/// A parsed `trun` whose per-sample table is read lazily.
#[derive(Debug, Clone)]
pub struct Trun<'a> {
    /// Box version (1 = signed composition offsets).
    pub version: u8,
    /// Raw flags.
    pub flags: u32,
    /// sample_count.
    pub sample_count: u32,
    /// data_offset, when present.
    pub data_offset: Option<i32>,
    /// first_sample_flags, when present.
    pub first_sample_flags: Option<u32>,
    table: &'a [u8],
    record: usize,
}

/// One row of a trun; `None` where the run does not carry the field (defaults apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrunEntry {
    /// sample_duration.
    pub duration: Option<u32>,
    /// sample_size.
    pub size: Option<u32>,
    /// sample_flags (per-sample, or first_sample_flags for the first sample).
    pub flags: Option<u32>,
    /// sample_composition_time_offset, read as signed (see [`Trun::parse`]).
    pub cts: Option<i32>,
}

impl<'a> Trun<'a> {
    /// Parses a trun payload; the sample table is bounds-checked, not yet decoded.
    ///
    /// Composition offsets are read as signed in both versions: version 0 declares them
    /// unsigned, but producers write negative offsets into v0 runs, and a real offset of
    /// more than 2^31 ticks (over 3.5 minutes at 10 MHz) does not occur.
    pub fn parse(r: &mut Reader<'a>) -> Result<Trun<'a>, BoxError> {
        let (version, flags) = r.version_flags()?;
        if version > 1 {
            return Err(r.invalid(format!("unknown trun version {version}")));
        }
        let sample_count = r.u32()?;
        let data_offset = if flags & DATA_OFFSET_PRESENT != 0 {
            Some(r.i32()?)
        } else {
            None
        };
        let first_sample_flags = if flags & FIRST_SAMPLE_FLAGS_PRESENT != 0 {
            Some(r.u32()?)
        } else {
            None
        };
        if sample_count > MAX_SAMPLES_PER_FRAGMENT {
            return Err(r.invalid(format!(
                "sample_count {sample_count} exceeds the limit of {MAX_SAMPLES_PER_FRAGMENT}"
            )));
        }
        let record = [
            SAMPLE_DURATION_PRESENT,
            SAMPLE_SIZE_PRESENT,
            SAMPLE_FLAGS_PRESENT,
            SAMPLE_CTS_PRESENT,
        ]
        .iter()
        .filter(|&&bit| flags & bit != 0)
        .count()
            * 4;
        r.ensure_items(u64::from(sample_count), record as u64)?;
        let table = r.bytes(sample_count as usize * record)?;
        Ok(Trun {
            version,
            flags,
            sample_count,
            data_offset,
            first_sample_flags,
            table,
            record,
        })
    }

    /// Bytes per row of the sample table (0 when every field comes from defaults).
    pub fn record_size(&self) -> usize {
        self.record
    }

    /// The rows, in order. `first_sample_flags` applies to row 0 unless rows carry their own flags.
    pub fn entries(&self) -> impl Iterator<Item = TrunEntry> + '_ {
        let flags = self.flags;
        let first = self.first_sample_flags;
        (0..self.sample_count as usize).map(move |i| {
            let mut row = self
                .table
                .get(i * self.record..(i + 1) * self.record)
                .unwrap_or(&[]);
            let mut take = |bit: u32| -> Option<u32> {
                if flags & bit == 0 {
                    return None;
                }
                let (head, tail) = row.split_first_chunk::<4>()?;
                row = tail;
                Some(u32::from_be_bytes(*head))
            };
            let duration = take(SAMPLE_DURATION_PRESENT);
            let size = take(SAMPLE_SIZE_PRESENT);
            let mut sample_flags = take(SAMPLE_FLAGS_PRESENT);
            let cts = take(SAMPLE_CTS_PRESENT).map(|v| v as i32);
            if i == 0 && sample_flags.is_none() {
                sample_flags = first;
            }
            TrunEntry {
                duration,
                size,
                flags: sample_flags,
                cts,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trun(version: u8, flags: u32, count: u32, head: &[u32], rows: &[u32]) -> Vec<u8> {
        let mut p = vec![version];
        p.extend_from_slice(&flags.to_be_bytes()[1..]);
        p.extend_from_slice(&count.to_be_bytes());
        for v in head.iter().chain(rows) {
            p.extend_from_slice(&v.to_be_bytes());
        }
        p
    }

    #[test]
    fn every_flag_combination_reads_the_right_fields() {
        let optional = [
            SAMPLE_DURATION_PRESENT,
            SAMPLE_SIZE_PRESENT,
            SAMPLE_FLAGS_PRESENT,
            SAMPLE_CTS_PRESENT,
        ];
        for mask in 0u32..64 {
            let mut flags = 0;
            if mask & 1 != 0 {
                flags |= DATA_OFFSET_PRESENT;
            }
            if mask & 2 != 0 {
                flags |= FIRST_SAMPLE_FLAGS_PRESENT;
            }
            for (i, bit) in optional.iter().enumerate() {
                if mask & (4 << i) != 0 {
                    flags |= bit;
                }
            }
            let mut head = Vec::new();
            if flags & DATA_OFFSET_PRESENT != 0 {
                head.push(0xffff_fff0); // -16
            }
            if flags & FIRST_SAMPLE_FLAGS_PRESENT != 0 {
                head.push(0x0200_0000);
            }
            let mut rows = Vec::new();
            for s in 0..3u32 {
                for (k, bit) in optional.iter().enumerate() {
                    if flags & bit != 0 {
                        rows.push(if k == 3 {
                            (-(s as i32) * 10) as u32
                        } else {
                            100 * (k as u32 + 1) + s
                        });
                    }
                }
            }
            let data = trun(1, flags, 3, &head, &rows);
            let t = Trun::parse(&mut Reader::new(&data, 0, "trun")).expect("trun");
            assert_eq!(
                t.data_offset,
                (flags & DATA_OFFSET_PRESENT != 0).then_some(-16),
                "mask {mask}"
            );
            let e: Vec<_> = t.entries().collect();
            assert_eq!(e.len(), 3);
            for (s, row) in e.iter().enumerate() {
                let s = s as u32;
                assert_eq!(
                    row.duration,
                    (flags & SAMPLE_DURATION_PRESENT != 0).then_some(100 + s)
                );
                assert_eq!(
                    row.size,
                    (flags & SAMPLE_SIZE_PRESENT != 0).then_some(200 + s)
                );
                let want_flags = if flags & SAMPLE_FLAGS_PRESENT != 0 {
                    Some(300 + s)
                } else if s == 0 && flags & FIRST_SAMPLE_FLAGS_PRESENT != 0 {
                    Some(0x0200_0000)
                } else {
                    None
                };
                assert_eq!(row.flags, want_flags, "mask {mask} sample {s}");
                assert_eq!(
                    row.cts,
                    (flags & SAMPLE_CTS_PRESENT != 0).then_some(-(s as i32) * 10)
                );
            }
        }
    }

    #[test]
    fn count_larger_than_table_is_truncated_before_allocating() {
        let data = trun(0, SAMPLE_SIZE_PRESENT, 1_000, &[], &[1, 2]);
        let e =
            Trun::parse(&mut Reader::new(&data, 40, "moof/traf/trun")).expect_err("short table");
        assert_eq!(
            e,
            BoxError::Truncated {
                path: "moof/traf/trun".into(),
                offset: 48,
                need: 4000,
                have: 8
            }
        );
    }

    #[test]
    fn rejects_unknown_version_and_huge_counts() {
        let data = trun(2, 0, 0, &[], &[]);
        assert!(matches!(
            Trun::parse(&mut Reader::new(&data, 0, "trun")),
            Err(BoxError::Invalid { offset: 4, .. })
        ));
        let data = trun(0, 0, MAX_SAMPLES_PER_FRAGMENT + 1, &[], &[]);
        assert!(matches!(
            Trun::parse(&mut Reader::new(&data, 0, "trun")),
            Err(BoxError::Invalid { offset: 8, .. })
        ));
    }
}
