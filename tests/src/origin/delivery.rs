//! Turns an answer into an HTTP response, with injected faults applied.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode, header};
use bytes::Bytes;

use super::faults::Fault;
use super::shaper::{PIECE, Shaper};

/// A body that crosses the shaped link in pieces.
fn shaped(body: Bytes, link: Arc<Shaper>) -> Body {
    let stream = futures_util::stream::unfold((body, link), |(mut rest, link)| async move {
        if rest.is_empty() {
            return None;
        }
        let piece = rest.split_to(PIECE.min(rest.len()));
        link.send(piece.len()).await;
        Some((Ok::<Bytes, std::io::Error>(piece), (rest, link)))
    });
    Body::from_stream(stream)
}

/// Builds the response for `body`, applying `fault` (stalls are waited out here); with a
/// `shaper` the body crosses its link piece by piece.
pub async fn respond(
    status: StatusCode,
    body: Vec<u8>,
    ctype: &'static str,
    fault: Fault,
    shaper: Option<Arc<Shaper>>,
) -> Response<Body> {
    let (status, body) = match fault {
        Fault::Error => (StatusCode::SERVICE_UNAVAILABLE, Body::empty()),
        Fault::Stall(d) => {
            tokio::time::sleep(d).await;
            (status, Body::from(body))
        }
        Fault::Reset | Fault::Truncate if status == StatusCode::OK => {
            let keep = if fault == Fault::Reset {
                0
            } else {
                body.len() / 2
            };
            let len = body.len();
            let head = Bytes::from(body).slice(..keep);
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(head),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "injected fault",
                )),
            ];
            let mut resp = Response::new(Body::from_stream(futures_util::stream::iter(chunks)));
            resp.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
            resp.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
            return resp;
        }
        _ => match shaper {
            Some(link) if !body.is_empty() => {
                let len = body.len();
                let mut resp = Response::new(shaped(Bytes::from(body), link));
                *resp.status_mut() = status;
                let h = resp.headers_mut();
                // Streamed, but the size is known: the client can judge its progress.
                h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
                h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
                return resp;
            }
            _ => (status, Body::from(body)),
        },
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    resp
}
