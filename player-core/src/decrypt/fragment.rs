//! Decrypting the samples of a protected track fragment, before they reach a decoder.
//!
//! The algorithm and KID come from the sample encryption box when it overrides them, else
//! from the manifest's PlayReady header (CTR when it names none); keys come from the host's
//! provider, checked against the header's CHECKSUM and cached per KID.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};

use super::encryption_box::sample_encryption;
use super::{Algorithm, ChecksumVerifier, DecryptError, KeyCache, KeyProvider, SampleDecryptor};
use crate::base::Uuid;
use crate::isobmff::{BoxError, TrackFragment};
use crate::manifest::PlayReadyHeader;

/// Why a fragment could not be decrypted: its encryption boxes do not parse, or a key or a
/// sample failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FragmentDecryptError {
    /// The sample encryption box (or `saiz`) is malformed.
    #[error(transparent)]
    Box(#[from] BoxError),
    /// No key, a wrong key, or samples that do not match their encryption entries.
    #[error(transparent)]
    Decrypt(#[from] DecryptError),
}

/// Decrypts the protected fragments of one presentation.
pub struct FragmentDecryptor {
    keys: Arc<dyn KeyProvider>,
    default_kid: Option<Uuid>,
    default_algorithm: Algorithm,
}

impl FragmentDecryptor {
    /// A decryptor for a presentation with this PlayReady header (if any) whose keys come
    /// from `keys`; keys are verified against the header's checksums and cached per KID.
    pub fn new(playready: Option<&PlayReadyHeader>, keys: Arc<dyn KeyProvider>) -> Self {
        let checked: Arc<dyn KeyProvider> = match playready {
            Some(h) => Arc::new(ChecksumVerifier::from_playready(keys, h)),
            None => keys,
        };
        let first = playready.and_then(|h| h.kids.first());
        FragmentDecryptor {
            keys: Arc::new(KeyCache::new(checked)),
            default_kid: first.map(|k| k.kid),
            default_algorithm: first
                .and_then(|k| k.algid.as_deref())
                .and_then(Algorithm::from_playready_algid)
                .unwrap_or(Algorithm::AesCtr),
        }
    }

    /// Decrypts the samples of `track` in `body` (the buffer it was parsed from) when it
    /// carries sample encryption; returns the body and the KID used. Clear fragments come
    /// back untouched, without a copy, and with no KID.
    pub async fn decrypt(
        &self,
        body: Bytes,
        track: &TrackFragment,
    ) -> Result<(Bytes, Option<Uuid>), FragmentDecryptError> {
        let Some(enc) = sample_encryption(&body, track)? else {
            return Ok((body, None));
        };
        let algorithm = enc.algorithm.unwrap_or(self.default_algorithm);
        if algorithm == Algorithm::None {
            return Ok((body, None));
        }
        let kid = enc
            .kid
            .or(self.default_kid)
            .ok_or(DecryptError::KeyUnavailable { kid: Uuid([0; 16]) })?;
        let key = self.keys.key(kid).await?;
        if enc.samples.len() != track.samples.len() {
            return Err(DecryptError::SampleCountMismatch {
                entries: enc.samples.len(),
                samples: track.samples.len(),
            }
            .into());
        }
        let decryptor = SampleDecryptor::new(&key);
        // One copy of the fragment; samples are then decrypted in place.
        let mut data = BytesMut::from(&body[..]);
        for (i, (sample, info)) in track.samples.iter().zip(&enc.samples).enumerate() {
            let Some(bytes) = data.get_mut(sample.data.clone()) else {
                return Err(DecryptError::SampleDataShort {
                    needed: sample.data.end as u64,
                    available: body.len() as u64,
                }
                .into());
            };
            decryptor.decrypt_sample(algorithm, i, bytes, info)?;
        }
        Ok((data.freeze(), Some(kid)))
    }
}

#[cfg(test)]
#[path = "fragment_tests.rs"]
mod tests;
