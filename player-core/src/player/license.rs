//! The ClearKey license server as a [`KeyProvider`]: the HTTP exchange is
//! `net::clearkey`; here its failures become the `DecryptError`s the player reports.

use url::Url;

use crate::base::{ContentKey, Uuid};
use crate::decrypt::{DecryptError, KeyFuture, KeyProvider};
use crate::net::clearkey::{ClearKeyClient, ClearKeyError};

/// Asks a ClearKey license server for keys (W3C EME §9.1), one KID at a time.
#[derive(Debug, Clone)]
pub struct ClearKeyProvider {
    client: ClearKeyClient,
}

impl ClearKeyProvider {
    /// A provider posting to `url` with its own HTTP client.
    pub fn new(url: &str) -> Result<ClearKeyProvider, ClearKeyError> {
        Ok(ClearKeyProvider {
            client: ClearKeyClient::new(url)?,
        })
    }

    /// A provider posting to `url` with its own HTTP client built for `network` (proxy,
    /// extra trusted roots, identity).
    pub fn with_network(
        url: &str,
        network: &crate::net::FetchConfig,
    ) -> Result<ClearKeyProvider, ClearKeyError> {
        Ok(ClearKeyProvider {
            client: ClearKeyClient::with_network(url, network)?,
        })
    }

    /// A provider posting to `url` with an existing HTTP client (shared connection pool).
    pub fn with_client(client: reqwest::Client, url: Url) -> ClearKeyProvider {
        ClearKeyProvider {
            client: ClearKeyClient::with_client(client, url),
        }
    }

    /// The license URL.
    pub fn url(&self) -> &Url {
        self.client.url()
    }

    /// Requests the keys for `kids`; returns what the server sent (maybe fewer, maybe more).
    pub async fn fetch(&self, kids: &[Uuid]) -> Result<Vec<(Uuid, ContentKey)>, ClearKeyError> {
        self.client.fetch(kids).await
    }
}

impl KeyProvider for ClearKeyProvider {
    fn key(&self, kid: Uuid) -> KeyFuture<'_> {
        Box::pin(async move {
            let url = self.client.url().to_string();
            match self.client.fetch(&[kid]).await {
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
    use crate::decrypt::KeyCache;
    use crate::net::clearkey::MAX_LICENSE_BYTES;
    use crate::net::clearkey_json::base64url;
    use crate::net::testutil::{key_set, server};
    use std::sync::Arc;
    use std::sync::atomic::Ordering;

    const KID: &str = "10000000-1000-1000-1000-100000000001";
    const KEY_HEX: &str = "3a2a1b68dd2bd9b2eeb25e84c4776668";

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
