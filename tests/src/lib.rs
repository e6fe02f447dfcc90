//! player-tests: test tools and end-to-end tests for smoothplay.

pub mod piff_encrypt;
