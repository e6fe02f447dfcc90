//! Content keys as text: a KID, a `KID:KEY` pair and a PlayReady key seed, written as
//! hex or base64 on a command line (`--key`, `--key-seed`). Secrets are decoded into
//! buffers that are zeroed when dropped, and no error repeats them.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use player_core::decrypt::key_seed::KEY_SEED_LEN;
use player_core::decrypt::{ContentKey, KeySeed};
use player_core::manifest::Uuid;
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

/// Why a key seed was refused (the seed itself is never repeated).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeySeedError {
    /// Not hex or base64 of at least 30 bytes.
    #[error("the key seed must be at least 30 bytes, written as hex or base64")]
    Invalid,
}

/// Parses a seed written as hex or base64 (`--key-seed SEED`, at least 30 bytes).
pub fn parse_key_seed(text: &str) -> Result<KeySeed, KeySeedError> {
    let bytes = decode_secret(text, |n| n >= KEY_SEED_LEN).ok_or(KeySeedError::Invalid)?;
    KeySeed::from_bytes(&bytes).ok_or(KeySeedError::Invalid)
}

#[cfg(test)]
mod tests {
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
    fn seeds_need_30_bytes_of_hex_or_base64() {
        let long = hex::encode([0x5d; 40]);
        assert!(parse_key_seed(&long).is_ok());
        assert!(parse_key_seed("XVBovsmzhP9gRIZxWfFta3VVRPzVEWmJsazEJ46I").is_ok());
        assert_eq!(
            parse_key_seed(&hex::encode([1; 29])).err(),
            Some(KeySeedError::Invalid)
        );
    }
}
