//! What flows between the player's stages, stamped with the generation it belongs to.

use crate::base::{AudioFrame, VideoFrame};
use crate::session::DecodeFragment;

/// Driver → decoder.
#[derive(Debug)]
pub(crate) enum DecodeMsg {
    /// The samples of one fragment.
    Fragment(DecodeFragment),
    /// The stream has no more fragments (this generation, this replacement of its media:
    /// a later replacement brings more).
    End { generation: u64, epoch: u32 },
}

/// A decoded picture on its way to the presenter.
#[derive(Debug)]
pub(crate) struct ShownFrame {
    pub generation: u64,
    /// The replacement of the stream's media it belongs to.
    pub epoch: u32,
    pub frame: VideoFrame,
    pub bitrate: u64,
}

/// Video decoder → presenter.
#[derive(Debug)]
pub(crate) enum FrameMsg {
    Frame(ShownFrame),
    End { generation: u64, epoch: u32 },
}

/// Audio decoder → audio output.
#[derive(Debug)]
pub(crate) enum PcmMsg {
    Frame {
        generation: u64,
        epoch: u32,
        frame: AudioFrame,
    },
    End {
        generation: u64,
        epoch: u32,
    },
}
