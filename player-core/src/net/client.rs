//! The one way an HTTP client is built from a [`FetchConfig`]: identity (User-Agent, extra
//! headers), timeouts, the proxy rules, and the platform's trusted roots plus the CA files.
//! The fetcher and the ClearKey license client both use it, so both honour `--ca-file` and
//! `--proxy` alike.

use std::sync::{Arc, Once};

use super::proxy::ProxyRules;
use super::tls::{innermost, read_ca_file};
use super::{FetchConfig, NetError};

static CRYPTO_PROVIDER: Once = Once::new();

/// Installs the ring rustls provider once per process; a provider already installed stays.
pub fn install_crypto_provider() {
    CRYPTO_PROVIDER.call_once(|| {
        // Another part of the process may have installed one already: that is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The proxy rules `config` asks for, reading the process environment.
pub fn proxy_rules(config: &FetchConfig) -> Result<ProxyRules, NetError> {
    ProxyRules::new(&config.proxy, |name| std::env::var(name).ok())
}

/// A client for `config`; fails when a header, a CA file or the proxy cannot be used, or the
/// TLS stack cannot be initialised.
pub fn http_client(config: &FetchConfig) -> Result<reqwest::Client, NetError> {
    install_crypto_provider();
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in &config.headers {
        let bad = |what: &str| NetError::BadInput {
            input: format!("{name}: {value}"),
            reason: format!("invalid header {what}"),
        };
        let n =
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad("name"))?;
        let v = reqwest::header::HeaderValue::from_str(value).map_err(|_| bad("value"))?;
        headers.insert(n, v);
    }
    let mut roots = Vec::new();
    for path in &config.ca_files {
        roots.extend(read_ca_file(path)?);
    }
    let rules = Arc::new(proxy_rules(config)?);
    let mut builder = reqwest::Client::builder()
        .user_agent(config.user_agent.clone())
        .default_headers(headers)
        .connect_timeout(config.connect_timeout)
        .read_timeout(config.read_timeout)
        // Added to the platform's roots; nothing here can turn verification off.
        .tls_certs_merge(roots);
    builder = if rules.any() {
        builder.proxy(reqwest::Proxy::custom(move |url| {
            rules.proxy_for(url).cloned()
        }))
    } else {
        builder.no_proxy()
    };
    builder.build().map_err(|e| NetError::Transport {
        url: String::new(),
        message: format!("cannot build the HTTP client: {}", innermost(&e)),
    })
}
