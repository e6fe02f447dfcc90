//! I/O at the edge: fetching manifests and fragments over HTTP(S) or from local files.

pub mod clearkey;
pub mod clearkey_json;
mod client;
mod compression;
mod error;
mod fetcher;
pub mod local_file;
mod marker_read;
pub mod proxy;
mod retry;
mod single_file;
mod source;
#[cfg(test)]
pub(crate) mod testutil;
pub mod tls;

pub use client::{http_client, install_crypto_provider};
pub use compression::MANIFEST_ACCEPT_ENCODING;
pub use error::NetError;
pub use fetcher::{
    Download, FetchConfig, Fetcher, Progress, RequestKind, RetryNotice, RetryWatcher, Verdict,
};
pub use marker_read::load_markers;
pub use proxy::{ProxyRules, ProxySetting};
pub use retry::{Jitter, RetryPolicy};
pub use source::{Source, manifest_url};
