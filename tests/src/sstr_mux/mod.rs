//! `sstr-mux`: our own Smooth Streaming muxing for the audio codecs ffmpeg 5.1's
//! smoothstreaming muxer refuses (AC-3, E-AC-3, WMA): encoded audio in, an on-demand
//! presentation out (see `assets/make.sh`).

pub mod frames;
pub mod sparse;
pub mod write;
