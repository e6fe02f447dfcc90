//! A tiny HTTP/1.1 license server on 127.0.0.1 for the ClearKey tests.

use super::clearkey_json::base64url;
use crate::base::Uuid;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// One request as the test server saw it.
pub(crate) struct Seen {
    pub head: String,
    pub body: String,
}

/// A tiny HTTP/1.1 server on 127.0.0.1 answering every request with `status` and `body`.
pub(crate) async fn server(
    status: u16,
    body: String,
) -> (String, mpsc::UnboundedReceiver<Seen>, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = mpsc::unbounded_channel();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let head_end = loop {
                let n = sock.read(&mut chunk).await.expect("read");
                assert!(n > 0, "client closed early");
                buf.extend_from_slice(&chunk[..n]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break i + 4;
                }
            };
            let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
            let len: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_string())
                })
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            while buf.len() < head_end + len {
                let n = sock.read(&mut chunk).await.expect("read body");
                assert!(n > 0, "client closed early");
                buf.extend_from_slice(&chunk[..n]);
            }
            let req_body = String::from_utf8_lossy(&buf[head_end..head_end + len]).to_string();
            let _ = tx.send(Seen {
                head,
                body: req_body,
            });
            let answer = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            sock.write_all(answer.as_bytes()).await.expect("write");
            let _ = sock.shutdown().await;
        }
    });
    (format!("http://{addr}/clearkey/license"), rx, count)
}

pub(crate) fn key_set(kid: Uuid, key_hex: &str) -> String {
    let key = hex::decode(key_hex).expect("hex");
    format!(
        r#"{{"keys":[{{"kty":"oct","k":"{}","kid":"{}"}}],"type":"temporary"}}"#,
        base64url(&key),
        base64url(&kid.0)
    )
}
