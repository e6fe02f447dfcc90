//! I/O at the edge
