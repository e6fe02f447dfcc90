//! Decoders: H.264 (openh264) and AAC (symphonia).

pub mod frame;

pub use frame::{AudioFrame, VideoFrame};
