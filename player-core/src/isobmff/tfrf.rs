//! Smooth Streaming `tfrf` uuid box: look-ahead times of the fragments that follow (live).

use super::{BoxError, Reader};

/// Extended type of the tfrf uuid box: d4807ef2-ca39-4695-8e54-26cb9e46a79f.
pub const TFRF_UUID: [u8; 16] = [
    0xd4, 0x80, 0x7e, 0xf2, 0xca, 0x39, 0x46, 0x95, 0x8e, 0x54, 0x26, 0xcb, 0x9e, 0x46, 0xa7, 0x9f,
];

/// One announced future fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TfrfEntry {
    /// fragment_absolute_time.
    pub time: u64,
    /// fragment_duration.
    pub duration: u64,
}

/// Parses a tfrf payload (after the extended type): a u8 count, then v0 32-bit / v1 64-bit pairs.
pub fn parse_tfrf(r: &mut Reader<'_>) -> Result<Vec<TfrfEntry>, BoxError> {
    let (version, _) = r.version_flags()?;
    let width = match version {
        0 => 4u64,
        1 => 8,
        v => return Err(r.invalid(format!("unknown tfrf version {v}"))),
    };
    let count = r.u8()?;
    r.ensure_items(u64::from(count), 2 * width)?;
    let mut out = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let entry = if version == 0 {
            TfrfEntry {
                time: u64::from(r.u32()?),
                duration: u64::from(r.u32()?),
            }
        } else {
            TfrfEntry {
                time: r.u64()?,
                duration: r.u64()?,
            }
        };
        out.push(entry);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_v0_and_v1_pairs() {
        let v0 = [
            0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4,
        ];
        assert_eq!(
            parse_tfrf(&mut Reader::new(&v0, 0, "tfrf")),
            Ok(vec![
                TfrfEntry {
                    time: 1,
                    duration: 2
                },
                TfrfEntry {
                    time: 3,
                    duration: 4
                }
            ])
        );
        let mut v1 = vec![1, 0, 0, 0, 1];
        v1.extend_from_slice(&(1u64 << 40).to_be_bytes());
        v1.extend_from_slice(&20_000_000u64.to_be_bytes());
        assert_eq!(
            parse_tfrf(&mut Reader::new(&v1, 0, "tfrf")),
            Ok(vec![TfrfEntry {
                time: 1 << 40,
                duration: 20_000_000
            }])
        );
    }

    #[test]
    fn count_beyond_payload_is_truncated() {
        let p = [1, 0, 0, 0, 200, 0, 0];
        assert_eq!(
            parse_tfrf(&mut Reader::new(&p, 30, "moof/traf/tfrf")),
            Err(BoxError::Truncated {
                path: "moof/traf/tfrf".into(),
                offset: 35,
                need: 3200,
                have: 2
            })
        );
    }
}
