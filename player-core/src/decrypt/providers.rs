//! Key providers that need no network: static `KID:KEY` pairs, an embedder's callback, and a
//! chain that asks several providers in turn. Also the `--key KID:KEY` argument parser.

use super::DecryptError;
use super::key::{ContentKey, KeyFuture, KeyProvider};
use crate::base::Uuid;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use std::collections::HashMap;
use std::sync::Arc;
use zeroize::Zeroizing;

/// Why a `KID:KEY` argument was refused. Never repeats the key text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyArgError {
    /// No `:` between KID and key.
    #[error("expected KID:KEY (KID as a UUID or 32 hex digits, KEY as 32 hex digits or base64)")]
    MissingColon,
    /// The KID part is not a UUID or 32 hex digits.
    #[error("KID {kid:?} is not a UUID or 32 hex digits")]
    BadKid {
        /// The KID text.
        kid: String,
    },
    /// The key part is not 16 bytes of hex or base64 (the text is not repeated: it is secret).
    #[error("the key for KID {kid} is not 16 bytes of hex or base64")]
    BadKey {
        /// The KID.
        kid: Uuid,
    },
}

/// Parses a KID: a UUID with or without hyphens and braces, i.e. 32 hex digits.
pub fn parse_kid(s: &str) -> Option<Uuid> {
    s.parse().ok()
}

/// Decodes secret bytes written as hex or base64 (standard or URL-safe, padded or not) whose
/// decoded length `accept`s. Hex is tried first; text that is valid hex of the wrong length is
/// tried as base64. Intermediate buffers are zeroed.
pub fn decode_secret(s: &str, accept: impl Fn(usize) -> bool) -> Option<Zeroizing<Vec<u8>>> {
    let s = s.trim();
    if s.len().is_multiple_of(2) && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        let v = Zeroizing::new(hex::decode(s).ok()?);
        if accept(v.len()) {
            return Some(v);
        }
    }
    let unpadded = s.trim_end_matches('=');
    let decoded = if unpadded.contains(['-', '_']) {
        URL_SAFE_NO_PAD.decode(unpadded)
    } else {
        STANDARD_NO_PAD.decode(unpadded)
    };
    let v = Zeroizing::new(decoded.ok()?);
    accept(v.len()).then_some(v)
}

/// Parses `KID:KEY` (KID as a UUID or hex; KEY as 32 hex digits or base64 of 16 bytes).
pub fn parse_key_arg(arg: &str) -> Result<(Uuid, ContentKey), KeyArgError> {
    let (kid_text, key_text) = arg.split_once(':').ok_or(KeyArgError::MissingColon)?;
    let kid = parse_kid(kid_text).ok_or_else(|| KeyArgError::BadKid {
        kid: kid_text.to_string(),
    })?;
    let key = decode_secret(key_text, |n| n == 16)
        .and_then(|b| ContentKey::from_slice(&b))
        .ok_or(KeyArgError::BadKey { kid })?;
    Ok((kid, key))
}

/// Keys given up front (`--key KID:KEY`, repeatable).
#[derive(Clone, Default)]
pub struct StaticKeys {
    keys: HashMap<Uuid, ContentKey>,
}

impl StaticKeys {
    /// No keys yet.
    pub fn new() -> StaticKeys {
        StaticKeys::default()
    }

    /// Adds (or replaces) the key for `kid`.
    pub fn insert(&mut self, kid: Uuid, key: ContentKey) {
        self.keys.insert(kid, key);
    }

    /// Parses each `KID:KEY` argument into a key set.
    pub fn from_args<'a>(
        args: impl IntoIterator<Item = &'a str>,
    ) -> Result<StaticKeys, KeyArgError> {
        let mut keys = StaticKeys::new();
        for arg in args {
            let (kid, key) = parse_key_arg(arg)?;
            keys.insert(kid, key);
        }
        Ok(keys)
    }

    /// The KIDs held (never the keys).
    pub fn kids(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.keys.keys().copied()
    }
}

impl std::fmt::Debug for StaticKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticKeys")
            .field("kids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl KeyProvider for StaticKeys {
    fn key(&self, kid: Uuid) -> KeyFuture<'_> {
        let found = self.keys.get(&kid).cloned();
        Box::pin(async move { found.ok_or(DecryptError::KeyUnavailable { kid }) })
    }
}

/// Asks an embedder's function for keys. The function runs on the thread that polls the
/// provider (the pipeline's async runtime), so it should answer quickly; `None` means the
/// embedder has no key for that KID.
pub struct CallbackProvider<F> {
    callback: F,
}

impl<F> CallbackProvider<F>
where
    F: Fn(Uuid) -> Option<ContentKey> + Send + Sync,
{
    /// A provider that calls `callback` for each KID (the cache in front calls it once per KID).
    pub fn new(callback: F) -> CallbackProvider<F> {
        CallbackProvider { callback }
    }
}

impl<F> KeyProvider for CallbackProvider<F>
where
    F: Fn(Uuid) -> Option<ContentKey> + Send + Sync,
{
    fn key(&self, kid: Uuid) -> KeyFuture<'_> {
        let found = (self.callback)(kid);
        Box::pin(async move { found.ok_or(DecryptError::KeyUnavailable { kid }) })
    }
}

/// Asks providers in order and returns the first key found.
///
/// When none has it, the first error other than `KeyUnavailable` (e.g. a refused license
/// request) is returned, so the user learns why; otherwise `KeyUnavailable`.
pub struct FirstOf {
    providers: Vec<Arc<dyn KeyProvider>>,
}

impl FirstOf {
    /// A chain of `providers`, asked in this order.
    pub fn new(providers: Vec<Arc<dyn KeyProvider>>) -> FirstOf {
        FirstOf { providers }
    }
}

impl KeyProvider for FirstOf {
    fn key(&self, kid: Uuid) -> KeyFuture<'_> {
        Box::pin(async move {
            let mut reason = None;
            for p in &self.providers {
                match p.key(kid).await {
                    Ok(key) => return Ok(key),
                    Err(DecryptError::KeyUnavailable { .. }) => {}
                    Err(e) => {
                        reason.get_or_insert(e);
                    }
                }
            }
            Err(reason.unwrap_or(DecryptError::KeyUnavailable { kid }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::key::tests::block_on;
    use super::*;

    const KID: &str = "9eb4050d-e44b-4802-932e-27d75083e266";
    const KEY_HEX: &str = "166634c675823c235a4a9446fad52e4d";

    #[test]
    fn parses_kid_forms_and_key_encodings() {
        let want_kid: Uuid = KID.parse().expect("uuid");
        let want = hex::decode(KEY_HEX).expect("hex");
        for arg in [
            format!("{KID}:{KEY_HEX}"),
            format!("{{{}}}:{}", KID.to_uppercase(), KEY_HEX.to_uppercase()),
            format!("{}:{KEY_HEX}", KID.replace('-', "")),
            format!("{KID}:FmY0xnWCPCNaSpRG+tUuTQ=="),
            format!("{KID}:FmY0xnWCPCNaSpRG-tUuTQ"),
        ] {
            let (kid, key) = parse_key_arg(&arg).unwrap_or_else(|e| panic!("{arg}: {e}"));
            assert_eq!(kid, want_kid);
            assert_eq!(key.expose_secret().as_slice(), want.as_slice(), "{arg}");
        }
    }

    #[test]
    fn base64_made_of_hex_digits_is_still_base64() {
        // 22 base64 characters that happen to be hex digits: 11 bytes as hex, 16 as base64.
        let (_, key) = parse_key_arg(&format!("{KID}:0123456789abcdef01234A")).expect("base64");
        assert_eq!(key.expose_secret()[0], 0xd3);
    }

    #[test]
    fn bad_arguments_never_echo_the_key() {
        assert_eq!(parse_key_arg(KEY_HEX), Err(KeyArgError::MissingColon));
        assert!(matches!(
            parse_key_arg("xyz:00"),
            Err(KeyArgError::BadKid { .. })
        ));
        let secret = "166634c675823c235a4a9446fad52e";
        let e = parse_key_arg(&format!("{KID}:{secret}")).expect_err("15 bytes");
        assert!(matches!(e, KeyArgError::BadKey { .. }));
        assert!(!e.to_string().contains(secret), "{e}");
        assert!(!format!("{e:?}").contains(secret));
    }

    #[test]
    fn static_callback_and_chain() {
        let kid: Uuid = KID.parse().expect("uuid");
        let other = Uuid([7; 16]);
        let keys = StaticKeys::from_args([format!("{KID}:{KEY_HEX}").as_str()]).expect("keys");
        assert!(!format!("{keys:?}").contains("1666"));
        assert!(block_on(keys.key(kid)).is_ok());
        assert_eq!(
            block_on(keys.key(other)),
            Err(DecryptError::KeyUnavailable { kid: other })
        );
        let cb = CallbackProvider::new(move |k| (k == other).then(|| ContentKey::new([9; 16])));
        let chain = FirstOf::new(vec![Arc::new(keys), Arc::new(cb)]);
        assert_eq!(
            block_on(chain.key(other))
                .expect("from callback")
                .expose_secret(),
            &[9; 16]
        );
        let third = Uuid([8; 16]);
        assert_eq!(
            block_on(chain.key(third)),
            Err(DecryptError::KeyUnavailable { kid: third })
        );
    }
}
