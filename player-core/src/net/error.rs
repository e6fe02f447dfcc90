//! Network and file errors, naming the URL that failed.

/// What went wrong fetching a resource.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NetError {
    /// The input is neither an http(s) URL nor an existing file or directory.
    #[error("cannot open {input}: {reason}")]
    BadInput {
        /// What the user gave.
        input: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The server answered with an HTTP error status.
    #[error("HTTP {status} for {url}")]
    Status {
        /// The URL requested.
        url: String,
        /// The status code.
        status: u16,
    },
    /// A live fragment that does not exist yet (HTTP 412, as IIS answers beyond the edge).
    #[error("not yet available: {url}")]
    NotYetAvailable {
        /// The URL requested.
        url: String,
    },
    /// Connecting, sending or receiving failed.
    #[error("transport error for {url}: {message}")]
    Transport {
        /// The URL requested.
        url: String,
        /// The underlying error.
        message: String,
    },
    /// No byte arrived within the timeout.
    #[error("timeout after {seconds:.1} s for {url}")]
    Timeout {
        /// The URL requested.
        url: String,
        /// The timeout that expired.
        seconds: f64,
    },
    /// The body is larger than the cap for this kind of resource.
    #[error("{url} is too large: more than {limit} bytes")]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The cap in bytes.
        limit: usize,
    },
    /// The body ended before its declared length.
    #[error("truncated body for {url}: got {got} of {expected} bytes")]
    Truncated {
        /// The URL requested.
        url: String,
        /// Bytes received.
        got: u64,
        /// Bytes declared by Content-Length.
        expected: u64,
    },
    /// A local file could not be read.
    #[error("cannot read {path}: {message}")]
    File {
        /// The file path.
        path: String,
        /// The OS error.
        message: String,
    },
    /// The server's TLS certificate was refused (expired, for another host name, or from an
    /// authority not trusted). Never retried: a bad certificate does not get better.
    #[error("TLS certificate of {url} refused: {reason}")]
    Certificate {
        /// The URL requested.
        url: String,
        /// What is wrong with the certificate.
        reason: String,
    },
    /// A file of extra trusted root certificates cannot be used.
    #[error("CA file {path}: {reason}")]
    CaFile {
        /// The file.
        path: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// A compressed body (manifests only) cannot be decoded.
    #[error("cannot decode {url}: {reason}")]
    Encoding {
        /// The URL requested.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The download was cancelled (seek, stop or abandonment).
    #[error("cancelled: {url}")]
    Cancelled {
        /// The URL requested.
        url: String,
    },
}

impl NetError {
    /// Whether retrying the same request may succeed (server errors, timeouts, resets).
    pub fn is_retryable(&self) -> bool {
        match self {
            NetError::Status { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            NetError::Transport { .. } | NetError::Timeout { .. } | NetError::Truncated { .. } => {
                true
            }
            _ => false,
        }
    }
}
