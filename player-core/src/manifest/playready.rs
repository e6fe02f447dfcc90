//! PlayReady Object and WRMHEADER 4.0–4.3: key IDs, algorithm, checksum, license URLs.
//!
//! The object is `length: u32 LE, count: u16 LE` then records of `type: u16 LE,
//! length: u16 LE, value`; type 1 holds the WRMHEADER as UTF-16LE XML. Key IDs are base64
//! of a little-endian GUID: 4.0 writes `DATA/KID` text with `DATA/PROTECTINFO/ALGID` and
//! `DATA/CHECKSUM`; 4.1 writes `DATA/PROTECTINFO/KID` with VALUE/ALGID/CHECKSUM attributes;
//! 4.2 and 4.3 write any number of those under `DATA/PROTECTINFO/KIDS`.

use quick_xml::events::{BytesStart, Event};

use super::base64_text::decode_base64;
use super::xml::{XmlReader, is};
use super::{PlayReadyHeader, PlayReadyKid, Uuid};

/// Record type of a rights-management (WRMHEADER) record.
const RECORD_WRM_HEADER: u16 = 1;

/// Why a PlayReady header could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlayReadyError {
    /// The PlayReady Object framing is wrong.
    #[error("PlayReady object: {0}")]
    Object(String),
    /// The WRMHEADER XML is malformed or lacks what it must hold.
    #[error("WRMHEADER: {0}")]
    Header(String),
}

/// Parses a PlayReady Object (or a bare UTF-16LE WRMHEADER, which some packagers write).
pub fn parse_playready_object(data: &[u8]) -> Result<PlayReadyHeader, PlayReadyError> {
    if data.starts_with(b"<\0") || data.starts_with(&[0xFF, 0xFE, b'<', 0]) {
        return parse_wrm_header(data);
    }
    let obj = |m: String| PlayReadyError::Object(m);
    let (Some(len), Some(count)) = (le_u32(data, 0), le_u16(data, 4)) else {
        return Err(obj(format!(
            "{} bytes is too short for a header",
            data.len()
        )));
    };
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    if len > data.len() || len < 6 {
        return Err(obj(format!(
            "length field says {len} bytes, the object has {}",
            data.len()
        )));
    }
    let mut at = 6usize;
    for i in 0..count {
        let (Some(kind), Some(rlen)) = (le_u16(data, at), le_u16(data, at + 2)) else {
            return Err(obj(format!(
                "record {i} header at byte {at} is past the end"
            )));
        };
        let start = at + 4;
        let end = start + usize::from(rlen);
        let value = data.get(start..end).filter(|_| end <= len).ok_or_else(|| {
            obj(format!(
                "record {i} of {rlen} bytes at byte {start} is past the end"
            ))
        })?;
        if kind == RECORD_WRM_HEADER {
            return parse_wrm_header(value);
        }
        at = end;
    }
    Err(obj(format!("none of its {count} records is a WRMHEADER")))
}

/// Parses a UTF-16LE WRMHEADER (BOM optional).
pub fn parse_wrm_header(utf16le: &[u8]) -> Result<PlayReadyHeader, PlayReadyError> {
    let hdr = |m: String| PlayReadyError::Header(m);
    let body = utf16le.strip_prefix(&[0xFF, 0xFE]).unwrap_or(utf16le);
    let pairs = body.chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return Err(hdr(format!("odd length {} for UTF-16", body.len())));
    }
    let units = pairs
        .filter_map(|p| <[u8; 2]>::try_from(p).ok())
        .map(u16::from_le_bytes);
    let xml: String = char::decode_utf16(units)
        .collect::<Result<_, _>>()
        .map_err(|e| hdr(format!("not UTF-16LE: {e}")))?;
    read_wrm_xml(&xml).map_err(|e| hdr(e.to_string()))
}

/// What the walk over the WRMHEADER XML collected.
#[derive(Default)]
struct Collected {
    version: Option<String>,
    kids: Vec<PlayReadyKid>,
    /// 4.0: the single `DATA/KID` text, with `PROTECTINFO/ALGID` and `DATA/CHECKSUM`.
    v40_kid: Option<Uuid>,
    v40_algid: Option<String>,
    v40_checksum: Option<Vec<u8>>,
    la_url: Option<String>,
    lui_url: Option<String>,
    ds_id: Option<String>,
}

fn read_wrm_xml(xml: &str) -> Result<PlayReadyHeader, Box<dyn std::error::Error>> {
    let mut r = XmlReader::new(xml);
    let mut c = Collected::default();
    let mut seen_root = false;
    loop {
        let (e, empty) = match r.next()? {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::Eof => break,
            _ => continue,
        };
        if seen_root {
            child_element(&mut r, &e, empty, &mut c)?;
            continue;
        }
        let name = e.local_name().as_ref().to_owned();
        if !is(&name, "WRMHEADER") {
            return Err(format!("root element is <{name}>").into());
        }
        seen_root = true;
        c.version = r.attrs(&e, "WRMHEADER")?.string("version");
        if empty {
            break;
        }
    }
    if !seen_root {
        return Err("no WRMHEADER element".into());
    }
    c.into_header()
}

/// An element under the WRMHEADER root: a KID, a URL or ID we keep, the 4.0 ALGID or
/// CHECKSUM, or something else (skipped).
fn child_element(
    r: &mut XmlReader<'_>,
    e: &BytesStart<'_>,
    empty: bool,
    c: &mut Collected,
) -> Result<(), Box<dyn std::error::Error>> {
    let name = e.local_name().as_ref().to_owned();
    let name = name.as_str();
    if is(name, "KID") {
        return kid_element(r, e, empty, c);
    }
    if is(name, "CHECKSUM") {
        if !empty {
            let text = r.text("CHECKSUM")?;
            c.v40_checksum = Some(decode_base64(&text).map_err(|e| format!("CHECKSUM: {e}"))?);
        }
        return Ok(());
    }
    let slot = if is(name, "LA_URL") {
        &mut c.la_url
    } else if is(name, "LUI_URL") {
        &mut c.lui_url
    } else if is(name, "DS_ID") {
        &mut c.ds_id
    } else if is(name, "ALGID") {
        &mut c.v40_algid
    } else {
        // Vendor data may hold anything, including elements named KID: not ours.
        if is(name, "CUSTOMATTRIBUTES") && !empty {
            r.skip(e)?;
        }
        return Ok(());
    };
    if !empty {
        let text = r.text("WRMHEADER child")?;
        let text = text.trim();
        if !text.is_empty() {
            *slot = Some(text.to_owned());
        }
    }
    Ok(())
}

impl Collected {
    /// The header: the 4.0 KID first, every KID without an ALGID taking the 4.0 one.
    fn into_header(self) -> Result<PlayReadyHeader, Box<dyn std::error::Error>> {
        let version = self.version.ok_or("WRMHEADER has no version attribute")?;
        let mut kids = self.kids;
        if let Some(kid) = self.v40_kid {
            kids.insert(
                0,
                PlayReadyKid {
                    kid,
                    algid: None,
                    checksum: self.v40_checksum,
                },
            );
        }
        for k in &mut kids {
            if k.algid.is_none() {
                k.algid.clone_from(&self.v40_algid);
            }
        }
        Ok(PlayReadyHeader {
            version,
            kids,
            la_url: self.la_url,
            lui_url: self.lui_url,
            ds_id: self.ds_id,
        })
    }
}

/// A `KID` element: 4.1+ carry VALUE/ALGID/CHECKSUM attributes, 4.0 carries base64 text.
fn kid_element(
    r: &mut XmlReader<'_>,
    e: &BytesStart<'_>,
    empty: bool,
    c: &mut Collected,
) -> Result<(), Box<dyn std::error::Error>> {
    let a = r.attrs(e, "KID")?;
    if let Some(value) = a.get("VALUE") {
        let kid = kid_from_base64(value)?;
        let checksum = match a.get("CHECKSUM") {
            Some(s) => Some(decode_base64(s).map_err(|e| format!("KID CHECKSUM: {e}"))?),
            None => None,
        };
        let algid = a.string("ALGID");
        c.kids.push(PlayReadyKid {
            kid,
            algid,
            checksum,
        });
        if !empty {
            r.skip(e)?;
        }
    } else if !empty {
        let text = r.text("KID")?;
        if !text.trim().is_empty() {
            c.v40_kid = Some(kid_from_base64(&text)?);
        }
    }
    Ok(())
}

/// A base64 little-endian GUID to a canonical UUID.
fn kid_from_base64(s: &str) -> Result<Uuid, String> {
    let bytes = decode_base64(s).map_err(|e| format!("KID \"{}\": {e}", s.trim()))?;
    let guid: [u8; 16] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| format!("KID \"{}\" is {} bytes, not 16", s.trim(), bytes.len()))?;
    Ok(Uuid::from_guid_le(guid))
}

fn le_u16(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2)?.try_into().ok().map(u16::from_le_bytes)
}

fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)?.try_into().ok().map(u32::from_le_bytes)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    /// A PlayReady Object wrapping `xml` as a UTF-16LE WRMHEADER record.
    pub(crate) fn pro(xml: &str) -> Vec<u8> {
        let rec: Vec<u8> = xml.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let total = 6 + 4 + rec.len();
        let mut v = Vec::new();
        v.extend_from_slice(&u32::try_from(total).expect("len").to_le_bytes());
        v.extend_from_slice(&1u16.to_le_bytes());
        v.extend_from_slice(&1u16.to_le_bytes());
        v.extend_from_slice(&u16::try_from(rec.len()).expect("len").to_le_bytes());
        v.extend_from_slice(&rec);
        v
    }

    const KID_BE: &str = "0a0b0c0d-0e0f-1011-1213-141516171819";

    fn kid_b64() -> String {
        let u: Uuid = KID_BE.parse().expect("uuid");
        STANDARD.encode(u.to_guid_le())
    }

    #[test]
    fn v4_0_data_kid_protectinfo_algid_checksum() {
        let xml = format!(
            r#"<WRMHEADER xmlns="http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader" version="4.0.0.0"><DATA><PROTECTINFO><KEYLEN>16</KEYLEN><ALGID>AESCTR</ALGID></PROTECTINFO><KID>{}</KID><CHECKSUM>AQIDBAUGBwg=</CHECKSUM><LA_URL>https://lic.example/rightsmanager.asmx</LA_URL><LUI_URL>https://lui.example/</LUI_URL><DS_ID>AH+03juKbUGbHl1V/QIwRA==</DS_ID><CUSTOMATTRIBUTES><KID>notakid</KID></CUSTOMATTRIBUTES></DATA></WRMHEADER>"#,
            kid_b64()
        );
        let h = parse_playready_object(&pro(&xml)).expect("header");
        assert_eq!(h.version, "4.0.0.0");
        assert_eq!(h.kids.len(), 1);
        assert_eq!(h.kids[0].kid.to_string(), KID_BE);
        assert_eq!(h.kids[0].algid.as_deref(), Some("AESCTR"));
        assert_eq!(
            h.kids[0].checksum.as_deref(),
            Some(&[1, 2, 3, 4, 5, 6, 7, 8][..])
        );
        assert_eq!(
            h.la_url.as_deref(),
            Some("https://lic.example/rightsmanager.asmx")
        );
        assert_eq!(h.lui_url.as_deref(), Some("https://lui.example/"));
        assert_eq!(h.ds_id.as_deref(), Some("AH+03juKbUGbHl1V/QIwRA=="));
    }

    #[test]
    fn v4_1_protectinfo_kid_attributes() {
        let xml = format!(
            r#"<WRMHEADER version="4.1.0.0"><DATA><PROTECTINFO><KID ALGID="AESCTR" CHECKSUM="AQID" VALUE="{}"></KID></PROTECTINFO><LA_URL>http://l/</LA_URL></DATA></WRMHEADER>"#,
            kid_b64()
        );
        let h = parse_playready_object(&pro(&xml)).expect("header");
        assert_eq!(h.version, "4.1.0.0");
        assert_eq!(h.kids.len(), 1);
        assert_eq!(h.kids[0].kid.to_string(), KID_BE);
        assert_eq!(h.kids[0].algid.as_deref(), Some("AESCTR"));
        assert_eq!(h.kids[0].checksum.as_deref(), Some(&[1, 2, 3][..]));
    }

    #[test]
    fn v4_2_and_4_3_kids_list() {
        for version in ["4.2.0.0", "4.3.0.0"] {
            let xml = format!(
                r#"<WRMHEADER version="{version}"><DATA><PROTECTINFO><KIDS><KID ALGID="AESCBC" VALUE="{}"/><KID VALUE="AAAAAAAAAAAAAAAAAAAAAA=="/></KIDS></PROTECTINFO><DECRYPTORSETUP>ONDEMAND</DECRYPTORSETUP></DATA></WRMHEADER>"#,
                kid_b64()
            );
            let h = parse_playready_object(&pro(&xml)).expect("header");
            assert_eq!(h.version, version);
            let kids: Vec<String> = h.kids.iter().map(|k| k.kid.to_string()).collect();
            assert_eq!(
                kids,
                vec![
                    KID_BE.to_owned(),
                    "00000000-0000-0000-0000-000000000000".into()
                ]
            );
            assert_eq!(h.kids[0].algid.as_deref(), Some("AESCBC"));
            assert_eq!(h.kids[1].algid, None);
            assert_eq!(h.la_url, None);
        }
    }

    #[test]
    fn bare_wrm_header_without_object() {
        let xml = format!(
            r#"<WRMHEADER version="4.0.0.0"><DATA><KID>{}</KID></DATA></WRMHEADER>"#,
            kid_b64()
        );
        let bare: Vec<u8> = xml.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let h = parse_playready_object(&bare).expect("bare");
        assert_eq!(h.kids[0].kid.to_string(), KID_BE);
    }

    #[test]
    fn skips_other_records() {
        let xml = r#"<WRMHEADER version="4.0.0.0"><DATA/></WRMHEADER>"#;
        let inner = pro(xml);
        // Prepend a type-3 record (embedded license store) before the header record.
        let mut v = Vec::new();
        let total = inner.len() + 4 + 2;
        v.extend_from_slice(&u32::try_from(total).expect("len").to_le_bytes());
        v.extend_from_slice(&2u16.to_le_bytes());
        v.extend_from_slice(&3u16.to_le_bytes());
        v.extend_from_slice(&2u16.to_le_bytes());
        v.extend_from_slice(&[9, 9]);
        v.extend_from_slice(&inner[6..]);
        let h = parse_playready_object(&v).expect("header");
        assert!(h.kids.is_empty());
    }

    #[test]
    fn broken_objects_are_typed_errors() {
        assert!(matches!(
            parse_playready_object(&[1, 0]),
            Err(PlayReadyError::Object(_))
        ));
        let mut p = pro(r#"<WRMHEADER version="4.0.0.0"/>"#);
        p[0] = 0xFF;
        p[1] = 0xFF;
        assert!(matches!(
            parse_playready_object(&p),
            Err(PlayReadyError::Object(_))
        ));
        let truncated = &pro(r#"<WRMHEADER version="4.0.0.0"/>"#)[..20];
        assert!(parse_playready_object(truncated).is_err());
        let no_version = pro("<WRMHEADER><DATA/></WRMHEADER>");
        assert!(matches!(
            parse_playready_object(&no_version),
            Err(PlayReadyError::Header(_))
        ));
        let short_kid =
            pro(r#"<WRMHEADER version="4.0.0.0"><DATA><KID>AQID</KID></DATA></WRMHEADER>"#);
        let e = parse_playready_object(&short_kid).expect_err("short kid");
        assert!(e.to_string().contains("3 bytes, not 16"), "{e}");
        let wrong_root = pro("<FOO/>");
        assert!(parse_playready_object(&wrong_root).is_err());
    }
}
