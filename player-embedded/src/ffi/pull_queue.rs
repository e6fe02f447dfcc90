//! The queue of pull mode: due pictures wait here, between the presenter (producer) and the
//! host's `sp_player_next_video_frame` (consumer).

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use player_core::decode::VideoFrame;
use player_core::sink::{SinkError, VideoSink};

/// Pictures kept for the host; when full, real-time playback drops the oldest (it is stale)
/// and fast playback waits for the host.
const CAPACITY: usize = 3;

/// A picture handed out: the copy the host reads, and where the timeline starts.
pub(crate) struct Pulled {
    pub frame: VideoFrame,
    pub origin: Duration,
}

#[derive(Default)]
struct Queue {
    frames: VecDeque<Pulled>,
    closed: bool,
}

/// The queue between the presenter (producer) and the host (consumer).
pub(crate) struct PullQueue {
    queue: Mutex<Queue>,
    changed: Condvar,
    fast: bool,
}

impl PullQueue {
    pub fn new(fast: bool) -> PullQueue {
        PullQueue {
            queue: Mutex::new(Queue::default()),
            changed: Condvar::new(),
            fast,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn push(&self, item: Pulled) {
        let mut q = self.lock();
        if self.fast {
            while q.frames.len() >= CAPACITY && !q.closed {
                q = self.changed.wait(q).unwrap_or_else(|p| p.into_inner());
            }
        } else if q.frames.len() >= CAPACITY {
            q.frames.pop_front();
        }
        if !q.closed {
            q.frames.push_back(item);
        }
        self.changed.notify_all();
    }

    /// Forgets queued pictures (seek).
    pub fn clear(&self) {
        self.lock().frames.clear();
        self.changed.notify_all();
    }

    /// Waits up to `wait` for a picture.
    pub fn pop(&self, wait: Duration) -> Option<Pulled> {
        let deadline = Instant::now() + wait;
        let mut q = self.lock();
        loop {
            if let Some(f) = q.frames.pop_front() {
                self.changed.notify_all();
                return Some(f);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if q.closed || left.is_zero() {
                return None;
            }
            q = self
                .changed
                .wait_timeout(q, left)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    /// Lets a waiting presenter go and refuses further pictures (the player is closing).
    pub fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }
}

/// The `VideoSink` of pull mode.
pub(crate) struct PullSink {
    queue: Arc<PullQueue>,
    origin: Duration,
}

impl PullSink {
    pub fn new(queue: Arc<PullQueue>, origin: Duration) -> PullSink {
        PullSink { queue, origin }
    }
}

impl VideoSink for PullSink {
    fn present(&mut self, frame: &VideoFrame) -> Result<(), SinkError> {
        self.queue.push(Pulled {
            frame: frame.clone(),
            origin: self.origin,
        });
        Ok(())
    }

    fn flush(&mut self) {
        self.queue.clear();
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(crate) fn picture(pts: u64) -> Pulled {
        Pulled {
            frame: VideoFrame {
                pts,
                duration: 1,
                timescale: 25,
                width: 2,
                height: 2,
                y: vec![1; 4],
                u: vec![2],
                v: vec![3],
                y_stride: 2,
                uv_stride: 1,
            },
            origin: Duration::ZERO,
        }
    }

    #[test]
    fn real_time_queue_keeps_the_newest_pictures() {
        let q = PullQueue::new(false);
        for pts in 0..5 {
            q.push(picture(pts));
        }
        let got: Vec<u64> = std::iter::from_fn(|| q.pop(Duration::ZERO))
            .map(|p| p.frame.pts)
            .collect();
        assert_eq!(got, vec![2, 3, 4]);
        q.push(picture(9));
        q.clear();
        assert!(q.pop(Duration::ZERO).is_none());
    }

    #[test]
    fn fast_queue_waits_for_the_host_and_close_lets_it_go() {
        let q = Arc::new(PullQueue::new(true));
        let producer = {
            let q = q.clone();
            std::thread::spawn(move || {
                for pts in 0..6 {
                    q.push(picture(pts));
                }
            })
        };
        let mut got = Vec::new();
        while got.len() < 6 {
            if let Some(p) = q.pop(Duration::from_secs(5)) {
                got.push(p.frame.pts);
            }
        }
        assert_eq!(got, vec![0, 1, 2, 3, 4, 5], "nothing dropped in fast mode");
        producer.join().expect("producer");
        // A producer blocked on a full queue is released by close().
        for pts in 0..CAPACITY as u64 {
            q.push(picture(pts));
        }
        let blocked = {
            let q = q.clone();
            std::thread::spawn(move || q.push(picture(99)))
        };
        q.close();
        blocked.join().expect("released");
    }
}
