//! I/O at the edge

pub mod clearkey;
