//! The host's keys, and the decryptor of a presentation's protected fragments.

use std::sync::Arc;

use crate::decrypt::{FragmentDecryptor, KeyProvider, StaticKeys};
use crate::manifest::Manifest;

/// A key provider as the host configures it.
#[derive(Clone)]
pub struct Keys(pub Arc<dyn KeyProvider>);

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

/// The decryptor for `manifest`'s PlayReady header and the host's keys (none: every
/// protected fragment fails with `KeyUnavailable`).
pub(crate) fn decryptor(manifest: &Manifest, keys: Option<&Keys>) -> FragmentDecryptor {
    let keys: Arc<dyn KeyProvider> = match keys {
        Some(k) => k.0.clone(),
        None => Arc::new(StaticKeys::new()),
    };
    let playready = manifest
        .protection
        .iter()
        .find_map(|p| p.playready.as_ref());
    FragmentDecryptor::new(playready, keys)
}
