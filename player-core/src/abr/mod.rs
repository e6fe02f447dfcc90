//! Adaptive bitrate
