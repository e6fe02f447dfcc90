//! PlayReady key seed: content keys derived from a KID and a fixed secret seed, as specified in
//! Microsoft's "PlayReady Key Seed" page
//! (<https://learn.microsoft.com/playready/specifications/playready-key-seed>).
//!
//! With `s` the seed truncated to 30 bytes and `k` the KID in its PlayReady (little-endian GUID,
//! `Guid.ToByteArray()`) byte order: `A = SHA-256(s‖k)`, `B = SHA-256(s‖k‖s)`,
//! `C = SHA-256(s‖k‖s‖k)`, and key byte `i` = `A[i]^A[i+16]^B[i]^B[i+16]^C[i]^C[i+16]`.

use super::key::{ContentKey, KeyFuture, KeyProvider};
use crate::base::Uuid;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Bytes of the seed the algorithm uses; longer seeds are truncated.
pub const KEY_SEED_LEN: usize = 30;

/// A PlayReady key seed (at least 30 bytes). Redacted in `Debug`, zeroed when dropped.
#[derive(Clone)]
pub struct KeySeed(Zeroizing<[u8; KEY_SEED_LEN]>);

impl KeySeed {
    /// A seed from its bytes; `None` when shorter than 30 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<KeySeed> {
        let head: [u8; KEY_SEED_LEN] = bytes.get(..KEY_SEED_LEN)?.try_into().ok()?;
        Some(KeySeed(Zeroizing::new(head)))
    }
}

impl std::fmt::Debug for KeySeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeySeed(<redacted>)")
    }
}

/// Derives the content key for `kid` from `seed`.
pub fn derive_content_key(seed: &KeySeed, kid: Uuid) -> ContentKey {
    let s: &[u8] = &seed.0[..];
    let k = kid.to_guid_le();
    let hash = |parts: &[&[u8]]| -> Zeroizing<[u8; 32]> {
        let mut h = Sha256::new();
        for p in parts {
            h.update(p);
        }
        Zeroizing::new(h.finalize().into())
    };
    let a = hash(&[s, &k]);
    let b = hash(&[s, &k, s]);
    let c = hash(&[s, &k, s, &k]);
    let mut key = Zeroizing::new([0u8; 16]);
    for (i, out) in key.iter_mut().enumerate() {
        *out = a[i] ^ a[i + 16] ^ b[i] ^ b[i + 16] ^ c[i] ^ c[i + 16];
    }
    ContentKey::new(*key)
}

/// Derives every KID's key from one seed (`--key-seed SEED`).
#[derive(Debug, Clone)]
pub struct KeySeedProvider {
    seed: KeySeed,
}

impl KeySeedProvider {
    /// A provider deriving keys from `seed`.
    pub fn new(seed: KeySeed) -> KeySeedProvider {
        KeySeedProvider { seed }
    }
}

impl KeyProvider for KeySeedProvider {
    fn key(&self, kid: Uuid) -> KeyFuture<'_> {
        let key = derive_content_key(&self.seed, kid);
        Box::pin(async move { Ok(key) })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::key::tests::block_on;
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;

    /// The public test key seed of Microsoft's PlayReady Test License Server, as published on
    /// <https://learn.microsoft.com/playready/advanced/testservers/playready-test-server-service>
    /// ("Test Key Seed (Base64)").
    pub(crate) const MS_TEST_KEY_SEED: &str = "XVBovsmzhP9gRIZxWfFta3VVRPzVEWmJsazEJ46I";

    /// [`MS_TEST_KEY_SEED`] decoded.
    pub(crate) fn ms_test_seed() -> KeySeed {
        let bytes = STANDARD.decode(MS_TEST_KEY_SEED).expect("base64");
        KeySeed::from_bytes(&bytes).expect("30 bytes")
    }

    /// KID → content key pairs of the PlayReady test content, published outside this project:
    /// dash.js 1.x (Dash-Industry-Forum/dash.js, `src/streaming/extensions/
    /// ProtectionExtensions.js`, "hard-coded set of keys for testing ClearKey") lists them.
    const PUBLISHED_PAIRS: [(&str, &str); 3] = [
        (
            "10000000-1000-1000-1000-100000000001",
            "3a2a1b68dd2bd9b2eeb25e84c4776668",
        ),
        (
            "10000000-1000-1000-1000-100000000002",
            "07e4d653cfb45c66158d93ffce422907",
        ),
        (
            "a1b1c1d1-a2b2-a3b3-a4b4-a5b5c5d5e5f5",
            "2539fa84b987416009a7fbba11b239ab",
        ),
    ];

    #[test]
    fn reproduces_published_keys_from_the_microsoft_test_seed() {
        let seed = ms_test_seed();
        for (kid, key) in PUBLISHED_PAIRS {
            let got = derive_content_key(&seed, kid.parse().expect("kid"));
            assert_eq!(hex::encode(got.expose_secret()), key, "KID {kid}");
        }
    }

    #[test]
    fn the_seed_is_truncated_to_30_bytes_and_must_have_them() {
        let seed = KeySeed::from_bytes(&[0x5d; 40]).expect("40 bytes");
        let short = KeySeed::from_bytes(&[0x5d; 30]).expect("30 bytes");
        let kid = Uuid([3; 16]);
        assert_eq!(
            derive_content_key(&seed, kid),
            derive_content_key(&short, kid)
        );
        assert!(KeySeed::from_bytes(&[1; 29]).is_none());
        assert_eq!(format!("{seed:?}"), "KeySeed(<redacted>)");
    }

    #[test]
    fn provider_derives_for_any_kid() {
        let p = KeySeedProvider::new(ms_test_seed());
        let kid: Uuid = PUBLISHED_PAIRS[1].0.parse().expect("kid");
        let key = block_on(p.key(kid)).expect("derived");
        assert_eq!(hex::encode(key.expose_secret()), PUBLISHED_PAIRS[1].1);
    }
}
