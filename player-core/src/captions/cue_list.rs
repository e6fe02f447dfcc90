//! The cues a player knows, in time order, and what is on screen at a given time.

use std::time::Duration;

/// Most cues kept; the earliest go first (a long live event on an infinite DVR window).
pub const MAX_CUES: usize = 10_000;

/// A caption or subtitle shown from `start` until `end` (media time).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cue {
    /// When it appears.
    pub start: Duration,
    /// When it disappears (exclusive).
    pub end: Duration,
    /// Its text; lines are separated by `\n`.
    pub text: String,
}

/// Cues in start order, without duplicates (live fragments may repeat a cue that spans them).
#[derive(Debug, Default, Clone)]
pub struct CueList {
    cues: Vec<Cue>,
}

impl CueList {
    /// Adds cues, ignoring ones already known; keeps at most [`MAX_CUES`].
    pub fn insert(&mut self, cues: impl IntoIterator<Item = Cue>) {
        for cue in cues {
            if let Err(at) = self.cues.binary_search(&cue) {
                self.cues.insert(at, cue);
            }
        }
        if self.cues.len() > MAX_CUES {
            let excess = self.cues.len() - MAX_CUES;
            self.cues.drain(..excess);
        }
    }

    /// The text on screen at `at`: every active cue, in start order, one per line group.
    pub fn text_at(&self, at: Duration) -> String {
        // Cues are sorted by start; none starting after `at` can be active.
        let upto = self.cues.partition_point(|c| c.start <= at);
        let mut out = String::new();
        for c in self.cues[..upto].iter().filter(|c| at < c.end) {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&c.text);
        }
        out
    }

    /// Forgets cues that ended before `t` (they left the DVR window).
    pub fn prune_before(&mut self, t: Duration) {
        self.cues.retain(|c| c.end >= t);
    }

    /// How many cues are known.
    pub fn len(&self) -> usize {
        self.cues.len()
    }

    /// Whether no cue is known.
    pub fn is_empty(&self) -> bool {
        self.cues.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(start: u64, end: u64, text: &str) -> Cue {
        Cue {
            start: Duration::from_secs(start),
            end: Duration::from_secs(end),
            text: text.into(),
        }
    }

    fn at(list: &CueList, s: f64) -> String {
        list.text_at(Duration::from_secs_f64(s))
    }

    #[test]
    fn shows_the_active_cues_in_order() {
        let mut list = CueList::default();
        list.insert([cue(4, 6, "b"), cue(0, 2, "a"), cue(5, 7, "c")]);
        assert_eq!(at(&list, 0.0), "a");
        assert_eq!(at(&list, 1.99), "a");
        assert_eq!(at(&list, 2.0), "");
        assert_eq!(at(&list, 5.5), "b\nc");
        assert_eq!(at(&list, 6.5), "c");
        assert_eq!(at(&list, 100.0), "");
    }

    #[test]
    fn repeated_cues_are_kept_once() {
        let mut list = CueList::default();
        list.insert([cue(0, 4, "spans two fragments")]);
        list.insert([cue(0, 4, "spans two fragments"), cue(2, 3, "new")]);
        assert_eq!(list.len(), 2);
        assert_eq!(at(&list, 2.5), "spans two fragments\nnew");
    }

    #[test]
    fn pruning_and_the_cap_drop_the_earliest() {
        let mut list = CueList::default();
        list.insert((0..MAX_CUES as u64 + 5).map(|i| cue(i, i + 1, "x")));
        assert_eq!(list.len(), MAX_CUES);
        assert_eq!(at(&list, 0.5), "");
        assert_eq!(at(&list, 5.5), "x");
        list.prune_before(Duration::from_secs(100));
        assert_eq!(at(&list, 98.5), "");
        assert_eq!(at(&list, 99.5), "x");
    }
}
