//! `StreamIndex`: a track's attributes, its QualityLevels and its `c` timeline.

use quick_xml::events::{BytesStart, Event};

use super::attributes::parse_custom_attributes;
use super::base64_text::decode_base64;
use super::error::quote;
use super::quality_level::parse_quality_level;
use super::timeline::{RawChunk, TimelineContext, expand};
use super::xml::{Attrs, XmlReader, is};
use super::{EmbeddedSample, ManifestError, QualityLevel, StreamIndex, StreamType};
use crate::limits::{MAX_CHUNKS_PER_MANIFEST, MAX_CHUNKS_PER_STREAM};
use crate::time::rescale;

/// What a stream inherits from `SmoothStreamingMedia`.
pub(crate) struct Presentation {
    /// Presentation timescale.
    pub timescale: u64,
    /// Presentation duration in its timescale, when known.
    pub duration: Option<u64>,
}

/// How many more chunks the manifest may expand to, checked as `c` elements are read so
/// that no list grows past the limits before the timeline is expanded.
pub(crate) struct ChunkBudget {
    /// Chunks left for the whole manifest.
    pub manifest_left: u64,
}

/// A `f` element before its chunk's start time is known.
struct RawSample {
    c_index: usize,
    track_index: u32,
    data: Vec<u8>,
}

/// Reads a `StreamIndex` element; `ordinal` is its position among the streams.
pub(crate) fn parse_stream(
    r: &mut XmlReader<'_>,
    e: &BytesStart<'_>,
    empty: bool,
    ordinal: usize,
    p: &Presentation,
    budget: &mut ChunkBudget,
) -> Result<StreamIndex, ManifestError> {
    let mut s = stream_attributes(&r.attrs(e, "StreamIndex")?, p)?;
    let label = match &s.name {
        Some(n) => n.clone(),
        None => format!("{} #{ordinal}", type_name(&s.stream_type)),
    };
    let mut raw = Vec::new();
    let mut samples = Vec::new();
    if !empty {
        let mut children = Children {
            label: &label,
            raw: &mut raw,
            samples: &mut samples,
            stream_total: 0,
            budget,
        };
        stream_children(r, &mut s, &mut children)?;
    }
    let line_of = |pos: usize| r.line_at(pos);
    let ctx = TimelineContext {
        stream: &label,
        presentation_end: p.duration.map(|d| rescale(d, p.timescale, s.timescale)),
        sparse: s.stream_type == StreamType::Text,
        line_of: &line_of,
    };
    let (chunks, first_of) = expand(&raw, &ctx)?;
    s.embedded_samples = samples
        .into_iter()
        .filter_map(|rs: RawSample| {
            let start = chunks.get(*first_of.get(rs.c_index)?)?.start;
            Some(EmbeddedSample {
                start,
                track_index: rs.track_index,
                data: rs.data,
            })
        })
        .collect();
    s.chunks = chunks;
    Ok(s)
}

/// Where the children of a `StreamIndex` go.
struct Children<'a> {
    label: &'a str,
    raw: &'a mut Vec<RawChunk>,
    samples: &'a mut Vec<RawSample>,
    /// Chunks the stream's `c` elements expand to so far.
    stream_total: u64,
    budget: &'a mut ChunkBudget,
}

impl Children<'_> {
    /// Records a `c` element, refusing it when it takes the stream or manifest past a limit.
    fn push(&mut self, c: RawChunk, r: &XmlReader<'_>) -> Result<(), ManifestError> {
        self.stream_total = self.stream_total.saturating_add(c.r);
        if self.stream_total > MAX_CHUNKS_PER_STREAM {
            return Err(ManifestError::TooManyChunks {
                stream: self.label.to_owned(),
                limit: MAX_CHUNKS_PER_STREAM,
                line: r.line_at(c.pos),
            });
        }
        self.budget.manifest_left =
            self.budget.manifest_left.checked_sub(c.r).ok_or_else(|| {
                ManifestError::TooManyChunksInManifest {
                    limit: MAX_CHUNKS_PER_MANIFEST,
                    line: r.line_at(c.pos),
                }
            })?;
        self.raw.push(c);
        Ok(())
    }
}

/// The children of a `StreamIndex`: QualityLevels and `c` elements (with their `f` samples).
fn stream_children(
    r: &mut XmlReader<'_>,
    s: &mut StreamIndex,
    out: &mut Children<'_>,
) -> Result<(), ManifestError> {
    loop {
        match r.next()? {
            Event::Empty(c) if is(c.name().0, "c") => {
                let raw = chunk(&r.attrs(&c, "c")?)?;
                out.push(raw, r)?;
            }
            Event::Start(c) if is(c.name().0, "c") => {
                let raw = chunk(&r.attrs(&c, "c")?)?;
                out.push(raw, r)?;
                read_track_fragments(r, out.raw.len().saturating_sub(1), out.samples)?;
            }
            Event::Empty(q) if is(q.name().0, "QualityLevel") => {
                let a = r.attrs(&q, "QualityLevel")?;
                let level = parse_quality_level(&a, &s.stream_type, s.quality_levels.len())?;
                s.quality_levels.push(level);
            }
            Event::Start(q) if is(q.name().0, "QualityLevel") => {
                let a = r.attrs(&q, "QualityLevel")?;
                let mut level = parse_quality_level(&a, &s.stream_type, s.quality_levels.len())?;
                read_quality_level_children(r, &mut level)?;
                s.quality_levels.push(level);
            }
            Event::Start(other) => r.skip(&other)?,
            Event::End(_) => return Ok(()),
            Event::Eof => return Err(r.unexpected_eof("StreamIndex")),
            _ => {}
        }
    }
}

fn type_name(t: &StreamType) -> &'static str {
    match t {
        StreamType::Video => "video",
        StreamType::Audio => "audio",
        StreamType::Text => "text",
    }
}

fn stream_attributes(a: &Attrs<'_, '_>, p: &Presentation) -> Result<StreamIndex, ManifestError> {
    let raw_type = a.required("Type")?;
    let stream_type = if raw_type.eq_ignore_ascii_case("video") {
        StreamType::Video
    } else if raw_type.eq_ignore_ascii_case("audio") {
        StreamType::Audio
    } else if raw_type.eq_ignore_ascii_case("text") {
        StreamType::Text
    } else {
        return Err(a.invalid("Type", raw_type, "expected video, audio or text"));
    };
    let manifest_output = a.bool("ManifestOutput")?.unwrap_or(false);
    // A stream whose samples are all in the manifest needs no fragment URL.
    let url_template = match a.string("Url") {
        Some(u) => u,
        None if manifest_output => String::new(),
        None => return Err(a.missing("Url")),
    };
    Ok(StreamIndex {
        stream_type,
        subtype: a.string("Subtype"),
        name: a.string("Name"),
        language: a.string("Language"),
        url_template,
        timescale: a.timescale("TimeScale")?.unwrap_or(p.timescale),
        declared_chunks: a.num::<u64>("Chunks")?,
        max_width: a.num::<u32>("MaxWidth")?,
        max_height: a.num::<u32>("MaxHeight")?,
        display_width: a.num::<u32>("DisplayWidth")?,
        display_height: a.num::<u32>("DisplayHeight")?,
        parent_stream_index: a.string("ParentStreamIndex"),
        manifest_output,
        quality_levels: Vec::new(),
        chunks: Vec::new(),
        embedded_samples: Vec::new(),
    })
}

/// A `c` element's t, d, r (n, the informative fragment number, is not needed).
fn chunk(a: &Attrs<'_, '_>) -> Result<RawChunk, ManifestError> {
    let t = a.num::<u64>("t")?;
    let d = a.num::<u64>("d")?;
    if t.is_none() && d.is_none() {
        return Err(a.missing("d"));
    }
    let r = match a.num::<u64>("r")? {
        None => 1,
        Some(0) => return Err(a.invalid("r", "0", "the repeat count is at least 1")),
        Some(r) => r,
    };
    Ok(RawChunk {
        t,
        d,
        r,
        pos: a.pos(),
    })
}

/// The `f` children of a `c` element whose `Start` was just read.
fn read_track_fragments(
    r: &mut XmlReader<'_>,
    c_index: usize,
    out: &mut Vec<RawSample>,
) -> Result<(), ManifestError> {
    loop {
        match r.next()? {
            Event::Start(f) if is(f.name().0, "f") => {
                let a = r.attrs(&f, "f")?;
                let track_index = a.num::<u32>("i")?.unwrap_or(0);
                let pos = a.pos();
                let text = r.text("f")?;
                let data = decode_base64(&text).map_err(|e| ManifestError::InvalidContent {
                    element: "f",
                    value: quote(text.trim()),
                    reason: format!("not base64: {e}"),
                    line: r.line_at(pos),
                })?;
                out.push(RawSample {
                    c_index,
                    track_index,
                    data,
                });
            }
            Event::Start(other) => r.skip(&other)?,
            Event::End(_) => return Ok(()),
            Event::Eof => return Err(r.unexpected_eof("c")),
            _ => {}
        }
    }
}

/// The children of a `QualityLevel` whose `Start` was just read: its CustomAttributes.
fn read_quality_level_children(
    r: &mut XmlReader<'_>,
    level: &mut QualityLevel,
) -> Result<(), ManifestError> {
    loop {
        match r.next()? {
            Event::Start(e) if is(e.name().0, "CustomAttributes") => {
                parse_custom_attributes(r, &mut level.custom_attributes)?;
            }
            Event::Start(e) => r.skip(&e)?,
            Event::End(_) => return Ok(()),
            Event::Eof => return Err(r.unexpected_eof("QualityLevel")),
            _ => {}
        }
    }
}
