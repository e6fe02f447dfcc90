//! Base64 as manifests and PlayReady headers write it: wrapped over lines, padded loosely.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;

/// Decodes base64 that may be wrapped over lines or padded loosely, as producers write it.
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD_PAD_INDIFFERENT.decode(compact)
}
