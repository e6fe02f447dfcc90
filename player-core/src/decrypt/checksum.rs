//! PlayReady key checksum (PlayReady Header Specification §5, "Key Checksum Algorithm"): for
//! ALGID `AESCTR`, the 16-byte KID — in the header's little-endian GUID byte order — is
//! encrypted with the content key in AES-ECB mode and the first 8 bytes are the checksum.
//! A key that fails it is the wrong key: report `WrongKey` rather than decode garbage.

use super::DecryptError;
use super::key::{ContentKey, KeyFuture, KeyProvider};
use crate::base::Uuid;
use crate::manifest::PlayReadyHeader;
use aes::Aes128;
use aes::cipher::{Array, BlockCipherEncrypt, KeyInit};
use std::collections::HashMap;
use std::sync::Arc;

/// The 8-byte PlayReady checksum of `key` for `kid`.
pub fn key_checksum(key: &ContentKey, kid: Uuid) -> [u8; 8] {
    let cipher = Aes128::new(&Array::from(*key.expose_secret()));
    let mut block = Array::from(kid.to_guid_le());
    cipher.encrypt_block(&mut block);
    let mut out = [0u8; 8];
    out.copy_from_slice(&block[..8]);
    out
}

/// Checks `key` against a header's CHECKSUM bytes: `WrongKey { kid }` when they differ.
///
/// Only 8-byte (AESCTR) checksums are defined for AES keys; a checksum of another length
/// (COCKTAIL's 7 bytes) says nothing about an AES key and is not checked.
pub fn verify_checksum(key: &ContentKey, kid: Uuid, checksum: &[u8]) -> Result<(), DecryptError> {
    if checksum.len() != 8 || key_checksum(key, kid)[..] == *checksum {
        Ok(())
    } else {
        Err(DecryptError::WrongKey { kid })
    }
}

/// Verifies every key another provider gives against the checksums of the presentation's
/// PlayReady header, turning a mismatch into `WrongKey { kid }`.
pub struct ChecksumVerifier {
    inner: Arc<dyn KeyProvider>,
    checksums: HashMap<Uuid, Vec<u8>>,
}

impl ChecksumVerifier {
    /// Verifies keys from `inner` against `checksums` (KID → CHECKSUM bytes).
    pub fn new(inner: Arc<dyn KeyProvider>, checksums: HashMap<Uuid, Vec<u8>>) -> ChecksumVerifier {
        ChecksumVerifier { inner, checksums }
    }

    /// Verifies keys against the AESCTR checksums of `header` (AESCBC KIDs have none).
    pub fn from_playready(
        inner: Arc<dyn KeyProvider>,
        header: &PlayReadyHeader,
    ) -> ChecksumVerifier {
        let checksums = header
            .kids
            .iter()
            .filter(|k| {
                k.algid
                    .as_deref()
                    .is_none_or(|a| a.eq_ignore_ascii_case("AESCTR"))
            })
            .filter_map(|k| Some((k.kid, k.checksum.clone()?)))
            .collect();
        ChecksumVerifier::new(inner, checksums)
    }
}

impl KeyProvider for ChecksumVerifier {
    fn key(&self, kid: Uuid) -> KeyFuture<'_> {
        Box::pin(async move {
            let key = self.inner.key(kid).await?;
            if let Some(sum) = self.checksums.get(&kid) {
                verify_checksum(&key, kid, sum)?;
            }
            Ok(key)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::key::tests::block_on;
    use super::super::key_seed::tests::ms_test_seed;
    use super::super::key_seed::{KeySeedProvider, derive_content_key};
    use super::super::providers::StaticKeys;
    use super::*;
    use crate::manifest::PlayReadyKid;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;

    /// (KID VALUE, CHECKSUM) pairs from the examples of Microsoft's PlayReady Header
    /// Specification (§3.4.2 v4.2.0.0 and §3.6.1 v4.0.0.0,
    /// <https://learn.microsoft.com/playready/specifications/playready-header-specification>).
    /// Their keys are those the Microsoft test key seed derives, which ties the checksum, the
    /// GUID byte order and the key seed algorithm to published data.
    const SPEC_EXAMPLES: [(&str, &str); 3] = [
        ("0IbHou/5s0yzM80yOkKEpQ==", "xNvWVxoWk04="),
        ("/qgG2xbs4k2SKCxx6bhWqw==", "GnKaQIRacPU="),
        ("q5HgCTj40kGeNVhTH9Gexw==", "w+OZVr8vzrQ="),
    ];

    fn kid_of(value: &str) -> Uuid {
        let b: [u8; 16] = STANDARD.decode(value).expect("b64").try_into().expect("16");
        Uuid::from_guid_le(b)
    }

    #[test]
    fn matches_the_playready_header_specification_examples() {
        let seed = ms_test_seed();
        for (value, checksum) in SPEC_EXAMPLES {
            let kid = kid_of(value);
            let key = derive_content_key(&seed, kid);
            assert_eq!(
                STANDARD.encode(key_checksum(&key, kid)),
                checksum,
                "KID {value}"
            );
            let sum = STANDARD.decode(checksum).expect("b64");
            assert_eq!(verify_checksum(&key, kid, &sum), Ok(()));
            let wrong = ContentKey::new([0; 16]);
            assert_eq!(
                verify_checksum(&wrong, kid, &sum),
                Err(DecryptError::WrongKey { kid })
            );
        }
    }

    #[test]
    fn verifier_reports_wrong_key_from_a_playready_header() {
        let (value, checksum) = SPEC_EXAMPLES[0];
        let kid = kid_of(value);
        let header = PlayReadyHeader {
            version: "4.2.0.0".into(),
            kids: vec![PlayReadyKid {
                kid,
                algid: Some("AESCTR".into()),
                checksum: Some(STANDARD.decode(checksum).expect("b64")),
            }],
            la_url: None,
            lui_url: None,
            ds_id: None,
        };
        let seed = ms_test_seed();
        let good = ChecksumVerifier::from_playready(Arc::new(KeySeedProvider::new(seed)), &header);
        assert!(block_on(good.key(kid)).is_ok());
        let mut wrong = StaticKeys::new();
        wrong.insert(kid, ContentKey::new([1; 16]));
        let bad = ChecksumVerifier::from_playready(Arc::new(wrong), &header);
        assert_eq!(block_on(bad.key(kid)), Err(DecryptError::WrongKey { kid }));
        // A KID without a checksum passes whatever the key.
        let other = Uuid([5; 16]);
        let mut keys = StaticKeys::new();
        keys.insert(other, ContentKey::new([1; 16]));
        let v = ChecksumVerifier::from_playready(Arc::new(keys), &header);
        assert!(block_on(v.key(other)).is_ok());
    }
}
