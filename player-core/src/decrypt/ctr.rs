//! AES-128-CTR sample decryption in place (PIFF 1.1 §6, ISO/IEC 23001-7 `cenc`).
//!
//! The counter block is the IV's 16-byte block: an 8-byte IV followed by a 64-bit big-endian
//! block counter starting at 0 (16-byte IVs are used as given, their low 64 bits counting and
//! wrapping). One keystream runs across all encrypted ranges of a sample, byte for byte:
//! clear ranges are skipped and do not advance it.

use super::DecryptError;
use crate::isobmff::sample_encryption::{Iv, Subsample};
use aes::Aes128;
use aes::cipher::{Array, InnerIvInit, StreamCipher};

type Aes128Ctr64<'a> = ctr::Ctr64BE<&'a Aes128>;
type Aes128Ctr64Core<'a> = ctr::CtrCore<&'a Aes128, ctr::flavors::Ctr64BE>;

/// Decrypts (or encrypts: CTR is symmetric) `data` in place. An empty `subsamples` map means
/// the whole sample is encrypted; otherwise the map must cover `data` exactly (checked by the
/// caller; a range past the end is reported as a mismatch here too).
pub fn apply_ctr(
    cipher: &Aes128,
    iv: &Iv,
    subsamples: &[Subsample],
    data: &mut [u8],
) -> Result<(), DecryptError> {
    let core = Aes128Ctr64Core::inner_iv_init(cipher, &Array::from(iv.block()));
    let mut ctr = Aes128Ctr64::from_core(core);
    let exhausted = || DecryptError::UnsupportedAlgorithm {
        what: "a sample longer than the 64-bit CTR block counter".into(),
    };
    if subsamples.is_empty() {
        return ctr.try_apply_keystream(data).map_err(|_| exhausted());
    }
    let mut pos = 0usize;
    for s in subsamples {
        let start = pos.saturating_add(usize::from(s.clear));
        let end = start.saturating_add(s.encrypted as usize);
        let range = data
            .get_mut(start..end)
            .ok_or(DecryptError::SubsampleMismatch {
                sample: 0,
                sample_size: 0,
                map_size: end as u64,
            })?;
        ctr.try_apply_keystream(range).map_err(|_| exhausted())?;
        pos = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::KeyInit;

    /// NIST SP 800-38A F.5.1 (CTR-AES128.Encrypt), first two blocks. Its initial counter block
    /// f0f1…fcfdfeff increments within the low 64 bits, as a PIFF 16-byte IV does.
    #[test]
    fn nist_sp800_38a_ctr_vector() {
        let key = hex::decode("2b7e151628aed2a6abf7158809cf4f3c").expect("hex");
        let iv = hex::decode("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff").expect("hex");
        let mut data =
            hex::decode("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
                .expect("hex");
        let cipher = Aes128::new_from_slice(&key).expect("key");
        apply_ctr(&cipher, &Iv::new(&iv).expect("iv"), &[], &mut data).expect("ctr");
        assert_eq!(
            hex::encode(&data),
            "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
        );
    }

    #[test]
    fn keystream_continues_across_ranges_and_skips_clear_bytes() {
        let cipher = Aes128::new_from_slice(&[7; 16]).expect("key");
        let iv = Iv::new(&[1, 2, 3, 4, 5, 6, 7, 8]).expect("iv");
        let plain: Vec<u8> = (0..200u8).collect();
        // Reference: encrypt the concatenated protected bytes as one stream.
        let subs = [
            Subsample {
                clear: 5,
                encrypted: 21,
            },
            Subsample {
                clear: 10,
                encrypted: 100,
            },
            Subsample {
                clear: 64,
                encrypted: 0,
            },
        ];
        let mut protected: Vec<u8> = plain[5..26]
            .iter()
            .chain(&plain[36..136])
            .copied()
            .collect();
        apply_ctr(&cipher, &iv, &[], &mut protected).expect("whole");
        let mut data = plain.clone();
        apply_ctr(&cipher, &iv, &subs, &mut data).expect("subsamples");
        assert_eq!(&data[..5], &plain[..5]);
        assert_eq!(&data[5..26], &protected[..21]);
        assert_eq!(&data[26..36], &plain[26..36]);
        assert_eq!(&data[36..136], &protected[21..]);
        assert_eq!(&data[136..], &plain[136..]);
        // And back.
        apply_ctr(&cipher, &iv, &subs, &mut data).expect("again");
        assert_eq!(data, plain);
    }

    #[test]
    fn a_range_past_the_end_is_an_error_not_a_panic() {
        let cipher = Aes128::new_from_slice(&[7; 16]).expect("key");
        let iv = Iv::new(&[0; 8]).expect("iv");
        let mut data = [0u8; 10];
        let subs = [Subsample {
            clear: 4,
            encrypted: 7,
        }];
        assert!(matches!(
            apply_ctr(&cipher, &iv, &subs, &mut data),
            Err(DecryptError::SubsampleMismatch { map_size: 11, .. })
        ));
    }
}
