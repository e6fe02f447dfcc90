//! Headless playback as the `smoothplay-headless play` command runs it: null or file sinks,
//! JSON events, a status line and a QoE summary. The desktop player falls back to this.
//! Also `smoothplay-headless thumbs`: thumbnails and a contact sheet.

mod args;
mod run;
mod thumbs;

pub use args::{PlayArgs, parse_bytes, parse_header, parse_interval, parse_size, parse_time};
pub use run::{run_play, summary_text};
pub use thumbs::{CONTACT_SHEET, ThumbsArgs, ThumbsError, run_thumbs, thumbs};
