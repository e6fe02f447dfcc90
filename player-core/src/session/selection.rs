//! Which streams and quality levels of a presentation the player will use.

use std::sync::Arc;

use crate::demux::{CodecSupport, DecoderConfig, DemuxError, decoder_config};
use crate::error::Error;
use crate::manifest::{Codec, Manifest, StreamIndex, StreamType};

/// One playable quality level of a selected stream: what the host is shown, what the ABR
/// ranks, and how the decoder is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// Bitrate, bits/s.
    pub bitrate: u64,
    /// Width (video).
    pub width: Option<u32>,
    /// Height (video).
    pub height: Option<u32>,
    /// Index into the StreamIndex's `quality_levels`.
    pub(crate) ql: usize,
    /// How to set up the decoder.
    pub(crate) config: Arc<DecoderConfig>,
}

impl Level {
    /// The level as the ABR ranks it. The frame rate is not in the manifest and is common to
    /// the levels of one stream, so it is left to the ABR's default.
    pub(crate) fn to_abr(&self) -> crate::abr::Level {
        crate::abr::Level {
            bitrate_bps: self.bitrate.max(1),
            width: self.width.unwrap_or(0),
            height: self.height.unwrap_or(0),
            fps: 0.0,
        }
    }
}

/// A selected stream and its playable levels, sorted by bitrate (ascending).
#[derive(Debug, Clone)]
pub(crate) struct TrackPlan {
    /// Index into `Manifest::streams`.
    pub stream: usize,
    /// Playable levels, lowest bitrate first.
    pub levels: Arc<[Level]>,
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
    codecs: &CodecSupport,
) -> Result<Selection, Error> {
    let mut sel = Selection::default();
    sel.video = pick(m, StreamType::Video, video, codecs, &mut sel.skipped)?;
    sel.audio = pick(m, StreamType::Audio, audio, codecs, &mut sel.skipped)?;
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
    codecs: &CodecSupport,
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
                Ok(config) if let Some(why) = codecs.refuses(&config) => {
                    unsupported = Some(Error::Unsupported {
                        fourcc: format!("{} ({why})", q.fourcc),
                    });
                }
                Ok(config) => levels.push(Level {
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
        return Ok(Some(TrackPlan {
            stream: si,
            levels: levels.into(),
        }));
    }
    Ok(None)
}

/// Whether a text stream carries captions or subtitles (not chapters, ad markers or data).
fn is_caption_stream(s: &StreamIndex) -> bool {
    s.stream_type == StreamType::Text
        && s.subtype.as_deref().is_none_or(|t| {
            ["CAPT", "SUBT", ""]
                .iter()
                .any(|k| t.trim().eq_ignore_ascii_case(k))
        })
        && !s.chunks.is_empty()
}

/// Chooses the caption stream: by Name or Language when asked, else the first one. Returns
/// the stream and quality level indexes.
pub(crate) fn pick_captions(
    m: &Manifest,
    wanted: Option<&str>,
) -> Result<Option<(usize, usize)>, Error> {
    let mut candidates = m.streams.iter().enumerate().filter(|(_, s)| {
        is_caption_stream(s)
            && wanted.is_none_or(|w| {
                [&s.name, &s.language]
                    .iter()
                    .any(|v| v.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(w)))
            })
    });
    let found = candidates.find_map(|(si, s)| {
        s.quality_levels
            .iter()
            .position(|q| q.codec == Codec::Ttml)
            .map(|ql| (si, ql))
    });
    match (found, wanted) {
        (None, Some(w)) => Err(Error::NoSuchStream {
            kind: "caption".into(),
            name: w.into(),
        }),
        (found, _) => Ok(found),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        let xml = r#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="0" Duration="60000000">
  <StreamIndex Type="video" Name="video" Chunks="1" QualityLevels="1" Url="v/{start time}">
    <QualityLevel Index="0" Bitrate="1000" FourCC="H264" CodecPrivateData="00000001674d401f" />
    <c t="0" d="20000000" /><c d="20000000" /><c d="20000000" />
  </StreamIndex>
  <StreamIndex Type="text" Subtype="CHAP" Name="chapters" Chunks="1" QualityLevels="1" Url="c/{start time}">
    <QualityLevel Index="0" Bitrate="1000" FourCC="TTML" /><c t="0" d="60000000" />
  </StreamIndex>
  <StreamIndex Type="text" Subtype="SUBT" Name="subs_fra" Language="fra" Chunks="3" QualityLevels="1" Url="s/{start time}">
    <QualityLevel Index="0" Bitrate="1000" FourCC="TTML" />
    <c t="0" d="20000000" /><c d="20000000" /><c d="20000000" />
  </StreamIndex>
  <StreamIndex Type="text" Subtype="CAPT" Name="captions" Language="eng" Chunks="3" QualityLevels="1" Url="t/{start time}">
    <QualityLevel Index="0" Bitrate="1000" FourCC="TTML" />
    <c t="0" d="20000000" /><c d="20000000" /><c d="20000000" />
  </StreamIndex>
</SmoothStreamingMedia>"#;
        crate::manifest::parse(xml.as_bytes()).expect("valid")
    }

    #[test]
    fn picks_caption_streams_not_chapters() {
        let m = manifest();
        assert_eq!(pick_captions(&m, None).expect("valid"), Some((2, 0)));
        assert_eq!(pick_captions(&m, Some("eng")).expect("valid"), Some((3, 0)));
        assert_eq!(
            pick_captions(&m, Some("CAPTIONS")).expect("valid"),
            Some((3, 0))
        );
        assert!(matches!(
            pick_captions(&m, Some("chapters")),
            Err(Error::NoSuchStream { .. })
        ));
    }
}
