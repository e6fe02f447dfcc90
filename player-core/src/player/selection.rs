//! Which streams and quality levels of a presentation the player will use.

use std::sync::Arc;

use crate::demux::{DecoderConfig, DemuxError, decoder_config};
use crate::error::Error;
use crate::manifest::{Manifest, StreamIndex, StreamType};

/// One playable quality level of a selected stream.
#[derive(Debug, Clone)]
pub(crate) struct LevelPlan {
    /// Index into the StreamIndex's `quality_levels`.
    pub ql: usize,
    /// Bitrate, bits/s.
    pub bitrate: u64,
    /// Width (video).
    pub width: Option<u32>,
    /// Height (video).
    pub height: Option<u32>,
    /// How to set up the decoder.
    pub config: Arc<DecoderConfig>,
}

/// A selected stream and its playable levels, sorted by bitrate (ascending).
#[derive(Debug, Clone)]
pub(crate) struct TrackPlan {
    /// Index into `Manifest::streams`.
    pub stream: usize,
    /// Playable levels, lowest bitrate first.
    pub levels: Vec<LevelPlan>,
}

/// The streams chosen for playback, plus non-fatal problems met while choosing.
#[derive(Debug, Default)]
pub(crate) struct Selection {
    pub video: Option<TrackPlan>,
    pub audio: Option<TrackPlan>,
    /// Streams skipped because their codec is unsupported (the rest still plays).
    pub skipped: Vec<Error>,
}

/// Chooses the video and audio streams: by name (video) or name/language (audio) when asked,
/// else the first stream of each type with a playable level.
pub(crate) fn select(
    m: &Manifest,
    video: Option<&str>,
    audio: Option<&str>,
) -> Result<Selection, Error> {
    let mut sel = Selection::default();
    sel.video = pick(m, StreamType::Video, video, &mut sel.skipped)?;
    sel.audio = pick(m, StreamType::Audio, audio, &mut sel.skipped)?;
    if sel.video.is_none() && sel.audio.is_none() {
        return Err(sel.skipped.pop().unwrap_or(Error::NoPlayableStream));
    }
    Ok(sel)
}

/// Chooses one stream of type `ty`, by name or language when given.
pub(crate) fn pick(
    m: &Manifest,
    ty: StreamType,
    wanted: Option<&str>,
    skipped: &mut Vec<Error>,
) -> Result<Option<TrackPlan>, Error> {
    let candidates: Vec<(usize, &StreamIndex)> = m
        .streams
        .iter()
        .enumerate()
        .filter(|(_, s)| s.stream_type == ty && !s.chunks.is_empty())
        .filter(|(_, s)| match wanted {
            Some(w) => {
                s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(w))
                    || s.language
                        .as_deref()
                        .is_some_and(|l| l.eq_ignore_ascii_case(w))
            }
            None => true,
        })
        .collect();
    if candidates.is_empty() {
        if let Some(w) = wanted {
            return Err(Error::NoSuchStream {
                kind: format!("{ty:?}").to_lowercase(),
                name: w.to_string(),
            });
        }
        return Ok(None);
    }
    for (si, s) in candidates {
        let mut levels = Vec::new();
        let mut unsupported = None;
        for (qi, q) in s.quality_levels.iter().enumerate() {
            match decoder_config(q) {
                Ok(config) => levels.push(LevelPlan {
                    ql: qi,
                    bitrate: q.bitrate,
                    width: q.max_width.or(s.max_width),
                    height: q.max_height.or(s.max_height),
                    config: Arc::new(config),
                }),
                Err(DemuxError::Unsupported { fourcc }) => {
                    unsupported = Some(Error::Unsupported { fourcc })
                }
                Err(e) => unsupported = Some(Error::from(e)),
            }
        }
        if levels.is_empty() {
            skipped.extend(unsupported);
            continue;
        }
        levels.sort_by_key(|l| (l.bitrate, l.ql));
        return Ok(Some(TrackPlan { stream: si, levels }));
    }
    Ok(None)
}
