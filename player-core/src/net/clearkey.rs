//! ClearKey license client: POSTs a W3C EME ClearKey license request to `--license-url` and
//! reads the JSON Web Key set answer. The JSON itself lives in [`super::clearkey_json`]; the
//! key provider that asks this client is `player::license::ClearKeyProvider`.

use super::clearkey_json::{ClearKeyJsonError, license_request, parse_key_set};
use super::tls::{certificate_error, innermost};
use super::{FetchConfig, http_client};
use crate::base::{ContentKey, Uuid};
use std::time::Duration;
use url::Url;
use zeroize::Zeroizing;

/// Largest license answer read (bytes); a key set for a few KIDs is a few hundred bytes.
pub const MAX_LICENSE_BYTES: usize = 1024 * 1024;
/// Time allowed for a whole license exchange.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// What went wrong asking a ClearKey license server. Never includes the answer's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClearKeyError {
    /// The license URL does not parse or is not http(s).
    #[error("license URL {url:?} is not an http(s) URL")]
    BadUrl {
        /// The URL as given.
        url: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {reason}")]
    Client {
        /// Why.
        reason: String,
    },
    /// The server answered with an error status (403 when it refuses the KIDs).
    #[error("license server answered HTTP {status}")]
    Http {
        /// HTTP status code.
        status: u16,
    },
    /// Connecting, sending or receiving failed (including timeouts).
    #[error("license request failed: {reason}")]
    Transport {
        /// Why.
        reason: String,
    },
    /// The answer is larger than [`MAX_LICENSE_BYTES`].
    #[error("license answer larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// The answer is not a usable JSON Web Key set.
    #[error(transparent)]
    Json(#[from] ClearKeyJsonError),
}

/// Asks a ClearKey license server for keys (W3C EME §9.1, JSON license request / JWK set).
#[derive(Debug, Clone)]
pub struct ClearKeyClient {
    client: reqwest::Client,
    url: Url,
}

impl ClearKeyClient {
    /// A client posting to `url` with its own HTTP client and default network settings
    /// (the environment's proxy, the platform's trusted roots).
    pub fn new(url: &str) -> Result<ClearKeyClient, ClearKeyError> {
        ClearKeyClient::with_network(url, &FetchConfig::default())
    }

    /// A client posting to `url` with its own HTTP client built for `network` (user agent,
    /// headers, proxy, extra trusted roots).
    pub fn with_network(url: &str, network: &FetchConfig) -> Result<ClearKeyClient, ClearKeyError> {
        let url = Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| ClearKeyError::BadUrl {
                url: url.to_string(),
            })?;
        let client = http_client(network).map_err(|e| ClearKeyError::Client {
            reason: e.to_string(),
        })?;
        Ok(ClearKeyClient { client, url })
    }

    /// A client posting to `url` with an existing HTTP client (shared connection pool).
    pub fn with_client(client: reqwest::Client, url: Url) -> ClearKeyClient {
        ClearKeyClient { client, url }
    }

    /// The license URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Requests the keys for `kids`; returns what the server sent (maybe fewer, maybe more).
    pub async fn fetch(&self, kids: &[Uuid]) -> Result<Vec<(Uuid, ContentKey)>, ClearKeyError> {
        let transport = |e: reqwest::Error| ClearKeyError::Transport {
            reason: certificate_error(&e)
                .map(|r| format!("TLS certificate refused: {r}"))
                .unwrap_or_else(|| innermost(&e)),
        };
        let mut response = self
            .client
            .post(self.url.clone())
            .timeout(REQUEST_TIMEOUT)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(license_request(kids))
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if !status.is_success() {
            return Err(ClearKeyError::Http {
                status: status.as_u16(),
            });
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_LICENSE_BYTES as u64)
        {
            return Err(ClearKeyError::TooLarge {
                limit: MAX_LICENSE_BYTES,
            });
        }
        // The body holds keys: keep it in a buffer that is zeroed when dropped.
        let mut body = Zeroizing::new(Vec::new());
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > MAX_LICENSE_BYTES {
                return Err(ClearKeyError::TooLarge {
                    limit: MAX_LICENSE_BYTES,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(parse_key_set(&body)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::testutil::{key_set, server};

    const KID: &str = "10000000-1000-1000-1000-100000000001";
    const KEY_HEX: &str = "3a2a1b68dd2bd9b2eeb25e84c4776668";

    #[tokio::test]
    async fn fetch_posts_the_kids_and_returns_the_answered_keys() {
        let kid: Uuid = KID.parse().expect("kid");
        let other = Uuid([0x77; 16]);
        let (url, mut seen, _) = server(200, key_set(other, KEY_HEX)).await;
        let client = ClearKeyClient::new(&url).expect("client");
        assert_eq!(client.url().as_str(), url);
        let keys = client.fetch(&[kid]).await.expect("keys");
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].0, other);
        assert_eq!(hex::encode(keys[0].1.expose_secret()), KEY_HEX);
        let req = seen.recv().await.expect("a request");
        assert!(req.head.starts_with("POST /clearkey/license HTTP/1.1\r\n"));
        assert_eq!(
            req.body,
            r#"{"kids":["EAAAABAAEAAQABAAAAAAAQ"],"type":"temporary"}"#
        );
    }

    #[tokio::test]
    async fn statuses_sizes_and_bad_answers_are_typed_errors() {
        let kid: Uuid = KID.parse().expect("kid");
        let (url, _s, _) = server(403, "{}".into()).await;
        let client = ClearKeyClient::new(&url).expect("client");
        assert_eq!(
            client.fetch(&[kid]).await.expect_err("403"),
            ClearKeyError::Http { status: 403 }
        );
        let (url, _s, _) = server(200, "x".repeat(MAX_LICENSE_BYTES + 1)).await;
        let client = ClearKeyClient::new(&url).expect("client");
        assert_eq!(
            client.fetch(&[kid]).await.expect_err("too large"),
            ClearKeyError::TooLarge {
                limit: MAX_LICENSE_BYTES
            }
        );
        let (url, _s, _) = server(200, "<html>".into()).await;
        let client = ClearKeyClient::new(&url).expect("client");
        assert!(matches!(
            client.fetch(&[kid]).await,
            Err(ClearKeyError::Json(ClearKeyJsonError::Malformed { .. }))
        ));
        assert!(matches!(
            ClearKeyClient::new("ftp://example.invalid/"),
            Err(ClearKeyError::BadUrl { .. })
        ));
    }
}
