//! The HTTP server: a tokio runtime on its own thread, bound to 127.0.0.1.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, Uri, header};
use axum::serve::ListenerExt;
use tokio::sync::oneshot;

use super::clearkey::{self, CLEARKEY_PATH, ClearKeyConfig};
use super::delivery;
use super::faults::{Fault, FaultConfig};
use super::live::{self, FragmentAnswer, LiveConfig, LivePresentation};
use super::request_log::{RequestLog, RequestRecord};
use super::rewrite::rewrite_fragment;
use super::shaper::Shaper;
use super::tls::{self, TlsIdentity, TlsListener};
use super::ttml_shift::shift_ttml_fragment;
use super::vod;
use crate::abrsim::trace::Trace;

/// How the origin serves.
#[derive(Debug, Clone, Default)]
pub struct OriginConfig {
    /// Port to bind on 127.0.0.1 (0 = any free port).
    pub port: u16,
    /// Serve every presentation as a simulated live stream.
    pub live: Option<LiveConfig>,
    /// Inject faults into answers.
    pub faults: Option<FaultConfig>,
    /// Shape the bandwidth of all answers together by this trace (looped).
    pub rate_trace: Option<Trace>,
    /// What the ClearKey license endpoint (`POST /clearkey`) hands out.
    pub clearkey: ClearKeyConfig,
    /// Serve HTTPS with this certificate instead of HTTP.
    pub tls: Option<TlsIdentity>,
    /// Send manifests gzip-compressed to clients that accept it (as IIS does); fragments
    /// are always sent as they are.
    pub compress_manifests: bool,
}

struct AppState {
    root: PathBuf,
    log: RequestLog,
    clearkey: ClearKeyConfig,
    live: Option<LiveConfig>,
    started: Instant,
    presentations: Mutex<HashMap<PathBuf, Arc<LivePresentation>>>,
    faults: Option<FaultConfig>,
    attempts: Mutex<HashMap<String, u64>>,
    shaper: Option<Arc<Shaper>>,
    compress_manifests: bool,
}

impl AppState {
    /// A number for this request: the path's hash mixed with its attempt count.
    fn attempt_key(&self, path: &str) -> u64 {
        let attempt = self
            .attempts
            .lock()
            .map(|mut m| {
                let a = m.entry(path.to_string()).or_insert(0);
                *a += 1;
                *a
            })
            .unwrap_or(0);
        // FNV-1a of the path.
        let hash = path.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        hash ^ attempt.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    /// The live presentation in `dir` (relative to the root), loaded on first use.
    fn live(&self, dir: &str) -> Option<Arc<LivePresentation>> {
        let config = self.live.clone()?;
        let rel = Path::new(dir.trim_matches('/'));
        if rel
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return None;
        }
        let path = self.root.join(rel);
        let mut map = self.presentations.lock().ok()?;
        if let Some(p) = map.get(&path) {
            return Some(p.clone());
        }
        match LivePresentation::load(&path, config, self.started) {
            Ok(p) => {
                let p = Arc::new(p);
                map.insert(path, p.clone());
                Some(p)
            }
            Err(e) => {
                tracing::warn!("cannot serve {} live: {e}", path.display());
                None
            }
        }
    }
}

/// A running origin; stops when dropped.
pub struct Origin {
    addr: SocketAddr,
    scheme: &'static str,
    connections: Arc<AtomicUsize>,
    log: RequestLog,
    /// The live simulation and when its clock started.
    live: Option<(LiveConfig, Instant)>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Origin {
    /// Serves `root` on 127.0.0.1; returns once the socket is bound.
    pub fn start(root: impl Into<PathBuf>, config: OriginConfig) -> std::io::Result<Origin> {
        let root = root.into();
        let log = RequestLog::default();
        let started = Instant::now();
        let state = Arc::new(AppState {
            root,
            log: log.clone(),
            live: config.live.clone(),
            started,
            presentations: Mutex::new(HashMap::new()),
            faults: config.faults.clone(),
            attempts: Mutex::new(HashMap::new()),
            shaper: config.rate_trace.clone().map(|t| Arc::new(Shaper::new(t))),
            clearkey: config.clearkey.clone(),
            compress_manifests: config.compress_manifests,
        });
        let tls = config.tls.as_ref().map(tls::server_config).transpose()?;
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", config.port))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let connections = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let counter = connections.clone();
        let thread = std::thread::Builder::new()
            .name("origin".into())
            .spawn(move || {
                runtime.block_on(serve(std_listener, tls, counter, state, rx));
            })?;
        Ok(Origin {
            addr,
            scheme,
            connections,
            log,
            live: config.live.map(|l| (l, started)),
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// TCP connections accepted so far (HTTPS: handshakes tried, refused ones included).
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of `path` (relative to the served root) on this origin.
    pub fn url(&self, path: &str) -> String {
        format!(
            "{}://{}/{}",
            self.scheme,
            self.addr,
            path.trim_start_matches('/')
        )
    }

    /// The requests answered so far.
    pub fn log(&self) -> &RequestLog {
        &self.log
    }

    /// Live: the true edge now, as media time (time base included) of a presentation at
    /// the default timescale — what the encoder has produced, for measuring latency.
    pub fn live_edge(&self) -> Option<Duration> {
        let (live, started) = self.live.as_ref()?;
        let wall = started.elapsed().as_secs_f64();
        let produced = live.preroll.as_secs_f64() + wall * live.speed;
        let produced = live
            .end_at
            .map_or(produced, |e| produced.min(e.as_secs_f64()));
        let base = player_core::time::ticks_to_duration(
            live.time_base,
            player_core::time::DEFAULT_TIMESCALE,
        );
        Some(base + Duration::from_secs_f64(produced))
    }
}

impl Drop for Origin {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Serves `state` on `listener` (over TLS with `tls`) until `stop` fires.
async fn serve(
    listener: std::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    connections: Arc<AtomicUsize>,
    state: Arc<AppState>,
    stop: oneshot::Receiver<()>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("origin cannot listen: {e}");
            return;
        }
    };
    let app = axum::Router::new()
        .route(CLEARKEY_PATH, axum::routing::post(clearkey_license))
        .fallback(handle)
        .with_state(state);
    let stopped = async {
        let _ = stop.await;
    };
    let served = match tls {
        Some(config) => match TlsListener::spawn(listener, config, connections) {
            Ok(l) => axum::serve(l, app).with_graceful_shutdown(stopped).await,
            Err(e) => Err(e),
        },
        None => {
            let counted = listener.tap_io(move |_| {
                connections.fetch_add(1, Ordering::SeqCst);
            });
            axum::serve(counted, app)
                .with_graceful_shutdown(stopped)
                .await
        }
    };
    if let Err(e) = served {
        tracing::error!("origin stopped: {e}");
    }
}

async fn handle(
    State(state): State<Arc<AppState>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response<Body> {
    let path = percent_decode(uri.path());
    // Keyed on the path and how often it was asked for, so the faults a run meets do not
    // depend on how concurrent requests happen to interleave.
    let n = state.attempt_key(&path);
    let is_manifest = path
        .rsplit('/')
        .next()
        .is_some_and(|l| l.eq_ignore_ascii_case("manifest"));
    let fault = state
        .faults
        .as_ref()
        .map_or(Fault::None, |f| f.pick(n, is_manifest));
    let (status, body, ctype, pragma) = match state.live.is_some() {
        true => serve_live(&state, &path).await,
        false => {
            let (status, body, ctype) = serve_vod(&state, &path).await;
            (status, body, ctype, None)
        }
    };
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let gzip = state.compress_manifests
        && is_manifest
        && status == StatusCode::OK
        && accept.as_deref().is_some_and(accepts_gzip);
    let body = if gzip { gzipped(&body) } else { body };
    tracing::debug!(
        path,
        ?fault,
        status = status.as_u16(),
        bytes = body.len(),
        "request"
    );
    state.log.push(RequestRecord {
        path,
        status: if fault == Fault::Error {
            503
        } else {
            status.as_u16()
        },
        bytes: body.len() as u64,
        fault,
        accept_encoding: accept,
        content_encoding: gzip.then_some("gzip"),
    });
    let mut resp = delivery::respond(status, body, ctype, fault, state.shaper.clone()).await;
    if gzip {
        resp.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    if let Some(v) = pragma.and_then(|p| HeaderValue::from_str(&p).ok()) {
        resp.headers_mut().insert(header::PRAGMA, v);
    }
    resp
}

/// The sparse stream pointer IIS sends with a parent's fragment (MS-SSTR 2.2.5), among
/// other `Pragma` data.
fn child_track_header(children: &[(String, u64)]) -> String {
    let set: Vec<String> = children.iter().map(|(n, t)| format!("{n}={t}")).collect();
    format!("IISMS/5.0;ChildTrack=\"{}\"", set.join(","))
}

/// Whether an `Accept-Encoding` value takes gzip (and does not refuse it with `q=0`).
fn accepts_gzip(accept: &str) -> bool {
    accept.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or("");
        let refused = parts.any(|p| p.replace(' ', "") == "q=0");
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}

/// `body` gzip-compressed (as IIS compresses manifests).
fn gzipped(body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = e.write_all(body);
    e.finish().unwrap_or_default()
}

async fn serve_vod(state: &AppState, path: &str) -> (StatusCode, Vec<u8>, &'static str) {
    match vod::resolve(&state.root, path) {
        Some(file) => match tokio::fs::read(&file).await {
            Ok(bytes) => (StatusCode::OK, bytes, vod::content_type(path)),
            Err(_) => (StatusCode::NOT_FOUND, Vec::new(), "text/plain"),
        },
        None => (StatusCode::NOT_FOUND, Vec::new(), "text/plain"),
    }
}

/// A live answer: status, body, content type, and the `Pragma` header (sparse stream
/// pointers) when there is one.
type LiveAnswer = (StatusCode, Vec<u8>, &'static str, Option<String>);

async fn serve_live(state: &AppState, path: &str) -> LiveAnswer {
    let not_found = (StatusCode::NOT_FOUND, Vec::new(), "text/plain", None);
    let now = Instant::now();
    let (dir, last) = path.rsplit_once('/').unwrap_or(("", path));
    if last.eq_ignore_ascii_case("manifest") {
        return match state.live(dir) {
            Some(p) => (
                StatusCode::OK,
                p.manifest(now).into_bytes(),
                vod::content_type(path),
                None,
            ),
            None => not_found,
        };
    }
    let Some(q) = path.find("QualityLevels(") else {
        return not_found;
    };
    let (Some(p), Some((name, bitrate, time))) =
        (state.live(&path[..q]), live::parse_fragment_path(path))
    else {
        return not_found;
    };
    match p.fragment(&name, bitrate, time, now) {
        FragmentAnswer::Serve {
            file,
            time,
            duration,
            next,
            ttml_shift,
            children,
        } => {
            let Ok(src) = tokio::fs::read(&file).await else {
                return not_found;
            };
            let timescale = p.timescale();
            let rewritten =
                rewrite_fragment(&src, time, duration, next.as_deref()).and_then(|out| {
                    match ttml_shift {
                        Some(delta) => shift_ttml_fragment(&out, delta, timescale),
                        None => Ok(out),
                    }
                });
            let pragma = (!children.is_empty()).then(|| child_track_header(&children));
            match rewritten {
                Ok(out) => (StatusCode::OK, out, vod::content_type(path), pragma),
                Err(e) => {
                    tracing::error!("cannot rewrite {}: {e}", file.display());
                    let error = StatusCode::INTERNAL_SERVER_ERROR;
                    (error, Vec::new(), "text/plain", None)
                }
            }
        }
        FragmentAnswer::NotYet => (
            StatusCode::PRECONDITION_FAILED,
            Vec::new(),
            "text/plain",
            None,
        ),
        FragmentAnswer::Gone => (StatusCode::GONE, Vec::new(), "text/plain", None),
        FragmentAnswer::NotFound => not_found,
    }
}

async fn clearkey_license(State(state): State<Arc<AppState>>, body: Bytes) -> Response<Body> {
    let (status, text) = clearkey::answer(&state.clearkey, &body);
    state.log.push(RequestRecord {
        path: CLEARKEY_PATH.into(),
        status: status.as_u16(),
        bytes: text.len() as u64,
        fault: Fault::None,
        accept_encoding: None,
        content_encoding: None,
    });
    let mut resp = Response::new(Body::from(text));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// Decodes `%XX` escapes (paths like `Fragments(video=0)` may arrive escaped).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = bytes.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(h).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_taken_unless_refused() {
        for yes in ["gzip", "gzip, deflate", "deflate, GZIP;q=0.5", "*"] {
            assert!(accepts_gzip(yes), "{yes}");
        }
        for no in ["", "identity", "deflate", "gzip;q=0", "gzip; q=0"] {
            assert!(!accepts_gzip(no), "{no}");
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("/a%28b%29"), "/a(b)");
        assert_eq!(percent_decode("/bad%zz"), "/bad%zz");
        assert_eq!(percent_decode("/x%2"), "/x%2");
    }
}
