//! The crate's error type: what failed, and where.

use crate::decrypt::DecryptError;
use crate::isobmff::BoxError;
use crate::manifest::ManifestError;

/// Any error from the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The client manifest could not be parsed.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// A fragment or file could not be parsed.
    #[error(transparent)]
    Box(#[from] BoxError),
    /// A sample could not be decrypted, or its key could not be had.
    #[error(transparent)]
    Decrypt(#[from] DecryptError),
    /// A codec the player cannot decode.
    #[error("unsupported codec {fourcc}")]
    Unsupported {
        /// The FourCC.
        fourcc: String,
    },
}

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
