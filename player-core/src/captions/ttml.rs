//! A TTML document (one sample of a text stream) to timed cues.
//!
//! What a caption display needs, not a full TTML renderer: each `<p>` becomes a cue with its
//! text (`<br/>` breaks lines, `<span>` text joins in, whitespace collapses as in
//! `xml:space="default"`), timed by `begin`/`end`/`dur` through the `body`/`div`/`p` parents
//! (parallel time containers), with the document's frame and tick rates. Styling, layout and
//! metadata are skipped.

use std::ops::Range;
use std::time::Duration;

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::reader::Reader;

use super::cue_list::Cue;
use super::error::CaptionError;
use super::time_expr::{TimeBase, parse_time};

/// Largest document accepted, bytes.
pub const MAX_DOC_BYTES: usize = 1024 * 1024;
/// Most cues one document may hold.
pub const MAX_CUES_PER_DOC: usize = 2048;
/// Deepest element nesting followed.
const MAX_DEPTH: usize = 64;
/// Longest cue text kept, bytes.
const MAX_CUE_TEXT: usize = 4096;

/// The timing of one open element, in seconds from the document's time origin.
#[derive(Debug, Clone, Copy)]
struct Span {
    begin: f64,
    /// `None`: until its parent ends (indefinite at the top).
    end: Option<f64>,
}

/// A `<p>` being read.
struct OpenCue {
    depth: usize,
    timing: Span,
    text: String,
}

/// A cue before the document's time origin is placed on the media timeline.
struct RawCue {
    begin: f64,
    end: Option<f64>,
    text: String,
}

/// Parses one TTML document carried by a sample spanning `sample` on the media timeline.
///
/// Times are taken on the media timeline (ISO/IEC 14496-30). Some packagers write them from
/// the start of the sample instead; a document whose every cue would be over before its own
/// sample begins is read that way. Cues without an end last to the end of the sample.
pub fn parse_ttml(doc: &[u8], sample: Range<Duration>) -> Result<Vec<Cue>, CaptionError> {
    if doc.len() > MAX_DOC_BYTES {
        return Err(CaptionError::TooLarge {
            what: "bytes",
            size: doc.len() as u64,
            limit: MAX_DOC_BYTES as u64,
        });
    }
    let text = std::str::from_utf8(doc).map_err(|e| CaptionError::Xml {
        position: e.valid_up_to() as u64,
        message: "not UTF-8".into(),
    })?;
    let raw = read_cues(text.trim_start_matches('\u{feff}'))?;
    Ok(place(raw, sample))
}

/// Places raw cues on the media timeline (see [`parse_ttml`]).
fn place(raw: Vec<RawCue>, sample: Range<Duration>) -> Vec<Cue> {
    let (s0, s1) = (sample.start.as_secs_f64(), sample.end.as_secs_f64());
    // Over before the sample begins: ended by then, or (open-ended) begun before it.
    let over = |c: &RawCue| c.end.map_or(c.begin < s0, |e| e <= s0);
    let relative = s0 > 0.0 && !raw.is_empty() && raw.iter().all(over);
    let offset = if relative { s0 } else { 0.0 };
    raw.into_iter()
        .filter_map(|c| {
            let begin = c.begin + offset;
            let end = c.end.map_or(s1.max(begin), |e| e + offset);
            let start = Duration::try_from_secs_f64(begin).ok()?;
            let end = Duration::try_from_secs_f64(end).ok()?;
            (end > start).then_some(Cue {
                start,
                end,
                text: c.text,
            })
        })
        .collect()
}

/// The local part of a possibly prefixed XML name.
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Reads the cues of a document, times relative to its time origin.
fn read_cues(doc: &str) -> Result<Vec<RawCue>, CaptionError> {
    let mut reader = Reader::from_str(doc);
    reader.config_mut().check_end_names = true;
    let mut walk = CueWalk::new();
    loop {
        let event = reader.read_event().map_err(|e| xml_error(&reader, &e))?;
        match event {
            Event::Start(ref s) | Event::Empty(ref s) => {
                let empty = matches!(event, Event::Empty(_));
                let name = local(s.name().as_ref()).to_ascii_lowercase();
                if !empty && matches!(name.as_str(), "head" | "metadata" | "styling" | "layout") {
                    reader
                        .read_to_end(s.name())
                        .map_err(|e| xml_error(&reader, &e))?;
                    continue;
                }
                walk.start(s, &name, empty)?;
            }
            Event::Text(t) => walk.text(&t.xml10_content())?,
            Event::CData(t) => walk.text(&t.xml10_content())?,
            // Outside a cue an entity is not read, so an unknown one there is no error.
            Event::GeneralRef(r) if walk.in_cue() => walk.text(&resolve_ref(&reader, &r)?)?,
            Event::End(_) => walk.end()?,
            Event::Eof => break,
            _ => {}
        }
    }
    walk.finish(doc.len())
}

fn xml_error(r: &Reader<&[u8]>, e: &dyn std::fmt::Display) -> CaptionError {
    CaptionError::Xml {
        position: r.error_position(),
        message: e.to_string(),
    }
}

/// The text of a character or predefined entity reference.
fn resolve_ref(reader: &Reader<&[u8]>, r: &BytesRef<'_>) -> Result<String, CaptionError> {
    match r.resolve_char_ref() {
        Ok(Some(ch)) => Ok(ch.to_string()),
        Ok(None) => {
            let name: &str = r;
            resolve_predefined_entity(name)
                .map(str::to_string)
                .ok_or_else(|| CaptionError::Xml {
                    position: reader.buffer_position(),
                    message: format!("unknown entity &{name};"),
                })
        }
        Err(e) => Err(xml_error(reader, &e)),
    }
}

/// The state of a walk over a document's elements: open timings, the `<p>` being read, and
/// the cues found so far.
struct CueWalk {
    base: TimeBase,
    /// Timing of each open element, under the document's own indefinite span.
    stack: Vec<Span>,
    open: Option<OpenCue>,
    cues: Vec<RawCue>,
}

impl CueWalk {
    const ROOT: Span = Span {
        begin: 0.0,
        end: None,
    };

    fn new() -> CueWalk {
        CueWalk {
            base: TimeBase::default(),
            stack: vec![CueWalk::ROOT],
            open: None,
            cues: Vec::new(),
        }
    }

    /// Whether a `<p>` is being read (text is kept only there).
    fn in_cue(&self) -> bool {
        self.open.is_some()
    }

    /// Element `name` opens; an `empty` one closes at once and times nothing.
    fn start(&mut self, s: &BytesStart<'_>, name: &str, empty: bool) -> Result<(), CaptionError> {
        match name {
            "tt" => self.base = time_base(s),
            "br" => self.text_break(),
            _ => {}
        }
        if empty {
            return Ok(());
        }
        if self.stack.len() > MAX_DEPTH {
            return Err(CaptionError::TooLarge {
                what: "nesting",
                size: self.stack.len() as u64,
                limit: MAX_DEPTH as u64,
            });
        }
        let parent = *self.stack.last().unwrap_or(&CueWalk::ROOT);
        let timing = timing(s, name, parent, &self.base)?;
        self.stack.push(timing);
        if name == "p" && self.open.is_none() {
            self.open = Some(OpenCue {
                depth: self.stack.len(),
                timing,
                text: String::new(),
            });
        }
        Ok(())
    }

    fn text_break(&mut self) {
        if let Some(c) = self.open.as_mut() {
            c.text.push('\n');
        }
    }

    fn text(&mut self, text: &str) -> Result<(), CaptionError> {
        match self.open.as_mut() {
            Some(c) => push_text(c, text),
            None => Ok(()),
        }
    }

    /// The innermost open element closes; when it is the `<p>` being read, that is a cue.
    fn end(&mut self) -> Result<(), CaptionError> {
        if self
            .open
            .as_ref()
            .is_some_and(|c| c.depth == self.stack.len())
            && let Some(c) = self.open.take()
        {
            let text = tidy(&c.text);
            if !text.is_empty() {
                if self.cues.len() >= MAX_CUES_PER_DOC {
                    return Err(CaptionError::TooLarge {
                        what: "cues",
                        size: self.cues.len() as u64 + 1,
                        limit: MAX_CUES_PER_DOC as u64,
                    });
                }
                self.cues.push(RawCue {
                    begin: c.timing.begin,
                    end: c.timing.end,
                    text,
                });
            }
        }
        self.stack.pop();
        Ok(())
    }

    /// The cues, once the document of `doc_len` bytes has ended with every element closed.
    fn finish(self, doc_len: usize) -> Result<Vec<RawCue>, CaptionError> {
        if self.stack.len() > 1 {
            return Err(CaptionError::Xml {
                position: doc_len as u64,
                message: "document ends inside an element".into(),
            });
        }
        Ok(self.cues)
    }
}

/// The attribute `name` (local part, any prefix) of `s`.
fn attr(s: &BytesStart<'_>, name: &str) -> Option<String> {
    s.attributes().flatten().find_map(|a| {
        local(a.key.0).eq_ignore_ascii_case(name).then(|| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .map_or_else(|_| a.value.to_string(), |v| v.into_owned())
        })
    })
}

/// `ttp:frameRate`, `ttp:frameRateMultiplier`, `ttp:subFrameRate` and `ttp:tickRate` of `<tt>`.
fn time_base(s: &BytesStart<'_>) -> TimeBase {
    let positive = |name: &str| {
        attr(s, name)
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v > 0.0)
    };
    let frame_rate = positive("frameRate");
    let multiplier = attr(s, "frameRateMultiplier")
        .and_then(|v| {
            let mut it = v.split_whitespace().map(|n| n.parse::<f64>().ok());
            match (it.next().flatten(), it.next().flatten()) {
                (Some(n), Some(d)) if n > 0.0 && d > 0.0 => Some(n / d),
                _ => None,
            }
        })
        .unwrap_or(1.0);
    let sub_frame_rate = positive("subFrameRate").unwrap_or(1.0);
    let effective = frame_rate.unwrap_or(30.0) * multiplier;
    // TTML: without ttp:tickRate, a tick is a sub-frame when a frame rate is given, else a second.
    let tick_rate = positive("tickRate")
        .unwrap_or_else(|| frame_rate.map_or(1.0, |f| f * multiplier * sub_frame_rate));
    TimeBase {
        frame_rate: effective,
        sub_frame_rate,
        tick_rate,
    }
}

/// The active interval of element `s` inside `parent` (a parallel time container).
fn timing(
    s: &BytesStart<'_>,
    name: &str,
    parent: Span,
    base: &TimeBase,
) -> Result<Span, CaptionError> {
    let time = |attribute: &'static str| -> Result<Option<f64>, CaptionError> {
        match attr(s, attribute) {
            None => Ok(None),
            Some(v) => parse_time(&v, base)
                .map(Some)
                .ok_or_else(|| CaptionError::BadTime {
                    element: name.to_owned(),
                    attribute,
                    value: v,
                }),
        }
    };
    let begin = parent.begin + time("begin")?.unwrap_or(0.0);
    let by_end = time("end")?.map(|e| parent.begin + e);
    let by_dur = time("dur")?.map(|d| begin + d);
    let end = match (by_end, by_dur) {
        (Some(e), Some(d)) => Some(e.min(d)),
        (e, d) => e.or(d),
    };
    let end = match (end, parent.end) {
        (Some(e), Some(p)) => Some(e.min(p)),
        (e, p) => e.or(p),
    };
    Ok(Span { begin, end })
}

/// Appends text to a cue, collapsing whitespace runs to one space.
fn push_text(c: &mut OpenCue, t: &str) -> Result<(), CaptionError> {
    for ch in t.chars() {
        if ch.is_whitespace() {
            if !c.text.ends_with([' ', '\n']) && !c.text.is_empty() {
                c.text.push(' ');
            }
        } else {
            c.text.push(ch);
        }
    }
    if c.text.len() > MAX_CUE_TEXT {
        return Err(CaptionError::TooLarge {
            what: "cue text",
            size: c.text.len() as u64,
            limit: MAX_CUE_TEXT as u64,
        });
    }
    Ok(())
}

/// Trims each line and drops empty lines at either end.
fn tidy(text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').map(str::trim).collect();
    let first = lines.iter().position(|l| !l.is_empty());
    let last = lines.iter().rposition(|l| !l.is_empty());
    match (first, last) {
        (Some(a), Some(b)) => lines[a..=b].join("\n"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    fn parse(doc: &str, from: f64, to: f64) -> Result<Vec<Cue>, CaptionError> {
        parse_ttml(doc.as_bytes(), secs(from)..secs(to))
    }

    fn summary(cues: &[Cue]) -> Vec<(f64, f64, &str)> {
        cues.iter()
            .map(|c| {
                let r = |d: Duration| (d.as_secs_f64() * 1000.0).round() / 1000.0;
                (r(c.start), r(c.end), c.text.as_str())
            })
            .collect()
    }

    const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling" xml:lang="en">
  <head><styling><style xml:id="s1" tts:color="white"/></styling>
    <metadata><p begin="0s" end="99s">not a cue</p></metadata></head>"#;

    #[test]
    fn paragraphs_become_cues_with_lines_and_spans() {
        let doc = format!(
            r#"{HEAD}
  <body><div>
    <p begin="00:00:04.000" end="00:00:05.500">Hello,
        <span tts:fontStyle="italic">brave</span>   new<br/>world &amp; &#x263A;</p>
    <p begin="00:00:05.500" dur="0.5s"><span>second</span></p>
    <p begin="00:00:05" end="00:00:05.2">  </p>
  </div></body>
</tt>"#
        );
        let cues = parse(&doc, 4.0, 6.0).expect("valid");
        assert_eq!(
            summary(&cues),
            vec![
                (4.0, 5.5, "Hello, brave new\nworld & \u{263A}"),
                (5.5, 6.0, "second")
            ]
        );
    }

    #[test]
    fn times_nest_in_parallel_containers_and_clip_to_parents() {
        let doc = r#"<tt xmlns="http://www.w3.org/ns/ttml"><body begin="10s">
            <div begin="2s" end="6s">
              <p begin="1s" end="3s">a</p>
              <p begin="3s" end="9s">clipped by the div</p>
              <p begin="3.5s">until the div ends</p>
              <p begin="5s">after the div: never shown</p>
            </div></body></tt>"#;
        assert_eq!(
            summary(&parse(doc, 12.0, 20.0).expect("valid")),
            vec![
                (13.0, 15.0, "a"),
                (15.0, 16.0, "clipped by the div"),
                (15.5, 16.0, "until the div ends"),
            ]
        );
    }

    #[test]
    fn prefixed_elements_ticks_and_frames() {
        let doc = r#"<tt:tt xmlns:tt="http://www.w3.org/ns/ttml"
                xmlns:ttp="http://www.w3.org/ns/ttml#parameter"
                ttp:tickRate="10000000" ttp:frameRate="25">
              <tt:body><tt:div>
                <tt:p begin="20000000t" end="30000000t">ticks</tt:p>
                <tt:p begin="00:00:03:00" end="00:00:03:12">frames</tt:p>
              </tt:div></tt:body></tt:tt>"#;
        assert_eq!(
            summary(&parse(doc, 2.0, 4.0).expect("valid")),
            vec![(2.0, 3.0, "ticks"), (3.0, 3.48, "frames")]
        );
    }

    #[test]
    fn open_ended_cues_last_to_the_end_of_the_sample() {
        let doc = r#"<tt xmlns="http://www.w3.org/ns/ttml"><body><div>
            <p begin="00:01:00">forever</p></div></body></tt>"#;
        assert_eq!(
            summary(&parse(doc, 60.0, 62.0).expect("valid")),
            vec![(60.0, 62.0, "forever")]
        );
    }

    #[test]
    fn sample_relative_documents_are_placed_at_their_sample() {
        // Every cue would be over before the sample begins: times count from the sample.
        let doc = r#"<tt xmlns="http://www.w3.org/ns/ttml"><body><div>
            <p begin="0.5s" end="1.5s">relative</p></div></body></tt>"#;
        assert_eq!(
            summary(&parse(doc, 100.0, 102.0).expect("valid")),
            vec![(100.5, 101.5, "relative")]
        );
        // At the start of the timeline both readings agree.
        assert_eq!(
            summary(&parse(doc, 0.0, 2.0).expect("valid")),
            vec![(0.5, 1.5, "relative")]
        );
    }

    #[test]
    fn empty_documents_have_no_cues() {
        let doc = r#"<tt xmlns="http://www.w3.org/ns/ttml"><body/></tt>"#;
        assert!(parse(doc, 0.0, 2.0).expect("valid").is_empty());
    }

    #[test]
    fn bad_documents_are_typed_errors() {
        let bad_time = r#"<tt><body><div><p begin="soon">x</p></div></body></tt>"#;
        assert!(matches!(
            parse(bad_time, 0.0, 2.0),
            Err(CaptionError::BadTime {
                attribute: "begin",
                ..
            })
        ));
        for broken in [
            "<tt><body><div><p>x</div></body></tt>",
            "<tt><body><div><p>x",
            "<tt><body><p>&bogus;</p></body></tt>",
        ] {
            assert!(
                matches!(parse(broken, 0.0, 2.0), Err(CaptionError::Xml { .. })),
                "{broken}"
            );
        }
        assert!(matches!(
            parse_ttml(&[0x3c, 0xff, 0xfe], Duration::ZERO..secs(2.0)),
            Err(CaptionError::Xml { .. })
        ));
    }

    #[test]
    fn oversized_documents_are_refused_before_parsing() {
        let big = vec![b' '; MAX_DOC_BYTES + 1];
        assert!(matches!(
            parse_ttml(&big, Duration::ZERO..secs(2.0)),
            Err(CaptionError::TooLarge { what: "bytes", .. })
        ));
        let deep = format!("<tt>{}</tt>", "<div>".repeat(MAX_DEPTH + 2));
        assert!(matches!(
            parse(&deep, 0.0, 2.0),
            Err(CaptionError::TooLarge {
                what: "nesting",
                ..
            })
        ));
        let many = format!(
            "<tt><body>{}</body></tt>",
            "<p begin=\"0s\" end=\"1s\">x</p>".repeat(MAX_CUES_PER_DOC + 1)
        );
        assert!(matches!(
            parse(&many, 0.0, 2.0),
            Err(CaptionError::TooLarge { what: "cues", .. })
        ));
        let long = format!("<tt><body><p>{}</p></body></tt>", "word ".repeat(1000));
        assert!(matches!(
            parse(&long, 0.0, 2.0),
            Err(CaptionError::TooLarge {
                what: "cue text",
                ..
            })
        ));
    }
}
