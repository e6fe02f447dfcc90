//! `reference.json` written by `assets/make.sh` next to each presentation.

use std::path::Path;

use serde::Deserialize;

/// What a presentation holds, per ffmpeg's own decode.
#[derive(Debug, Clone, Deserialize)]
pub struct Reference {
    /// Manifest timescale.
    pub timescale: u64,
    /// Presentation duration, ticks.
    pub duration: u64,
    /// Frame duration, ticks.
    pub frame_duration: u64,
    /// Video levels.
    pub video: Vec<VideoRef>,
    /// Audio streams.
    pub audio: Vec<AudioRef>,
    /// The caption stream, when the presentation has one.
    #[serde(default)]
    pub captions: Option<CaptionsRef>,
}

/// The caption stream and every cue in it.
#[derive(Debug, Clone, Deserialize)]
pub struct CaptionsRef {
    /// StreamIndex name.
    pub stream: String,
    /// Cues in time order.
    pub cues: Vec<CueRef>,
}

/// One caption cue.
#[derive(Debug, Clone, Deserialize)]
pub struct CueRef {
    /// When it appears, ticks.
    pub start: u64,
    /// When it disappears, ticks.
    pub end: u64,
    /// Its text (lines separated by `\n`).
    pub text: String,
}

/// One video level.
#[derive(Debug, Clone, Deserialize)]
pub struct VideoRef {
    /// Bitrate.
    pub bitrate: u64,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Frames in the level.
    pub frame_count: usize,
    /// Every frame, in presentation order.
    pub frames: Vec<FrameRef>,
}

/// One reference frame.
#[derive(Debug, Clone, Deserialize)]
pub struct FrameRef {
    /// Frame index (as drawn in the picture).
    pub index: u64,
    /// Presentation time, ticks.
    pub pts: u64,
    /// MD5 of the packed I420 picture.
    pub md5: String,
}

/// One audio stream.
#[derive(Debug, Clone, Deserialize)]
pub struct AudioRef {
    /// StreamIndex name.
    pub stream: String,
    /// Language.
    pub language: String,
    /// Sample rate.
    pub sample_rate: u32,
    /// Channels.
    pub channels: u16,
    /// Decoded sample frames.
    pub total_samples: u64,
    /// Tone frequency.
    pub tone_hz: f64,
}

impl Reference {
    /// Loads `dir/reference.json`.
    pub fn load(dir: &Path) -> anyhow::Result<Reference> {
        let text = std::fs::read_to_string(dir.join("reference.json"))?;
        Ok(serde_json::from_str(&text)?)
    }

    /// The level with this picture size.
    pub fn level_by_size(&self, width: u32, height: u32) -> Option<&VideoRef> {
        self.video
            .iter()
            .find(|v| v.width == width && v.height == height)
    }
}

impl VideoRef {
    /// The reference frame presented at `pts`.
    pub fn frame_at(&self, pts: u64) -> Option<&FrameRef> {
        self.frames.iter().find(|f| f.pts == pts)
    }
}
