//! MS-SSTR client manifest: model, parser, timeline expansion, URL templates, protection headers.
//!
//! [`parse`] takes the bytes of a `Manifest` response and returns a [`Manifest`] whose
//! streams carry exact, expanded timelines; [`fragment_url`] turns a stream, a quality
//! level and a chunk start into the URL to fetch.

mod attributes;
mod base64_text;
mod codec;
pub mod encoding;
mod error;
pub mod model;
mod parse;
pub mod playready;
mod protection;
mod quality_level;
mod stream;
mod timeline;
pub mod url_template;
mod xml;

pub use codec::{aac_object_type, h264_profile_level};
pub use error::ManifestError;
pub use model::*;
pub use parse::{parse, parse_str};
pub use playready::{PlayReadyError, parse_playready_object};
pub use url_template::{expand_template, fragment_url};

#[cfg(test)]
mod malformed_tests;
#[cfg(test)]
mod tests;
