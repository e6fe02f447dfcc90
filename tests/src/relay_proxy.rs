//! A forward proxy on 127.0.0.1 for the proxy tests: relays plain-HTTP requests given in
//! absolute form (`GET http://host/path`) and tunnels `CONNECT host:port` for HTTPS, and
//! keeps a line for each (`GET http://…`, `CONNECT host:port`) so a test can count what
//! went through it. One request per client connection (it answers `Connection: close`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// Longest request head read.
const MAX_HEAD: usize = 64 * 1024;

/// A running proxy; stops when dropped.
pub struct RelayProxy {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl RelayProxy {
    /// Listens on a free port of 127.0.0.1; returns once bound.
    pub fn start() -> std::io::Result<RelayProxy> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let log = seen.clone();
        let thread = std::thread::Builder::new()
            .name("relay-proxy".into())
            .spawn(move || runtime.block_on(accept_loop(listener, log, rx)))?;
        Ok(RelayProxy {
            addr,
            seen,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`, as `--proxy` or `http_proxy` take it.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What it relayed so far: `GET http://…` per request, `CONNECT host:port` per tunnel.
    pub fn relayed(&self) -> Vec<String> {
        self.seen.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl Drop for RelayProxy {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn accept_loop(
    listener: std::net::TcpListener,
    seen: Arc<Mutex<Vec<String>>>,
    mut stop: oneshot::Receiver<()>,
) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    loop {
        tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => {
                let Ok((sock, _)) = accepted else { continue };
                let seen = seen.clone();
                tokio::spawn(async move {
                    if let Err(e) = relay(sock, seen).await {
                        tracing::debug!("relay proxy: {e}");
                    }
                });
            }
        }
    }
}

/// Reads up to the end of the request head; returns the head and what followed it.
async fn read_head(sock: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Ok((String::from_utf8_lossy(&buf).into_owned(), rest));
        }
        if buf.len() > MAX_HEAD {
            return Err(std::io::Error::other("request head too large"));
        }
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn relay(mut sock: TcpStream, seen: Arc<Mutex<Vec<String>>>) -> std::io::Result<()> {
    let (head, rest) = read_head(&mut sock).await?;
    let mut lines = head.split("\r\n");
    let request = lines.next().unwrap_or("");
    let mut words = request.split(' ');
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    if method.eq_ignore_ascii_case("CONNECT") {
        let mut upstream = TcpStream::connect(target).await?;
        if let Ok(mut v) = seen.lock() {
            v.push(format!("CONNECT {target}"));
        }
        sock.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await?;
        upstream.write_all(&rest).await?;
        tokio::io::copy_bidirectional(&mut sock, &mut upstream).await?;
        return Ok(());
    }
    let Some(after_scheme) = target.strip_prefix("http://") else {
        sock.write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
            .await?;
        return Ok(());
    };
    let (authority, path) = match after_scheme.find('/') {
        Some(i) => after_scheme.split_at(i),
        None => (after_scheme, "/"),
    };
    let upstream_addr = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let mut forwarded = format!("{method} {path} HTTP/1.1\r\n");
    for line in lines.filter(|l| !l.is_empty()) {
        let name = line
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if !matches!(
            name.as_str(),
            "connection" | "proxy-connection" | "keep-alive" | "proxy-authorization"
        ) {
            forwarded.push_str(line);
            forwarded.push_str("\r\n");
        }
    }
    forwarded.push_str("Connection: close\r\n\r\n");
    let mut upstream = TcpStream::connect(&upstream_addr).await?;
    if let Ok(mut v) = seen.lock() {
        v.push(format!("{method} {target}"));
    }
    upstream.write_all(forwarded.as_bytes()).await?;
    upstream.write_all(&rest).await?;
    // The origin closes after its answer: relay everything up to that.
    tokio::io::copy(&mut upstream, &mut sock).await?;
    sock.shutdown().await?;
    Ok(())
}
