//! Leaf types every layer shares: UUIDs, content keys, decoded frames, the Annex-B
//! NAL scanner and poison-tolerant locking.
//!
//! Imports nothing else of the crate, so parsers, decoders and sinks can all depend on it
//! without depending on each other.

pub mod annex_b;
mod content_key;
mod frame;
pub mod spare_planes;
mod sync;
mod uuid;

pub use annex_b::{nal_type, split_annex_b};
pub use content_key::ContentKey;
pub use frame::{AudioFrame, VideoFrame};
pub use sync::locked;
pub use uuid::Uuid;
