//! `tfhd`: track fragment header — track ID, base data offset and per-fragment sample defaults.

use super::{BoxError, Reader};

/// tfhd flag: a 64-bit base data offset follows.
pub const BASE_DATA_OFFSET_PRESENT: u32 = 0x00_0001;
/// tfhd flag: a sample description index follows.
pub const SAMPLE_DESCRIPTION_INDEX_PRESENT: u32 = 0x00_0002;
/// tfhd flag: a default sample duration follows.
pub const DEFAULT_SAMPLE_DURATION_PRESENT: u32 = 0x00_0008;
/// tfhd flag: a default sample size follows.
pub const DEFAULT_SAMPLE_SIZE_PRESENT: u32 = 0x00_0010;
/// tfhd flag: default sample flags follow.
pub const DEFAULT_SAMPLE_FLAGS_PRESENT: u32 = 0x00_0020;
/// tfhd flag: the fragment is empty for this duration (no samples).
pub const DURATION_IS_EMPTY: u32 = 0x01_0000;
/// tfhd flag: data offsets are relative to the start of the enclosing moof.
pub const DEFAULT_BASE_IS_MOOF: u32 = 0x02_0000;

/// A parsed `tfhd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tfhd {
    /// Raw flags.
    pub flags: u32,
    /// track_ID (arbitrary in Smooth Streaming: do not key on it).
    pub track_id: u32,
    /// base_data_offset, when present (absolute in the file the moof came from).
    pub base_data_offset: Option<u64>,
    /// sample_description_index, when present.
    pub sample_description_index: Option<u32>,
    /// default_sample_duration, when present.
    pub default_sample_duration: Option<u32>,
    /// default_sample_size, when present.
    pub default_sample_size: Option<u32>,
    /// default_sample_flags, when present.
    pub default_sample_flags: Option<u32>,
}

impl Tfhd {
    /// Parses a tfhd payload (after the box header).
    pub fn parse(r: &mut Reader<'_>) -> Result<Tfhd, BoxError> {
        let (_version, flags) = r.version_flags()?;
        let track_id = r.u32()?;
        let opt32 = |r: &mut Reader<'_>, bit: u32| -> Result<Option<u32>, BoxError> {
            if flags & bit != 0 {
                r.u32().map(Some)
            } else {
                Ok(None)
            }
        };
        let base_data_offset = if flags & BASE_DATA_OFFSET_PRESENT != 0 {
            Some(r.u64()?)
        } else {
            None
        };
        let sample_description_index = opt32(r, SAMPLE_DESCRIPTION_INDEX_PRESENT)?;
        let default_sample_duration = opt32(r, DEFAULT_SAMPLE_DURATION_PRESENT)?;
        let default_sample_size = opt32(r, DEFAULT_SAMPLE_SIZE_PRESENT)?;
        let default_sample_flags = opt32(r, DEFAULT_SAMPLE_FLAGS_PRESENT)?;
        Ok(Tfhd {
            flags,
            track_id,
            base_data_offset,
            sample_description_index,
            default_sample_duration,
            default_sample_size,
            default_sample_flags,
        })
    }

    /// Whether data offsets are relative to the moof start (`default-base-is-moof`).
    pub fn default_base_is_moof(&self) -> bool {
        self.flags & DEFAULT_BASE_IS_MOOF != 0
    }

    /// Whether the `duration-is-empty` flag is set.
    pub fn duration_is_empty(&self) -> bool {
        self.flags & DURATION_IS_EMPTY != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_optional_field() {
        let mut p = vec![0, 0x02, 0x00, 0x3b];
        p.extend_from_slice(&7u32.to_be_bytes());
        p.extend_from_slice(&0x1_0000_0000u64.to_be_bytes());
        for v in [2u32, 400, 1000, 0x0101_0000] {
            p.extend_from_slice(&v.to_be_bytes());
        }
        let t = Tfhd::parse(&mut Reader::new(&p, 0, "tfhd")).expect("tfhd");
        assert_eq!(t.track_id, 7);
        assert_eq!(t.base_data_offset, Some(0x1_0000_0000));
        assert_eq!(t.sample_description_index, Some(2));
        assert_eq!(t.default_sample_duration, Some(400));
        assert_eq!(t.default_sample_size, Some(1000));
        assert_eq!(t.default_sample_flags, Some(0x0101_0000));
        assert!(t.default_base_is_moof());
    }

    #[test]
    fn truncated_field_names_offset() {
        let p = [0, 0, 0, 0x08, 0, 0, 0, 1, 0, 0];
        let e = Tfhd::parse(&mut Reader::new(&p, 100, "moof/traf/tfhd")).expect_err("short");
        assert_eq!(
            e,
            BoxError::Truncated {
                path: "moof/traf/tfhd".into(),
                offset: 108,
                need: 4,
                have: 2
            }
        );
    }
}
