//! Downloads manifests and fragments over http(s) or from `file://` URLs, measured and
//! bounded, with retries (backoff with jitter) that a host can watch.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use url::Url;

use super::client::http_client;
use super::compression::{MANIFEST_ACCEPT_ENCODING, decode_body};
use super::proxy::ProxySetting;
use super::retry::Jitter;
use super::tls::{certificate_error, innermost};
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
    /// PEM files of extra trusted root certificates (a private CA), added to the platform's.
    /// Certificate verification itself cannot be switched off.
    pub ca_files: Vec<PathBuf>,
    /// The proxy: from the environment as curl reads it (default), none, or a given one.
    pub proxy: ProxySetting,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(10),
            user_agent: format!("smoothplay/{}", env!("CARGO_PKG_VERSION")),
            headers: Vec::new(),
            retry: RetryPolicy::default(),
            ca_files: Vec::new(),
            proxy: ProxySetting::default(),
        }
    }
}

/// What a request is for: manifests may come compressed, fragments never.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// The client manifest (at open, or a live refresh).
    Manifest,
    /// A media or caption fragment.
    Fragment,
}

impl RequestKind {
    /// `manifest` or `fragment`, as events name it.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Manifest => "manifest",
            RequestKind::Fragment => "fragment",
        }
    }
}

/// A failed attempt that is about to be retried, as told to a [`Fetcher::on_retry`] watcher.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryNotice {
    /// What the request is for.
    pub kind: RequestKind,
    /// The URL.
    pub url: String,
    /// The attempt that failed (1 = the first).
    pub attempt: u32,
    /// Attempts allowed in all.
    pub attempts: u32,
    /// The wait before the next attempt (backoff with jitter).
    pub wait: Duration,
    /// Why the attempt failed.
    pub error: NetError,
}

/// Watches retries; called on a network thread, so it must not block.
pub type RetryWatcher = Arc<dyn Fn(&RetryNotice) + Send + Sync>;

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
    /// The response's `Pragma` header (an origin's sparse stream pointers ride in it).
    pub pragma: Option<String>,
}

/// Longest `Pragma` header value kept.
const MAX_PRAGMA: usize = 4096;

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
    jitter: Arc<Jitter>,
    watcher: Option<RetryWatcher>,
}

impl Fetcher {
    /// Builds a fetcher; fails when a header, a CA file or the proxy cannot be used, or the
    /// TLS stack cannot be initialised.
    pub fn new(config: FetchConfig) -> Result<Fetcher, NetError> {
        let client = http_client(&config)?;
        Ok(Fetcher {
            client,
            jitter: Arc::new(config.retry.jitter()),
            config,
            watcher: None,
        })
    }

    /// Tells `watch` about every retry, before its wait (it must not block).
    pub fn on_retry(mut self, watch: impl Fn(&RetryNotice) + Send + Sync + 'static) -> Fetcher {
        self.watcher = Some(Arc::new(watch));
        self
    }

    /// The configuration in use.
    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// The HTTP client (for the license client: same proxy, same trusted roots).
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Fetches fragment `url` with retries (backoff per the retry policy) for retryable failures.
    pub async fn fetch(
        &self,
        url: &Url,
        limit: usize,
        progress: &mut (dyn FnMut(Progress) -> Verdict + Send),
    ) -> Result<Download, NetError> {
        self.fetch_as(RequestKind::Fragment, url, limit, progress)
            .await
    }

    /// Fetches manifest `url` (gzip or deflate accepted), with retries.
    pub async fn fetch_manifest(&self, url: &Url, limit: usize) -> Result<Download, NetError> {
        self.fetch_as(RequestKind::Manifest, url, limit, &mut |_| {
            Verdict::Continue
        })
        .await
    }

    /// Fetches `url` for `kind` with retries for retryable failures.
    pub async fn fetch_as(
        &self,
        kind: RequestKind,
        url: &Url,
        limit: usize,
        progress: &mut (dyn FnMut(Progress) -> Verdict + Send),
    ) -> Result<Download, NetError> {
        let retry = &self.config.retry;
        let mut attempt = 1;
        loop {
            match self.fetch_once(kind, url, limit, progress).await {
                Ok(mut d) => {
                    d.attempts = attempt;
                    return Ok(d);
                }
                Err(e) if e.is_retryable() => match retry.wait_after(attempt, &self.jitter) {
                    Some(wait) => {
                        tracing::debug!(%url, error = %e, attempt, "retrying");
                        if let Some(watch) = &self.watcher {
                            watch(&RetryNotice {
                                kind,
                                url: url.to_string(),
                                attempt,
                                attempts: retry.attempts,
                                wait,
                                error: e,
                            });
                        }
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                    }
                    None => return Err(e),
                },
                Err(e) => return Err(e),
            }
        }
    }

    /// Fetches `url` for `kind` once, with no retry.
    pub async fn fetch_once(
        &self,
        kind: RequestKind,
        url: &Url,
        limit: usize,
        progress: &mut (dyn FnMut(Progress) -> Verdict + Send),
    ) -> Result<Download, NetError> {
        match url.scheme() {
            "http" | "https" => self.fetch_http(kind, url, limit, progress).await,
            "file" => read_file(url, limit).await,
            other => Err(NetError::BadInput {
                input: url.to_string(),
                reason: format!("unsupported URL scheme {other}"),
            }),
        }
    }

    async fn fetch_http(
        &self,
        kind: RequestKind,
        url: &Url,
        limit: usize,
        progress: &mut (dyn FnMut(Progress) -> Verdict + Send),
    ) -> Result<Download, NetError> {
        let started = Instant::now();
        let s = url.to_string();
        let mut request = self.client.get(url.clone());
        if kind == RequestKind::Manifest {
            request = request.header(reqwest::header::ACCEPT_ENCODING, MANIFEST_ACCEPT_ENCODING);
        }
        let mut resp = request
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
        let pragma = pragma_of(&resp);
        let encoding = match kind {
            RequestKind::Manifest => resp
                .headers()
                .get(reqwest::header::CONTENT_ENCODING)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            // Never asked for: a compressed fragment is the origin's mistake, left to fail
            // where its boxes are read.
            RequestKind::Fragment => None,
        };
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
        let body = match decode_body(&s, encoding.as_deref(), &body, limit)? {
            Some(decoded) => Bytes::from(decoded),
            None => body.freeze(),
        };
        Ok(Download {
            body,
            url: final_url,
            ttfb,
            total: started.elapsed(),
            attempts: 1,
            pragma,
        })
    }
}

/// The response's `Pragma` header, when it is short text.
fn pragma_of(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get(reqwest::header::PRAGMA)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= MAX_PRAGMA)
        .map(str::to_owned)
}

fn transport(url: &str, e: &reqwest::Error, timeout: Duration) -> NetError {
    if let Some(reason) = certificate_error(e) {
        return NetError::Certificate {
            url: url.to_string(),
            reason,
        };
    }
    if e.is_timeout() {
        return NetError::Timeout {
            url: url.to_string(),
            seconds: timeout.as_secs_f64(),
        };
    }
    // The innermost cause says what really happened (refused, reset…).
    NetError::Transport {
        url: url.to_string(),
        message: innermost(e),
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
        pragma: None,
    })
}
