//! Protection System Specific Header: the PIFF `uuid` d08a4f18-10f3-4a82-b6c8-32d8aba183d3
//! (PIFF 1.1 §5.3.1.2: SystemID, DataSize, Data) and the CENC `pssh` box, version 0 or 1
//! (ISO/IEC 23001-7 §8.1: version 1 adds a KID list). For PlayReady the data is a PlayReady
//! Object, which `manifest` knows how to read.

use super::{BoxError, Reader};
use crate::base::Uuid;

/// The extended type of the PIFF Protection System Specific Header box.
pub const PIFF_PSSH_UUID: [u8; 16] = [
    0xd0, 0x8a, 0x4f, 0x18, 0x10, 0xf3, 0x4a, 0x82, 0xb6, 0xc8, 0x32, 0xd8, 0xab, 0xa1, 0x83, 0xd3,
];

/// Most KIDs accepted in one `pssh`.
const MAX_PSSH_KIDS: u32 = 4096;

/// A protection system's header for one DRM system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pssh {
    /// SystemID (e.g. [`Uuid::PLAYREADY`]).
    pub system_id: Uuid,
    /// KIDs (CENC `pssh` version 1 only).
    pub kids: Vec<Uuid>,
    /// The system-specific data.
    pub data: Vec<u8>,
}

/// Parses a CENC `pssh` payload (the bytes after the 8-byte header) at absolute `offset`.
pub fn parse_pssh(payload: &[u8], offset: u64, path: &str) -> Result<Pssh, BoxError> {
    let mut r = Reader::new(payload, offset, path);
    let (version, _) = r.version_flags()?;
    let system_id = Uuid(r.array()?);
    let mut kids = Vec::new();
    if version >= 1 {
        let at = r.offset();
        let n = r.u32()?;
        if n > MAX_PSSH_KIDS {
            return Err(BoxError::Invalid {
                path: path.to_string(),
                offset: at,
                what: format!("KID_count {n} exceeds {MAX_PSSH_KIDS}"),
            });
        }
        r.ensure_items(u64::from(n), 16)?;
        for _ in 0..n {
            kids.push(Uuid(r.array()?));
        }
    }
    let data = data(&mut r)?;
    Ok(Pssh {
        system_id,
        kids,
        data,
    })
}

/// Parses a PIFF Protection System Specific Header payload (the bytes after its 24-byte header).
pub fn parse_piff_pssh(payload: &[u8], offset: u64, path: &str) -> Result<Pssh, BoxError> {
    let mut r = Reader::new(payload, offset, path);
    r.version_flags()?;
    let system_id = Uuid(r.array()?);
    let data = data(&mut r)?;
    Ok(Pssh {
        system_id,
        kids: Vec::new(),
        data,
    })
}

/// DataSize then Data, bounded by what the box holds.
fn data(r: &mut Reader<'_>) -> Result<Vec<u8>, BoxError> {
    let n = r.u32()?;
    let n = usize::try_from(n).map_err(|_| r.truncated(u64::from(n)))?;
    Ok(r.bytes(n)?.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pssh_v0_and_v1() {
        let mut p = vec![0, 0, 0, 0];
        p.extend_from_slice(&Uuid::PLAYREADY.0);
        p.extend_from_slice(&3u32.to_be_bytes());
        p.extend_from_slice(b"abc");
        let s = parse_pssh(&p, 0, "moov/pssh").expect("v0");
        assert_eq!(s.system_id, Uuid::PLAYREADY);
        assert_eq!(s.data, b"abc");
        assert!(s.kids.is_empty());

        let mut p = vec![1, 0, 0, 0];
        p.extend_from_slice(&[0x10; 16]);
        p.extend_from_slice(&2u32.to_be_bytes());
        p.extend_from_slice(&[1; 16]);
        p.extend_from_slice(&[2; 16]);
        p.extend_from_slice(&0u32.to_be_bytes());
        let s = parse_pssh(&p, 0, "moov/pssh").expect("v1");
        assert_eq!(s.kids, vec![Uuid([1; 16]), Uuid([2; 16])]);
        assert!(s.data.is_empty());
    }

    #[test]
    fn piff_pssh_and_bounds() {
        let mut p = vec![0, 0, 0, 0];
        p.extend_from_slice(&Uuid::PLAYREADY.0);
        p.extend_from_slice(&2u32.to_be_bytes());
        p.extend_from_slice(b"pr");
        assert_eq!(
            parse_piff_pssh(&p, 0, "moov/uuid").expect("piff").data,
            b"pr"
        );
        let mut p = vec![0, 0, 0, 0];
        p.extend_from_slice(&Uuid::PLAYREADY.0);
        p.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(
            parse_piff_pssh(&p, 100, "moov/uuid"),
            Err(BoxError::Truncated { offset: 124, .. })
        ));
        let mut p = vec![1, 0, 0, 0];
        p.extend_from_slice(&[0; 16]);
        p.extend_from_slice(&4000u32.to_be_bytes());
        assert!(matches!(
            parse_pssh(&p, 0, "pssh"),
            Err(BoxError::Truncated { need: 64_000, .. })
        ));
    }
}
