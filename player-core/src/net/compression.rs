//! Compressed manifests: the `Accept-Encoding` a manifest request sends, and the body
//! decoded with the same size cap as an uncompressed one. Fragments are never asked
//! compressed (they are already compressed media, and their sizes feed the ABR).

use std::io::Read;

use flate2::read::{DeflateDecoder, GzDecoder, ZlibDecoder};

use super::NetError;

/// What a manifest request accepts.
pub const MANIFEST_ACCEPT_ENCODING: &str = "gzip, deflate";

/// Decodes a body sent with `Content-Encoding: encoding`, to at most `limit` bytes.
pub fn decode_body(
    url: &str,
    encoding: Option<&str>,
    body: &[u8],
    limit: usize,
) -> Result<Option<Vec<u8>>, NetError> {
    let encoding = encoding.map(|e| e.trim().to_ascii_lowercase());
    let reader: Box<dyn Read + '_> = match encoding.as_deref() {
        None | Some("" | "identity") => return Ok(None),
        Some("gzip" | "x-gzip") => Box::new(GzDecoder::new(body)),
        // RFC 9110 says zlib-wrapped; some servers send raw deflate.
        Some("deflate") if is_zlib(body) => Box::new(ZlibDecoder::new(body)),
        Some("deflate") => Box::new(DeflateDecoder::new(body)),
        Some(other) => {
            return Err(NetError::Encoding {
                url: url.to_string(),
                reason: format!("unsupported Content-Encoding {other:?}"),
            });
        }
    };
    let mut out = Vec::new();
    // One byte past the cap tells "too large" from "exactly the cap" without reading more.
    let read = reader
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| NetError::Encoding {
            url: url.to_string(),
            reason: format!("corrupt {} body: {e}", encoding.as_deref().unwrap_or("")),
        })?;
    if read > limit {
        return Err(NetError::TooLarge {
            url: url.to_string(),
            limit,
        });
    }
    Ok(Some(out))
}

/// Whether `body` starts with a zlib header (RFC 1950: deflate method, check bits).
fn is_zlib(body: &[u8]) -> bool {
    match body {
        [cmf, flg, ..] => cmf & 0x0f == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
    use std::io::Write;

    fn manifest(len: usize) -> Vec<u8> {
        let mut m = b"<SmoothStreamingMedia>".to_vec();
        while m.len() < len {
            m.extend_from_slice(b"<c t=\"12345678\" d=\"20000000\"/>\n");
        }
        m
    }

    fn compress(kind: &str, data: &[u8]) -> Vec<u8> {
        let level = Compression::default();
        let mut out = Vec::new();
        match kind {
            "gzip" => {
                let mut e = GzEncoder::new(&mut out, level);
                e.write_all(data).expect("gzip");
                e.finish().expect("gzip");
            }
            "zlib" => {
                let mut e = ZlibEncoder::new(&mut out, level);
                e.write_all(data).expect("zlib");
                e.finish().expect("zlib");
            }
            _ => {
                let mut e = DeflateEncoder::new(&mut out, level);
                e.write_all(data).expect("deflate");
                e.finish().expect("deflate");
            }
        }
        out
    }

    #[test]
    fn gzip_and_both_deflates_decode_to_the_manifest() {
        let m = manifest(50_000);
        for (kind, encoding) in [("gzip", "gzip"), ("zlib", "deflate"), ("raw", "Deflate")] {
            let wire = compress(kind, &m);
            assert!(wire.len() * 10 < m.len(), "{kind}: {} bytes", wire.len());
            let got = decode_body("u", Some(encoding), &wire, 1 << 20).expect(kind);
            assert_eq!(got.as_deref(), Some(&m[..]), "{kind}");
        }
        assert_eq!(decode_body("u", None, b"x", 10).expect("plain"), None);
        assert_eq!(
            decode_body("u", Some("identity"), b"x", 10).expect("plain"),
            None
        );
    }

    #[test]
    fn a_compression_bomb_stops_at_the_cap_and_garbage_is_an_error() {
        let bomb = compress("gzip", &vec![b' '; 10 << 20]);
        assert!(bomb.len() < 64 << 10);
        let e = decode_body("http://o/Manifest", Some("gzip"), &bomb, 1 << 20);
        assert!(
            matches!(e, Err(NetError::TooLarge { limit, .. }) if limit == 1 << 20),
            "{e:?}"
        );
        let exact = compress("gzip", &vec![b' '; 1 << 20]);
        assert_eq!(
            decode_body("u", Some("gzip"), &exact, 1 << 20)
                .expect("exactly the cap")
                .map(|v| v.len()),
            Some(1 << 20)
        );
        let e = decode_body("u", Some("gzip"), b"not gzip at all", 1 << 20);
        assert!(matches!(e, Err(NetError::Encoding { .. })), "{e:?}");
        let e = decode_body("u", Some("br"), b"x", 1 << 20);
        assert!(matches!(e, Err(NetError::Encoding { ref reason, .. }) if reason.contains("br")));
    }
}
