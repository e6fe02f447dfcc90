//! Encrypting one sample in place — written independently of `player_core::decrypt` (which
//! decrypts): AES-128-CTR with IV ‖ 64-bit counter over the concatenated protected ranges, or
//! AES-128-CBC chained over the protected ranges' whole blocks. And deterministic IVs.

use aes::Aes128;
use aes::cipher::{Array, Block, BlockModeEncrypt, KeyInit, KeyIvInit, StreamCipher};
use player_core::decrypt::Subsample;
use player_core::manifest::Uuid;
use sha2::{Digest, Sha256};

/// A subsample map covering more bytes than its sample.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("subsample map covers {covered} bytes of a {size}-byte sample")]
pub struct MapPastEnd {
    /// Bytes the map covers.
    pub covered: u64,
    /// Sample size.
    pub size: usize,
}

/// The sample cipher a scheme uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// AES-128-CTR (PIFF AlgorithmID 1, CENC `cenc`).
    Ctr,
    /// AES-128-CBC (PIFF AlgorithmID 2).
    Cbc,
}

/// Encrypts samples with one key.
pub struct SampleEncryptor {
    key: [u8; 16],
    mode: Mode,
}

impl SampleEncryptor {
    /// An encryptor for `key` in `mode`.
    pub fn new(key: [u8; 16], mode: Mode) -> SampleEncryptor {
        SampleEncryptor { key, mode }
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Encrypts `sample` in place; `iv` is 8 or 16 bytes (8 are zero-padded). An empty map
    /// encrypts the whole sample (for CBC its whole blocks). A map running past the sample's
    /// end is refused before anything is encrypted.
    pub fn encrypt(
        &self,
        iv: &[u8],
        subsamples: &[Subsample],
        sample: &mut [u8],
    ) -> Result<(), MapPastEnd> {
        let covered: u64 = subsamples
            .iter()
            .map(|s| u64::from(s.clear) + u64::from(s.encrypted))
            .sum();
        if covered > sample.len() as u64 {
            return Err(MapPastEnd {
                covered,
                size: sample.len(),
            });
        }
        let mut block = [0u8; 16];
        block[..iv.len().min(16)].copy_from_slice(&iv[..iv.len().min(16)]);
        let whole = [Subsample {
            clear: 0,
            encrypted: sample.len() as u32,
        }];
        let map = if subsamples.is_empty() {
            &whole[..]
        } else {
            subsamples
        };
        let ranges = map.iter().scan(0usize, |pos, s| {
            let start = *pos + usize::from(s.clear);
            *pos = start + s.encrypted as usize;
            Some(start..*pos)
        });
        match self.mode {
            Mode::Ctr => {
                let mut c =
                    ctr::Ctr64BE::<Aes128>::new(&Array::from(self.key), &Array::from(block));
                for r in ranges {
                    if let Some(range) = sample.get_mut(r) {
                        c.apply_keystream(range);
                    }
                }
            }
            Mode::Cbc => {
                let mut c =
                    cbc::Encryptor::<Aes128>::new(&Array::from(self.key), &Array::from(block));
                for r in ranges {
                    if let Some(range) = sample.get_mut(r) {
                        let (blocks, _tail) = Block::<Aes128>::slice_as_chunks_mut(range);
                        c.encrypt_blocks(blocks);
                    }
                }
            }
        }
        Ok(())
    }

    /// AES-128-ECB of one block (for the PlayReady checksum).
    pub fn ecb_block(&self, input: [u8; 16]) -> [u8; 16] {
        use aes::cipher::BlockCipherEncrypt;
        let mut b = Array::from(input);
        Aes128::new(&Array::from(self.key)).encrypt_block(&mut b);
        b.into()
    }
}

/// A deterministic IV of `len` bytes for sample `index` of the fragment `name` of stream
/// `stream`: the same input gives the same output, different samples different IVs.
pub fn derive_iv(kid: Uuid, stream: &str, name: &str, index: usize, len: usize) -> Vec<u8> {
    let digest = Sha256::new()
        .chain_update(b"piff-encrypt iv\0")
        .chain_update(kid.0)
        .chain_update(stream.as_bytes())
        .chain_update([0])
        .chain_update(name.as_bytes())
        .chain_update([0])
        .chain_update((index as u64).to_be_bytes())
        .finalize();
    digest[..len.min(32)].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ivs_are_deterministic_and_distinct() {
        let kid = Uuid([1; 16]);
        assert_eq!(
            derive_iv(kid, "video", "f", 0, 8),
            derive_iv(kid, "video", "f", 0, 8)
        );
        assert_ne!(
            derive_iv(kid, "video", "f", 0, 8),
            derive_iv(kid, "video", "f", 1, 8)
        );
        assert_ne!(
            derive_iv(kid, "video", "f", 0, 8),
            derive_iv(kid, "audio", "f", 0, 8)
        );
        assert_eq!(derive_iv(kid, "a", "b", 0, 16).len(), 16);
    }

    #[test]
    fn cbc_leaves_partial_blocks_clear() {
        let e = SampleEncryptor::new([2; 16], Mode::Cbc);
        let mut s = vec![0u8; 40];
        e.encrypt(&[0; 16], &[], &mut s).expect("encrypts");
        let map = [Subsample {
            clear: 1,
            encrypted: 40,
        }];
        assert!(e.encrypt(&[0; 16], &map, &mut s).is_err());
        assert!(s[..32].iter().any(|&b| b != 0));
        assert_eq!(&s[32..], &[0; 8]);
    }
}
