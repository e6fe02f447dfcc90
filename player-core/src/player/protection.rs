//! Decrypting protected fragments in the fetch task, before samples reach the decoders.
//!
//! In a Smooth presentation there is no `moov`: the algorithm and KID come from the
//! manifest's PlayReady header, the IV size is 8 unless the sample encryption box overrides
//! it, and keys come from the host's providers, checked against the header's CHECKSUM.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};

use crate::decrypt::{
    Algorithm, ChecksumVerifier, DecryptError, KeyCache, KeyProvider, SampleDecryptor,
    SampleEncryption,
};
use crate::error::Error;
use crate::isobmff::piff_senc::{
    DEFAULT_PIFF_IV_SIZE, PIFF_SAMPLE_ENCRYPTION_UUID, parse_piff_senc,
};
use crate::isobmff::saiz_saio::parse_saiz;
use crate::isobmff::senc::{iv_size_from_saiz, parse_senc};
use crate::isobmff::{FourCc, TrackFragment};
use crate::manifest::{Manifest, Uuid};

/// A key provider as the host configures it.
#[derive(Clone)]
pub struct Keys(pub Arc<dyn KeyProvider>);

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

/// How this presentation's protected fragments are decrypted.
pub(crate) struct Protection {
    keys: Arc<dyn KeyProvider>,
    default_kid: Option<Uuid>,
    default_algorithm: Algorithm,
}

impl Protection {
    /// Set up from the manifest's protection headers and the host's keys (none: every
    /// protected fragment fails with `KeyUnavailable`).
    pub fn new(manifest: &Manifest, keys: Option<&Keys>) -> Protection {
        let base: Arc<dyn KeyProvider> = match keys {
            Some(k) => k.0.clone(),
            None => Arc::new(crate::decrypt::StaticKeys::new()),
        };
        let playready = manifest
            .protection
            .iter()
            .find_map(|p| p.playready.as_ref());
        let checked: Arc<dyn KeyProvider> = match playready {
            Some(h) => Arc::new(ChecksumVerifier::from_playready(base, h)),
            None => base,
        };
        let first = playready.and_then(|h| h.kids.first());
        Protection {
            keys: Arc::new(KeyCache::new(checked)),
            default_kid: first.map(|k| k.kid),
            default_algorithm: first
                .and_then(|k| k.algid.as_deref())
                .and_then(Algorithm::from_playready_algid)
                .unwrap_or(Algorithm::AesCtr),
        }
    }

    /// Decrypts the samples of `track` in `body` when it carries sample encryption; returns
    /// the (possibly new) body and the KID used. Clear fragments come back untouched, without
    /// a copy, and with no KID.
    pub async fn decrypt(
        &self,
        body: Bytes,
        track: &TrackFragment,
    ) -> Result<(Bytes, Option<Uuid>), Error> {
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

/// The sample encryption of a track fragment: a PIFF uuid box, or CENC `senc` (IV size from
/// `saiz` when it tells, else the PIFF default of 8).
fn sample_encryption(
    body: &[u8],
    track: &TrackFragment,
) -> Result<Option<SampleEncryption>, Error> {
    let boxes = &track.protection.boxes;
    let payload = |r: &crate::isobmff::RawBox| body.get(r.payload.clone()).unwrap_or(&[]);
    if let Some(b) = boxes
        .iter()
        .find(|b| b.user_type == Some(PIFF_SAMPLE_ENCRYPTION_UUID))
    {
        let at = b.payload.start as u64;
        let senc = parse_piff_senc(payload(b), at, "moof/traf/uuid(senc)", DEFAULT_PIFF_IV_SIZE)?;
        return Ok(Some(senc));
    }
    if let Some(b) = boxes.iter().find(|b| b.kind == FourCc(*b"senc")) {
        let p = payload(b);
        let iv_size = boxes
            .iter()
            .find(|s| s.kind == FourCc(*b"saiz"))
            .and_then(|s| parse_saiz(payload(s), s.payload.start as u64, "moof/traf/saiz").ok())
            .and_then(|saiz| iv_size_from_saiz(p, &saiz))
            .unwrap_or(DEFAULT_PIFF_IV_SIZE);
        let at = b.payload.start as u64;
        return Ok(Some(parse_senc(p, at, "moof/traf/senc", iv_size)?));
    }
    Ok(None)
}
