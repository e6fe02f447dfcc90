//! The caption stream of a session: which text stream, its timeline, the fragments already
//! fetched, and the cues they held.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::captions::{Cue, CueList};
use crate::error::Error;
use crate::live::Timeline;
use crate::manifest::{Chunk, Codec, Manifest, StreamIndex, StreamType};
use crate::time::duration_to_ticks;

use super::session_ctx::lock;

/// The selected caption stream and what is known of it.
pub(crate) struct CaptionTrack {
    /// Index into `Manifest::streams`.
    pub stream: usize,
    /// Index into that stream's quality levels.
    pub ql: usize,
    enabled: AtomicBool,
    timeline: Mutex<Timeline>,
    /// Starts of the chunks fetched (or given up on).
    fetched: Mutex<BTreeSet<u64>>,
    cues: Mutex<CueList>,
}

impl CaptionTrack {
    /// The caption track of stream `stream` (level `ql`), shown from the start if `enabled`.
    pub fn new(m: &Manifest, stream: usize, ql: usize, enabled: bool) -> Option<CaptionTrack> {
        let s = m.streams.get(stream)?;
        Some(CaptionTrack {
            stream,
            ql,
            enabled: AtomicBool::new(enabled),
            timeline: Mutex::new(Timeline::new(&s.chunks, s.timescale, m.is_live)),
            fetched: Mutex::new(BTreeSet::new()),
            cues: Mutex::new(CueList::default()),
        })
    }

    /// Whether captions are shown.
    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    /// Shows or hides captions.
    pub fn set_enabled(&self, on: bool) {
        self.enabled.store(on, Ordering::Relaxed);
    }

    /// Runs `f` on the caption timeline.
    pub fn timeline<R>(&self, f: impl FnOnce(&mut Timeline) -> R) -> R {
        lock(&self.timeline, f)
    }

    /// The first chunk covering media time `from`..`to` not fetched yet.
    pub fn next_to_fetch(&self, from: Duration, to: Duration) -> Option<Chunk> {
        // The only place both are held: fetched, then timeline.
        lock(&self.fetched, |fetched| {
            self.timeline(|t| {
                let (from, to) = (
                    duration_to_ticks(from, t.timescale),
                    duration_to_ticks(to, t.timescale),
                );
                let first = t.chunk_at(from)?.start;
                t.iter_from(first)
                    .take_while(|c| c.start <= to)
                    .find(|c| c.end() > from && !fetched.contains(&c.start))
            })
        })
    }

    /// Live, past the known edge: the chunk most likely following the last known one, if it
    /// starts before media time `to` and was not tried yet.
    pub fn probe(&self, to: Duration) -> Option<Chunk> {
        let last = self.timeline(|t| t.last())?;
        let next = Chunk {
            start: last.end(),
            duration: last.duration,
        };
        let to = self.timeline(|t| duration_to_ticks(to, t.timescale));
        let tried = lock(&self.fetched, |f| f.contains(&next.start));
        (next.start <= to && !tried).then_some(next)
    }

    /// Records that the chunk starting at `start` needs no more fetching.
    pub fn mark_fetched(&self, start: u64) {
        lock(&self.fetched, |f| f.insert(start));
    }

    /// Adds the cues of a fetched fragment.
    pub fn add_cues(&self, cues: Vec<Cue>) {
        lock(&self.cues, |c| c.insert(cues));
    }

    /// The caption text at media time `at` (empty when none).
    pub fn text_at(&self, at: Duration) -> String {
        lock(&self.cues, |c| c.text_at(at))
    }

    /// Forgets chunks and cues before media time `t` (they left the DVR window).
    pub fn prune_before(&self, t: Duration) {
        let ticks = self.timeline(|tl| {
            let ticks = duration_to_ticks(t, tl.timescale);
            tl.prune_before(ticks);
            ticks
        });
        lock(&self.fetched, |f| *f = f.split_off(&ticks));
        lock(&self.cues, |c| c.prune_before(t));
    }
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

    #[test]
    fn fetches_each_chunk_once_from_the_position() {
        let m = manifest();
        let t = CaptionTrack::new(&m, 3, 0, true).expect("valid");
        let s = Duration::from_secs;
        assert_eq!(
            t.next_to_fetch(s(3), s(10)).map(|c| c.start),
            Some(20_000_000)
        );
        t.mark_fetched(20_000_000);
        assert_eq!(
            t.next_to_fetch(s(3), s(10)).map(|c| c.start),
            Some(40_000_000)
        );
        // Beyond the horizon: nothing yet.
        assert_eq!(t.next_to_fetch(s(3), s(3)), None);
        t.mark_fetched(40_000_000);
        assert_eq!(t.next_to_fetch(s(3), s(10)), None);
        // Back to the start (a seek): the first chunk is still missing.
        assert_eq!(t.next_to_fetch(s(0), s(10)).map(|c| c.start), Some(0));
        t.prune_before(s(2));
        assert_eq!(t.next_to_fetch(s(0), s(10)), None);
        // Past the known edge (live): the chunk after the last one, once.
        assert_eq!(t.probe(s(5)), None);
        let guess = t.probe(s(6)).expect("a guess");
        assert_eq!((guess.start, guess.duration), (60_000_000, 20_000_000));
        t.mark_fetched(guess.start);
        assert_eq!(t.probe(s(10)), None);
    }
}
