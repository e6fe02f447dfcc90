//! W3C Encrypted Media Extensions ClearKey messages (EME §9.1.3-9.1.4): the license request
//! `{"kids":["<base64url KID>",…],"type":"temporary"}` and the JSON Web Key set answer
//! `{"keys":[{"kty":"oct","k":"<base64url key>","kid":"<base64url KID>"}],…}`.
//! KIDs are the 16 bytes of the canonical (big-endian) UUID, as in `tenc`/`senc`.

use crate::base::{ContentKey, Uuid};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Why a ClearKey answer could not be used. Never includes key material or the answer's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClearKeyJsonError {
    /// Not JSON of the expected shape.
    #[error("malformed ClearKey key set: {what}")]
    Malformed {
        /// What serde found wrong (category and position only).
        what: String,
    },
    /// A `kid` that is not base64url of 16 bytes.
    #[error("key {index} of the key set has a kid that is not base64url of 16 bytes")]
    BadKid {
        /// Index in `keys`.
        index: usize,
    },
    /// A `k` that is not base64url of 16 bytes (the value is not repeated).
    #[error("the key for KID {kid} is not base64url of 16 bytes")]
    BadKey {
        /// The KID.
        kid: Uuid,
    },
}

#[derive(Serialize)]
struct Request<'a> {
    kids: Vec<String>,
    #[serde(rename = "type")]
    kind: &'a str,
}

#[derive(Deserialize)]
struct KeySet {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    kid: String,
    k: String,
}

/// base64url without padding, as EME requires.
pub fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url, tolerating padding and the standard alphabet some servers send.
fn decode_b64url(s: &str) -> Option<Zeroizing<Vec<u8>>> {
    let t: Zeroizing<String> = Zeroizing::new(
        s.trim_end_matches('=')
            .chars()
            .map(|c| match c {
                '+' => '-',
                '/' => '_',
                c => c,
            })
            .collect(),
    );
    URL_SAFE_NO_PAD
        .decode(t.as_bytes())
        .ok()
        .map(Zeroizing::new)
}

/// The JSON body of a license request for `kids` (session type `temporary`).
pub fn license_request(kids: &[Uuid]) -> String {
    let req = Request {
        kids: kids.iter().map(|k| base64url(&k.0)).collect(),
        kind: "temporary",
    };
    // Serialising strings into a JSON object cannot fail.
    serde_json::to_string(&req).unwrap_or_default()
}

/// The keys of a JSON Web Key set answer; entries whose `kty` is not `oct` are skipped.
pub fn parse_key_set(body: &[u8]) -> Result<Vec<(Uuid, ContentKey)>, ClearKeyJsonError> {
    let set: KeySet = serde_json::from_slice(body).map_err(|e| ClearKeyJsonError::Malformed {
        // serde's message can quote the input (a key!): keep the category and position only.
        what: format!(
            "{:?} error at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ),
    })?;
    let mut out = Vec::with_capacity(set.keys.len());
    for (index, jwk) in set.keys.into_iter().enumerate() {
        let k = Zeroizing::new(jwk.k);
        if jwk.kty != "oct" {
            continue;
        }
        let kid = decode_b64url(&jwk.kid)
            .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
            .map(Uuid)
            .ok_or(ClearKeyJsonError::BadKid { index })?;
        let key = decode_b64url(&k)
            .and_then(|b| ContentKey::from_slice(&b))
            .ok_or(ClearKeyJsonError::BadKey { kid })?;
        out.push((kid, key));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // dash.js 1.x (`ProtectionExtensions.js`, ClearKey test keys) publishes this pair in
    // base64url: KID 10000000-1000-1000-1000-100000000001 is "EAAAABAAEAAQABAAAAAAAQ" and
    // key 3a2a1b68dd2bd9b2eeb25e84c4776668 is "OiobaN0r2bLusl6ExHdmaA".
    const KID_B64: &str = "EAAAABAAEAAQABAAAAAAAQ";
    const KEY_B64: &str = "OiobaN0r2bLusl6ExHdmaA";

    #[test]
    fn request_uses_base64url_without_padding() {
        let kid: Uuid = "10000000-1000-1000-1000-100000000001".parse().expect("kid");
        let other = Uuid([0xfb; 16]);
        assert_eq!(
            license_request(&[kid, other]),
            format!(r#"{{"kids":["{KID_B64}","-_v7-_v7-_v7-_v7-_v7-w"],"type":"temporary"}}"#)
        );
    }

    #[test]
    fn parses_a_key_set() {
        let body = format!(
            r#"{{"keys":[{{"kty":"oct","k":"{KEY_B64}","kid":"{KID_B64}"}}],"type":"temporary"}}"#
        );
        let keys = parse_key_set(body.as_bytes()).expect("key set");
        assert_eq!(keys.len(), 1);
        assert_eq!(
            keys[0].0.to_string(),
            "10000000-1000-1000-1000-100000000001"
        );
        assert_eq!(
            hex::encode(keys[0].1.expose_secret()),
            "3a2a1b68dd2bd9b2eeb25e84c4776668"
        );
    }

    #[test]
    fn tolerates_padding_and_skips_other_key_types() {
        let body = r#"{"keys":[{"kty":"RSA","kid":"x","k":"y"},{"kty":"oct","k":"tQ0bJVWb6b0KPL6bJ3nxGg==","kid":"flcdAX5XHQF+Vx0BflcdAQ=="}]}"#;
        let keys = parse_key_set(body.as_bytes()).expect("key set");
        assert_eq!(keys.len(), 1);
    }

    #[test]
    fn errors_never_quote_the_answer() {
        let secret = "tQ0bJVWb6b0KPL6bJ3nxGg";
        let body = format!(r#"{{"keys":[{{"kty":"oct","k":{secret:?},"kid":7}}]}}"#);
        let e = parse_key_set(body.as_bytes()).expect_err("kid is a number");
        assert!(matches!(e, ClearKeyJsonError::Malformed { .. }));
        assert!(!e.to_string().contains(secret), "{e}");
        let body = format!(r#"{{"keys":[{{"kty":"oct","k":"c2hvcnQ","kid":"{KID_B64}"}}]}}"#);
        let e = parse_key_set(body.as_bytes()).expect_err("short key");
        assert!(matches!(e, ClearKeyJsonError::BadKey { .. }));
        assert!(matches!(
            parse_key_set(br#"{"keys":[{"kty":"oct","k":"c2hvcnQ","kid":"AAAA"}]}"#),
            Err(ClearKeyJsonError::BadKid { index: 0 })
        ));
        assert!(matches!(
            parse_key_set(b"<html>"),
            Err(ClearKeyJsonError::Malformed { .. })
        ));
    }
}
