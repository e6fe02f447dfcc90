//! Decoders
