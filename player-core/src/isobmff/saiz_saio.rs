//! Sample auxiliary information sizes (`saiz`) and offsets (`saio`) (ISO/IEC 14496-12 §8.7.8-9),
//! and reading CENC auxiliary information (IV + subsample map per sample) from where they point,
//! for fragments that carry no `senc` box.

use super::sample_encryption::{SampleAuxInfo, parse_entry};
use super::{BoxError, FourCc, Reader};
use crate::limits::MAX_SAMPLES_PER_FRAGMENT;

/// A parsed `saiz` box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saiz {
    /// aux_info_type (flag 0x1), e.g. `cenc`.
    pub aux_info_type: Option<FourCc>,
    /// aux_info_type_parameter (flag 0x1).
    pub aux_info_type_parameter: Option<u32>,
    /// default_sample_info_size; 0 means the sizes are listed per sample.
    pub default_sample_info_size: u8,
    /// sample_count.
    pub sample_count: u32,
    /// Per-sample sizes (empty when `default_sample_info_size` is not 0).
    pub sample_info_sizes: Vec<u8>,
}

impl Saiz {
    /// The aux info size of sample `i`.
    pub fn size(&self, i: usize) -> Option<u8> {
        if self.default_sample_info_size != 0 {
            (i < self.sample_count as usize).then_some(self.default_sample_info_size)
        } else {
            self.sample_info_sizes.get(i).copied()
        }
    }

    /// Sum of all sample sizes.
    pub fn total_size(&self) -> u64 {
        if self.default_sample_info_size != 0 {
            u64::from(self.default_sample_info_size) * u64::from(self.sample_count)
        } else {
            self.sample_info_sizes.iter().map(|&s| u64::from(s)).sum()
        }
    }
}

/// A parsed `saio` box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saio {
    /// aux_info_type (flag 0x1).
    pub aux_info_type: Option<FourCc>,
    /// aux_info_type_parameter (flag 0x1).
    pub aux_info_type_parameter: Option<u32>,
    /// Offsets (one per chunk; in a track fragment usually a single one), relative to the
    /// fragment's base data offset (the `moof` start when `tfhd` sets no other base).
    pub offsets: Vec<u64>,
}

/// Most `saio` entries accepted (one per track run in practice).
const MAX_SAIO_ENTRIES: u32 = 65_536;

fn aux_type(r: &mut Reader<'_>, flags: u32) -> Result<(Option<FourCc>, Option<u32>), BoxError> {
    if flags & 1 != 0 {
        Ok((Some(FourCc(r.array()?)), Some(r.u32()?)))
    } else {
        Ok((None, None))
    }
}

/// Parses a `saiz` payload (the bytes after the 8-byte header) at absolute `offset`.
pub fn parse_saiz(payload: &[u8], offset: u64, path: &str) -> Result<Saiz, BoxError> {
    let mut r = Reader::new(payload, offset, path);
    let (_, flags) = r.version_flags()?;
    let (aux_info_type, aux_info_type_parameter) = aux_type(&mut r, flags)?;
    let default_sample_info_size = r.u8()?;
    let at = r.offset();
    let sample_count = r.u32()?;
    if sample_count > MAX_SAMPLES_PER_FRAGMENT {
        return Err(BoxError::Invalid {
            path: path.to_string(),
            offset: at,
            what: format!("sample_count {sample_count} exceeds {MAX_SAMPLES_PER_FRAGMENT}"),
        });
    }
    let sample_info_sizes = if default_sample_info_size == 0 {
        r.bytes(sample_count as usize)?.to_vec()
    } else {
        Vec::new()
    };
    Ok(Saiz {
        aux_info_type,
        aux_info_type_parameter,
        default_sample_info_size,
        sample_count,
        sample_info_sizes,
    })
}

/// Parses a `saio` payload (the bytes after the 8-byte header) at absolute `offset`.
pub fn parse_saio(payload: &[u8], offset: u64, path: &str) -> Result<Saio, BoxError> {
    let mut r = Reader::new(payload, offset, path);
    let (version, flags) = r.version_flags()?;
    let (aux_info_type, aux_info_type_parameter) = aux_type(&mut r, flags)?;
    let at = r.offset();
    let count = r.u32()?;
    if count > MAX_SAIO_ENTRIES {
        return Err(BoxError::Invalid {
            path: path.to_string(),
            offset: at,
            what: format!("entry_count {count} exceeds {MAX_SAIO_ENTRIES}"),
        });
    }
    let width = if version == 0 { 4 } else { 8 };
    r.ensure_items(u64::from(count), width)?;
    let mut offsets = Vec::with_capacity(count as usize);
    for _ in 0..count {
        offsets.push(if version == 0 {
            u64::from(r.u32()?)
        } else {
            r.u64()?
        });
    }
    Ok(Saio {
        aux_info_type,
        aux_info_type_parameter,
        offsets,
    })
}

/// Reads CENC auxiliary information for every sample `saiz` lists, stored contiguously from
/// absolute offset `aux_start` inside `buf` (which starts at absolute offset `buf_offset`).
///
/// Each sample's record is its IV (`iv_size` bytes) and, when its `saiz` size is larger, a
/// subsample map that must fill the record exactly; a record of size 0 is an unencrypted
/// sample (empty IV). `aux_start` is the fragment's base offset plus `saio.offsets[0]`.
pub fn parse_cenc_aux_info(
    buf: &[u8],
    buf_offset: u64,
    path: &str,
    aux_start: u64,
    saiz: &Saiz,
    iv_size: u8,
) -> Result<Vec<SampleAuxInfo>, BoxError> {
    let outside = || BoxError::Oversized {
        path: path.to_string(),
        offset: aux_start,
        size: saiz.total_size(),
        available: (buf_offset + buf.len() as u64).saturating_sub(aux_start),
    };
    let start = aux_start
        .checked_sub(buf_offset)
        .and_then(|s| usize::try_from(s).ok())
        .filter(|&s| s <= buf.len())
        .ok_or_else(outside)?;
    let total = usize::try_from(saiz.total_size()).map_err(|_| outside())?;
    let end = start
        .checked_add(total)
        .filter(|&e| e <= buf.len())
        .ok_or_else(outside)?;
    let mut r = Reader::new(&buf[start..end], aux_start, path);
    let mut out = Vec::with_capacity(saiz.sample_count as usize);
    for i in 0..saiz.sample_count as usize {
        let size = saiz.size(i).unwrap_or(0);
        let at = r.offset();
        let record = r.bytes(usize::from(size))?;
        let mut rec = Reader::new(record, at, path);
        if size == 0 {
            out.push(parse_entry(&mut rec, 0, false)?);
            continue;
        }
        if size < iv_size {
            return Err(BoxError::Invalid {
                path: path.to_string(),
                offset: at,
                what: format!(
                    "sample {i} aux info of {size} bytes cannot hold a {iv_size}-byte IV"
                ),
            });
        }
        let entry = parse_entry(&mut rec, iv_size, size > iv_size)?;
        if rec.remaining() != 0 {
            return Err(BoxError::Invalid {
                path: path.to_string(),
                offset: at,
                what: format!(
                    "sample {i} aux info is {size} bytes but its IV and {} subsamples use {}",
                    entry.subsamples.len(),
                    usize::from(size) - rec.remaining()
                ),
            });
        }
        out.push(entry);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saiz_default_and_listed_sizes() {
        let mut p = vec![0, 0, 0, 1];
        p.extend_from_slice(b"cenc");
        p.extend_from_slice(&0u32.to_be_bytes());
        p.push(8);
        p.extend_from_slice(&3u32.to_be_bytes());
        let s = parse_saiz(&p, 0, "traf/saiz").expect("saiz");
        assert_eq!(s.aux_info_type, Some(FourCc(*b"cenc")));
        assert_eq!((s.size(2), s.size(3), s.total_size()), (Some(8), None, 24));

        let mut p = vec![0, 0, 0, 0, 0];
        p.extend_from_slice(&2u32.to_be_bytes());
        p.extend_from_slice(&[16, 22]);
        let s = parse_saiz(&p, 0, "traf/saiz").expect("saiz");
        assert_eq!(
            (s.size(0), s.size(1), s.total_size()),
            (Some(16), Some(22), 38)
        );

        let mut p = vec![0, 0, 0, 0, 0];
        p.extend_from_slice(&1000u32.to_be_bytes());
        assert!(matches!(
            parse_saiz(&p, 40, "traf/saiz"),
            Err(BoxError::Truncated {
                offset: 49,
                need: 1000,
                ..
            })
        ));
    }

    #[test]
    fn saio_v0_and_v1() {
        let mut p = vec![0, 0, 0, 0];
        p.extend_from_slice(&1u32.to_be_bytes());
        p.extend_from_slice(&1234u32.to_be_bytes());
        assert_eq!(parse_saio(&p, 0, "s").expect("v0").offsets, vec![1234]);
        let mut p = vec![1, 0, 0, 0];
        p.extend_from_slice(&1u32.to_be_bytes());
        p.extend_from_slice(&(1u64 << 40).to_be_bytes());
        assert_eq!(parse_saio(&p, 0, "s").expect("v1").offsets, vec![1 << 40]);
        let mut p = vec![1, 0, 0, 0];
        p.extend_from_slice(&3u32.to_be_bytes());
        assert!(matches!(
            parse_saio(&p, 0, "s"),
            Err(BoxError::Truncated { need: 24, .. })
        ));
    }

    #[test]
    fn reads_aux_info_records() {
        let mut buf = vec![0xee; 10]; // unrelated bytes before the records
        buf.extend_from_slice(&[1; 8]); // sample 0: IV only
        buf.extend_from_slice(&[2; 8]); // sample 1: IV + 1 subsample
        buf.extend_from_slice(&1u16.to_be_bytes());
        buf.extend_from_slice(&5u16.to_be_bytes());
        buf.extend_from_slice(&99u32.to_be_bytes());
        let saiz = Saiz {
            aux_info_type: None,
            aux_info_type_parameter: None,
            default_sample_info_size: 0,
            sample_count: 3,
            sample_info_sizes: vec![8, 16, 0],
        };
        let v = parse_cenc_aux_info(&buf, 100, "moof/traf", 110, &saiz, 8).expect("aux info");
        assert_eq!(v.len(), 3);
        assert!(v[0].subsamples.is_empty());
        assert_eq!(v[1].iv.as_bytes(), &[2; 8]);
        assert_eq!(v[1].subsamples[0].encrypted, 99);
        assert!(v[2].iv.is_empty());

        // Records past the end of the buffer, or a record the subsamples do not fill.
        assert!(matches!(
            parse_cenc_aux_info(&buf, 100, "t", 120, &saiz, 8),
            Err(BoxError::Oversized { .. })
        ));
        assert!(matches!(
            parse_cenc_aux_info(&buf, 100, "t", 90, &saiz, 8),
            Err(BoxError::Oversized { .. })
        ));
        let bad = Saiz {
            sample_info_sizes: vec![8, 15, 0],
            ..saiz
        };
        assert!(parse_cenc_aux_info(&buf, 100, "t", 110, &bad, 8).is_err());
    }
}
