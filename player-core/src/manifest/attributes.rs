//! `CustomAttributes` elements: `Attribute Name=… Value=…` pairs, in document order.

use quick_xml::events::Event;

use super::xml::{XmlReader, is};
use super::{Attribute, ManifestError};

/// Reads the children of a `CustomAttributes` element whose `Start` was just read.
pub(crate) fn parse_custom_attributes(
    r: &mut XmlReader<'_>,
    out: &mut Vec<Attribute>,
) -> Result<(), ManifestError> {
    loop {
        match r.next()? {
            Event::Empty(e) if is(e.name().0, "Attribute") => out.push(attribute(r, &e)?),
            Event::Start(e) if is(e.name().0, "Attribute") => {
                out.push(attribute(r, &e)?);
                r.skip(&e)?;
            }
            Event::Start(e) => r.skip(&e)?,
            Event::End(_) => return Ok(()),
            Event::Eof => return Err(r.unexpected_eof("CustomAttributes")),
            _ => {}
        }
    }
}

/// One `Attribute` element: Name is required, a missing Value is empty.
pub(crate) fn attribute(
    r: &XmlReader<'_>,
    e: &quick_xml::events::BytesStart<'_>,
) -> Result<Attribute, ManifestError> {
    let a = r.attrs(e, "Attribute")?;
    Ok(Attribute {
        name: a.required("Name")?.to_owned(),
        value: a.get("Value").unwrap_or("").trim().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(xml: &str) -> Result<Vec<Attribute>, ManifestError> {
        let mut r = XmlReader::new(xml);
        assert!(matches!(r.next()?, Event::Start(_)));
        let mut out = Vec::new();
        parse_custom_attributes(&mut r, &mut out)?;
        Ok(out)
    }

    #[test]
    fn pairs_in_document_order_with_spaces_around_eq() {
        let got = read(
            "<CustomAttributes>\n <Attribute Name = \"Compatibility\" Value = \"Desktop\" />\n\
             <Attribute Value=\"2\" Name=\"b\"></Attribute><Other/></CustomAttributes>",
        )
        .expect("attributes");
        assert_eq!(
            got,
            vec![
                Attribute {
                    name: "Compatibility".into(),
                    value: "Desktop".into()
                },
                Attribute {
                    name: "b".into(),
                    value: "2".into()
                },
            ]
        );
    }

    #[test]
    fn name_is_required() {
        assert_eq!(
            read("<CustomAttributes>\n<Attribute Value=\"x\"/></CustomAttributes>"),
            Err(ManifestError::MissingAttribute {
                element: "Attribute",
                attribute: "Name",
                line: 2
            })
        );
    }
}
