//! ClearKey license client: POSTs a W3C EME ClearKey license request to `--license-url` and
//! reads the JSON Web Key set answer. The JSON itself lives in `decrypt::clearkey_json`.

use crate::base::Uuid;
use crate::decrypt::DecryptError;
use crate::decrypt::clearkey_json::{ClearKeyJsonError, license_request, parse_key_set};
use crate::decrypt::key::{ContentKey, KeyFuture, KeyProvider};
use std::time::Duration;
use url::Url;
use zeroize::Zeroizing;

/// Largest license answer read (bytes); a key set for a few KIDs is a few hundred bytes.
pub const MAX_LICENSE_BYTES: usize = 1024 * 1024;
/// Time allowed to connect to the license server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
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
pub struct ClearKeyProvider {
    client: reqwest::Client,
    url: Url,
}

/// Installs the ring rustls provider once per process; a provider already installed stays.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl ClearKeyProvider {
    /// A provider posting to `url` with its own HTTP client.
    pub fn new(url: &str) -> Result<ClearKeyProvider, ClearKeyError> {
        let url = Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| ClearKeyError::BadUrl {
                url: url.to_string(),
            })?;
        install_crypto_provider();
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| ClearKeyError::Client {
                reason: e.to_string(),
            })?;
        Ok(ClearKeyProvider { client, url })
    }

    /// A provider posting to `url` with an existing client (shared connection pool).
    pub fn with_client(client: reqwest::Client, url: Url) -> ClearKeyProvider {
        ClearKeyProvider { client, url }
    }

    /// The license URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Requests the keys for `kids`; returns what the server sent (maybe fewer, maybe more).
    pub async fn fetch(&self, kids: &[Uuid]) -> Result<Vec<(Uuid, ContentKey)>, ClearKeyError> {
        let transport = |e: reqwest::Error| ClearKeyError::Transport {
            reason: e.to_string(),
        };
        let mut response = self
            .client
            .post(self.url.clone())
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

impl KeyProvider for ClearKeyProvider {
    fn key(&self, kid: Uuid) -> KeyFuture<'_> {
        Box::pin(async move {
            let url = self.url.to_string();
            match self.fetch(&[kid]).await {
                Ok(keys) => keys
                    .into_iter()
                    .find(|(k, _)| *k == kid)
                    .map(|(_, key)| key)
                    .ok_or(DecryptError::KeyUnavailable { kid }),
                Err(ClearKeyError::Http { status }) => {
                    Err(DecryptError::LicenseDenied { kid, url, status })
                }
                Err(e) => Err(DecryptError::LicenseFailed {
                    kid,
                    url,
                    reason: e.to_string(),
                }),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decrypt::clearkey_json::base64url;
    use crate::decrypt::key::KeyCache;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;
    use tokio::sync::mpsc;

    const KID: &str = "10000000-1000-1000-1000-100000000001";
    const KEY_HEX: &str = "3a2a1b68dd2bd9b2eeb25e84c4776668";

    /// One request as the test server saw it.
    struct Seen {
        head: String,
        body: String,
    }

    /// A tiny HTTP/1.1 server on 127.0.0.1 answering every request with `status` and `body`.
    async fn server(
        status: u16,
        body: String,
    ) -> (String, mpsc::UnboundedReceiver<Seen>, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = mpsc::unbounded_channel();
        let count = Arc::new(AtomicUsize::new(0));
        let counter = count.clone();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    let n = sock.read(&mut chunk).await.expect("read");
                    assert!(n > 0, "client closed early");
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let len: usize = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().to_string())
                    })
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                while buf.len() < head_end + len {
                    let n = sock.read(&mut chunk).await.expect("read body");
                    assert!(n > 0, "client closed early");
                    buf.extend_from_slice(&chunk[..n]);
                }
                let req_body = String::from_utf8_lossy(&buf[head_end..head_end + len]).to_string();
                let _ = tx.send(Seen {
                    head,
                    body: req_body,
                });
                let answer = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                sock.write_all(answer.as_bytes()).await.expect("write");
                let _ = sock.shutdown().await;
            }
        });
        (format!("http://{addr}/clearkey/license"), rx, count)
    }

    fn key_set(kid: Uuid, key_hex: &str) -> String {
        let key = hex::decode(key_hex).expect("hex");
        format!(
            r#"{{"keys":[{{"kty":"oct","k":"{}","kid":"{}"}}],"type":"temporary"}}"#,
            base64url(&key),
            base64url(&kid.0)
        )
    }

    #[tokio::test]
    async fn posts_an_eme_request_and_reads_the_key() {
        let kid: Uuid = KID.parse().expect("kid");
        let (url, mut seen, _) = server(200, key_set(kid, KEY_HEX)).await;
        let provider = ClearKeyProvider::new(&url).expect("provider");
        let key = provider.key(kid).await.expect("key");
        assert_eq!(hex::encode(key.expose_secret()), KEY_HEX);
        let req = seen.recv().await.expect("a request");
        assert!(
            req.head.starts_with("POST /clearkey/license HTTP/1.1\r\n"),
            "{}",
            req.head
        );
        assert!(
            req.head
                .to_ascii_lowercase()
                .contains("content-type: application/json")
        );
        assert_eq!(
            req.body,
            r#"{"kids":["EAAAABAAEAAQABAAAAAAAQ"],"type":"temporary"}"#
        );
    }

    #[tokio::test]
    async fn http_403_is_license_denied() {
        let kid: Uuid = KID.parse().expect("kid");
        let (url, _seen, _) = server(403, r#"{"error":"forbidden"}"#.into()).await;
        let provider = ClearKeyProvider::new(&url).expect("provider");
        assert_eq!(
            provider.key(kid).await,
            Err(DecryptError::LicenseDenied {
                kid,
                url: url.clone(),
                status: 403
            })
        );
    }

    #[tokio::test]
    async fn answers_without_the_kid_or_with_bad_json_fail_cleanly() {
        let kid: Uuid = KID.parse().expect("kid");
        let other = Uuid([0x77; 16]);
        let (url, _s, _) = server(200, key_set(other, KEY_HEX)).await;
        let provider = ClearKeyProvider::new(&url).expect("provider");
        assert_eq!(
            provider.key(kid).await,
            Err(DecryptError::KeyUnavailable { kid })
        );

        let secret = base64url(&hex::decode(KEY_HEX).expect("hex"));
        let (url, _s, _) = server(200, format!(r#"{{"keys":[{{"k":"{secret}""#)).await;
        let provider = ClearKeyProvider::new(&url).expect("provider");
        let e = provider.key(kid).await.expect_err("truncated JSON");
        assert!(matches!(e, DecryptError::LicenseFailed { .. }), "{e:?}");
        assert!(!e.to_string().contains(&secret), "{e}");
    }

    #[tokio::test]
    async fn oversized_answers_and_dead_servers_are_errors() {
        let kid: Uuid = KID.parse().expect("kid");
        let (url, _s, _) = server(200, "x".repeat(MAX_LICENSE_BYTES + 1)).await;
        let provider = ClearKeyProvider::new(&url).expect("provider");
        assert_eq!(
            provider.fetch(&[kid]).await.expect_err("too large"),
            ClearKeyError::TooLarge {
                limit: MAX_LICENSE_BYTES
            }
        );
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let provider =
            ClearKeyProvider::new(&format!("http://127.0.0.1:{port}/")).expect("provider");
        assert!(matches!(
            provider.key(kid).await,
            Err(DecryptError::LicenseFailed { .. })
        ));
        assert!(matches!(
            ClearKeyProvider::new("ftp://example.invalid/"),
            Err(ClearKeyError::BadUrl { .. })
        ));
    }

    #[tokio::test]
    async fn the_cache_asks_the_server_once_per_kid() {
        let kid: Uuid = KID.parse().expect("kid");
        let (url, _s, count) = server(200, key_set(kid, KEY_HEX)).await;
        let cache = KeyCache::new(Arc::new(ClearKeyProvider::new(&url).expect("provider")));
        let (a, b) = tokio::join!(cache.key(kid), cache.key(kid));
        assert_eq!(a.expect("a"), b.expect("b"));
        assert!(cache.key(kid).await.is_ok());
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }
}
