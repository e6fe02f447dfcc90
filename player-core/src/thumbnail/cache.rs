//! Thumbnails already made, keyed by fragment so that every time within one fragment hits,
//! within a byte budget: the least recently used picture goes first.

use std::collections::HashMap;
use std::sync::Arc;

use super::{FragmentKey, Thumbnail};

/// The default budget: about 145 pictures of 160×90 RGBA.
pub const DEFAULT_CACHE_BYTES: usize = 8 * 1024 * 1024;

/// A bounded cache of thumbnails by fragment.
#[derive(Debug)]
pub struct ThumbnailCache {
    budget: usize,
    used: usize,
    /// Use counter: larger is more recent.
    clock: u64,
    entries: HashMap<FragmentKey, (Arc<Thumbnail>, u64)>,
}

impl Default for ThumbnailCache {
    fn default() -> Self {
        ThumbnailCache::new(DEFAULT_CACHE_BYTES)
    }
}

impl ThumbnailCache {
    /// An empty cache holding at most `budget` bytes of pictures.
    pub fn new(budget: usize) -> ThumbnailCache {
        ThumbnailCache {
            budget,
            used: 0,
            clock: 0,
            entries: HashMap::new(),
        }
    }

    /// The picture of fragment `key`, if cached (it becomes the most recently used).
    pub fn get(&mut self, key: &FragmentKey) -> Option<Arc<Thumbnail>> {
        self.clock += 1;
        let clock = self.clock;
        self.entries.get_mut(key).map(|(t, used)| {
            *used = clock;
            t.clone()
        })
    }

    /// Keeps `thumbnail` for fragment `key`, evicting the least recently used pictures until
    /// it fits. A picture larger than the whole budget is not kept.
    pub fn insert(&mut self, key: FragmentKey, thumbnail: Arc<Thumbnail>) {
        self.remove(&key);
        let size = thumbnail.byte_size();
        if size > self.budget {
            return;
        }
        while self.used + size > self.budget {
            let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (_, u))| *u)
                .map(|(k, _)| *k)
            else {
                break;
            };
            self.remove(&oldest);
        }
        self.clock += 1;
        self.used += size;
        self.entries.insert(key, (thumbnail, self.clock));
    }

    fn remove(&mut self, key: &FragmentKey) {
        if let Some((t, _)) = self.entries.remove(key) {
            self.used -= t.byte_size();
        }
    }

    /// Bytes of pictures held.
    pub fn used(&self) -> usize {
        self.used
    }

    /// Pictures held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 10×10 picture (400 bytes) of fragment `start`.
    fn thumb(start: u64) -> (FragmentKey, Arc<Thumbnail>) {
        let key = FragmentKey {
            stream: 0,
            level: 0,
            start,
        };
        let t = Thumbnail {
            key,
            pts: start,
            timescale: 1,
            width: 10,
            height: 10,
            rgba: vec![0; 400],
        };
        (key, Arc::new(t))
    }

    #[test]
    fn the_budget_holds_and_the_least_recently_used_goes_first() {
        let mut cache = ThumbnailCache::new(1200);
        for start in [0, 1, 2] {
            let (k, t) = thumb(start);
            cache.insert(k, t);
        }
        assert_eq!((cache.len(), cache.used()), (3, 1200));
        // Fragment 0 is used again: 1 is now the oldest.
        assert!(cache.get(&thumb(0).0).is_some());
        let (k, t) = thumb(3);
        cache.insert(k, t);
        assert_eq!((cache.len(), cache.used()), (3, 1200));
        assert!(cache.get(&thumb(1).0).is_none());
        for start in [0, 2, 3] {
            assert!(cache.get(&thumb(start).0).is_some(), "{start}");
        }
    }

    #[test]
    fn replacing_a_fragment_counts_it_once() {
        let mut cache = ThumbnailCache::new(1000);
        let (k, t) = thumb(5);
        cache.insert(k, t.clone());
        cache.insert(k, t);
        assert_eq!((cache.len(), cache.used()), (1, 400));
    }

    #[test]
    fn a_picture_larger_than_the_budget_is_not_kept() {
        let mut cache = ThumbnailCache::new(300);
        let (k, t) = thumb(0);
        cache.insert(k, t);
        assert!(cache.is_empty());
        assert_eq!(cache.used(), 0);
        assert!(ThumbnailCache::default().is_empty());
    }
}
