//! smoothplay's test support: the loopback test origin, helpers for end-to-end tests, and
//! the ABR trace simulator and evaluator (`abr-eval`).
//!
//! ```no_run
//! let origin = player_tests::origin::Origin::start("assets", Default::default()).unwrap();
//! println!("{}", origin.url("demo/Manifest"));
//! ```

pub mod abrsim;
pub mod key_text;
pub mod origin;
pub mod piff_encrypt;
pub mod relay_proxy;
pub mod sstr_mux;
pub mod support;
