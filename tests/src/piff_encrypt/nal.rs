//! Subsample maps for length-prefixed H.264 samples: each VCL NAL unit (types 1-5) keeps its
//! length field and one-byte NAL header clear and has the rest encrypted; other NAL units
//! (SEI, AUD, parameter sets…) stay entirely clear. For CBC the protected part of each NAL
//! unit is cut down to whole 16-byte blocks (the remainder joins the clear part before it), as
//! `cbc1` requires (ISO/IEC 23001-7:2016 §10.2).

use player_core::decrypt::Subsample;

/// A malformed length-prefixed sample.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("NAL unit at byte {at} of a {size}-byte sample: {what}")]
pub struct NalError {
    /// Offset of the NAL unit's length field in the sample.
    pub at: usize,
    /// Sample size.
    pub size: usize,
    /// What is wrong.
    pub what: String,
}

/// The subsample map of one H.264 sample with `length_size`-byte NAL lengths (1, 2 or 4).
pub fn avc_subsamples(
    sample: &[u8],
    length_size: u8,
    cbc: bool,
) -> Result<Vec<Subsample>, NalError> {
    let ls = usize::from(length_size);
    let err = |at: usize, what: String| NalError {
        at,
        size: sample.len(),
        what,
    };
    if !matches!(length_size, 1 | 2 | 4) {
        return Err(err(
            0,
            format!("NAL length size {length_size} is not 1, 2 or 4"),
        ));
    }
    let mut map = Vec::new();
    let mut clear = 0usize;
    let mut pos = 0usize;
    while pos < sample.len() {
        let field = sample
            .get(pos..pos + ls)
            .ok_or_else(|| err(pos, "truncated length field".into()))?;
        let len = field
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        let body_start = pos + ls;
        let end = body_start
            .checked_add(len)
            .filter(|&e| e <= sample.len())
            .ok_or_else(|| err(pos, format!("length {len} runs past the sample end")))?;
        let nal_type = sample.get(body_start).map(|h| h & 0x1f);
        let protected = match nal_type {
            Some(1..=5) => {
                let rest = len - 1;
                if cbc { rest / 16 * 16 } else { rest }
            }
            _ => 0,
        };
        clear += end - pos - protected;
        if protected > 0 {
            push(&mut map, clear, protected as u32);
            clear = 0;
        }
        pos = end;
    }
    if clear > 0 {
        push(&mut map, clear, 0);
    }
    Ok(map)
}

/// Appends `clear` then `encrypted` bytes, splitting clear runs longer than a u16.
fn push(map: &mut Vec<Subsample>, mut clear: usize, encrypted: u32) {
    while clear > usize::from(u16::MAX) {
        map.push(Subsample {
            clear: u16::MAX,
            encrypted: 0,
        });
        clear -= usize::from(u16::MAX);
    }
    map.push(Subsample {
        clear: clear as u16,
        encrypted,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nal(kind: u8, body_len: usize) -> Vec<u8> {
        let mut v = ((body_len + 1) as u32).to_be_bytes().to_vec();
        v.push(0x60 | kind);
        v.extend(std::iter::repeat_n(0xab, body_len));
        v
    }

    fn pairs(m: &[Subsample]) -> Vec<(u16, u32)> {
        m.iter().map(|s| (s.clear, s.encrypted)).collect()
    }

    #[test]
    fn vcl_nal_units_are_protected_after_their_header() {
        let mut s = nal(9, 1); // AUD: clear
        s.extend(nal(6, 20)); // SEI: clear
        s.extend(nal(5, 100)); // IDR slice
        s.extend(nal(1, 37)); // non-IDR slice
        let m = avc_subsamples(&s, 4, false).expect("map");
        assert_eq!(pairs(&m), vec![(6 + 25 + 5, 100), (5, 37)]);
        let total: usize = m
            .iter()
            .map(|x| usize::from(x.clear) + x.encrypted as usize)
            .sum();
        assert_eq!(total, s.len());
    }

    #[test]
    fn cbc_protects_whole_blocks_only() {
        let s = nal(1, 37);
        assert_eq!(
            pairs(&avc_subsamples(&s, 4, true).expect("map")),
            vec![(5 + 5, 32)]
        );
        let s = nal(1, 15);
        assert_eq!(
            pairs(&avc_subsamples(&s, 4, true).expect("map")),
            vec![(20, 0)]
        );
    }

    #[test]
    fn long_clear_runs_are_split() {
        let mut s = nal(6, 70_000);
        s.extend(nal(5, 10));
        let m = avc_subsamples(&s, 4, false).expect("map");
        assert_eq!(
            pairs(&m),
            vec![(65535, 0), ((70_005 + 5 - 65535) as u16, 10)]
        );
    }

    #[test]
    fn malformed_samples_are_errors() {
        let mut s = nal(5, 10);
        s.truncate(12);
        assert!(avc_subsamples(&s, 4, false).is_err());
        assert!(avc_subsamples(&[0, 0], 4, false).is_err());
        assert!(avc_subsamples(&nal(5, 3), 3, false).is_err());
        // Two-byte lengths work too.
        let s = [0, 3, 0x65, 1, 2];
        assert_eq!(
            pairs(&avc_subsamples(&s, 2, false).expect("map")),
            vec![(3, 2)]
        );
    }
}
