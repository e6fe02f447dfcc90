//! PIFF Track Encryption box: `uuid` 8974dbce-7be7-4c51-84f9-7148f9882554 in the `schi` of an
//! `.ismv` track (PIFF 1.1 §5.3.1.1): the default AlgorithmID, IV size and KID of the track.

use super::sample_encryption::Algorithm;
use super::{BoxError, Reader};
use crate::base::Uuid;

/// The extended type of the PIFF Track Encryption box.
pub const PIFF_TRACK_ENCRYPTION_UUID: [u8; 16] = [
    0x89, 0x74, 0xdb, 0xce, 0x7b, 0xe7, 0x4c, 0x51, 0x84, 0xf9, 0x71, 0x48, 0xf9, 0x88, 0x25, 0x54,
];

/// A track's default encryption parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackEncryption {
    /// Default algorithm.
    pub algorithm: Algorithm,
    /// Default per-sample IV size (8 or 16; 0 when the algorithm is `None`).
    pub iv_size: u8,
    /// Default key ID.
    pub kid: Uuid,
}

/// Parses the payload of a PIFF Track Encryption box (the bytes after its 24-byte header).
pub fn parse_piff_tenc(
    payload: &[u8],
    offset: u64,
    path: &str,
) -> Result<TrackEncryption, BoxError> {
    let mut r = Reader::new(payload, offset, path);
    r.version_flags()?;
    let at = r.offset();
    let id = r.u24()?;
    let algorithm = Algorithm::from_piff_id(id).ok_or_else(|| BoxError::UnsupportedAlgorithm {
        path: path.to_string(),
        offset: at,
        algorithm: format!("AlgorithmID {id}"),
    })?;
    let at = r.offset();
    let iv_size = r.u8()?;
    if !(matches!(iv_size, 8 | 16) || (algorithm == Algorithm::None && iv_size == 0)) {
        return Err(BoxError::BadIvSize {
            path: path.to_string(),
            offset: at,
            iv_size,
        });
    }
    let kid = Uuid(r.array()?);
    Ok(TrackEncryption {
        algorithm,
        iv_size,
        kid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(alg: u32, iv: u8) -> Vec<u8> {
        let mut p = vec![0, 0, 0, 0];
        p.extend_from_slice(&alg.to_be_bytes()[1..]);
        p.push(iv);
        p.extend_from_slice(&[0xab; 16]);
        p
    }

    #[test]
    fn parses_defaults() {
        let t = parse_piff_tenc(&payload(1, 8), 0, "moov/trak/…/schi/uuid").expect("tenc");
        assert_eq!(t.algorithm, Algorithm::AesCtr);
        assert_eq!(t.iv_size, 8);
        assert_eq!(t.kid, Uuid([0xab; 16]));
        assert_eq!(
            parse_piff_tenc(&payload(2, 16), 0, "x")
                .expect("cbc")
                .algorithm,
            Algorithm::AesCbc
        );
    }

    #[test]
    fn rejects_unknown_algorithm_bad_iv_and_truncation() {
        assert!(matches!(
            parse_piff_tenc(&payload(9, 8), 100, "x"),
            Err(BoxError::UnsupportedAlgorithm { offset: 104, .. })
        ));
        assert!(matches!(
            parse_piff_tenc(&payload(1, 4), 100, "x"),
            Err(BoxError::BadIvSize {
                offset: 107,
                iv_size: 4,
                ..
            })
        ));
        assert!(matches!(
            parse_piff_tenc(&payload(1, 8)[..20], 0, "x"),
            Err(BoxError::Truncated { .. })
        ));
    }
}
