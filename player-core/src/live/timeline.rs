//! One stream's fragment timeline as the player knows it: from the manifest, extended by
//! tfrf look-ahead and refreshes, pruned to the DVR window. Times are exact ticks.

use std::collections::VecDeque;

use crate::limits::MAX_CHUNKS_PER_STREAM;
use crate::manifest::Chunk;

/// The known chunks of one stream, ascending by start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    chunks: VecDeque<Chunk>,
    /// Ticks per second.
    pub timescale: u64,
    /// Whether more chunks may still appear (live and not ended).
    pub growing: bool,
}

impl Timeline {
    /// A timeline from a manifest's chunks; `growing` for live presentations.
    pub fn new(chunks: &[Chunk], timescale: u64, growing: bool) -> Timeline {
        Timeline {
            chunks: chunks.iter().copied().collect(),
            timescale,
            growing,
        }
    }

    /// Number of known chunks.
    pub fn len(&self) -> usize {
        self.chunks.len()
    }

    /// Whether no chunk is known.
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// The first known chunk.
    pub fn first(&self) -> Option<Chunk> {
        self.chunks.front().copied()
    }

    /// The last known chunk.
    pub fn last(&self) -> Option<Chunk> {
        self.chunks.back().copied()
    }

    /// End of the last known chunk: the known live edge.
    pub fn end(&self) -> Option<u64> {
        self.last().map(|c| c.end())
    }

    /// The chunk that contains `t` (the last one starting at or before it), or the first.
    pub fn chunk_at(&self, t: u64) -> Option<Chunk> {
        let i = self.chunks.partition_point(|c| c.start <= t);
        self.chunks.get(i.saturating_sub(1)).copied()
    }

    /// The first chunk starting at or after `t`.
    pub fn at_or_after(&self, t: u64) -> Option<Chunk> {
        let i = self.chunks.partition_point(|c| c.start < t);
        self.chunks.get(i).copied()
    }

    /// The last chunk starting before `t` (playing backwards: the one before `t`'s).
    pub fn before(&self, t: u64) -> Option<Chunk> {
        let i = self.chunks.partition_point(|c| c.start < t);
        i.checked_sub(1).and_then(|i| self.chunks.get(i)).copied()
    }

    /// The chunks starting at or after `t`, in order.
    pub fn iter_from(&self, t: u64) -> impl Iterator<Item = Chunk> + '_ {
        let i = self.chunks.partition_point(|c| c.start < t);
        self.chunks.range(i..).copied()
    }

    /// Adds chunks learnt from a tfrf box, a probe of the edge or a refreshed manifest:
    /// those starting after the last known one are appended; a known one may get its exact
    /// duration. Returns how many were added.
    pub fn extend(&mut self, entries: impl IntoIterator<Item = Chunk>) -> usize {
        let mut added = 0;
        for c in entries {
            if c.duration == 0 {
                continue;
            }
            match self.chunks.back_mut() {
                Some(last) if c.start == last.start => last.duration = c.duration,
                Some(last) if c.start < last.start => {
                    // Known already (or older than what we know): correct its duration only.
                    let i = self.chunks.partition_point(|k| k.start < c.start);
                    if let Some(k) = self.chunks.get_mut(i)
                        && k.start == c.start
                    {
                        k.duration = c.duration;
                    }
                }
                _ => {
                    if self.chunks.len() as u64 >= MAX_CHUNKS_PER_STREAM {
                        self.chunks.pop_front();
                    }
                    self.chunks.push_back(c);
                    added += 1;
                }
            }
        }
        added
    }

    /// Drops chunks that end at or before `t` (they left the DVR window).
    pub fn prune_before(&mut self, t: u64) {
        while self.chunks.front().is_some_and(|c| c.end() <= t) {
            self.chunks.pop_front();
        }
    }

    /// Removes the chunk starting at `start` (it turned out never to exist).
    pub fn remove(&mut self, start: u64) {
        if let Some(i) = self.chunks.iter().position(|c| c.start == start) {
            self.chunks.remove(i);
        }
    }

    /// The typical fragment duration (the last chunk's), in ticks.
    pub fn fragment_duration(&self) -> Option<u64> {
        self.last().map(|c| c.duration)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(start: u64, duration: u64) -> Chunk {
        Chunk { start, duration }
    }

    #[test]
    fn extends_from_lookahead_without_duplicates_and_prunes_the_window() {
        let mut t = Timeline::new(&[c(100, 10), c(110, 10)], 10, true);
        assert_eq!(t.extend([c(110, 10), c(120, 10), c(130, 10)]), 2);
        assert_eq!(t.end(), Some(140));
        assert_eq!(t.extend([c(120, 10)]), 0);
        // A jump (encoder gap) is kept as a hole.
        assert_eq!(t.extend([c(200, 10)]), 1);
        assert_eq!(t.at_or_after(141), Some(c(200, 10)));
        assert_eq!(t.chunk_at(125), Some(c(120, 10)));
        t.prune_before(125);
        assert_eq!(t.first(), Some(c(120, 10)));
        t.remove(200);
        assert_eq!(t.last(), Some(c(130, 10)));
    }

    #[test]
    fn before_walks_backwards_to_the_first_chunk() {
        let t = Timeline::new(&[c(100, 10), c(110, 10)], 10, false);
        assert_eq!(t.before(115), Some(c(110, 10)));
        assert_eq!(t.before(110), Some(c(100, 10)));
        assert_eq!(t.before(100), None);
    }

    #[test]
    fn exact_durations_replace_estimates() {
        let mut t = Timeline::new(&[c(0, 10)], 10, true);
        t.extend([c(0, 12)]);
        assert_eq!(t.end(), Some(12));
        t.extend([c(12, 10), c(22, 10)]);
        t.extend([c(12, 9)]);
        assert_eq!(t.chunk_at(12), Some(c(12, 9)));
    }
}
