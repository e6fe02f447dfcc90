//! Host callbacks: their C types (the audio ones are in `audio`), the `user_data` they get,
//! the callback gate, and the video and key trampolines.

use std::cell::Cell;
use std::ffi::{c_char, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use player_core::decode::VideoFrame;
use player_core::decrypt::ContentKey;
use player_core::manifest::Uuid;
use player_core::sink::{SinkError, VideoSink};
use player_core::time::ticks_to_duration;

/// A decoded I420 picture. Rows are `*_stride` bytes apart; only the first `width` (luma) or
/// `(width + 1) / 2` (chroma) bytes of a row are picture. Y has `height` rows, U and V
/// `(height + 1) / 2`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct sp_frame {
    /// Luma plane.
    pub y: *const u8,
    /// Cb plane.
    pub u: *const u8,
    /// Cr plane.
    pub v: *const u8,
    /// Bytes between luma rows.
    pub y_stride: u32,
    /// Bytes between chroma rows.
    pub uv_stride: u32,
    /// Picture width in pixels.
    pub width: u32,
    /// Picture height in pixels.
    pub height: u32,
    /// Presentation time, microseconds from the presentation start (the timeline of
    /// `sp_player_position` and `sp_player_seek`).
    pub pts_us: i64,
    /// How long the picture is shown, microseconds.
    pub duration_us: i64,
    /// Owned by the library (pull mode: what `sp_frame_release` frees; NULL in callbacks).
    pub internal: *mut c_void,
}

impl sp_frame {
    /// A frame with no picture (what a released frame becomes).
    pub(crate) fn empty() -> sp_frame {
        sp_frame {
            y: std::ptr::null(),
            u: std::ptr::null(),
            v: std::ptr::null(),
            y_stride: 0,
            uv_stride: 0,
            width: 0,
            height: 0,
            pts_us: 0,
            duration_us: 0,
            internal: std::ptr::null_mut(),
        }
    }

    /// Views `f`'s planes; valid while `f` is alive and unmoved.
    pub(crate) fn view(f: &VideoFrame, origin: Duration) -> sp_frame {
        let pts = ticks_to_duration(f.pts, f.timescale);
        sp_frame {
            y: f.y.as_ptr(),
            u: f.u.as_ptr(),
            v: f.v.as_ptr(),
            y_stride: u32::try_from(f.y_stride).unwrap_or(u32::MAX),
            uv_stride: u32::try_from(f.uv_stride).unwrap_or(u32::MAX),
            width: f.width,
            height: f.height,
            pts_us: micros(pts.saturating_sub(origin)),
            duration_us: micros(ticks_to_duration(f.duration, f.timescale)),
            internal: std::ptr::null_mut(),
        }
    }
}

/// Microseconds, saturating.
pub(crate) fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// Receives each picture when it is due. Runs on the video thread; `frame` and its planes
/// are valid only until the callback returns (copy what you keep).
pub type sp_video_cb = Option<unsafe extern "C" fn(user_data: *mut c_void, frame: *const sp_frame)>;

/// Receives each player event: its type and a NUL-terminated JSON object (`len` bytes without
/// the NUL), as printed by `smoothplay-headless --events`. Runs on the player's event thread;
/// `json` is valid only until the callback returns.
pub type sp_event_cb = Option<
    unsafe extern "C" fn(user_data: *mut c_void, event_type: u32, json: *const c_char, len: usize),
>;

/// Asked for the 16-byte content key of a 16-byte KID (big-endian UUID bytes, as in the
/// fragments' `tenc`/`senc`). Write the key to `key_out` and return nonzero, or return 0 when
/// there is none. Runs on a network thread; answer quickly (a key is asked once and cached).
pub type sp_key_cb =
    Option<unsafe extern "C" fn(user_data: *mut c_void, kid: *const u8, key_out: *mut u8) -> i32>;

/// The host's `user_data`, handed back untouched to callbacks on the player's threads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UserData(pub *mut c_void);

impl UserData {
    /// The pointer (a method, so closures capture the `Send` wrapper, not the raw field).
    pub fn ptr(self) -> *mut c_void {
        self.0
    }
}

// SAFETY: the pointer is never dereferenced by the library; the header tells the host that
// callbacks receive it on the player's threads, so the host vouches for its thread-safety.
unsafe impl Send for UserData {}
// SAFETY: as above.
unsafe impl Sync for UserData {}

thread_local! {
    static IN_CALLBACK: Cell<u32> = const { Cell::new(0) };
}

/// Runs a host callback, marking this thread as inside one (open/free refuse to run there:
/// they would wait for the very thread they are called on).
pub(crate) fn in_callback<R>(f: impl FnOnce() -> R) -> R {
    struct Mark;
    impl Drop for Mark {
        fn drop(&mut self) {
            IN_CALLBACK.with(|c| c.set(c.get().saturating_sub(1)));
        }
    }
    IN_CALLBACK.with(|c| c.set(c.get() + 1));
    let _mark = Mark;
    f()
}

/// Whether this thread is inside a host callback.
pub(crate) fn inside_callback() -> bool {
    IN_CALLBACK.with(|c| c.get() > 0)
}

/// Holds callbacks back until `sp_player_open` has stored the session, so a callback that
/// issues a command (the player starts working before `open` returns) finds it open.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    passable: AtomicBool,
    lock: Mutex<()>,
    opened: Condvar,
}

impl Gate {
    /// Waits until the gate is open (at once, once it has been).
    pub fn wait(&self) {
        if self.passable.load(Ordering::Acquire) {
            return;
        }
        let mut guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        while !self.passable.load(Ordering::Acquire) {
            guard = self.opened.wait(guard).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Lets every waiting and future callback through.
    pub fn open(&self) {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        self.passable.store(true, Ordering::Release);
        self.opened.notify_all();
    }
}

/// Opens the gate when dropped (also on early returns and panics in `sp_player_open`).
pub(crate) struct OpenOnDrop(pub Arc<Gate>);

impl Drop for OpenOnDrop {
    fn drop(&mut self) {
        self.0.open();
    }
}

/// Hands pictures to the host's `on_video`.
pub(crate) struct CallbackVideoSink {
    pub cb: unsafe extern "C" fn(*mut c_void, *const sp_frame),
    pub user: UserData,
    pub origin: Duration,
    pub gate: Arc<Gate>,
}

impl VideoSink for CallbackVideoSink {
    fn present(&mut self, frame: &VideoFrame) -> Result<(), SinkError> {
        self.gate.wait();
        let view = sp_frame::view(frame, self.origin);
        let (cb, user) = (self.cb, self.user.0);
        // SAFETY: the host registered `cb` for this; `view` points into `frame`, alive for the call.
        in_callback(|| unsafe { cb(user, &view) });
        Ok(())
    }
}

/// Asks the host's `on_key` for a key.
pub(crate) fn ask_key(
    cb: unsafe extern "C" fn(*mut c_void, *const u8, *mut u8) -> i32,
    user: UserData,
    gate: &Gate,
    kid: Uuid,
) -> Option<ContentKey> {
    gate.wait();
    let mut key = zeroize::Zeroizing::new([0u8; 16]);
    // SAFETY: `kid` and `key` are 16-byte buffers alive for the call, as the header promises.
    let found = in_callback(|| unsafe { cb(user.0, kid.0.as_ptr(), key.as_mut_ptr()) });
    (found != 0).then(|| ContentKey::new(*key))
}
