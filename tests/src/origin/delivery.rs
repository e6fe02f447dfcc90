//! Turns an answer into an HTTP response, with injected faults applied.

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode, header};
use bytes::Bytes;

use super::faults::Fault;

/// Builds the response for `body`, applying `fault` (stalls are waited out here).
pub async fn respond(
    status: StatusCode,
    body: Vec<u8>,
    ctype: &'static str,
    fault: Fault,
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
        _ => (status, Body::from(body)),
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    resp
}
