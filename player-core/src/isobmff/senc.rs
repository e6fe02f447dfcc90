//! CENC Sample Encryption box `senc` (ISO/IEC 23001-7 §7.2): the PIFF layout under a plain
//! box type; flag 0x2 adds subsample maps. The IV size comes from `tenc` — or, in a Smooth
//! presentation without a `moov`, from the caller (8 by default) or from the `saiz` sizes.

use super::saiz_saio::Saiz;
use super::sample_encryption::{
    FLAG_USE_SUBSAMPLE_ENCRYPTION, SampleEncryption, check_default_iv_size, parse_sample_encryption,
};
use super::{BoxError, Reader};

/// Parses a `senc` payload (the bytes after the 8-byte header) at absolute `offset`.
///
/// `iv_size` (8 or 16) is the per-sample IV size from `tenc` or the caller. A flag 0x1
/// override, which some packagers copy over from PIFF, is honoured as in PIFF.
pub fn parse_senc(
    payload: &[u8],
    offset: u64,
    path: &str,
    iv_size: u8,
) -> Result<SampleEncryption, BoxError> {
    let mut r = Reader::new(payload, offset, path);
    check_default_iv_size(iv_size, &r)?;
    parse_sample_encryption(&mut r, iv_size)
}

/// Infers the per-sample IV size of a `senc` payload from the first sample's `saiz` size,
/// for fragments whose `tenc` is not available. `None` when it cannot be told apart.
pub fn iv_size_from_saiz(senc_payload: &[u8], saiz: &Saiz) -> Option<u8> {
    let first = saiz.size(0)?;
    let flags = u32::from_be_bytes(senc_payload.get(..4)?.try_into().ok()?) & 0x00ff_ffff;
    if flags & FLAG_USE_SUBSAMPLE_ENCRYPTION == 0 {
        return matches!(first, 8 | 16).then_some(first);
    }
    // version/flags (4) + sample_count (4), then the first IV and its subsample count.
    let fits = |iv: u8| {
        let at = 8 + usize::from(iv);
        senc_payload
            .get(at..at + 2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
            .is_some_and(|n| usize::from(iv) + 2 + 6 * n == usize::from(first))
    };
    match (fits(8), fits(16)) {
        (true, false) => Some(8),
        (false, true) => Some(16),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::sample_encryption::tests::payload;
    use super::*;

    fn saiz(sizes: Vec<u8>) -> Saiz {
        Saiz {
            aux_info_type: None,
            aux_info_type_parameter: None,
            default_sample_info_size: 0,
            sample_count: sizes.len() as u32,
            sample_info_sizes: sizes,
        }
    }

    #[test]
    fn parses_cenc_senc_with_16_byte_ivs() {
        let p = payload(2, None, &[(&[9; 16], &[(3, 16), (3, 32)])]);
        let s = parse_senc(&p, 64, "moof/traf/senc", 16).expect("senc");
        assert_eq!(s.samples[0].iv.len(), 16);
        assert_eq!(s.samples[0].subsamples.len(), 2);
        assert!(matches!(
            parse_senc(&p, 64, "moof/traf/senc", 0),
            Err(BoxError::BadIvSize {
                iv_size: 0,
                offset: 64,
                ..
            })
        ));
    }

    #[test]
    fn infers_iv_size_from_saiz() {
        let p = payload(2, None, &[(&[9; 16], &[(3, 16), (3, 32)])]);
        assert_eq!(iv_size_from_saiz(&p, &saiz(vec![16 + 2 + 12])), Some(16));
        let p = payload(2, None, &[(&[9; 8], &[(3, 16)])]);
        assert_eq!(iv_size_from_saiz(&p, &saiz(vec![8 + 2 + 6])), Some(8));
        let p = payload(0, None, &[(&[9; 8], &[])]);
        assert_eq!(iv_size_from_saiz(&p, &saiz(vec![8])), Some(8));
        assert_eq!(iv_size_from_saiz(&p, &saiz(vec![12])), None);
        assert_eq!(iv_size_from_saiz(&p, &saiz(vec![])), None);
    }
}
