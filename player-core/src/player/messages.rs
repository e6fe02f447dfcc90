//! What flows between the player's stages, stamped with the generation it belongs to.

use std::sync::Arc;

use crate::decode::{AudioFrame, VideoFrame};
use crate::demux::{DecoderConfig, MediaUnit};
use crate::manifest::Uuid;

/// The samples of one fragment of one stream.
#[derive(Debug, Clone)]
pub(crate) struct FragmentMsg {
    pub generation: u64,
    /// Bitrate of that level.
    pub bitrate: u64,
    /// Stream timescale.
    pub timescale: u64,
    /// Decoder set-up for this level.
    pub config: Arc<DecoderConfig>,
    pub units: Vec<MediaUnit>,
    /// The KID the fragment was decrypted with; `None` when it was clear.
    pub kid: Option<Uuid>,
    /// Bytes charged to the budget for this fragment.
    pub bytes: usize,
}

/// Fetcher → decoder.
#[derive(Debug)]
pub(crate) enum DecodeMsg {
    Fragment(FragmentMsg),
    /// The stream has no more fragments (this generation).
    End {
        generation: u64,
    },
}

/// A decoded picture on its way to the presenter.
#[derive(Debug)]
pub(crate) struct ShownFrame {
    pub generation: u64,
    pub frame: VideoFrame,
    pub bitrate: u64,
}

/// Video decoder → presenter.
#[derive(Debug)]
pub(crate) enum FrameMsg {
    Frame(ShownFrame),
    End { generation: u64 },
}

/// Audio decoder → audio output.
#[derive(Debug)]
pub(crate) enum PcmMsg {
    Frame { generation: u64, frame: AudioFrame },
    End { generation: u64 },
}
