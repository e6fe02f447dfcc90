//! AES-128-CBC sample decryption in place (PIFF 1.1 AlgorithmID 2, ISO/IEC 23001-7 `cbc1`).
//!
//! One CBC chain per sample, started from the sample's IV (8-byte IVs are zero-padded to 16,
//! ISO/IEC 23001-7 §9.2) and continued across its encrypted ranges: clear ranges are skipped,
//! and the last cipher block of one range chains into the next. Only whole 16-byte blocks are
//! encrypted; a trailing partial block stays clear. `cbc1` requires each subsample's protected
//! size to be a multiple of 16 (ISO/IEC 23001-7:2016 §10.2) so no partial block occurs inside a
//! subsampled sample; should one appear anyway, its bytes are left as they are.

use super::DecryptError;
use crate::isobmff::sample_encryption::{Iv, Subsample};
use aes::Aes128;
use aes::cipher::{Array, Block, BlockModeDecrypt, InnerIvInit};

type Aes128CbcDec<'a> = cbc::Decryptor<&'a Aes128>;

/// Decrypts `data` in place. An empty `subsamples` map means the whole sample is encrypted.
pub fn decrypt_cbc(
    cipher: &Aes128,
    iv: &Iv,
    subsamples: &[Subsample],
    data: &mut [u8],
) -> Result<(), DecryptError> {
    let mut dec = Aes128CbcDec::inner_iv_init(cipher, &Array::from(iv.block()));
    if subsamples.is_empty() {
        decrypt_whole_blocks(&mut dec, data);
        return Ok(());
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
        decrypt_whole_blocks(&mut dec, range);
        pos = end;
    }
    Ok(())
}

/// Decrypts the whole blocks at the start of `range`, leaving a partial tail untouched.
fn decrypt_whole_blocks(dec: &mut Aes128CbcDec<'_>, range: &mut [u8]) {
    let (blocks, _tail) = Block::<Aes128>::slice_as_chunks_mut(range);
    dec.decrypt_blocks(blocks);
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::{BlockModeEncrypt, KeyInit};

    /// NIST SP 800-38A F.2.2 (CBC-AES128.Decrypt), first two blocks, plus a 5-byte tail that
    /// must stay as it is.
    #[test]
    fn nist_sp800_38a_cbc_vector_with_clear_tail() {
        let key = hex::decode("2b7e151628aed2a6abf7158809cf4f3c").expect("hex");
        let iv = hex::decode("000102030405060708090a0b0c0d0e0f").expect("hex");
        let mut data =
            hex::decode("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2")
                .expect("hex");
        data.extend_from_slice(b"tail!");
        let cipher = Aes128::new_from_slice(&key).expect("key");
        decrypt_cbc(&cipher, &Iv::new(&iv).expect("iv"), &[], &mut data).expect("cbc");
        assert_eq!(
            hex::encode(&data[..32]),
            "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
        );
        assert_eq!(&data[32..], b"tail!");
    }

    #[test]
    fn chain_continues_across_subsamples() {
        let cipher = Aes128::new_from_slice(&[3; 16]).expect("key");
        let iv = [9u8; 16];
        let plain: Vec<u8> = (0..=255u8).cycle().take(300).collect();
        // Protected: 32 bytes at 4, 48 bytes at 40; encrypt them as one chain.
        let mut protected: Vec<u8> = plain[4..36].iter().chain(&plain[40..88]).copied().collect();
        let mut enc = cbc::Encryptor::<Aes128>::inner_iv_init(cipher.clone(), &Array::from(iv));
        let (blocks, _) = Block::<Aes128>::slice_as_chunks_mut(&mut protected);
        enc.encrypt_blocks(blocks);
        let mut data = plain.clone();
        data[4..36].copy_from_slice(&protected[..32]);
        data[40..88].copy_from_slice(&protected[32..]);
        let subs = [
            Subsample {
                clear: 4,
                encrypted: 32,
            },
            Subsample {
                clear: 4,
                encrypted: 48,
            },
            Subsample {
                clear: 212,
                encrypted: 0,
            },
        ];
        decrypt_cbc(&cipher, &Iv::new(&iv).expect("iv"), &subs, &mut data).expect("cbc");
        assert_eq!(data, plain);
    }
}
