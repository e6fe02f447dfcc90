//! The crate's error type: what failed, and where.

use crate::captions::CaptionError;
use crate::decode::DecodeError;
use crate::decrypt::{DecryptError, FragmentDecryptError};
use crate::demux::DemuxError;
use crate::isobmff::BoxError;
use crate::manifest::ManifestError;
use crate::net::NetError;

/// Any error from the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The client manifest could not be parsed.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// A fragment or file could not be parsed.
    #[error(transparent)]
    Box(#[from] BoxError),
    /// Fetching failed.
    #[error(transparent)]
    Net(#[from] NetError),
    /// Samples could not be prepared for the decoder.
    #[error(transparent)]
    Demux(#[from] DemuxError),
    /// A decoder failed.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A sample could not be decrypted, or its key could not be had.
    #[error(transparent)]
    Decrypt(#[from] DecryptError),
    /// A caption document could not be read.
    #[error("captions from {url}: {source}")]
    Caption {
        /// The fragment it came in.
        url: String,
        /// What was wrong with it.
        source: CaptionError,
    },
    /// A codec the player cannot decode.
    #[error("unsupported codec {fourcc}")]
    Unsupported {
        /// The FourCC.
        fourcc: String,
    },
    /// No stream of the presentation can be played.
    #[error("no playable audio or video stream in the presentation")]
    NoPlayableStream,
    /// The stream asked for by name or language does not exist.
    #[error("no {kind} stream named {name}")]
    NoSuchStream {
        /// "video", "audio" or "caption".
        kind: String,
        /// The name or language asked for.
        name: String,
    },
    /// The player has stopped.
    #[error("the player has stopped")]
    Stopped,
    /// Playback made no progress for this long, with nothing known to wait for.
    #[error("no new media for {seconds:.0} s")]
    Stalled {
        /// Seconds without progress.
        seconds: u64,
    },
    /// Starting a thread or runtime failed.
    #[error("cannot start {what}: {message}")]
    Spawn {
        /// What could not start.
        what: String,
        /// Why.
        message: String,
    },
}

impl Error {
    /// A stable machine-readable kind for events ("manifest", "network", "decode"…).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Manifest(_) => "manifest",
            Error::Box(_) => "fragment",
            Error::Net(_) => "network",
            Error::Demux(_) => "demux",
            Error::Decode(_) => "decode",
            Error::Decrypt(_) => "decrypt",
            Error::Caption { .. } => "captions",
            Error::Unsupported { .. } => "unsupported",
            Error::NoPlayableStream | Error::NoSuchStream { .. } => "selection",
            Error::Stopped => "stopped",
            Error::Stalled { .. } => "stall",
            Error::Spawn { .. } => "internal",
        }
    }
}

impl From<FragmentDecryptError> for Error {
    fn from(e: FragmentDecryptError) -> Error {
        match e {
            FragmentDecryptError::Box(e) => Error::Box(e),
            FragmentDecryptError::Decrypt(e) => Error::Decrypt(e),
        }
    }
}

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
