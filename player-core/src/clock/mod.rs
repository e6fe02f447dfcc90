//! Presentation clock
