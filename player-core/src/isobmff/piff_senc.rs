//! PIFF Sample Encryption box: `uuid` a2394f52-5a9b-4f14-a244-6c427c648df4 in a `traf`
//! (PIFF 1.1 §5.3.2.1). Flag 0x1 overrides the track's AlgorithmID, IV size and KID; flag 0x2
//! adds a subsample map to every sample. Without the override the IV size is not in the box:
//! in a Smooth presentation it is 8 unless something else (a `tenc`) says otherwise.

use super::sample_encryption::{SampleEncryption, parse_sample_encryption};
use super::{BoxError, Reader};

/// The extended type of the PIFF Sample Encryption box.
pub const PIFF_SAMPLE_ENCRYPTION_UUID: [u8; 16] = [
    0xa2, 0x39, 0x4f, 0x52, 0x5a, 0x9b, 0x4f, 0x14, 0xa2, 0x44, 0x6c, 0x42, 0x7c, 0x64, 0x8d, 0xf4,
];

/// The per-sample IV size of a Smooth presentation when nothing (a `tenc`, the box's own
/// override) says otherwise.
pub const DEFAULT_PIFF_IV_SIZE: u8 = 8;

/// Parses the payload of a PIFF Sample Encryption box (the bytes after its 24-byte header).
///
/// `offset` is the payload's absolute offset and `path` the box path for errors (e.g.
/// `moof/traf/uuid(senc)`); `default_iv_size` (8 or 16) applies unless the box overrides it.
pub fn parse_piff_senc(
    payload: &[u8],
    offset: u64,
    path: &str,
    default_iv_size: u8,
) -> Result<SampleEncryption, BoxError> {
    let mut r = Reader::new(payload, offset, path);
    parse_sample_encryption(&mut r, default_iv_size)
}

#[cfg(test)]
mod tests {
    use super::super::sample_encryption::tests::payload;
    use super::super::sample_encryption::{Algorithm, Subsample};
    use super::*;
    use crate::base::Uuid;

    #[test]
    fn parses_subsamples_with_default_8_byte_ivs() {
        let p = payload(
            2,
            None,
            &[(&[1; 8], &[(5, 100), (5, 3000)]), (&[2; 8], &[(65535, 0)])],
        );
        let s = parse_piff_senc(&p, 1000, "moof/traf/uuid", 8).expect("parses");
        assert_eq!(s.algorithm, None);
        assert_eq!(s.kid, None);
        assert_eq!(s.samples.len(), 2);
        assert_eq!(s.samples[0].iv.as_bytes(), &[1; 8]);
        assert_eq!(
            s.samples[0].subsamples,
            vec![
                Subsample {
                    clear: 5,
                    encrypted: 100
                },
                Subsample {
                    clear: 5,
                    encrypted: 3000
                }
            ]
        );
        assert_eq!(s.samples[1].subsamples[0].clear, 65535);
    }

    #[test]
    fn override_sets_algorithm_iv_size_and_kid() {
        let kid = [0x11; 16];
        let p = payload(1, Some((2, 16, kid)), &[(&[7; 16], &[]), (&[8; 16], &[])]);
        let s = parse_piff_senc(&p, 0, "traf/uuid", 8).expect("parses");
        assert_eq!(s.algorithm, Some(Algorithm::AesCbc));
        assert_eq!(s.iv_size, Some(16));
        assert_eq!(s.kid, Some(Uuid(kid)));
        assert_eq!(s.samples[1].iv.as_bytes(), &[8; 16]);
        assert!(s.samples[1].subsamples.is_empty());
    }

    #[test]
    fn unknown_algorithm_is_a_typed_error_at_its_offset() {
        let p = payload(1, Some((7, 8, [0; 16])), &[]);
        let e = parse_piff_senc(&p, 500, "moof/traf/uuid", 8).expect_err("AlgorithmID 7");
        assert_eq!(
            e,
            BoxError::UnsupportedAlgorithm {
                path: "moof/traf/uuid".into(),
                offset: 504,
                algorithm: "AlgorithmID 7".into()
            }
        );
    }

    #[test]
    fn iv_sizes_other_than_8_or_16_are_rejected() {
        let p = payload(1, Some((1, 12, [0; 16])), &[]);
        let e = parse_piff_senc(&p, 0, "x", 8).expect_err("12-byte IV");
        assert!(matches!(
            e,
            BoxError::BadIvSize {
                iv_size: 12,
                offset: 7,
                ..
            }
        ));
        let p = payload(0, None, &[]);
        let e = parse_piff_senc(&p, 0, "x", 4).expect_err("default 4");
        assert!(matches!(e, BoxError::BadIvSize { iv_size: 4, .. }));
    }

    #[test]
    fn clear_override_needs_no_ivs() {
        let p = payload(1, Some((0, 0, [3; 16])), &[(&[], &[]), (&[], &[])]);
        let s = parse_piff_senc(&p, 0, "x", 8).expect("clear fragment");
        assert_eq!(s.algorithm, Some(Algorithm::None));
        assert!(s.samples.is_empty());
    }

    #[test]
    fn wrong_default_iv_size_shows_as_leftover_bytes() {
        let p = payload(0, None, &[(&[1; 16], &[]), (&[2; 16], &[])]);
        let e = parse_piff_senc(&p, 0, "moof/traf/uuid", 8).expect_err("16-byte IVs read as 8");
        assert!(
            e.to_string().contains("16 bytes left after 2 samples"),
            "{e}"
        );
    }

    #[test]
    fn huge_counts_fail_before_allocating() {
        let mut p = 2u32.to_be_bytes().to_vec();
        p.extend_from_slice(&900_000u32.to_be_bytes());
        p.extend_from_slice(&[0; 20]);
        let e = parse_piff_senc(&p, 0, "x", 8).expect_err("truncated");
        assert!(matches!(
            e,
            BoxError::Truncated {
                need: 9_000_000,
                ..
            }
        ));
        let mut p = 0u32.to_be_bytes().to_vec();
        p.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(
            parse_piff_senc(&p, 0, "x", 8),
            Err(BoxError::Invalid { .. })
        ));
        // A subsample count larger than what is left.
        let mut p = 2u32.to_be_bytes().to_vec();
        p.extend_from_slice(&1u32.to_be_bytes());
        p.extend_from_slice(&[0; 8]);
        p.extend_from_slice(&60000u16.to_be_bytes());
        assert!(matches!(
            parse_piff_senc(&p, 0, "x", 8),
            Err(BoxError::Truncated { need: 360_000, .. })
        ));
    }
}
