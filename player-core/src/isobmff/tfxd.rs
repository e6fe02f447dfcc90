//! Smooth Streaming `tfxd` uuid box: the fragment's absolute time and duration.

use super::{BoxError, Reader};

/// Extended type of the tfxd uuid box: 6d1d9b05-42d5-44e6-80e2-141daff757b2.
pub const TFXD_UUID: [u8; 16] = [
    0x6d, 0x1d, 0x9b, 0x05, 0x42, 0xd5, 0x44, 0xe6, 0x80, 0xe2, 0x14, 0x1d, 0xaf, 0xf7, 0x57, 0xb2,
];

/// A parsed tfxd: this fragment's start time and duration in the stream timescale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tfxd {
    /// fragment_absolute_time.
    pub time: u64,
    /// fragment_duration.
    pub duration: u64,
}

impl Tfxd {
    /// Parses a tfxd payload (after the 16-byte extended type): v0 32-bit, v1 64-bit fields.
    pub fn parse(r: &mut Reader<'_>) -> Result<Tfxd, BoxError> {
        let (version, _) = r.version_flags()?;
        match version {
            0 => Ok(Tfxd {
                time: u64::from(r.u32()?),
                duration: u64::from(r.u32()?),
            }),
            1 => Ok(Tfxd {
                time: r.u64()?,
                duration: r.u64()?,
            }),
            v => Err(r.invalid(format!("unknown tfxd version {v}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_v0_and_v1() {
        let v0 = [0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 20];
        assert_eq!(
            Tfxd::parse(&mut Reader::new(&v0, 0, "tfxd")),
            Ok(Tfxd {
                time: 10,
                duration: 20
            })
        );
        let mut v1 = vec![1, 0, 0, 0];
        v1.extend_from_slice(&17_000_000_000_000_123u64.to_be_bytes());
        v1.extend_from_slice(&20_000_000u64.to_be_bytes());
        assert_eq!(
            Tfxd::parse(&mut Reader::new(&v1, 0, "tfxd")),
            Ok(Tfxd {
                time: 17_000_000_000_000_123,
                duration: 20_000_000
            })
        );
        assert!(matches!(
            Tfxd::parse(&mut Reader::new(&v1[..16], 0, "moof/traf/tfxd")),
            Err(BoxError::Truncated {
                offset: 12,
                need: 8,
                have: 4,
                ..
            })
        ));
    }
}
