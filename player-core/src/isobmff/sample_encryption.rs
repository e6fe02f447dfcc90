//! Per-sample encryption data (IVs and subsample maps) shared by the PIFF `uuid` sample
//! encryption box, the CENC `senc` box and CENC sample auxiliary information.

use super::{BoxError, Reader};
use crate::base::Uuid;
use crate::limits::MAX_SAMPLES_PER_FRAGMENT;

/// The encryption algorithm of a track or fragment (PIFF AlgorithmID, or a CENC scheme).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// AlgorithmID 0: samples are not encrypted.
    None,
    /// AlgorithmID 1: AES-128 in counter mode (PIFF `piff` CTR, CENC `cenc`).
    AesCtr,
    /// AlgorithmID 2: AES-128 in cipher-block-chaining mode (PIFF CBC, CENC `cbc1`).
    AesCbc,
}

impl Algorithm {
    /// The algorithm a PIFF AlgorithmID names, if known.
    pub fn from_piff_id(id: u32) -> Option<Algorithm> {
        match id {
            0 => Some(Algorithm::None),
            1 => Some(Algorithm::AesCtr),
            2 => Some(Algorithm::AesCbc),
            _ => None,
        }
    }

    /// The algorithm a PlayReady header ALGID names (`AESCTR`, `AESCBC`); `None` for
    /// `COCKTAIL` and anything else, which AES decryption cannot handle.
    pub fn from_playready_algid(algid: &str) -> Option<Algorithm> {
        match algid.trim().to_ascii_uppercase().as_str() {
            "AESCTR" => Some(Algorithm::AesCtr),
            "AESCBC" => Some(Algorithm::AesCbc),
            _ => None,
        }
    }

    /// The PIFF AlgorithmID of this algorithm.
    pub fn piff_id(self) -> u32 {
        match self {
            Algorithm::None => 0,
            Algorithm::AesCtr => 1,
            Algorithm::AesCbc => 2,
        }
    }
}

/// A per-sample initialization vector: 8 or 16 bytes (0 for unencrypted samples).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Iv {
    bytes: [u8; 16],
    len: u8,
}

impl Iv {
    /// An IV from its bytes as stored; `None` unless the length is 0, 8 or 16.
    pub fn new(bytes: &[u8]) -> Option<Iv> {
        if !matches!(bytes.len(), 0 | 8 | 16) {
            return None;
        }
        let mut b = [0u8; 16];
        b[..bytes.len()].copy_from_slice(bytes);
        Some(Iv {
            bytes: b,
            len: bytes.len() as u8,
        })
    }

    /// The IV bytes as stored (8 or 16 bytes, or none).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// Stored length in bytes.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether the IV is absent (unencrypted sample).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The 16-byte block: an 8-byte IV fills bytes 0-7 and bytes 8-15 are zero (ISO/IEC 23001-7 §9.2),
    /// which for CTR is exactly "IV ‖ 64-bit block counter starting at 0".
    pub fn block(&self) -> [u8; 16] {
        self.bytes
    }
}

impl std::fmt::Debug for Iv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // IVs are public values (they are stored in the clear next to the samples).
        write!(f, "Iv(")?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

/// One subsample entry: `clear` bytes left as they are, then `encrypted` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Subsample {
    /// BytesOfClearData.
    pub clear: u16,
    /// BytesOfEncryptedData.
    pub encrypted: u32,
}

/// What one sample needs for decryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleAuxInfo {
    /// The sample's IV.
    pub iv: Iv,
    /// Subsample map; empty means the whole sample is encrypted.
    pub subsamples: Vec<Subsample>,
}

/// The content of a PIFF sample encryption box, a CENC `senc` box or CENC aux info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleEncryption {
    /// The algorithm, when the box overrides the track default (PIFF flag 0x1).
    pub algorithm: Option<Algorithm>,
    /// The IV size, when the box overrides the track default (PIFF flag 0x1).
    pub iv_size: Option<u8>,
    /// The key ID, when the box overrides the track default (PIFF flag 0x1).
    pub kid: Option<Uuid>,
    /// One entry per sample of the track fragment, in order. Empty when the override says
    /// AlgorithmID 0 with no per-sample data (the fragment is in the clear).
    pub samples: Vec<SampleAuxInfo>,
}

/// Flag 0x1 of the PIFF sample encryption box (and `senc` as some packagers write it).
pub const FLAG_OVERRIDE_TRACK_ENCRYPTION: u32 = 0x1;
/// Flag 0x2: each sample carries a subsample map.
pub const FLAG_USE_SUBSAMPLE_ENCRYPTION: u32 = 0x2;

/// Checks an IV size taken from the caller (manifest or `tenc`) before it is used.
pub(crate) fn check_default_iv_size(iv_size: u8, r: &Reader<'_>) -> Result<(), BoxError> {
    if matches!(iv_size, 8 | 16) {
        Ok(())
    } else {
        Err(BoxError::BadIvSize {
            path: r.path().to_string(),
            offset: r.offset(),
            iv_size,
        })
    }
}

/// Parses a full sample encryption box payload (version/flags onward), shared by PIFF and `senc`.
pub(crate) fn parse_sample_encryption(
    r: &mut Reader<'_>,
    default_iv_size: u8,
) -> Result<SampleEncryption, BoxError> {
    let box_offset = r.offset();
    let (_version, flags) = r.version_flags()?;
    let mut out = SampleEncryption {
        algorithm: None,
        iv_size: None,
        kid: None,
        samples: Vec::new(),
    };
    let iv_size = if flags & FLAG_OVERRIDE_TRACK_ENCRYPTION != 0 {
        let at = r.offset();
        let id = r.u24()?;
        let algorithm =
            Algorithm::from_piff_id(id).ok_or_else(|| BoxError::UnsupportedAlgorithm {
                path: r.path().to_string(),
                offset: at,
                algorithm: format!("AlgorithmID {id}"),
            })?;
        let at = r.offset();
        let iv_size = r.u8()?;
        let iv_ok = matches!(iv_size, 8 | 16) || (algorithm == Algorithm::None && iv_size == 0);
        if !iv_ok {
            return Err(BoxError::BadIvSize {
                path: r.path().to_string(),
                offset: at,
                iv_size,
            });
        }
        out.algorithm = Some(algorithm);
        out.iv_size = Some(iv_size);
        out.kid = Some(Uuid(r.array()?));
        iv_size
    } else {
        if !matches!(default_iv_size, 8 | 16) {
            return Err(BoxError::BadIvSize {
                path: r.path().to_string(),
                offset: box_offset,
                iv_size: default_iv_size,
            });
        }
        default_iv_size
    };
    let has_subsamples = flags & FLAG_USE_SUBSAMPLE_ENCRYPTION != 0;
    let count_at = r.offset();
    let count = r.u32()?;
    if count > MAX_SAMPLES_PER_FRAGMENT {
        return Err(BoxError::Invalid {
            path: r.path().to_string(),
            offset: count_at,
            what: format!("sample_count {count} exceeds {MAX_SAMPLES_PER_FRAGMENT}"),
        });
    }
    let per_sample = u64::from(iv_size) + if has_subsamples { 2 } else { 0 };
    if per_sample == 0 {
        // AlgorithmID 0 with no IVs and no subsamples: nothing is stored per sample.
        return finish(r, out, count, iv_size);
    }
    r.ensure_items(u64::from(count), per_sample)?;
    out.samples = Vec::with_capacity(count as usize);
    for _ in 0..count {
        out.samples.push(parse_entry(r, iv_size, has_subsamples)?);
    }
    finish(r, out, count, iv_size)
}

/// Rejects bytes left over after the entries: the usual sign of a wrong default IV size.
fn finish(
    r: &mut Reader<'_>,
    out: SampleEncryption,
    count: u32,
    iv_size: u8,
) -> Result<SampleEncryption, BoxError> {
    if r.remaining() != 0 {
        return Err(r.invalid(format!(
            "{} bytes left after {count} samples with {iv_size}-byte IVs (wrong IV size?)",
            r.remaining()
        )));
    }
    Ok(out)
}

/// Parses one sample's IV and, when present, its subsample map.
pub(crate) fn parse_entry(
    r: &mut Reader<'_>,
    iv_size: u8,
    has_subsamples: bool,
) -> Result<SampleAuxInfo, BoxError> {
    let at = r.offset();
    let iv = Iv::new(r.bytes(usize::from(iv_size))?).ok_or_else(|| BoxError::BadIvSize {
        path: r.path().to_string(),
        offset: at,
        iv_size,
    })?;
    let mut subsamples = Vec::new();
    if has_subsamples {
        let n = r.u16()?;
        r.ensure_items(u64::from(n), 6)?;
        subsamples.reserve_exact(usize::from(n));
        for _ in 0..n {
            let clear = r.u16()?;
            let encrypted = r.u32()?;
            subsamples.push(Subsample { clear, encrypted });
        }
    }
    Ok(SampleAuxInfo { iv, subsamples })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One test sample: its IV bytes and its (clear, encrypted) subsample pairs.
    pub(crate) type TestSample<'a> = (&'a [u8], &'a [(u16, u32)]);

    /// Builds a sample encryption payload (version/flags onward) for tests.
    pub(crate) fn payload(
        flags: u32,
        override_: Option<(u32, u8, [u8; 16])>,
        samples: &[TestSample<'_>],
    ) -> Vec<u8> {
        let mut v = flags.to_be_bytes().to_vec();
        if let Some((alg, iv, kid)) = override_ {
            v.extend_from_slice(&alg.to_be_bytes()[1..]);
            v.push(iv);
            v.extend_from_slice(&kid);
        }
        v.extend_from_slice(&(samples.len() as u32).to_be_bytes());
        for (iv, subs) in samples {
            v.extend_from_slice(iv);
            if flags & 2 != 0 {
                v.extend_from_slice(&(subs.len() as u16).to_be_bytes());
                for (c, e) in *subs {
                    v.extend_from_slice(&c.to_be_bytes());
                    v.extend_from_slice(&e.to_be_bytes());
                }
            }
        }
        v
    }

    #[test]
    fn iv_block_pads_8_byte_ivs_with_a_zero_counter() {
        let iv = Iv::new(&[1, 2, 3, 4, 5, 6, 7, 8]).expect("8 bytes");
        assert_eq!(iv.block(), [1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(iv.len(), 8);
        assert_eq!(format!("{iv:?}"), "Iv(0102030405060708)");
        assert!(Iv::new(&[0; 12]).is_none());
    }

    #[test]
    fn algorithm_ids_roundtrip() {
        for a in [Algorithm::None, Algorithm::AesCtr, Algorithm::AesCbc] {
            assert_eq!(Algorithm::from_piff_id(a.piff_id()), Some(a));
        }
        assert_eq!(Algorithm::from_piff_id(3), None);
        assert_eq!(
            Algorithm::from_playready_algid("AESCTR"),
            Some(Algorithm::AesCtr)
        );
        assert_eq!(
            Algorithm::from_playready_algid("aescbc"),
            Some(Algorithm::AesCbc)
        );
        assert_eq!(Algorithm::from_playready_algid("COCKTAIL"), None);
    }
}
