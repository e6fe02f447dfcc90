//! smoothplay's test support: the loopback test origin and helpers for end-to-end tests.
//!
//! ```no_run
//! let origin = player_tests::origin::Origin::start("assets", Default::default()).unwrap();
//! println!("{}", origin.url("demo/Manifest"));
//! ```

pub mod origin;
pub mod piff_encrypt;
pub mod support;
