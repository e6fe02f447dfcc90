//! Seek-bar thumbnails: a small picture of any moment, cut from the key frame of the lowest
//! level's fragment at that time.
//!
//! [`plan`] picks the fragment (pure), [`ThumbnailCache`] keeps pictures by fragment within
//! a byte budget (pure), [`to_thumbnail`] makes a decoded picture small and
//! [`contact_sheet`] lays pictures out in a grid (pure), and
//! [`Thumbnailer`] is the I/O edge: it fetches through `net::Source`, decrypts with
//! `decrypt`, and decodes the key frame on a decoder of its own.

mod cache;
mod key_frame;
mod picture;
mod plan;
mod sheet;
mod thumbnailer;

pub use cache::{DEFAULT_CACHE_BYTES, ThumbnailCache};
pub use key_frame::{KeyFrameError, decode_key_frame};
pub use picture::{Colour, DEFAULT_WIDTH, Thumbnail, thumbnail_size, to_thumbnail};
pub use plan::{
    FragmentKey, PlanError, ThumbnailPlan, lowest_level, plan, span, times_every, video_stream,
};
pub use sheet::{SHEET_GAP, Sheet, contact_sheet, default_columns};
pub use thumbnailer::{ThumbnailConfig, Thumbnailer};

use crate::base::Uuid;
use crate::error::Error;

/// Why a thumbnail could not be made: which presentation or fragment, and what failed.
#[derive(Debug, thiserror::Error)]
pub enum ThumbnailError {
    /// The presentation could not be opened (manifest fetch or parse, network set-up).
    #[error("cannot open {input}: {source}")]
    Open {
        /// What was opened.
        input: String,
        /// Why it failed (boxed: errors travel in `Result`s, kept small).
        source: Box<Error>,
    },
    /// No fragment can show the time asked for.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// Fetching, parsing, decrypting or decoding a fragment failed.
    #[error("thumbnail from {fragment}: {source}")]
    Fragment {
        /// The fragment (its URL, or file and time).
        fragment: String,
        /// What failed.
        source: Box<Error>,
    },
    /// The fragment decoded to no picture.
    #[error("thumbnail from {fragment}: {what}")]
    NoPicture {
        /// The fragment.
        fragment: String,
        /// Why.
        what: String,
    },
    /// A decrypted key frame that does not decode: the key is probably wrong (the PlayReady
    /// header had no checksum to tell sooner).
    #[error(
        "thumbnail from {fragment}: the key frame does not decode after decryption with the key for KID {kid} ({reason}): the key is probably wrong"
    )]
    WrongKey {
        /// The fragment.
        fragment: String,
        /// The key ID used.
        kid: Uuid,
        /// The decoder's complaint.
        reason: String,
    },
}
