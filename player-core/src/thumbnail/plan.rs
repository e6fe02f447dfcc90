//! Which fragment shows a moment: the video stream's lowest playable level and the chunk
//! covering the time, clamped into what the manifest lists (on live, the DVR window).
//! Pure: a manifest and a time in, a plan out.

use std::time::Duration;

use crate::demux::{CodecSupport, decoder_config};
use crate::manifest::{Chunk, Manifest, StreamIndex, StreamType};
use crate::time::{duration_to_ticks, ticks_to_duration};

/// One fragment of one quality level: what a thumbnail is cut from and cached by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FragmentKey {
    /// Index of the StreamIndex in the manifest.
    pub stream: usize,
    /// Index of the quality level in the stream (document order).
    pub level: usize,
    /// The chunk's start time, stream ticks (the `{start time}` of its URL).
    pub start: u64,
}

/// Where the thumbnail of a moment comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThumbnailPlan {
    /// The fragment to fetch.
    pub key: FragmentKey,
    /// Its chunk (start and duration), stream ticks.
    pub chunk: Chunk,
    /// The stream's timescale.
    pub timescale: u64,
    /// Whether the time asked for lay outside the listed chunks and was moved to the
    /// nearest one (before the first, past the end, or before a live DVR window).
    pub clamped: bool,
}

impl ThumbnailPlan {
    /// When the fragment starts (media time; its key frame is shown at about this time).
    pub fn start(&self) -> Duration {
        ticks_to_duration(self.chunk.start, self.timescale)
    }
}

/// Why no fragment can be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The presentation has no video stream (or none by the name asked for).
    #[error("no video stream{} in the presentation", named(.0))]
    NoVideo(Option<String>),
    /// The video stream has no level these decoders can decode.
    #[error("video stream {stream}: no quality level this build can decode")]
    NoPlayableLevel {
        /// The stream's name.
        stream: String,
    },
    /// The video stream lists no chunks (yet).
    #[error("video stream {stream} lists no fragments")]
    NoChunks {
        /// The stream's name.
        stream: String,
    },
}

fn named(name: &Option<String>) -> String {
    name.as_ref()
        .map(|n| format!(" named {n}"))
        .unwrap_or_default()
}

/// The video stream thumbnails come from: the one named `video` (by Name or Language), else
/// the first video stream with a level `codecs` decodes.
pub fn video_stream(
    manifest: &Manifest,
    video: Option<&str>,
    codecs: &CodecSupport,
) -> Result<usize, PlanError> {
    let videos = manifest
        .streams
        .iter()
        .enumerate()
        .filter(|(_, s)| s.stream_type == StreamType::Video);
    let found = match video {
        Some(name) => videos
            .filter(|(_, s)| s.name.as_deref() == Some(name) || s.language.as_deref() == Some(name))
            .map(|(i, _)| i)
            .next(),
        None => videos
            .filter(|(_, s)| lowest_level(s, codecs).is_some())
            .map(|(i, _)| i)
            .next(),
    };
    found.ok_or_else(|| PlanError::NoVideo(video.map(str::to_string)))
}

/// The playable level of `stream` with the lowest bitrate (fetched fastest, decoded cheapest).
pub fn lowest_level(stream: &StreamIndex, codecs: &CodecSupport) -> Option<usize> {
    stream
        .quality_levels
        .iter()
        .enumerate()
        .filter(|(_, q)| decoder_config(q).is_ok_and(|c| c.is_video() && codecs.supports(&c)))
        .min_by_key(|(_, q)| q.bitrate)
        .map(|(i, _)| i)
}

/// The fragment of stream `stream` whose thumbnail shows media time `at`: the last chunk
/// starting at or before `at` (so a time in a gap shows the picture before it), the first
/// chunk for times before it, the last for times past the end.
pub fn plan(
    manifest: &Manifest,
    stream: usize,
    codecs: &CodecSupport,
    at: Duration,
) -> Result<ThumbnailPlan, PlanError> {
    let s = manifest
        .streams
        .get(stream)
        .filter(|s| s.stream_type == StreamType::Video)
        .ok_or(PlanError::NoVideo(None))?;
    let name = || s.name.clone().unwrap_or_else(|| format!("#{stream}"));
    let level =
        lowest_level(s, codecs).ok_or_else(|| PlanError::NoPlayableLevel { stream: name() })?;
    let (Some(first), Some(last)) = (s.chunks.first(), s.chunks.last()) else {
        return Err(PlanError::NoChunks { stream: name() });
    };
    let t = duration_to_ticks(at, s.timescale);
    // Chunks are ascending by start: the ones starting at or before t come first.
    let covering = s.chunks.partition_point(|c| c.start <= t);
    let chunk = s
        .chunks
        .get(covering.wrapping_sub(1))
        .copied()
        .unwrap_or(*first);
    let clamped = t < first.start || t >= last.end();
    Ok(ThumbnailPlan {
        key: FragmentKey {
            stream,
            level,
            start: chunk.start,
        },
        chunk,
        timescale: s.timescale,
        clamped,
    })
}

/// The media times a stream's listed chunks span: from the first chunk's start to the last
/// one's end (on live, the DVR window the manifest lists).
pub fn span(manifest: &Manifest, stream: usize) -> Option<(Duration, Duration)> {
    let s = manifest.streams.get(stream)?;
    Some((
        ticks_to_duration(s.first_start()?, s.timescale),
        ticks_to_duration(s.end()?, s.timescale),
    ))
}

/// Times every `every` from `start` up to (not including) `end`: `start`, `start + every`…
/// At least `start` when the span is not empty; `every` of zero gives just `start`.
pub fn times_every(start: Duration, end: Duration, every: Duration) -> Vec<Duration> {
    if end <= start {
        return Vec::new();
    }
    if every.is_zero() {
        return vec![start];
    }
    let count = (end - start).as_nanos().div_ceil(every.as_nanos());
    (0..count)
        .filter_map(|i| u32::try_from(i).ok())
        .map(|i| start + every * i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SD: &str =
        "000000016764000cacb202833f3e02d4040405000003000100000300320f142a480000000168ebccb22c";

    /// A manifest with one video stream of three levels (listed out of bitrate order, one
    /// of them VC-1), `chunks` written as `<c>` elements, and an audio stream.
    fn manifest(chunks: &str) -> Manifest {
        let xml = format!(
            r#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="0" Duration="60000000">
  <StreamIndex Type="audio" Name="audio" QualityLevels="1" Url="a/{{start time}}">
    <QualityLevel Index="0" Bitrate="128000" FourCC="AACL" SamplingRate="48000" Channels="2"
      BitsPerSample="16" PacketSize="4" AudioTag="255" CodecPrivateData="1190" />
    <c t="0" d="20000000" />
  </StreamIndex>
  <StreamIndex Type="video" Name="cam" QualityLevels="3" Url="v/{{bitrate}}/{{start time}}">
    <QualityLevel Index="0" Bitrate="800000" FourCC="H264" MaxWidth="640" MaxHeight="360" CodecPrivateData="{SD}" />
    <QualityLevel Index="1" Bitrate="100000" FourCC="WVC1" MaxWidth="320" MaxHeight="180" CodecPrivateData="250000010fcbee1670" />
    <QualityLevel Index="2" Bitrate="300000" FourCC="H264" MaxWidth="320" MaxHeight="180" CodecPrivateData="{SD}" />
    {chunks}
  </StreamIndex>
</SmoothStreamingMedia>"#
        );
        crate::manifest::parse(xml.as_bytes()).expect("manifest")
    }

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    fn start_at(m: &Manifest, at: f64) -> (u64, bool) {
        let p = plan(m, 1, &CodecSupport::PURE, secs(at)).expect("plan");
        (p.key.start, p.clamped)
    }

    #[test]
    fn the_lowest_playable_level_is_chosen() {
        let m = manifest(r#"<c t="0" d="20000000" />"#);
        assert_eq!(video_stream(&m, None, &CodecSupport::PURE), Ok(1));
        // openh264 cannot decode VC-1: the 100 kbit/s level is skipped.
        assert_eq!(lowest_level(&m.streams[1], &CodecSupport::PURE), Some(2));
        assert_eq!(lowest_level(&m.streams[1], &CodecSupport::LIBAV), Some(1));
        let p = plan(&m, 1, &CodecSupport::PURE, Duration::ZERO).expect("plan");
        assert_eq!(p.key.level, 2);
        assert_eq!(p.timescale, 10_000_000);
    }

    #[test]
    fn a_time_maps_to_the_chunk_covering_it() {
        let m = manifest(r#"<c t="0" d="20000000" r="3" />"#);
        assert_eq!(start_at(&m, 0.0), (0, false));
        assert_eq!(start_at(&m, 1.999), (0, false));
        assert_eq!(start_at(&m, 2.0), (20_000_000, false));
        assert_eq!(start_at(&m, 5.5), (40_000_000, false));
        let p = plan(&m, 1, &CodecSupport::PURE, secs(5.5)).expect("plan");
        assert_eq!(p.start(), secs(4.0));
        assert_eq!(p.chunk.duration, 20_000_000);
    }

    #[test]
    fn times_outside_the_timeline_clamp_to_its_ends() {
        // A live DVR window: the listed chunks start at 100 s.
        let m = manifest(r#"<c t="1000000000" d="20000000" r="3" />"#);
        assert_eq!(start_at(&m, 0.0), (1_000_000_000, true));
        assert_eq!(start_at(&m, 99.9), (1_000_000_000, true));
        assert_eq!(start_at(&m, 100.0), (1_000_000_000, false));
        assert_eq!(start_at(&m, 105.9), (1_040_000_000, false));
        // Past the end (the window's edge): the last chunk.
        assert_eq!(start_at(&m, 106.0), (1_040_000_000, true));
        assert_eq!(start_at(&m, 1e6), (1_040_000_000, true));
    }

    #[test]
    fn a_time_in_a_gap_shows_the_picture_before_it() {
        let m = manifest(r#"<c t="0" d="20000000" /><c t="60000000" d="20000000" />"#);
        assert_eq!(start_at(&m, 3.0), (0, false));
        assert_eq!(start_at(&m, 6.5), (60_000_000, false));
    }

    #[test]
    fn missing_streams_levels_and_chunks_are_errors() {
        let empty = manifest("");
        assert_eq!(
            plan(&empty, 1, &CodecSupport::PURE, Duration::ZERO),
            Err(PlanError::NoChunks {
                stream: "cam".into()
            })
        );
        assert_eq!(
            plan(&empty, 0, &CodecSupport::PURE, Duration::ZERO),
            Err(PlanError::NoVideo(None))
        );
        let m = manifest(r#"<c t="0" d="20000000" />"#);
        let e = video_stream(&m, Some("other"), &CodecSupport::PURE).expect_err("no such");
        assert_eq!(
            e.to_string(),
            "no video stream named other in the presentation"
        );
        assert_eq!(video_stream(&m, Some("cam"), &CodecSupport::PURE), Ok(1));
    }

    #[test]
    fn spans_and_times_every() {
        let m = manifest(r#"<c t="1000000000" d="20000000" r="3" />"#);
        assert_eq!(span(&m, 1), Some((secs(100.0), secs(106.0))));
        assert_eq!(
            times_every(secs(100.0), secs(106.0), secs(2.5)),
            vec![secs(100.0), secs(102.5), secs(105.0)]
        );
        assert_eq!(times_every(secs(0.0), secs(4.0), secs(2.0)).len(), 2);
        assert_eq!(
            times_every(secs(0.0), secs(4.0), Duration::ZERO),
            vec![secs(0.0)]
        );
        assert!(times_every(secs(4.0), secs(4.0), secs(1.0)).is_empty());
    }
}
