//! Captions and subtitles: TTML documents carried in a Smooth text stream, turned into timed
//! cues, and the list of cues a player shows from.
//!
//! A Smooth text stream (`Type="text"`, `Subtype="CAPT"` or `"SUBT"`, FourCC `TTML`) is
//! fragmented like audio and video: each fragment's samples are TTML documents whose times
//! lie on the stream's media timeline (ISO/IEC 14496-30).

mod cue_list;
mod error;
mod time_expr;
mod ttml;

pub use cue_list::{Cue, CueList};
pub use error::CaptionError;
pub use time_expr::{TimeBase, parse_time};
pub use ttml::parse_ttml;
