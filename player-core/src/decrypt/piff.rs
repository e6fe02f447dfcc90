//! Decrypting the samples of a PIFF / CENC track fragment in place with one content key.

use super::DecryptError;
use super::cbc::decrypt_cbc;
use super::ctr::apply_ctr;
use super::key::ContentKey;
use crate::isobmff::sample_encryption::{Algorithm, SampleAuxInfo, SampleEncryption, Subsample};
use aes::Aes128;
use aes::cipher::{Array, KeyInit};

/// Decrypts samples with one content key; build one per KID and reuse it (the AES key
/// schedule is computed once). Decryption allocates nothing.
#[derive(Clone)]
pub struct SampleDecryptor {
    cipher: Aes128,
}

impl std::fmt::Debug for SampleDecryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SampleDecryptor(<redacted>)")
    }
}

/// Checks that `subsamples` covers exactly `size` bytes (an empty map covers any size).
pub fn check_subsamples(
    sample: usize,
    size: usize,
    subsamples: &[Subsample],
) -> Result<(), DecryptError> {
    if subsamples.is_empty() {
        return Ok(());
    }
    let map_size: u64 = subsamples
        .iter()
        .map(|s| u64::from(s.clear) + u64::from(s.encrypted))
        .sum();
    if map_size != size as u64 {
        return Err(DecryptError::SubsampleMismatch {
            sample,
            sample_size: size as u64,
            map_size,
        });
    }
    Ok(())
}

impl SampleDecryptor {
    /// A decryptor for `key`.
    pub fn new(key: &ContentKey) -> SampleDecryptor {
        SampleDecryptor {
            cipher: Aes128::new(&Array::from(*key.expose_secret())),
        }
    }

    /// Decrypts sample number `index` (for errors) in place with `algorithm`.
    ///
    /// Clear samples — algorithm `None`, or an empty IV from CENC aux info of size 0 — are
    /// left as they are. A subsample map that does not cover the sample exactly is an error and
    /// leaves the sample untouched.
    pub fn decrypt_sample(
        &self,
        algorithm: Algorithm,
        index: usize,
        data: &mut [u8],
        info: &SampleAuxInfo,
    ) -> Result<(), DecryptError> {
        if algorithm == Algorithm::None || info.iv.is_empty() {
            return Ok(());
        }
        check_subsamples(index, data.len(), &info.subsamples)?;
        if !matches!(info.iv.len(), 8 | 16) {
            return Err(DecryptError::BadIvSize {
                sample: index,
                size: info.iv.len(),
            });
        }
        let result = match algorithm {
            Algorithm::AesCtr => apply_ctr(&self.cipher, &info.iv, &info.subsamples, data),
            Algorithm::AesCbc => decrypt_cbc(&self.cipher, &info.iv, &info.subsamples, data),
            Algorithm::None => Ok(()),
        };
        result.map_err(|e| match e {
            DecryptError::SubsampleMismatch { map_size, .. } => DecryptError::SubsampleMismatch {
                sample: index,
                sample_size: data.len() as u64,
                map_size,
            },
            other => other,
        })
    }

    /// Decrypts in place all samples of a track fragment, stored back to back at the start of
    /// `data` with the given `sizes` (from `trun`/`tfhd`), using the box's algorithm override
    /// or `default_algorithm`.
    pub fn decrypt_samples(
        &self,
        default_algorithm: Algorithm,
        data: &mut [u8],
        sizes: &[u32],
        encryption: &SampleEncryption,
    ) -> Result<(), DecryptError> {
        let algorithm = encryption.algorithm.unwrap_or(default_algorithm);
        if algorithm == Algorithm::None {
            return Ok(());
        }
        if encryption.samples.len() != sizes.len() {
            return Err(DecryptError::SampleCountMismatch {
                entries: encryption.samples.len(),
                samples: sizes.len(),
            });
        }
        let needed: u64 = sizes.iter().map(|&s| u64::from(s)).sum();
        if needed > data.len() as u64 {
            return Err(DecryptError::SampleDataShort {
                needed,
                available: data.len() as u64,
            });
        }
        let mut rest = data;
        for (i, (&size, info)) in sizes.iter().zip(&encryption.samples).enumerate() {
            let (sample, tail) = rest.split_at_mut(size as usize);
            self.decrypt_sample(algorithm, i, sample, info)?;
            rest = tail;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isobmff::sample_encryption::Iv;

    fn info(iv: &[u8], subs: &[(u16, u32)]) -> SampleAuxInfo {
        SampleAuxInfo {
            iv: Iv::new(iv).expect("iv"),
            subsamples: subs
                .iter()
                .map(|&(clear, encrypted)| Subsample { clear, encrypted })
                .collect(),
        }
    }

    #[test]
    fn mismatched_maps_are_reported_and_leave_the_sample_alone() {
        let d = SampleDecryptor::new(&ContentKey::new([1; 16]));
        let mut data = vec![0x55u8; 40];
        let e = d
            .decrypt_sample(Algorithm::AesCtr, 3, &mut data, &info(&[0; 8], &[(5, 30)]))
            .expect_err("35 ≠ 40");
        assert_eq!(
            e,
            DecryptError::SubsampleMismatch {
                sample: 3,
                sample_size: 40,
                map_size: 35
            }
        );
        assert!(data.iter().all(|&b| b == 0x55));
        assert_eq!(format!("{d:?}"), "SampleDecryptor(<redacted>)");
    }

    #[test]
    fn fragment_level_checks() {
        let d = SampleDecryptor::new(&ContentKey::new([1; 16]));
        let enc = SampleEncryption {
            algorithm: None,
            iv_size: None,
            kid: None,
            samples: vec![info(&[1; 8], &[]), info(&[2; 8], &[(2, 8)])],
        };
        let mut data = vec![0u8; 30];
        assert_eq!(
            d.decrypt_samples(Algorithm::AesCtr, &mut data, &[10], &enc),
            Err(DecryptError::SampleCountMismatch {
                entries: 2,
                samples: 1
            })
        );
        assert_eq!(
            d.decrypt_samples(Algorithm::AesCtr, &mut data, &[20, 20], &enc),
            Err(DecryptError::SampleDataShort {
                needed: 40,
                available: 30
            })
        );
        d.decrypt_samples(Algorithm::AesCtr, &mut data, &[20, 10], &enc)
            .expect("decrypts");
        assert!(data[..20].iter().any(|&b| b != 0), "sample 0 changed");
        assert_eq!(&data[20..22], &[0, 0], "sample 1 clear bytes");
        assert!(
            data[22..30].iter().any(|&b| b != 0),
            "sample 1 protected bytes changed"
        );
        // A clear fragment (override AlgorithmID 0) is left alone whatever the default.
        let clear = SampleEncryption {
            algorithm: Some(Algorithm::None),
            samples: Vec::new(),
            ..enc
        };
        let mut data = vec![0u8; 30];
        d.decrypt_samples(Algorithm::AesCtr, &mut data, &[20, 10], &clear)
            .expect("clear");
        assert!(data.iter().all(|&b| b == 0));
    }
}
