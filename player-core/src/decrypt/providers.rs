//! Key providers that need no network: static `KID:KEY` pairs, an embedder's callback, and a
//! chain that asks several providers in turn.

use super::DecryptError;
use super::key::{ContentKey, KeyFuture, KeyProvider};
use crate::base::Uuid;
use std::collections::HashMap;
use std::sync::Arc;

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
    fn static_callback_and_chain() {
        let kid: Uuid = KID.parse().expect("uuid");
        let other = Uuid([7; 16]);
        let mut keys = StaticKeys::new();
        let key = hex::decode(KEY_HEX).expect("hex");
        keys.insert(kid, ContentKey::from_slice(&key).expect("16 bytes"));
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
