//! `KID:KEY` and key-seed arguments of the test tools (`smoothplay-origin --clearkey`,
//! `piff-encrypt --key` / `--key-seed`), read as the player's command line reads them:
//! KID as a UUID or 32 hex digits, secrets as hex or base64 (standard or URL-safe).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use player_core::decrypt::KeySeed;
use player_core::decrypt::key_seed::KEY_SEED_LEN;
use player_core::manifest::Uuid;

/// Secret bytes written as hex or base64 whose length `accept`s; hex is tried first.
fn decode_secret(s: &str, accept: impl Fn(usize) -> bool) -> Option<Vec<u8>> {
    let s = s.trim();
    if let Ok(v) = hex::decode(s)
        && accept(v.len())
    {
        return Some(v);
    }
    let unpadded = s.trim_end_matches('=');
    let engine = if unpadded.contains(['-', '_']) {
        URL_SAFE_NO_PAD
    } else {
        STANDARD_NO_PAD
    };
    engine.decode(unpadded).ok().filter(|v| accept(v.len()))
}

/// Parses `KID:KEY`; the error names what is wrong without repeating the key.
pub fn parse_key_arg(arg: &str) -> Result<(Uuid, [u8; 16]), String> {
    let (kid_text, key_text) = arg.split_once(':').ok_or(
        "expected KID:KEY (KID as a UUID or 32 hex digits, KEY as 32 hex digits or base64)",
    )?;
    let kid: Uuid = kid_text
        .parse()
        .map_err(|()| format!("KID {kid_text:?} is not a UUID or 32 hex digits"))?;
    let key = decode_secret(key_text, |n| n == 16)
        .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
        .ok_or_else(|| format!("the key for KID {kid} is not 16 bytes of hex or base64"))?;
    Ok((kid, key))
}

/// Parses a PlayReady key seed written as hex or base64 (at least 30 bytes).
pub fn parse_key_seed(text: &str) -> Result<KeySeed, String> {
    decode_secret(text, |n| n >= KEY_SEED_LEN)
        .and_then(|b| KeySeed::from_bytes(&b))
        .ok_or_else(|| "the key seed must be at least 30 bytes, written as hex or base64".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hex_and_base64_keys_and_seeds() {
        let kid = "9eb4050d-e44b-4802-932e-27d75083e266";
        for key in [
            "166634c675823c235a4a9446fad52e4d",
            "FmY0xnWCPCNaSpRG+tUuTQ==",
        ] {
            let (k, bytes) = parse_key_arg(&format!("{kid}:{key}")).expect("pair");
            assert_eq!(k.to_string(), kid);
            assert_eq!(bytes[..2], [0x16, 0x66]);
        }
        assert!(parse_key_arg("xyz").is_err());
        assert!(parse_key_arg(&format!("{kid}:0011")).is_err());
        assert!(parse_key_seed("XVBovsmzhP9gRIZxWfFta3VVRPzVEWmJsazEJ46I").is_ok());
        assert!(parse_key_seed("00").is_err());
    }
}
