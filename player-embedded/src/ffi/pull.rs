//! Pull mode: due pictures wait in a short queue for `sp_player_next_video_frame`.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use player_core::decode::VideoFrame;
use player_core::player::State;
use player_core::sink::{SinkError, VideoSink};

use super::callbacks::sp_frame;
use super::guard;
use super::handle::{Session, handle, on_session, sp_player};
use super::status::{Failure, sp_status};

/// Pictures kept for the host; when full, real-time playback drops the oldest (it is stale)
/// and fast playback waits for the host.
const CAPACITY: usize = 3;
/// How often a waiting puller checks whether playback is over.
const CHECK: Duration = Duration::from_millis(20);

/// A picture handed out: the copy the host reads, and where the timeline starts.
pub(crate) struct Pulled {
    frame: VideoFrame,
    origin: Duration,
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

    fn push(&self, item: Pulled) {
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
    fn pop(&self, wait: Duration) -> Option<Pulled> {
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

/// Pull mode (`SP_FLAG_PULL_VIDEO`): waits up to `timeout_ms` for the next due picture and
/// fills `*frame`. `SP_OK`: the frame's planes belong to the caller until
/// `sp_frame_release(frame)` (also after `sp_player_free`). `SP_ERR_TIMEOUT`: none became due.
/// `SP_ERR_ENDED`: playback ended, stopped or failed and every picture was handed out. Up to
/// 3 due pictures wait; in real time an older one is dropped when the host falls behind,
/// with `SP_FLAG_FAST` playback waits for the host instead. Right after a seek, a picture from
/// before it may still come out (compare `pts_us`). Any thread; one caller at a time.
///
/// # Safety
/// `p` is a live handle; `frame` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_player_next_video_frame(
    p: *mut sp_player,
    timeout_ms: u32,
    frame: *mut sp_frame,
) -> sp_status {
    if frame.is_null() {
        return guard(sp_status::SP_ERR_NULL_POINTER, || {
            // SAFETY: per this function's contract.
            if let Some(h) = unsafe { handle(p) } {
                h.fail(Failure::new(
                    sp_status::SP_ERR_NULL_POINTER,
                    "frame is NULL",
                ));
            }
            sp_status::SP_ERR_NULL_POINTER
        });
    }
    let mut outcome = sp_status::SP_ERR_TIMEOUT;
    let pull = |s: &Session| {
        let queue = s.pull.as_ref().ok_or_else(|| {
            Failure::new(
                sp_status::SP_ERR_NOT_PULL_MODE,
                "the player was opened without SP_FLAG_PULL_VIDEO",
            )
        })?;
        let deadline = Instant::now() + Duration::from_millis(u64::from(timeout_ms));
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if let Some(item) = queue.pop(left.min(CHECK)) {
                let mut out = sp_frame::view(&item.frame, item.origin);
                out.internal = Box::into_raw(Box::new(item)).cast();
                // SAFETY: `frame` is writable (contract); checked non-NULL above.
                unsafe { frame.write(out) };
                outcome = sp_status::SP_OK;
                return Ok(());
            }
            let over = matches!(
                s.tracked.get().state,
                Some(State::Ended | State::Stopped | State::Failed)
            );
            if over {
                outcome = sp_status::SP_ERR_ENDED;
                return Ok(());
            }
            if left.is_zero() {
                return Ok(());
            }
        }
    };
    // SAFETY: per this function's contract.
    let status = unsafe { on_session(p, pull) };
    if status == sp_status::SP_OK {
        outcome
    } else {
        status
    }
}

/// Gives back a frame from `sp_player_next_video_frame` and empties `*frame` (its pointers
/// become NULL). NULL, an empty frame or a callback's frame is ignored, so releasing twice is
/// harmless. Any thread.
///
/// # Safety
/// `frame` is NULL or points to an `sp_frame` filled by this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_frame_release(frame: *mut sp_frame) {
    guard((), || {
        // SAFETY: per this function's contract.
        let Some(f) = (unsafe { frame.as_mut() }) else {
            return;
        };
        if !f.internal.is_null() {
            // SAFETY: `internal` came from Box::into_raw(Box<Pulled>) and is taken once: the
            // frame is emptied right after.
            drop(unsafe { Box::from_raw(f.internal.cast::<Pulled>()) });
        }
        *f = sp_frame::empty();
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(pts: u64) -> Pulled {
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

    #[test]
    fn released_frames_are_emptied_and_double_release_is_harmless() {
        let item = picture(7);
        let mut f = sp_frame::view(&item.frame, Duration::ZERO);
        f.internal = Box::into_raw(Box::new(item)).cast();
        assert_eq!(f.pts_us, 280_000);
        // SAFETY: `f` was filled as the library fills pulled frames.
        unsafe { sp_frame_release(&mut f) };
        assert!(f.y.is_null() && f.internal.is_null());
        // SAFETY: as above; now empty.
        unsafe { sp_frame_release(&mut f) };
        // SAFETY: NULL is allowed.
        unsafe { sp_frame_release(std::ptr::null_mut()) };
    }
}
