//! Manifest bytes to text: UTF-8 (with or without BOM) and UTF-16LE/BE (BOM or `<?xml` sniffed).

use std::borrow::Cow;

use super::ManifestError;

/// Decodes manifest bytes to text, borrowing when the input is already UTF-8.
///
/// The encoding comes from the byte-order mark, or for BOM-less UTF-16 from the
/// `<` and `?` of the XML declaration (XML 1.0 appendix F). Anything else is read
/// as UTF-8; an `encoding=` in the declaration is not trusted over the bytes.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, ManifestError> {
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(rest, 3),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, 2, u16::from_le_bytes, "UTF-16LE"),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, 2, u16::from_be_bytes, "UTF-16BE"),
        [b'<', 0, b'?', 0, ..] => utf16(bytes, 0, u16::from_le_bytes, "UTF-16LE"),
        [0, b'<', 0, b'?', ..] => utf16(bytes, 0, u16::from_be_bytes, "UTF-16BE"),
        _ => utf8(bytes, 0),
    }
}

fn utf8(bytes: &[u8], skipped: usize) -> Result<Cow<'_, str>, ManifestError> {
    std::str::from_utf8(bytes)
        .map(Cow::Borrowed)
        .map_err(|e| ManifestError::Encoding {
            encoding: "UTF-8",
            offset: skipped + e.valid_up_to(),
        })
}

fn utf16(
    bytes: &[u8],
    skipped: usize,
    unit: fn([u8; 2]) -> u16,
    encoding: &'static str,
) -> Result<Cow<'static, str>, ManifestError> {
    let pairs = bytes.chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return Err(ManifestError::Encoding {
            encoding,
            offset: skipped + bytes.len() - 1,
        });
    }
    let units = pairs.filter_map(|p| <[u8; 2]>::try_from(p).ok()).map(unit);
    let mut out = String::with_capacity(bytes.len() / 2);
    for (i, c) in char::decode_utf16(units).enumerate() {
        match c {
            Ok(c) => out.push(c),
            Err(_) => {
                return Err(ManifestError::Encoding {
                    encoding,
                    offset: skipped + 2 * i,
                });
            }
        }
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = "<?xml version=\"1.0\"?><a b=\"é\"/>";

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xFF, 0xFE] } else { vec![] };
        v.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        v
    }

    fn utf16be(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xFE, 0xFF] } else { vec![] };
        v.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
        v
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode(XML.as_bytes()).expect("plain"), XML);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(XML.as_bytes());
        let text = decode(&bom).expect("bom");
        assert_eq!(text, XML);
        assert!(matches!(text, Cow::Borrowed(_)), "UTF-8 is not copied");
    }

    #[test]
    fn utf16_with_bom_and_sniffed() {
        assert_eq!(decode(&utf16le(XML, true)).expect("le bom"), XML);
        assert_eq!(decode(&utf16be(XML, true)).expect("be bom"), XML);
        assert_eq!(decode(&utf16le(XML, false)).expect("le sniffed"), XML);
        assert_eq!(decode(&utf16be(XML, false)).expect("be sniffed"), XML);
    }

    #[test]
    fn bad_bytes_give_encoding_error_with_offset() {
        let bad = b"<a>\xff\xfe</a>";
        assert_eq!(
            decode(&bad[..]),
            Err(ManifestError::Encoding {
                encoding: "UTF-8",
                offset: 3
            })
        );
        let mut odd = utf16le("<a/>", true);
        odd.push(0x41);
        assert_eq!(
            decode(&odd),
            Err(ManifestError::Encoding {
                encoding: "UTF-16LE",
                offset: 10
            })
        );
        // A lone high surrogate.
        let mut lone = vec![0xFF, 0xFE, b'<', 0];
        lone.extend_from_slice(&0xD800u16.to_le_bytes());
        assert_eq!(
            decode(&lone),
            Err(ManifestError::Encoding {
                encoding: "UTF-16LE",
                offset: 4
            })
        );
    }
}
