//! Pull mode: the host takes due pictures with `sp_player_next_video_frame` (from the queue in
//! `pull_queue`) and gives them back with `sp_frame_release`.

use std::time::{Duration, Instant};

use player_core::player::State;

use super::callbacks::sp_frame;
use super::handle::{Session, handle, on_session, sp_player};
use super::pull_queue::Pulled;
use super::status::{Failure, guard, sp_status};

/// How often a waiting puller checks whether playback is over.
const CHECK: Duration = Duration::from_millis(20);

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
    use crate::ffi::pull_queue::tests::picture;

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
