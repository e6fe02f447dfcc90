//! Downloads manifests and fragments over http(s) or from `file://` URLs, measured and bounded.

use std::sync::Once;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use url::Url;

use super::{NetError, RetryPolicy};

/// How the fetcher talks to origins.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// Time allowed to establish a connection.
    pub connect_timeout: Duration,
    /// Longest silence allowed between two received chunks (and before the headers).
    pub read_timeout: Duration,
    /// User-Agent header.
    pub user_agent: String,
    /// Extra request headers (name, value).
    pub headers: Vec<(String, String)>,
    /// Retry policy for retryable failures.
    pub retry: RetryPolicy,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(10),
            user_agent: format!("smoothplay/{}", env!("CARGO_PKG_VERSION")),
            headers: Vec::new(),
            retry: RetryPolicy::default(),
        }
    }
}

/// A finished download and how long it took: the ABR's raw observation.
#[derive(Debug, Clone)]
pub struct Download {
    /// The body.
    pub body: Bytes,
    /// The URL fetched (after redirects).
    pub url: Url,
    /// Time from sending the request to the response headers.
    pub ttfb: Duration,
    /// Time from sending the request to the last byte.
    pub total: Duration,
    /// Attempts it took (1 when the first succeeded).
    pub attempts: u32,
}

/// Progress of an in-flight download, offered to a callback that may cancel it.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Bytes received so far.
    pub received: u64,
    /// Content-Length, when the server gave one.
    pub expected: Option<u64>,
    /// Time since the request was sent.
    pub elapsed: Duration,
    /// Time to the response headers.
    pub ttfb: Duration,
}

/// What the progress callback wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Keep downloading.
    Continue,
    /// Stop: the download ends with `NetError::Cancelled`.
    Abort,
}

/// An HTTP(S) + file fetcher; cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    config: FetchConfig,
}

static CRYPTO_PROVIDER: Once = Once::new();

impl Fetcher {
    /// Builds a fetcher; fails only when the TLS stack cannot be initialised.
    pub fn new(config: FetchConfig) -> Result<Fetcher, NetError> {
        CRYPTO_PROVIDER.call_once(|| {
            // Another part of the process may have installed one already: that is fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in &config.headers {
            let bad = |what: &str| NetError::BadInput {
                input: format!("{name}: {value}"),
                reason: format!("invalid header {what}"),
            };
            let n = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| bad("name"))?;
            let v = reqwest::header::HeaderValue::from_str(value).map_err(|_| bad("value"))?;
            headers.insert(n, v);
        }
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .default_headers(headers)
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .no_proxy()
            .build()
            .map_err(|e| NetError::Transport {
                url: String::new(),
                message: format!("cannot build HTTP client: {e}"),
            })?;
        Ok(Fetcher { client, config })
    }

    /// The configuration in use.
    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// Fetches `url` with retries (backoff per the retry policy) for retryable failures.
    pub async fn fetch(
        &self,
        url: &Url,
        limit: usize,
        progress: &mut (dyn FnMut(Progress) -> Verdict + Send),
    ) -> Result<Download, NetError> {
        let mut attempt = 1;
        loop {
            match self.fetch_once(url, limit, progress).await {
                Ok(mut d) => {
                    d.attempts = attempt;
                    return Ok(d);
                }
                Err(e) if e.is_retryable() => match self.config.retry.delay_after(attempt) {
                    Some(wait) => {
                        tracing::debug!(%url, error = %e, attempt, "retrying");
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                    }
                    None => return Err(e),
                },
                Err(e) => return Err(e),
            }
        }
    }

    /// Fetches `url` once, with no retry.
    pub async fn fetch_once(
        &self,
        url: &Url,
        limit: usize,
        progress: &mut (dyn FnMut(Progress) -> Verdict + Send),
    ) -> Result<Download, NetError> {
        match url.scheme() {
            "http" | "https" => self.fetch_http(url, limit, progress).await,
            "file" => read_file(url, limit).await,
            other => Err(NetError::BadInput {
                input: url.to_string(),
                reason: format!("unsupported URL scheme {other}"),
            }),
        }
    }

    async fn fetch_http(
        &self,
        url: &Url,
        limit: usize,
        progress: &mut (dyn FnMut(Progress) -> Verdict + Send),
    ) -> Result<Download, NetError> {
        let started = Instant::now();
        let s = url.to_string();
        let mut resp = self
            .client
            .get(url.clone())
            .send()
            .await
            .map_err(|e| transport(&s, &e, self.config.read_timeout))?;
        let ttfb = started.elapsed();
        let status = resp.status().as_u16();
        if status == 412 {
            return Err(NetError::NotYetAvailable { url: s });
        }
        if !resp.status().is_success() {
            return Err(NetError::Status { url: s, status });
        }
        let expected = resp.content_length();
        if let Some(len) = expected
            && len > limit as u64
        {
            return Err(NetError::TooLarge { url: s, limit });
        }
        let final_url = resp.url().clone();
        let capacity = expected.map_or(64 * 1024, |l| l as usize);
        let mut body = BytesMut::with_capacity(capacity);
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| transport(&s, &e, self.config.read_timeout))?
        {
            if body.len() + chunk.len() > limit {
                return Err(NetError::TooLarge { url: s, limit });
            }
            body.extend_from_slice(&chunk);
            let p = Progress {
                received: body.len() as u64,
                expected,
                elapsed: started.elapsed(),
                ttfb,
            };
            if progress(p) == Verdict::Abort {
                return Err(NetError::Cancelled { url: s });
            }
        }
        if let Some(len) = expected
            && (body.len() as u64) < len
        {
            return Err(NetError::Truncated {
                url: s,
                got: body.len() as u64,
                expected: len,
            });
        }
        Ok(Download {
            body: body.freeze(),
            url: final_url,
            ttfb,
            total: started.elapsed(),
            attempts: 1,
        })
    }
}

fn transport(url: &str, e: &reqwest::Error, timeout: Duration) -> NetError {
    if e.is_timeout() {
        return NetError::Timeout {
            url: url.to_string(),
            seconds: timeout.as_secs_f64(),
        };
    }
    // The innermost cause says what really happened (refused, reset…).
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message = s.to_string();
        source = s.source();
    }
    NetError::Transport {
        url: url.to_string(),
        message,
    }
}

async fn read_file(url: &Url, limit: usize) -> Result<Download, NetError> {
    let started = Instant::now();
    let path = url.to_file_path().map_err(|()| NetError::BadInput {
        input: url.to_string(),
        reason: "not a local file path".into(),
    })?;
    let shown = path.display().to_string();
    let file_err = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::NotFound {
            NetError::Status {
                url: url.to_string(),
                status: 404,
            }
        } else {
            NetError::File {
                path: shown.clone(),
                message: e.to_string(),
            }
        }
    };
    let meta = tokio::fs::metadata(&path).await.map_err(file_err)?;
    if meta.len() > limit as u64 {
        return Err(NetError::TooLarge {
            url: url.to_string(),
            limit,
        });
    }
    let body = tokio::fs::read(&path).await.map_err(file_err)?;
    let total = started.elapsed();
    Ok(Download {
        body: Bytes::from(body),
        url: url.clone(),
        ttfb: total,
        total,
        attempts: 1,
    })
}
