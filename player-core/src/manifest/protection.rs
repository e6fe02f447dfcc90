//! `Protection` / `ProtectionHeader`: SystemID, base64 header data, PlayReady headers parsed.

use quick_xml::events::{BytesStart, Event};

use super::base64_text::decode_base64;
use super::error::quote;
use super::playready::parse_playready_object;
use super::xml::{XmlReader, is};
use super::{ManifestError, ProtectionHeader, Uuid};

/// Reads the children of a `Protection` element whose `Start` was just read.
pub(crate) fn parse_protection(
    r: &mut XmlReader<'_>,
    out: &mut Vec<ProtectionHeader>,
) -> Result<(), ManifestError> {
    loop {
        match r.next()? {
            Event::Start(e) if is(e.name().0, "ProtectionHeader") => {
                out.push(protection_header(r, &e, false)?);
            }
            Event::Empty(e) if is(e.name().0, "ProtectionHeader") => {
                out.push(protection_header(r, &e, true)?);
            }
            Event::Start(e) => r.skip(&e)?,
            Event::End(_) => return Ok(()),
            Event::Eof => return Err(r.unexpected_eof("Protection")),
            _ => {}
        }
    }
}

/// One `ProtectionHeader`: a PlayReady one that does not parse keeps its bytes and logs why.
fn protection_header(
    r: &mut XmlReader<'_>,
    e: &BytesStart<'_>,
    empty: bool,
) -> Result<ProtectionHeader, ManifestError> {
    let a = r.attrs(e, "ProtectionHeader")?;
    let line = a.line();
    let raw_id = a.required("SystemID")?;
    let system_id: Uuid = raw_id
        .parse()
        .map_err(|()| a.invalid("SystemID", raw_id, "not a GUID"))?;
    let text = if empty {
        String::new()
    } else {
        r.text("ProtectionHeader")?
    };
    let data = match decode_base64(&text) {
        Ok(data) => data,
        Err(err) => {
            // Listed, opaque and without KIDs: the clear streams may still play.
            let defect = format!(
                "ProtectionHeader (line {line}) is not base64 ({err}): {}",
                quote(text.trim())
            );
            tracing::debug!("{defect}");
            return Ok(ProtectionHeader {
                system_id,
                data: Vec::new(),
                playready: None,
                defect: Some(defect),
            });
        }
    };
    let (playready, defect) = if system_id == Uuid::PLAYREADY {
        match parse_playready_object(&data) {
            Ok(h) => (Some(h), None),
            Err(err) => {
                let defect = format!("PlayReady header (line {line}) not understood: {err}");
                tracing::debug!("{defect}; kept as opaque bytes");
                (None, Some(defect))
            }
        }
    } else {
        (None, None)
    };
    Ok(ProtectionHeader {
        system_id,
        data,
        playready,
        defect,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::playready::tests::pro;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    fn read(xml: &str) -> Result<Vec<ProtectionHeader>, ManifestError> {
        let mut r = XmlReader::new(xml);
        assert!(matches!(r.next()?, Event::Start(_)));
        let mut out = Vec::new();
        parse_protection(&mut r, &mut out)?;
        Ok(out)
    }

    /// Base64 cut into lines of 20 characters with indentation, as IIS writes it.
    fn wrapped(b: &[u8]) -> String {
        let s = STANDARD.encode(b);
        let lines: Vec<&str> = s
            .as_bytes()
            .chunks(20)
            .map(|c| std::str::from_utf8(c).expect("ascii"))
            .collect();
        format!("\n      {}\n    ", lines.join("\n      "))
    }

    #[test]
    fn system_id_with_and_without_braces_and_wrapped_base64() {
        let body = pro(
            r#"<WRMHEADER version="4.0.0.0"><DATA><LA_URL>http://l/</LA_URL></DATA></WRMHEADER>"#,
        );
        for id in [
            "9A04F079-9840-4286-AB92-E65BE0885F95",
            "{9a04f079-9840-4286-ab92-e65be0885f95}",
        ] {
            let xml = format!(
                "<Protection><ProtectionHeader SystemID=\"{id}\">{}</ProtectionHeader></Protection>",
                wrapped(&body)
            );
            let h = read(&xml).expect("protection");
            assert_eq!(h.len(), 1);
            assert_eq!(h[0].system_id, Uuid::PLAYREADY);
            assert_eq!(h[0].data, body);
            let pr = h[0].playready.as_ref().expect("playready parsed");
            assert_eq!(pr.la_url.as_deref(), Some("http://l/"));
        }
    }

    #[test]
    fn non_playready_header_is_opaque() {
        let xml = "<Protection><ProtectionHeader SystemID=\"edef8ba9-79d6-4ace-a3c8-27dcd51d21ed\">AAECAw==</ProtectionHeader>\
                   <ProtectionHeader SystemID=\"{00000000-0000-0000-0000-000000000001}\"/></Protection>";
        let h = read(xml).expect("protection");
        assert_eq!(h.len(), 2);
        assert_eq!(
            h[0].system_id.to_string(),
            "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"
        );
        assert_eq!(h[0].data, vec![0, 1, 2, 3]);
        assert_eq!(h[0].playready, None);
        assert!(h[1].data.is_empty());
    }

    #[test]
    fn broken_playready_object_keeps_the_bytes() {
        let xml = "<Protection><ProtectionHeader SystemID=\"9A04F079-9840-4286-AB92-E65BE0885F95\">AAECAw==</ProtectionHeader></Protection>";
        let h = read(xml).expect("not fatal");
        assert_eq!(h[0].data, vec![0, 1, 2, 3]);
        assert_eq!(h[0].playready, None);
        assert!(
            h[0].defect
                .as_deref()
                .is_some_and(|d| d.contains("not understood"))
        );
    }

    #[test]
    fn a_header_that_is_not_base64_is_listed_opaque_with_its_defect() {
        let xml = "<Protection>\n<ProtectionHeader SystemID=\"9A04F079-9840-4286-AB92-E65BE0885F95\">not*base64</ProtectionHeader></Protection>";
        let h = read(xml).expect("not fatal");
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].system_id, Uuid::PLAYREADY);
        assert!(h[0].data.is_empty() && h[0].playready.is_none());
        let defect = h[0].defect.as_deref().expect("a defect");
        assert!(
            defect.contains("not base64") && defect.contains("line 2"),
            "{defect}"
        );
        assert!(defect.contains("not*base64"), "{defect}");
    }

    #[test]
    fn bad_system_id_is_a_typed_error() {
        let xml = "<Protection><ProtectionHeader SystemID=\"playready\">AA==</ProtectionHeader></Protection>";
        assert!(matches!(
            read(xml),
            Err(ManifestError::InvalidAttribute { element: "ProtectionHeader", attribute: "SystemID", ref value, .. }) if value == "playready"
        ));
        let xml = "<Protection><ProtectionHeader>AA==</ProtectionHeader></Protection>";
        assert!(matches!(
            read(xml),
            Err(ManifestError::MissingAttribute {
                attribute: "SystemID",
                ..
            })
        ));
    }
}
