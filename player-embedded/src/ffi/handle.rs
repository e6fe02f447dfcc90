//! The opaque `sp_player` handle: creation, opening a presentation, errors, freeing.

use std::ffi::{CStr, c_char};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;

use player_core::player::Player;

use super::audio::{AudioTarget, CallbackAudioSink};
use super::callbacks::{CallbackVideoSink, Gate, OpenOnDrop, inside_callback};
use super::config::{SP_FLAG_FAST, SP_FLAG_PULL_VIDEO, Settings, sp_config};
use super::events::{Tracked, spawn_pump};
use super::pull_queue::{PullQueue, PullSink};
use super::status::{Failure, guard, sp_status};

/// A player: created by `sp_player_new`, freed by `sp_player_free`.
pub struct sp_player {
    /// The checked configuration, or why it was refused (reported by `sp_player_open`).
    settings: Result<Settings, Failure>,
    /// The open presentation.
    session: RwLock<Option<Session>>,
    /// The message of the last failed call.
    last_error: Mutex<String>,
}

/// One open presentation and what serves it.
pub(crate) struct Session {
    player: Option<Player>,
    pump: Option<JoinHandle<()>>,
    /// What the event thread has seen.
    pub tracked: Arc<Tracked>,
    /// Pictures waiting to be pulled (`SP_FLAG_PULL_VIDEO`).
    pub pull: Option<Arc<PullQueue>>,
}

impl Session {
    /// The player (present until the session is dropped).
    pub fn player(&self) -> Result<&Player, Failure> {
        self.player
            .as_ref()
            .ok_or_else(|| Failure::new(sp_status::SP_ERR_NOT_OPEN, "no presentation is open"))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // A presenter blocked on a full pull queue must be let go before its thread is joined.
        if let Some(q) = &self.pull {
            q.close();
        }
        drop(self.player.take());
        // The player's event channel is closed now: the event thread drains and ends.
        if let Some(pump) = self.pump.take() {
            let _ = pump.join();
        }
    }
}

impl sp_player {
    /// Records `f` as the last error and returns its status.
    pub(crate) fn fail(&self, f: Failure) -> sp_status {
        match self.last_error.lock() {
            Ok(mut m) => *m = f.message,
            Err(p) => *p.into_inner() = f.message,
        }
        f.status
    }

    /// Runs `f` on the open session; records a failure.
    pub(crate) fn with_session(
        &self,
        f: impl FnOnce(&Session) -> Result<(), Failure>,
    ) -> sp_status {
        let result = match self.session.read() {
            Ok(s) => match s.as_ref() {
                Some(session) => f(session),
                None => Err(not_open()),
            },
            Err(_) => Err(Failure::new(
                sp_status::SP_ERR_INTERNAL,
                "the handle's lock is poisoned",
            )),
        };
        match result {
            Ok(()) => sp_status::SP_OK,
            Err(e) => self.fail(e),
        }
    }

    fn take_session(&self) -> Option<Session> {
        match self.session.write() {
            Ok(mut s) => s.take(),
            Err(p) => p.into_inner().take(),
        }
    }

    fn put_session(&self, session: Session) {
        match self.session.write() {
            Ok(mut s) => *s = Some(session),
            Err(p) => *p.into_inner() = Some(session),
        }
    }
}

fn not_open() -> Failure {
    Failure::new(
        sp_status::SP_ERR_NOT_OPEN,
        "no presentation is open (call sp_player_open first)",
    )
}

/// The handle behind `p`.
///
/// # Safety
/// `p` is NULL or a handle from `sp_player_new` not yet freed.
pub(crate) unsafe fn handle<'a>(p: *const sp_player) -> Option<&'a sp_player> {
    // SAFETY: per this function's contract.
    unsafe { p.as_ref() }
}

/// Runs a command on `p`'s open session.
///
/// # Safety
/// As [`handle`].
pub(crate) unsafe fn on_session(
    p: *const sp_player,
    f: impl FnOnce(&Session) -> Result<(), Failure>,
) -> sp_status {
    guard(sp_status::SP_ERR_INTERNAL, || {
        // SAFETY: per this function's contract.
        match unsafe { handle(p) } {
            Some(h) => h.with_session(f),
            None => sp_status::SP_ERR_NULL_POINTER,
        }
    })
}

/// Reads a required UTF-8 string argument.
///
/// # Safety
/// `s` is NULL or NUL-terminated.
pub(crate) unsafe fn arg_str<'a>(s: *const c_char, what: &str) -> Result<&'a str, Failure> {
    if s.is_null() {
        return Err(Failure::new(
            sp_status::SP_ERR_NULL_POINTER,
            format!("{what} is NULL"),
        ));
    }
    // SAFETY: per this function's contract.
    unsafe { CStr::from_ptr(s) }.to_str().map_err(|_| {
        Failure::new(
            sp_status::SP_ERR_INVALID_UTF8,
            format!("{what} is not valid UTF-8"),
        )
    })
}

/// Creates a player with `config` (copied: it may be freed after this call; NULL = defaults).
/// No presentation is open yet. Returns NULL only if memory ran out. A configuration that
/// cannot be used (bad UTF-8, malformed header…) is reported by `sp_player_open`.
///
/// # Safety
/// `config` is NULL or points to an `sp_config` whose pointers follow its field docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_player_new(config: *const sp_config) -> *mut sp_player {
    guard(std::ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        let settings = unsafe { Settings::read(config) };
        Box::into_raw(Box::new(sp_player {
            settings,
            session: RwLock::new(None),
            last_error: Mutex::new(String::new()),
        }))
    })
}

/// Opens `url` and stores the session in `h`; callbacks are held back until it is stored.
fn open_session(h: &sp_player, settings: &Settings, url: &str) -> Result<(), Failure> {
    let fast = settings.has(SP_FLAG_FAST);
    let user = settings.user;
    let gate = Arc::new(Gate::default());
    let release = OpenOnDrop(gate.clone());
    let pull = settings
        .has(SP_FLAG_PULL_VIDEO)
        .then(|| Arc::new(PullQueue::new(fast)));
    let mut builder = settings.builder(&gate);
    if let Some(cb) = settings.on_video {
        let gate = gate.clone();
        builder = builder.video_sink_with(move |info| {
            Box::new(CallbackVideoSink {
                cb,
                user,
                origin: info.origin,
                gate,
            })
        });
    } else if let Some(queue) = &pull {
        let queue = queue.clone();
        builder = builder.video_sink_with(move |info| Box::new(PullSink::new(queue, info.origin)));
    }
    if let Some(cb) = settings.on_audio {
        let target = AudioTarget {
            cb,
            played_cb: settings.on_audio_played,
            user,
            gate: gate.clone(),
        };
        let format = settings.audio_format;
        builder = builder.audio_sink_with(move |info| {
            Box::new(CallbackAudioSink::new(target, info.origin, format, fast))
        });
    }
    let player = builder
        .open(url)
        .map_err(|e| Failure::new(sp_status::of(&e), e.to_string()))?;
    let tracked = Arc::new(Tracked::default());
    let pump = spawn_pump(
        player.events().clone(),
        tracked.clone(),
        settings.on_event,
        user,
        gate.clone(),
    );
    let pump = match pump {
        Ok(p) => p,
        Err(e) => {
            // Let held callbacks return before the player joins their threads.
            drop(release);
            drop(player);
            return Err(Failure::new(
                sp_status::SP_ERR_INTERNAL,
                format!("cannot start the event thread: {e}"),
            ));
        }
    };
    h.put_session(Session {
        player: Some(player),
        pump: Some(pump),
        tracked,
        pull,
    });
    drop(release);
    Ok(())
}

/// Opens `url` (an http(s) manifest URL, a presentation directory or a manifest file; UTF-8)
/// and starts playing it (paused with `SP_FLAG_START_PAUSED`). Blocks until the manifest is
/// fetched and parsed; buffering and playback then go on on the player's threads. A
/// presentation already open is stopped and closed first (its callbacks have all returned
/// when this returns). Not from inside a callback (`SP_ERR_IN_CALLBACK`).
///
/// # Safety
/// `p` is a live handle; `url` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_player_open(p: *mut sp_player, url: *const c_char) -> sp_status {
    guard(sp_status::SP_ERR_INTERNAL, || {
        // SAFETY: per this function's contract.
        let Some(h) = (unsafe { handle(p) }) else {
            return sp_status::SP_ERR_NULL_POINTER;
        };
        if inside_callback() {
            return h.fail(Failure::new(
                sp_status::SP_ERR_IN_CALLBACK,
                "sp_player_open cannot be called from a callback",
            ));
        }
        // SAFETY: per this function's contract.
        let url = match unsafe { arg_str(url, "url") } {
            Ok(u) => u,
            Err(e) => return h.fail(e),
        };
        let settings = match &h.settings {
            Ok(s) => s.clone(),
            Err(e) => return h.fail(e.clone()),
        };
        // Close the previous presentation outside the lock: its callbacks may be calling in.
        drop(h.take_session());
        match open_session(h, &settings, url) {
            Ok(()) => sp_status::SP_OK,
            Err(e) => h.fail(e),
        }
    })
}

/// Copies the message of the last failed call on `p` into `buf` (UTF-8, NUL-terminated,
/// truncated to `cap` bytes including the NUL) and returns its full length without the NUL;
/// with `buf` NULL or `cap` 0 only the length is returned. 0 when there was no failure.
///
/// # Safety
/// `p` is NULL or a live handle; `buf` is NULL or has room for `cap` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_player_last_error(
    p: *const sp_player,
    buf: *mut c_char,
    cap: usize,
) -> usize {
    guard(0, || {
        // SAFETY: per this function's contract.
        let Some(h) = (unsafe { handle(p) }) else {
            return 0;
        };
        let message = match h.last_error.lock() {
            Ok(m) => m.clone(),
            Err(p) => p.into_inner().clone(),
        };
        let bytes = message.as_bytes();
        if !buf.is_null() && cap > 0 {
            let n = bytes.len().min(cap - 1);
            // SAFETY: `buf` has room for `cap` > n bytes (contract); the ranges cannot overlap.
            unsafe {
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf.cast::<u8>(), n);
                *buf.add(n) = 0;
            }
        }
        bytes.len()
    })
}

/// Stops playback, joins the player's threads and frees `p` (NULL is ignored). No callback
/// runs once this returns. Pulled frames not yet released stay valid (release them with
/// `sp_frame_release`). No other call on `p` may be in progress or follow. From inside a
/// callback it would wait for its own thread: it is ignored there (nothing is freed).
///
/// # Safety
/// `p` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_player_free(p: *mut sp_player) {
    guard((), || {
        if p.is_null() {
            return;
        }
        if inside_callback() {
            // SAFETY: per this function's contract.
            if let Some(h) = unsafe { handle(p) } {
                h.fail(Failure::new(
                    sp_status::SP_ERR_IN_CALLBACK,
                    "sp_player_free cannot be called from a callback",
                ));
            }
            return;
        }
        // SAFETY: `p` came from Box::into_raw in sp_player_new and is freed once (contract).
        drop(unsafe { Box::from_raw(p) });
    })
}
