//! What can be wrong with a caption document.

/// A caption document that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptionError {
    /// Not well-formed XML, or not UTF-8.
    #[error("TTML at byte {position}: {message}")]
    Xml {
        /// Byte offset in the document.
        position: u64,
        /// What the XML reader said.
        message: String,
    },
    /// A time expression that TTML does not define.
    #[error("TTML <{element}> {attribute}={value:?}: not a TTML time expression")]
    BadTime {
        /// The element carrying it.
        element: String,
        /// `begin`, `end` or `dur`.
        attribute: &'static str,
        /// The value.
        value: String,
    },
    /// A document beyond the bounds the player accepts.
    #[error("TTML document too large: {what} ({size} > {limit})")]
    TooLarge {
        /// What overflowed ("bytes", "cues", "nesting", "cue text").
        what: &'static str,
        /// How much there was.
        size: u64,
        /// The limit.
        limit: u64,
    },
}
