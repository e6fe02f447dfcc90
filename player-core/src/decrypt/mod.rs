//! PIFF / CENC sample decryption and content keys.
//!
//! Sans-IO: keys come from a [`KeyProvider`] (static keys, a PlayReady key seed, an embedder's
//! callback, or the ClearKey license server through `player::license`); samples are decrypted in place
//! by a [`SampleDecryptor`]. Keys never appear in `Debug` output, logs or errors — only KIDs.

pub mod cbc;
pub mod checksum;
pub mod ctr;
mod encryption_box;
mod fragment;
pub mod key;
pub mod key_seed;
pub mod piff;
pub mod providers;
mod wrong_key;

pub use crate::isobmff::sample_encryption::{
    Algorithm, Iv, SampleAuxInfo, SampleEncryption, Subsample,
};
pub use checksum::{ChecksumVerifier, key_checksum, verify_checksum};
pub use encryption_box::sample_encryption;
pub use fragment::{FragmentDecryptError, FragmentDecryptor};
pub use key::{ContentKey, KeyCache, KeyFuture, KeyProvider};
pub use key_seed::{KeySeed, KeySeedProvider, derive_content_key};
pub use piff::SampleDecryptor;
pub use providers::{CallbackProvider, FirstOf, StaticKeys};
pub(crate) use wrong_key::{WrongKeyWatch, suspicious};

use crate::base::Uuid;

/// Why a sample could not be decrypted or a key could not be had. Never carries key bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecryptError {
    /// The key for `kid` does not match the checksum in the PlayReady header.
    #[error("wrong key for KID {kid}: it does not match the PlayReady header checksum")]
    WrongKey {
        /// The key ID.
        kid: Uuid,
    },
    /// Samples decrypted with the key for `kid` keep failing to decode. With no checksum to
    /// check the key against (AES-CBC headers have none), a wrong key shows up this way.
    #[error(
        "{stream} does not decode after decryption with the key for KID {kid} ({fragments} fragments in a row; last error: {reason}): the key is probably wrong"
    )]
    Undecodable {
        /// The key ID.
        kid: Uuid,
        /// `video` or `audio`.
        stream: String,
        /// Consecutive fragments that failed.
        fragments: u32,
        /// The decoder's last error.
        reason: String,
    },
    /// No provider has a key for `kid`.
    #[error("no key available for KID {kid}")]
    KeyUnavailable {
        /// The key ID.
        kid: Uuid,
    },
    /// The license server refused the request (HTTP status `status`).
    #[error("license server {url} refused the key request for KID {kid}: HTTP {status}")]
    LicenseDenied {
        /// The key ID.
        kid: Uuid,
        /// License URL.
        url: String,
        /// HTTP status code.
        status: u16,
    },
    /// The license request failed (transport error, timeout, unreadable answer).
    #[error("license request to {url} for KID {kid} failed: {reason}")]
    LicenseFailed {
        /// The key ID.
        kid: Uuid,
        /// License URL.
        url: String,
        /// What went wrong (never includes the response body).
        reason: String,
    },
    /// A subsample map does not cover its sample exactly.
    #[error(
        "subsample map of sample {sample} covers {map_size} bytes but the sample has {sample_size}"
    )]
    SubsampleMismatch {
        /// Sample index in its track fragment.
        sample: usize,
        /// Sample size from the track run.
        sample_size: u64,
        /// Sum of the clear and encrypted byte counts.
        map_size: u64,
    },
    /// The sample encryption box and the track run disagree on the number of samples.
    #[error("{entries} sample encryption entries for {samples} samples")]
    SampleCountMismatch {
        /// Entries in the sample encryption box.
        entries: usize,
        /// Samples in the track run.
        samples: usize,
    },
    /// The samples' sizes add up to more than the sample data given.
    #[error("samples need {needed} bytes of sample data, {available} available")]
    SampleDataShort {
        /// Sum of the sample sizes.
        needed: u64,
        /// Bytes available.
        available: u64,
    },
    /// An algorithm or scheme the player does not decrypt.
    #[error("unsupported encryption algorithm: {what}")]
    UnsupportedAlgorithm {
        /// What was asked for.
        what: String,
    },
    /// An IV whose size does not fit the algorithm (sample `sample`).
    #[error("sample {sample}: a {size}-byte IV cannot be used (8 or 16 bytes needed)")]
    BadIvSize {
        /// Sample index in its track fragment.
        sample: usize,
        /// The IV size.
        size: usize,
    },
}
