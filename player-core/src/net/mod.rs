//! I/O at the edge: fetching manifests and fragments over HTTP(S) or from local files.

pub mod clearkey;
mod error;
mod fetcher;
pub mod local_file;
mod retry;
mod source;

pub use error::NetError;
pub use fetcher::{Download, FetchConfig, Fetcher, Progress, Verdict};
pub use retry::RetryPolicy;
pub use source::manifest_url;
