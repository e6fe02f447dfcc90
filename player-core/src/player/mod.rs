//! The player
