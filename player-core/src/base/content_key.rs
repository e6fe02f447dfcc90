//! The AES-128 content key, a secret: redacted in `Debug`, zeroed when dropped.
//!
//! A leaf type because both the license client (`net`) and the decryptor hold keys.

use zeroize::Zeroize;

/// An AES-128 content key. Redacted in `Debug`, zeroed when dropped, never displayed.
#[derive(Clone, PartialEq, Eq)]
pub struct ContentKey([u8; 16]);

impl ContentKey {
    /// Wraps 16 key bytes.
    pub fn new(bytes: [u8; 16]) -> ContentKey {
        ContentKey(bytes)
    }

    /// A key from a slice; `None` unless it is exactly 16 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<ContentKey> {
        Some(ContentKey(bytes.try_into().ok()?))
    }

    /// The raw key bytes, for the cipher only (the name says what it does).
    pub fn expose_secret(&self) -> &[u8; 16] {
        &self.0
    }
}

impl std::fmt::Debug for ContentKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ContentKey(<redacted>)")
    }
}

impl Drop for ContentKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_key() {
        let k = ContentKey::new([0x5a; 16]);
        let shown = format!("{k:?} {:?}", Some(k.clone()));
        assert_eq!(shown, "ContentKey(<redacted>) Some(ContentKey(<redacted>))");
        assert!(!shown.contains("5a") && !shown.contains("90"));
        assert!(ContentKey::from_slice(&[1; 15]).is_none());
    }
}
