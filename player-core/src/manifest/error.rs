//! What can go wrong reading a client manifest, named by element, attribute, value and line.

/// Longest attribute value or text quoted in an error (longer ones are cut with `…`).
const MAX_QUOTED: usize = 96;

/// What went wrong parsing a client manifest; names the element, attribute and value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// The manifest is bigger than [`crate::limits::MAX_MANIFEST_BYTES`].
    #[error("manifest is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The bytes are not valid text in the encoding their BOM (or lack of one) announces.
    #[error("manifest is not valid {encoding} text at byte {offset}")]
    Encoding {
        /// The encoding the input was read as (`UTF-8`, `UTF-16LE`, `UTF-16BE`).
        encoding: &'static str,
        /// Byte offset of the first undecodable sequence.
        offset: usize,
    },
    /// The XML itself is malformed.
    #[error("XML error at line {line}, column {column} (byte {position}): {message}")]
    Xml {
        /// Byte offset in the decoded text.
        position: u64,
        /// One-based line.
        line: usize,
        /// One-based column (in characters).
        column: usize,
        /// What the XML reader reported.
        message: String,
    },
    /// The document's root element is not `SmoothStreamingMedia`.
    #[error("not a Smooth Streaming client manifest: root element is <{found}>")]
    NotSmoothStreaming {
        /// The root element found (empty when the document has none).
        found: String,
    },
    /// A MajorVersion this parser does not know.
    #[error("unsupported manifest version {major}.{minor} (1.x and 2.x are supported)")]
    UnsupportedVersion {
        /// MajorVersion.
        major: u32,
        /// MinorVersion.
        minor: u32,
    },
    /// A required attribute is absent.
    #[error("line {line}: <{element}> has no {attribute} attribute")]
    MissingAttribute {
        /// The element.
        element: &'static str,
        /// The attribute that is required.
        attribute: &'static str,
        /// One-based line of the element.
        line: usize,
    },
    /// An attribute value that does not parse or is out of range.
    #[error("line {line}: <{element}> {attribute}=\"{value}\": {reason}")]
    InvalidAttribute {
        /// The element.
        element: &'static str,
        /// The attribute.
        attribute: &'static str,
        /// The value as written (cut when long).
        value: String,
        /// Why it was refused.
        reason: String,
        /// One-based line of the element.
        line: usize,
    },
    /// The text content of an element does not parse (e.g. bad base64).
    #[error("line {line}: <{element}> content \"{value}\": {reason}")]
    InvalidContent {
        /// The element.
        element: &'static str,
        /// The content as written (cut when long).
        value: String,
        /// Why it was refused.
        reason: String,
        /// One-based line of the element.
        line: usize,
    },
    /// An entity reference other than the five predefined ones or a character reference.
    #[error("line {line}: unknown entity &{name}; (DTD entities are not expanded)")]
    UnknownEntity {
        /// The entity name.
        name: String,
        /// One-based line.
        line: usize,
    },
    /// A `c` element's `t` is not after the previous chunk's start.
    #[error(
        "line {line}: stream {stream}: <c> t={t} goes backwards (previous chunk starts at {previous_start})"
    )]
    TimeGoesBackwards {
        /// The stream (Name, or Type and position).
        stream: String,
        /// The offending start time.
        t: u64,
        /// Start time of the chunk before it.
        previous_start: u64,
        /// One-based line of the `c` element.
        line: usize,
    },
    /// Start time plus duration (times the repeat count) does not fit in 64 bits.
    #[error("line {line}: stream {stream}: <c> timeline overflows 64 bits ({what})")]
    TimeOverflow {
        /// The stream (Name, or Type and position).
        stream: String,
        /// The computation that overflowed.
        what: String,
        /// One-based line of the `c` element.
        line: usize,
    },
    /// A chunk whose duration is neither written nor derivable.
    #[error(
        "line {line}: stream {stream}: <c> at t={t} has no d, and no later t or presentation Duration gives it"
    )]
    MissingChunkDuration {
        /// The stream (Name, or Type and position).
        stream: String,
        /// The chunk's start time.
        t: u64,
        /// One-based line of the `c` element.
        line: usize,
    },
    /// A stream expands to more chunks than [`crate::limits::MAX_CHUNKS_PER_STREAM`].
    #[error("line {line}: stream {stream} expands to more than {limit} chunks")]
    TooManyChunks {
        /// The stream (Name, or Type and position).
        stream: String,
        /// The limit.
        limit: u64,
        /// One-based line of the `c` element that crossed the limit.
        line: usize,
    },
    /// All streams together expand to more than [`crate::limits::MAX_CHUNKS_PER_MANIFEST`].
    #[error("line {line}: the manifest's streams expand to more than {limit} chunks in all")]
    TooManyChunksInManifest {
        /// The limit.
        limit: u64,
        /// One-based line of the `c` element that crossed the limit.
        line: usize,
    },
    /// A fragment URL could not be built from the template and the manifest URL.
    #[error("cannot build a fragment URL from \"{template}\": {reason}")]
    Url {
        /// The expanded template.
        template: String,
        /// What the URL parser reported.
        reason: String,
    },
}

/// Cuts `s` to at most [`MAX_QUOTED`] characters for quoting in an error.
pub(crate) fn quote(s: &str) -> String {
    if s.chars().count() <= MAX_QUOTED {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(MAX_QUOTED).collect();
    out.push('…');
    out
}

/// One-based line and column (in characters) of byte `pos` in `doc`.
pub(crate) fn line_col(doc: &str, pos: usize) -> (usize, usize) {
    let mut end = pos.min(doc.len());
    while !doc.is_char_boundary(end) {
        end -= 1;
    }
    let before = doc.get(..end).unwrap_or("");
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_chars() {
        let doc = "ab\ncdé\nf";
        assert_eq!(line_col(doc, 0), (1, 1));
        assert_eq!(line_col(doc, 3), (2, 1));
        // 'é' is two bytes: byte 7 is after it, column 4.
        assert_eq!(line_col(doc, 7), (2, 4));
        assert_eq!(line_col(doc, 999), (3, 2));
        // Inside a multi-byte character: rounded down to its start.
        assert_eq!(line_col(doc, 6), (2, 3));
    }

    #[test]
    fn quote_cuts_long_values() {
        assert_eq!(quote("short"), "short");
        let long = "x".repeat(200);
        let q = quote(&long);
        assert_eq!(q.chars().count(), MAX_QUOTED + 1);
        assert!(q.ends_with('…'));
    }

    #[test]
    fn messages_name_element_attribute_value() {
        let e = ManifestError::InvalidAttribute {
            element: "StreamIndex",
            attribute: "TimeScale",
            value: "0".into(),
            reason: "must be greater than 0".into(),
            line: 4,
        };
        assert_eq!(
            e.to_string(),
            "line 4: <StreamIndex> TimeScale=\"0\": must be greater than 0"
        );
    }
}
