//! The marker streams of a session (sparse `SCMD`, `CHAP` and other attached streams): the
//! fragments known of each (from the manifest, tfrf and the origin's `ChildTrack`
//! pointers), which were fetched, and the schedule that reports their markers. Markers
//! never hold playback up: a fragment that cannot be had is given up on.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::manifest::{Chunk, Manifest};
use crate::markers::{Marker, MarkerSchedule, is_marker_stream, stream_name};
use crate::time::duration_to_ticks;

use super::io::RequestId;

/// Fragments known per marker stream, at most (the oldest are forgotten first).
const MAX_CHUNKS: usize = 4096;

/// What is known of one fragment of a marker stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SparseChunk {
    /// Duration when known (a `ChildTrack` pointer gives only the start).
    pub duration: Option<u64>,
    /// Fetched, given up on, or carried in the manifest.
    pub done: bool,
}

/// One marker stream.
#[derive(Debug)]
pub(crate) struct MarkerStream {
    /// Index into `Manifest::streams`.
    pub stream: usize,
    /// Its Name, as `ChildTrack` pointers give it.
    pub name: String,
    /// By start tick.
    pub chunks: BTreeMap<u64, SparseChunk>,
    /// The request in flight: its id and chunk.
    pub flight: Option<(RequestId, Chunk)>,
    /// No request before this (after a 412).
    pub not_before: Option<Instant>,
    /// A failure was reported already (once per stream is enough).
    pub reported: bool,
}

impl MarkerStream {
    /// Learns of a fragment starting at `start` (duration when known).
    pub fn know(&mut self, start: u64, duration: Option<u64>) {
        let c = self.chunks.entry(start).or_insert(SparseChunk {
            duration,
            done: false,
        });
        if c.duration.is_none() {
            c.duration = duration;
        }
        while self.chunks.len() > MAX_CHUNKS {
            self.chunks.pop_first();
        }
    }

    /// The next fragment to fetch with playback at `position` ticks: the one holding it or
    /// the first after it, else the latest before it (chapters before the position still
    /// name the seek bar).
    pub fn next_to_fetch(&self, position: u64) -> Option<Chunk> {
        let holding = self
            .chunks
            .range(..=position)
            .next_back()
            .map_or(position, |(s, _)| *s);
        let open = |(s, c): (&u64, &SparseChunk)| {
            (!c.done).then_some(Chunk {
                start: *s,
                duration: c.duration.unwrap_or(0),
            })
        };
        self.chunks
            .range(holding..)
            .find_map(open)
            .or_else(|| self.chunks.range(..holding).rev().find_map(open))
    }

    /// Forgets fragments before `ticks` (they left the DVR window).
    pub fn prune_before(&mut self, ticks: u64) {
        self.chunks = self.chunks.split_off(&ticks);
    }
}

/// Every marker stream of the session and the markers learnt from them.
#[derive(Debug, Default)]
pub(crate) struct Markers {
    pub streams: Vec<MarkerStream>,
    pub schedule: MarkerSchedule,
    /// Every marker known, by start: what the view publishes.
    pub list: Arc<[Marker]>,
    /// When the clock reaches the next marker ahead, while playing.
    pub next_due: Option<Instant>,
}

impl Markers {
    /// The marker streams of `m`, with what its manifest lists and carries. Returns the
    /// markers the manifest itself holds (`ManifestOutput`).
    pub fn open(m: &Manifest) -> (Markers, Vec<Marker>) {
        let mut markers = Markers::default();
        for (i, s) in m.streams.iter().enumerate() {
            if is_marker_stream(s) {
                markers.streams.push(MarkerStream {
                    stream: i,
                    name: stream_name(s),
                    chunks: BTreeMap::new(),
                    flight: None,
                    not_before: None,
                    reported: false,
                });
            }
        }
        let carried = markers.merge(m);
        (markers, carried)
    }

    /// Learns the fragments a (refreshed) manifest lists; returns the markers it carries.
    pub fn merge(&mut self, m: &Manifest) -> Vec<Marker> {
        let mut carried = Vec::new();
        for ms in &mut self.streams {
            let Some(s) = m.streams.get(ms.stream) else {
                continue;
            };
            for c in &s.chunks {
                ms.know(c.start, Some(c.duration));
            }
            for e in &s.embedded_samples {
                if let Some(c) = ms.chunks.get_mut(&e.start) {
                    c.done = true;
                }
            }
            carried.extend(crate::markers::carried(s));
        }
        carried
    }

    /// The stream a `ChildTrack` pointer names.
    pub fn by_name(&mut self, name: &str) -> Option<&mut MarkerStream> {
        self.streams
            .iter_mut()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// Forgets what lies before media time `t` (the DVR window moved on).
    pub fn prune_before(&mut self, t: Duration, timescale_of: impl Fn(usize) -> u64) {
        for s in &mut self.streams {
            s.prune_before(duration_to_ticks(t, timescale_of(s.stream)));
        }
        self.schedule.prune_before(t);
    }

    /// Rebuilds the published list after markers were learnt.
    pub fn publish(&mut self) {
        self.list = self.schedule.all().cloned().collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream() -> MarkerStream {
        MarkerStream {
            stream: 0,
            name: "chapters".into(),
            chunks: BTreeMap::new(),
            flight: None,
            not_before: None,
            reported: false,
        }
    }

    #[test]
    fn fetches_from_the_position_on_then_what_lies_before() {
        let mut s = stream();
        for t in [0, 60, 120] {
            s.know(t, Some(60));
        }
        assert_eq!(s.next_to_fetch(70).map(|c| c.start), Some(60));
        s.chunks.get_mut(&60).expect("known").done = true;
        assert_eq!(s.next_to_fetch(70).map(|c| c.start), Some(120));
        s.chunks.get_mut(&120).expect("known").done = true;
        assert_eq!(s.next_to_fetch(70).map(|c| c.start), Some(0));
        s.chunks.get_mut(&0).expect("known").done = true;
        assert_eq!(s.next_to_fetch(70), None);
        // A pointer gives a start only; the duration comes later.
        s.know(300, None);
        assert_eq!(
            s.next_to_fetch(70).map(|c| (c.start, c.duration)),
            Some((300, 0))
        );
        s.know(300, Some(20));
        assert_eq!(s.chunks[&300].duration, Some(20));
        s.prune_before(100);
        assert_eq!(s.chunks.keys().copied().collect::<Vec<_>>(), vec![120, 300]);
    }
}
