//! MS-SSTR client manifest: model, parser, timeline expansion, URL templates, protection headers.

pub mod model;

pub use model::*;

/// What went wrong parsing a client manifest; names the element, attribute and value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// Placeholder until the parser lands.
    #[error("manifest: {0}")]
    Other(String),
}
