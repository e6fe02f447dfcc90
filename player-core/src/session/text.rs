//! The caption stream of a session: its timeline, the fragments already fetched (or given
//! up on), the cues they held, and what is on screen. Captions never hold playback up: a
//! fragment that cannot be had is reported once and skipped.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::captions::{Cue, CueList};
use crate::live::Timeline;
use crate::manifest::{Chunk, Manifest};
use crate::time::duration_to_ticks;

use super::io::RequestId;

/// How far ahead of the position captions are fetched, at most.
pub(crate) const AHEAD: Duration = Duration::from_secs(10);
/// How long to wait before looking again after a 412.
pub(crate) const NOT_YET_WAIT: Duration = Duration::from_millis(200);

/// The selected caption stream and what is known of it.
#[derive(Debug)]
pub(crate) struct TextTrack {
    /// Index into `Manifest::streams`.
    pub stream: usize,
    /// Index into that stream's quality levels.
    pub ql: usize,
    pub enabled: bool,
    pub timeline: Timeline,
    /// Starts of the chunks fetched (or given up on).
    fetched: BTreeSet<u64>,
    cues: CueList,
    /// The request in flight: its id, chunk, and whether it was a guess past the edge.
    pub flight: Option<(RequestId, Chunk, bool)>,
    /// No request before this.
    pub not_before: Option<Instant>,
    /// The text last reported.
    pub shown: String,
}

impl TextTrack {
    /// The caption track of stream `stream` (level `ql`), shown from the start if `enabled`.
    pub fn new(m: &Manifest, stream: usize, ql: usize, enabled: bool) -> Option<TextTrack> {
        let s = m.streams.get(stream)?;
        Some(TextTrack {
            stream,
            ql,
            enabled,
            timeline: Timeline::new(&s.chunks, s.timescale, m.is_live),
            fetched: BTreeSet::new(),
            cues: CueList::default(),
            flight: None,
            not_before: None,
            shown: String::new(),
        })
    }

    /// The first chunk covering media time `from`..`to` not fetched yet.
    pub fn next_to_fetch(&self, from: Duration, to: Duration) -> Option<Chunk> {
        let t = &self.timeline;
        let (from, to) = (
            duration_to_ticks(from, t.timescale),
            duration_to_ticks(to, t.timescale),
        );
        let first = t.chunk_at(from)?.start;
        t.iter_from(first)
            .take_while(|c| c.start <= to)
            .find(|c| c.end() > from && !self.fetched.contains(&c.start))
    }

    /// Live, past the known edge: the chunk most likely following the last known one, if it
    /// starts before media time `to` and was not tried yet.
    pub fn probe(&self, to: Duration) -> Option<Chunk> {
        let last = self.timeline.last()?;
        let next = Chunk {
            start: last.end(),
            duration: last.duration,
        };
        let to = duration_to_ticks(to, self.timeline.timescale);
        (next.start <= to && !self.fetched.contains(&next.start)).then_some(next)
    }

    /// Records that the chunk starting at `start` needs no more fetching.
    pub fn mark_fetched(&mut self, start: u64) {
        self.fetched.insert(start);
    }

    /// Adds the cues of a fetched fragment.
    pub fn add_cues(&mut self, cues: Vec<Cue>) {
        self.cues.insert(cues);
    }

    /// The caption text at media time `at` (empty when none or captions are off).
    pub fn text_at(&self, at: Duration) -> String {
        if self.enabled {
            self.cues.text_at(at)
        } else {
            String::new()
        }
    }

    /// Forgets chunks and cues before media time `t` (they left the DVR window).
    pub fn prune_before(&mut self, t: Duration) {
        let ticks = duration_to_ticks(t, self.timeline.timescale);
        self.timeline.prune_before(ticks);
        self.fetched = self.fetched.split_off(&ticks);
        self.cues.prune_before(t);
    }

    /// Merges the chunks a refreshed manifest lists.
    pub fn merge(&mut self, fresh: &Manifest) {
        if let Some(s) = fresh.streams.get(self.stream) {
            self.timeline.extend(s.chunks.iter().copied());
            self.timeline.growing = fresh.is_live;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        let xml = r#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="0" Duration="60000000">
  <StreamIndex Type="text" Subtype="CAPT" Name="captions" Language="eng" Chunks="3" QualityLevels="1" Url="t/{start time}">
    <QualityLevel Index="0" Bitrate="1000" FourCC="TTML" />
    <c t="0" d="20000000" /><c d="20000000" /><c d="20000000" />
  </StreamIndex>
</SmoothStreamingMedia>"#;
        crate::manifest::parse(xml.as_bytes()).expect("valid")
    }

    #[test]
    fn fetches_each_chunk_once_from_the_position() {
        let m = manifest();
        let mut t = TextTrack::new(&m, 0, 0, true).expect("valid");
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

    #[test]
    fn shows_nothing_while_off() {
        let m = manifest();
        let mut t = TextTrack::new(&m, 0, 0, false).expect("valid");
        t.add_cues(vec![Cue {
            start: Duration::ZERO,
            end: Duration::from_secs(2),
            text: "hello".into(),
        }]);
        assert_eq!(t.text_at(Duration::from_secs(1)), "");
        t.enabled = true;
        assert_eq!(t.text_at(Duration::from_secs(1)), "hello");
    }
}
