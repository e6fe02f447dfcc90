//! A W3C EME ClearKey license endpoint (`POST /clearkey`): reads the license request
//! `{"kids":["<base64url KID>",…],"type":"temporary"}` and answers the JSON Web Key set of the
//! requested keys it holds (EME §9.1.3-9.1.4). Written apart from the player's own ClearKey
//! code so each checks the other. Can be told to refuse every request (HTTP 403 tests).

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use player_core::manifest::Uuid;
use serde::{Deserialize, Serialize};

/// The path the endpoint answers on.
pub const CLEARKEY_PATH: &str = "/clearkey";

/// Largest license request read (bytes); a request for a few KIDs is a few hundred bytes.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// What the ClearKey endpoint knows and how it behaves.
#[derive(Clone, Default)]
pub struct ClearKeyConfig {
    /// KID → content key pairs it hands out.
    pub keys: Vec<(Uuid, [u8; 16])>,
    /// When set, every request is answered with this HTTP status and no keys (e.g. 403).
    pub refuse_with: Option<u16>,
}

impl ClearKeyConfig {
    /// Hands out `keys`.
    pub fn with_keys(keys: impl IntoIterator<Item = (Uuid, [u8; 16])>) -> ClearKeyConfig {
        ClearKeyConfig {
            keys: keys.into_iter().collect(),
            refuse_with: None,
        }
    }

    /// Refuses every request with `status`.
    pub fn refusing(status: u16) -> ClearKeyConfig {
        ClearKeyConfig {
            keys: Vec::new(),
            refuse_with: Some(status),
        }
    }
}

impl std::fmt::Debug for ClearKeyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kids: Vec<String> = self.keys.iter().map(|(k, _)| k.to_string()).collect();
        f.debug_struct("ClearKeyConfig")
            .field("kids", &kids)
            .field("refuse_with", &self.refuse_with)
            .finish()
    }
}

#[derive(Deserialize)]
struct LicenseRequest {
    kids: Vec<String>,
}

#[derive(Serialize)]
struct Jwk {
    kty: &'static str,
    kid: String,
    k: String,
}

#[derive(Serialize)]
struct KeySet {
    keys: Vec<Jwk>,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// The answer to one license request: status and JSON body.
pub fn answer(config: &ClearKeyConfig, body: &[u8]) -> (StatusCode, String) {
    if let Some(code) = config.refuse_with {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::FORBIDDEN);
        return (status, r#"{"error":"license refused"}"#.into());
    }
    if body.len() > MAX_REQUEST_BYTES {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            r#"{"error":"request too large"}"#.into(),
        );
    }
    let Ok(request) = serde_json::from_slice::<LicenseRequest>(body) else {
        return (
            StatusCode::BAD_REQUEST,
            r#"{"error":"not a ClearKey license request"}"#.into(),
        );
    };
    let mut keys = Vec::new();
    for kid_text in &request.kids {
        let Some(kid) = URL_SAFE_NO_PAD
            .decode(kid_text.trim_end_matches('='))
            .ok()
            .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
            .map(Uuid)
        else {
            return (
                StatusCode::BAD_REQUEST,
                format!(r#"{{"error":"kid {kid_text:?} is not base64url of 16 bytes"}}"#),
            );
        };
        if let Some((_, key)) = config.keys.iter().find(|(k, _)| *k == kid) {
            keys.push(Jwk {
                kty: "oct",
                kid: URL_SAFE_NO_PAD.encode(kid.0),
                k: URL_SAFE_NO_PAD.encode(key),
            });
        }
    }
    let set = KeySet {
        keys,
        kind: "temporary",
    };
    match serde_json::to_string(&set) {
        Ok(text) => (StatusCode::OK, text),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KID: Uuid = Uuid([0x10; 16]);
    const KEY: [u8; 16] = [0x3a; 16];

    #[test]
    fn answers_the_requested_keys_it_has() {
        let config = ClearKeyConfig::with_keys([(KID, KEY)]);
        let other = URL_SAFE_NO_PAD.encode([0x77; 16]);
        let req = format!(
            r#"{{"kids":["{}","{other}"],"type":"temporary"}}"#,
            URL_SAFE_NO_PAD.encode(KID.0)
        );
        let (status, body) = answer(&config, req.as_bytes());
        assert_eq!(status, StatusCode::OK);
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(v["type"], "temporary");
        assert_eq!(v["keys"].as_array().map(Vec::len), Some(1));
        assert_eq!(v["keys"][0]["kty"], "oct");
        assert_eq!(v["keys"][0]["kid"], "EBAQEBAQEBAQEBAQEBAQEA");
        assert_eq!(v["keys"][0]["k"], "Ojo6Ojo6Ojo6Ojo6Ojo6Og");
    }

    #[test]
    fn refusals_and_bad_requests() {
        let (status, body) = answer(&ClearKeyConfig::refusing(403), b"{}");
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(!body.contains("keys"));
        let config = ClearKeyConfig::with_keys([(KID, KEY)]);
        assert_eq!(answer(&config, b"{").0, StatusCode::BAD_REQUEST);
        assert_eq!(
            answer(&config, br#"{"kids":["AAAA"]}"#).0,
            StatusCode::BAD_REQUEST
        );
        let big = vec![b' '; MAX_REQUEST_BYTES + 1];
        assert_eq!(answer(&config, &big).0, StatusCode::PAYLOAD_TOO_LARGE);
        let shown = format!("{config:?}");
        assert!(
            shown.contains("10101010-1010") && !shown.contains("58"),
            "{shown}"
        );
    }
}
