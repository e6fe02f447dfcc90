//! ISO-BMFF boxes of Smooth Streaming fragments and `.ismv` files, parsed sans-IO and bounded.

pub mod avcc;
pub mod fragment;
mod fragment_parser;
#[cfg(test)]
mod fragment_tests;
pub mod ismv;
#[cfg(test)]
mod ismv_tests;
mod moof;
pub mod moof_summary;
pub mod moov;
pub mod piff_senc;
pub mod piff_tenc;
pub mod protection_scheme;
pub mod pssh;
pub mod reader;
pub mod saiz_saio;
pub mod sample_encryption;
pub mod sdtp;
pub mod senc;
pub mod stsd;
#[cfg(test)]
pub(crate) mod testutil;
pub mod tfdt;
pub mod tfhd;
pub mod tfrf;
pub mod tfxd;
mod traf;
pub mod trun;

pub use avcc::AvcConfig;
pub use fragment::{
    Fragment, RawBox, Sample, SyncSource, TrackDefaults, TrackFragment, TrackProtection,
};
pub use fragment_parser::{parse_fragment, parse_fragment_with};
pub use ismv::{IsmvFile, IsmvFragments};
pub use moof_summary::{TrafSummary, summarize_moof};
pub use moov::{IsmvTrack, Movie, TrackKind, parse_moov};
pub use reader::{BoxHeader, BoxIter, FourCc, Reader};
pub use stsd::SampleEntry;
pub use tfrf::TfrfEntry;
pub use tfxd::Tfxd;

/// What went wrong reading boxes; `path` is the box path (e.g. `moof/traf/trun`), `offset` absolute.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoxError {
    /// The input ended inside a box or field.
    #[error("truncated {path} at byte {offset}: need {need} bytes, {have} left")]
    Truncated {
        /// Box path.
        path: String,
        /// Absolute byte offset.
        offset: u64,
        /// Bytes needed.
        need: u64,
        /// Bytes available.
        have: u64,
    },
    /// A box claims more bytes than its parent (or the input) holds.
    #[error("{path} at byte {offset} claims {size} bytes, only {available} available")]
    Oversized {
        /// Box path.
        path: String,
        /// Absolute byte offset.
        offset: u64,
        /// Claimed size.
        size: u64,
        /// Bytes available in the parent.
        available: u64,
    },
    /// A field has a value the format does not allow, or fields disagree.
    #[error("invalid {path} at byte {offset}: {what}")]
    Invalid {
        /// Box path.
        path: String,
        /// Absolute byte offset.
        offset: u64,
        /// What is wrong.
        what: String,
    },
    /// An encryption AlgorithmID (or scheme) the player cannot decrypt.
    #[error("{path} at byte {offset}: unsupported encryption algorithm {algorithm}")]
    UnsupportedAlgorithm {
        /// Box path.
        path: String,
        /// Absolute byte offset of the field.
        offset: u64,
        /// The AlgorithmID or scheme as written.
        algorithm: String,
    },
    /// A per-sample IV size other than 8 or 16 bytes.
    #[error("{path} at byte {offset}: IV size {iv_size} is not 8 or 16")]
    BadIvSize {
        /// Box path.
        path: String,
        /// Absolute byte offset of the field (or of the box when the size came from the caller).
        offset: u64,
        /// The IV size.
        iv_size: u8,
    },
    /// A required box is absent.
    #[error("missing {what} in {path}")]
    Missing {
        /// Parent box path.
        path: String,
        /// The missing box.
        what: String,
    },
}
