//! The entry point: bytes to [`Manifest`], and the `SmoothStreamingMedia` root element.

use quick_xml::events::{BytesStart, Event};

use super::attributes::{attribute, parse_custom_attributes};
use super::encoding::decode;
use super::protection::parse_protection;
use super::stream::{ChunkBudget, Presentation, parse_stream};
use super::xml::{XmlReader, is};
use super::{Manifest, ManifestError};
use crate::limits::{MAX_CHUNKS_PER_MANIFEST, MAX_MANIFEST_BYTES};
use crate::time::DEFAULT_TIMESCALE;

/// Parses a client manifest (UTF-8 or UTF-16 with BOM) into a [`Manifest`].
pub fn parse(bytes: &[u8]) -> Result<Manifest, ManifestError> {
    check_size(bytes.len())?;
    parse_str(&decode(bytes)?)
}

/// Parses a client manifest already decoded to text.
pub fn parse_str(text: &str) -> Result<Manifest, ManifestError> {
    check_size(text.len())?;
    let mut r = XmlReader::new(text);
    let manifest = loop {
        match r.next()? {
            Event::Start(e) => break root(&mut r, &e, false)?,
            Event::Empty(e) => break root(&mut r, &e, true)?,
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                return Err(r.xml_error(r.position(), "text before the root element".into()));
            }
            Event::Eof => {
                return Err(ManifestError::NotSmoothStreaming {
                    found: String::new(),
                });
            }
            // Declaration, comments, processing instructions; a DOCTYPE is not read.
            _ => {}
        }
    };
    loop {
        match r.next()? {
            Event::Eof => return Ok(manifest),
            Event::Start(_) | Event::Empty(_) | Event::Text(_) | Event::CData(_) => {
                return Err(r.xml_error(r.position(), "content after the root element".into()));
            }
            _ => {}
        }
    }
}

fn check_size(size: usize) -> Result<(), ManifestError> {
    if size > MAX_MANIFEST_BYTES {
        return Err(ManifestError::TooLarge {
            size,
            limit: MAX_MANIFEST_BYTES,
        });
    }
    Ok(())
}

/// The `SmoothStreamingMedia` element and everything in it.
fn root(r: &mut XmlReader<'_>, e: &BytesStart<'_>, empty: bool) -> Result<Manifest, ManifestError> {
    let name = e.name().0;
    if !is(name, "SmoothStreamingMedia") {
        return Err(ManifestError::NotSmoothStreaming {
            found: name.to_owned(),
        });
    }
    let a = r.attrs(e, "SmoothStreamingMedia")?;
    let major_version = a.required_num::<u32>("MajorVersion")?;
    let minor_version = a.required_num::<u32>("MinorVersion")?;
    if !matches!(major_version, 1 | 2) {
        return Err(ManifestError::UnsupportedVersion {
            major: major_version,
            minor: minor_version,
        });
    }
    let mut m = Manifest {
        major_version,
        minor_version,
        timescale: a.timescale("TimeScale")?.unwrap_or(DEFAULT_TIMESCALE),
        duration: a.num::<u64>("Duration")?.filter(|d| *d > 0),
        is_live: a.bool("IsLive")?.unwrap_or(false),
        // IIS Live writes LookAheadFragmentCount; the specification says LookaheadCount.
        lookahead_count: match a.num::<u32>("LookaheadCount")? {
            Some(n) => Some(n),
            None => a.num::<u32>("LookAheadFragmentCount")?,
        },
        dvr_window_length: a.num::<u64>("DVRWindowLength")?.filter(|d| *d > 0),
        can_seek: a.bool("CanSeek")?.unwrap_or(true),
        can_pause: a.bool("CanPause")?.unwrap_or(true),
        custom_attributes: Vec::new(),
        protection: Vec::new(),
        streams: Vec::new(),
    };
    if !empty {
        root_children(r, &mut m)?;
    }
    Ok(m)
}

/// The children of `SmoothStreamingMedia`: streams, protection, custom attributes.
fn root_children(r: &mut XmlReader<'_>, m: &mut Manifest) -> Result<(), ManifestError> {
    let p = Presentation {
        timescale: m.timescale,
        duration: m.duration,
    };
    let mut budget = ChunkBudget {
        manifest_left: MAX_CHUNKS_PER_MANIFEST,
    };
    loop {
        match r.next()? {
            Event::Start(c) if is(c.name().0, "StreamIndex") => {
                let s = parse_stream(r, &c, false, m.streams.len(), &p, &mut budget)?;
                m.streams.push(s);
            }
            Event::Empty(c) if is(c.name().0, "StreamIndex") => {
                let s = parse_stream(r, &c, true, m.streams.len(), &p, &mut budget)?;
                m.streams.push(s);
            }
            Event::Start(c) if is(c.name().0, "Protection") => {
                parse_protection(r, &mut m.protection)?;
            }
            Event::Start(c) if is(c.name().0, "CustomAttributes") => {
                parse_custom_attributes(r, &mut m.custom_attributes)?;
            }
            // The IIS documentation shows bare Attribute elements under the root.
            Event::Empty(c) if is(c.name().0, "Attribute") => {
                m.custom_attributes.push(attribute(r, &c)?);
            }
            Event::Start(c) => r.skip(&c)?,
            Event::End(_) => return Ok(()),
            Event::Eof => return Err(r.unexpected_eof("SmoothStreamingMedia")),
            _ => {}
        }
    }
}
