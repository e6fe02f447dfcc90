//! What the fragment-parallel video pool's threads share: the workers' output to the
//! merger, and the counters by which workers decode ahead only while the merger keeps up.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::manifest::Uuid;

use super::decode_thread::Fed;
use super::messages::ShownFrame;

/// Worker → merger.
pub(crate) enum WorkerOut {
    Frame(ShownFrame),
    /// Fragment `seq` is fully decoded (`end`: it was the stream's end marker).
    Done {
        seq: u64,
        fed: Fed,
        kid: Option<Uuid>,
        /// The end marker's generation and epoch.
        end: Option<(u64, u32)>,
    },
}

/// What the dispatcher, the workers and the merger share.
pub(crate) struct PoolShared {
    /// The fragment whose pictures the merger passes on now.
    pub(super) head: AtomicU64,
    /// Per worker: pictures handed to the merger, not yet passed on.
    pub(super) pending: Vec<AtomicUsize>,
    /// Bytes of all pictures waiting in the merger's inputs.
    pub(super) ahead: AtomicU64,
}

impl PoolShared {
    /// The fragment on screen.
    pub fn head(&self) -> u64 {
        self.head.load(Ordering::Acquire)
    }

    /// Pictures worker `w` has waiting.
    pub fn pending(&self, w: usize) -> usize {
        self.pending[w].load(Ordering::Acquire)
    }

    /// Bytes of pictures waiting for their turn.
    pub fn ahead_bytes(&self) -> u64 {
        self.ahead.load(Ordering::Acquire)
    }

    /// Workers in the pool.
    pub fn workers(&self) -> usize {
        self.pending.len()
    }

    /// Worker `w` handed over a picture of `bytes`.
    pub fn on_sent(&self, w: usize, bytes: usize) {
        self.pending[w].fetch_add(1, Ordering::AcqRel);
        self.ahead.fetch_add(bytes as u64, Ordering::AcqRel);
    }

    /// The merger passed on (or dropped) a picture of worker `w`.
    pub fn on_forwarded(&self, w: usize, bytes: usize) {
        let _ = self.pending[w].fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| {
            Some(v.saturating_sub(1))
        });
        let _ = self
            .ahead
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| {
                Some(v.saturating_sub(bytes as u64))
            });
    }
}
