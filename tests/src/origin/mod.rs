//! The loopback test origin: serves presentation directories over HTTP on 127.0.0.1.
//!
//! Started in-process by tests (port 0) or as the `smoothplay-origin` binary. It records
//! every request so tests can count what the player asked for.

mod clearkey;
mod delivery;
mod faults;
pub mod live;
mod request_log;
pub mod rewrite;
mod server;
pub mod shaper;
mod tls;
mod ttml_shift;
mod vod;

pub use clearkey::{CLEARKEY_PATH, ClearKeyConfig};
pub use faults::{Fault, FaultConfig, parse_faults};
pub use live::{Gap, LiveConfig, parse_gap};
pub use request_log::{RequestLog, RequestRecord};
pub use server::{Origin, OriginConfig};
pub use tls::TlsIdentity;
