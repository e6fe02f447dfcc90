//! I/O at the edge: fetching manifests and fragments over HTTP(S) or from local files.

pub mod clearkey;
pub mod clearkey_json;
mod error;
mod fetcher;
pub mod local_file;
mod retry;
mod single_file;
mod source;
#[cfg(test)]
pub(crate) mod testutil;

pub use error::NetError;
pub use fetcher::{Download, FetchConfig, Fetcher, Progress, Verdict};
pub use retry::RetryPolicy;
pub use source::{Source, manifest_url};
