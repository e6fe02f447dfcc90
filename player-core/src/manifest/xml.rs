//! XML plumbing over quick-xml: events with positioned errors, element text, typed attributes.
//!
//! Element and attribute names are matched ASCII case-insensitively: producers disagree on
//! `LookaheadCount` / `LookAheadCount`, and a stricter match would only refuse real streams.
//! No DTD is read and only the five predefined entities and character references resolve.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::reader::Reader;

use super::ManifestError;
use super::error::{line_col, quote};

/// A pull reader over a decoded document that reports errors with line and column.
pub(crate) struct XmlReader<'d> {
    reader: Reader<&'d [u8]>,
    doc: &'d str,
}

impl<'d> XmlReader<'d> {
    /// Starts reading `doc`.
    pub(crate) fn new(doc: &'d str) -> Self {
        let mut reader = Reader::from_str(doc);
        let config = reader.config_mut();
        config.trim_text(true);
        config.check_end_names = true;
        XmlReader { reader, doc }
    }

    /// Byte offset just past the last event read.
    pub(crate) fn position(&self) -> usize {
        usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX)
    }

    /// One-based line of byte offset `pos`.
    pub(crate) fn line_at(&self, pos: usize) -> usize {
        line_col(self.doc, pos).0
    }

    /// The next event; `Eof` is returned as is, malformed XML as [`ManifestError::Xml`].
    pub(crate) fn next(&mut self) -> Result<Event<'d>, ManifestError> {
        match self.reader.read_event() {
            Ok(ev) => Ok(ev),
            Err(e) => {
                let pos = self.reader.error_position();
                Err(self.xml_error(usize::try_from(pos).unwrap_or(usize::MAX), e.to_string()))
            }
        }
    }

    /// An [`ManifestError::Xml`] at byte `pos`.
    pub(crate) fn xml_error(&self, pos: usize, message: String) -> ManifestError {
        let (line, column) = line_col(self.doc, pos);
        ManifestError::Xml {
            position: u64::try_from(pos).unwrap_or(u64::MAX),
            line,
            column,
            message,
        }
    }

    /// The error for a document that ends inside `<element>`.
    pub(crate) fn unexpected_eof(&self, element: &str) -> ManifestError {
        self.xml_error(self.doc.len(), format!("document ends before </{element}>"))
    }

    /// Skips the content of an element whose `Start` event was just read.
    pub(crate) fn skip(&mut self, start: &BytesStart<'_>) -> Result<(), ManifestError> {
        let end = start.to_end().into_owned();
        match self.reader.read_to_end(end.name()) {
            Ok(_) => Ok(()),
            Err(e) => {
                let pos = self.reader.error_position();
                Err(self.xml_error(usize::try_from(pos).unwrap_or(usize::MAX), e.to_string()))
            }
        }
    }

    /// Collects the text of an element whose `Start` event was just read, up to its end.
    ///
    /// Child elements are skipped; CDATA is taken literally; references are resolved.
    pub(crate) fn text(&mut self, element: &str) -> Result<String, ManifestError> {
        let mut out = String::new();
        loop {
            match self.next()? {
                Event::Text(t) => out.push_str(&t.xml10_content()),
                Event::CData(t) => out.push_str(&t.xml10_content()),
                Event::GeneralRef(r) => out.push_str(&self.resolve_ref(&r)?),
                Event::Start(s) => self.skip(&s)?,
                Event::End(_) => return Ok(out),
                Event::Eof => return Err(self.unexpected_eof(element)),
                _ => {}
            }
        }
    }

    /// Resolves `&name;` in text: character references and the five predefined entities.
    pub(crate) fn resolve_ref(&self, r: &BytesRef<'_>) -> Result<Cow<'static, str>, ManifestError> {
        match r.resolve_char_ref() {
            Ok(Some(c)) => return Ok(Cow::Owned(c.to_string())),
            Ok(None) => {}
            Err(e) => return Err(self.xml_error(self.position(), e.to_string())),
        }
        let name: &str = r;
        resolve_predefined_entity(name)
            .map(Cow::Borrowed)
            .ok_or_else(|| ManifestError::UnknownEntity {
                name: name.to_owned(),
                line: self.line_at(self.position()),
            })
    }

    /// The attributes of a start tag, normalized, for `element` (the name used in errors).
    pub(crate) fn attrs<'e>(
        &self,
        start: &'e BytesStart<'_>,
        element: &'static str,
    ) -> Result<Attrs<'e, 'd>, ManifestError> {
        // The tag was just read and ends at the position: `<` + content + `>` or `/>`.
        let mut pos = self.position().saturating_sub(start.len() + 2);
        if self.doc.as_bytes().get(pos) != Some(&b'<') {
            pos = pos.saturating_sub(1);
        }
        let mut list = Vec::with_capacity(8);
        for attr in start.attributes() {
            let attr = attr.map_err(|e| self.xml_error(pos, format!("<{element}>: {e}")))?;
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| match e {
                    quick_xml::Error::Escape(
                        quick_xml::escape::EscapeError::UnrecognizedEntity(_, name),
                    ) => ManifestError::UnknownEntity {
                        name,
                        line: self.line_at(pos),
                    },
                    other => self.xml_error(pos, format!("<{element}>: {other}")),
                })?;
            list.push((attr.key.0, value));
        }
        Ok(Attrs {
            element,
            pos,
            doc: self.doc,
            list,
        })
    }
}

/// Whether an element or attribute name is `want` (ASCII case-insensitive).
pub(crate) fn is(name: &str, want: &str) -> bool {
    name.eq_ignore_ascii_case(want)
}

/// The attributes of one element, with typed getters whose errors name element and attribute.
pub(crate) struct Attrs<'e, 'd> {
    element: &'static str,
    pos: usize,
    doc: &'d str,
    list: Vec<(&'e str, Cow<'e, str>)>,
}

impl<'e> Attrs<'e, '_> {
    /// One-based line of the element.
    pub(crate) fn line(&self) -> usize {
        line_col(self.doc, self.pos).0
    }

    /// Byte offset of the element.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The value of `name`, if present.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.list
            .iter()
            .find(|(k, _)| is(k, name))
            .map(|(_, v)| v.as_ref())
    }

    /// The value of `name`, trimmed, or [`ManifestError::MissingAttribute`].
    pub(crate) fn required(&self, name: &'static str) -> Result<&str, ManifestError> {
        self.get(name)
            .map(str::trim)
            .ok_or_else(|| self.missing(name))
    }

    /// The error for a missing `name`.
    pub(crate) fn missing(&self, name: &'static str) -> ManifestError {
        ManifestError::MissingAttribute {
            element: self.element,
            attribute: name,
            line: self.line(),
        }
    }

    /// The error for an unusable `name="value"`.
    pub(crate) fn invalid(
        &self,
        name: &'static str,
        value: &str,
        reason: impl Into<String>,
    ) -> ManifestError {
        ManifestError::InvalidAttribute {
            element: self.element,
            attribute: name,
            value: quote(value),
            reason: reason.into(),
            line: self.line(),
        }
    }

    /// An unsigned integer attribute that must fit `T`.
    pub(crate) fn num<T: TryFrom<u64> + MaxValue>(
        &self,
        name: &'static str,
    ) -> Result<Option<T>, ManifestError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        let s = raw.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.invalid(name, raw, "not a non-negative integer"));
        }
        let out_of_range =
            || self.invalid(name, raw, format!("out of range (largest is {})", T::MAX));
        let v: u64 = s.parse().map_err(|_| out_of_range())?;
        T::try_from(v).map(Some).map_err(|_| out_of_range())
    }

    /// An unsigned integer attribute that must be present.
    pub(crate) fn required_num<T: TryFrom<u64> + MaxValue>(
        &self,
        name: &'static str,
    ) -> Result<T, ManifestError> {
        self.num(name)?.ok_or_else(|| self.missing(name))
    }

    /// A timescale attribute: an integer greater than 0.
    pub(crate) fn timescale(&self, name: &'static str) -> Result<Option<u64>, ManifestError> {
        match self.num::<u64>(name)? {
            Some(0) => Err(self.invalid(name, "0", "must be greater than 0")),
            other => Ok(other),
        }
    }

    /// A boolean: `TRUE`/`FALSE` in any case, or `1`/`0`.
    pub(crate) fn bool(&self, name: &'static str) -> Result<Option<bool>, ManifestError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        let s = raw.trim();
        if s.eq_ignore_ascii_case("true") || s == "1" {
            Ok(Some(true))
        } else if s.eq_ignore_ascii_case("false") || s == "0" {
            Ok(Some(false))
        } else {
            Err(self.invalid(name, raw, "expected TRUE or FALSE"))
        }
    }

    /// Hex-encoded bytes (whitespace ignored; empty means no bytes).
    pub(crate) fn hex(&self, name: &'static str) -> Result<Option<Vec<u8>>, ManifestError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        let compact: String = raw.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        hex::decode(&compact)
            .map(Some)
            .map_err(|e| self.invalid(name, raw, format!("not hex: {e}")))
    }

    /// A non-empty trimmed string.
    pub(crate) fn string(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }
}

/// The largest value of an integer type, for error messages.
pub(crate) trait MaxValue {
    /// The largest value.
    const MAX: u64;
}

macro_rules! max_value {
    ($($t:ty),*) => {$(
        impl MaxValue for $t {
            const MAX: u64 = <$t>::MAX as u64;
        }
    )*};
}
max_value!(u8, u16, u32, u64);

#[cfg(test)]
mod tests {
    use super::*;

    fn with_attrs<R>(xml: &str, f: impl FnOnce(&Attrs<'_, '_>) -> R) -> R {
        let mut r = XmlReader::new(xml);
        loop {
            match r.next().expect("xml") {
                Event::Start(s) | Event::Empty(s) => {
                    let a = r.attrs(&s, "X").expect("attrs");
                    return f(&a);
                }
                Event::Eof => panic!("no element"),
                _ => {}
            }
        }
    }

    #[test]
    fn attributes_any_order_spaces_around_eq_case_insensitive_names() {
        with_attrs("<X b = \"2\"\n   A= 'one'  c =\"&amp;&#x41;\"/>", |a| {
            assert_eq!(a.get("a"), Some("one"));
            assert_eq!(a.num::<u32>("B").expect("num"), Some(2));
            assert_eq!(a.get("C"), Some("&A"));
            assert_eq!(a.get("d"), None);
        });
    }

    #[test]
    fn numbers_are_checked_and_errors_name_the_value() {
        with_attrs(
            "<X big=\"18446744073709551616\" neg=\"-1\" w=\"70000\" ok=\" 42 \"/>",
            |a| {
                assert!(matches!(
                    a.num::<u64>("big"),
                    Err(ManifestError::InvalidAttribute { attribute: "big", ref value, .. })
                        if value == "18446744073709551616"
                ));
                assert!(matches!(
                    a.num::<u64>("neg"),
                    Err(ManifestError::InvalidAttribute { .. })
                ));
                let e = a.num::<u16>("w").expect_err("u16 overflow");
                assert!(e.to_string().contains("largest is 65535"), "{e}");
                assert_eq!(a.num::<u8>("ok").expect("trimmed"), Some(42));
                assert!(matches!(
                    a.required_num::<u32>("nope"),
                    Err(ManifestError::MissingAttribute {
                        element: "X",
                        attribute: "nope",
                        line: 1
                    })
                ));
            },
        );
    }

    #[test]
    fn booleans_hex_and_timescale() {
        with_attrs(
            "<X t=\"TRUE\" f=\"false\" o=\"1\" bad=\"yes\" h=\"0a FF\" bh=\"0g\" ts=\"0\"/>",
            |a| {
                assert_eq!(a.bool("t").expect("t"), Some(true));
                assert_eq!(a.bool("f").expect("f"), Some(false));
                assert_eq!(a.bool("o").expect("o"), Some(true));
                assert!(a.bool("bad").is_err());
                assert_eq!(a.hex("h").expect("hex"), Some(vec![0x0a, 0xff]));
                assert!(matches!(
                    a.hex("bh"),
                    Err(ManifestError::InvalidAttribute {
                        attribute: "bh",
                        ..
                    })
                ));
                assert!(matches!(
                    a.timescale("ts"),
                    Err(ManifestError::InvalidAttribute { attribute: "ts", ref reason, .. })
                        if reason.contains("greater than 0")
                ));
            },
        );
    }

    #[test]
    fn unknown_entities_are_refused_not_expanded() {
        let xml = "<!DOCTYPE X [<!ENTITY boom \"aaaa\">]>\n<X a=\"&boom;\"/>";
        let mut r = XmlReader::new(xml);
        let err = loop {
            match r.next().expect("xml") {
                Event::Start(s) | Event::Empty(s) => break r.attrs(&s, "X").err(),
                Event::Eof => panic!("no element"),
                _ => {}
            }
        };
        assert_eq!(
            err,
            Some(ManifestError::UnknownEntity {
                name: "boom".into(),
                line: 2
            })
        );
    }

    #[test]
    fn text_joins_refs_and_cdata() {
        let mut r = XmlReader::new("<a>x&lt;<![CDATA[&y]]><b>skip</b>&#65;</a>");
        assert!(matches!(r.next().expect("start"), Event::Start(_)));
        assert_eq!(r.text("a").expect("text"), "x<&yA");
    }

    #[test]
    fn malformed_xml_reports_line_and_column() {
        let mut r = XmlReader::new("<a>\n  <b></c>\n</a>");
        let err = loop {
            match r.next() {
                Ok(Event::Eof) => panic!("no error"),
                Ok(_) => {}
                Err(e) => break e,
            }
        };
        assert!(matches!(err, ManifestError::Xml { line: 2, .. }), "{err:?}");
    }
}
