//! Playback commands. Each one is queued to the player and returns at once; its outcome
//! arrives as events. Any thread, also from inside callbacks.

use std::ffi::c_char;
use std::time::Duration;

use player_core::player::StreamKind;

use super::handle::{Session, arg_str, handle, on_session, sp_player};
use super::status::{Failure, guard, sp_status};

/// Which kind of stream `sp_player_select_stream` switches.
pub type sp_stream_type = u32;
/// A video stream (camera angle).
pub const SP_STREAM_VIDEO: sp_stream_type = 0;
/// An audio stream (language).
pub const SP_STREAM_AUDIO: sp_stream_type = 1;

/// A seek, replay or stream switch restarts the pipeline: pictures queued for pulling are
/// stale, and playback is no longer over.
fn restarted(s: &Session) {
    if let Some(q) = &s.pull {
        q.clear();
    }
    s.tracked.restarted();
}

/// Resumes (or starts) playback.
///
/// # Safety
/// `p` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_player_play(p: *mut sp_player) -> sp_status {
    // SAFETY: per this function's contract.
    unsafe { on_session(p, |s| s.player().map(|pl| pl.play())) }
}

/// Pauses playback; the position is kept.
///
/// # Safety
/// `p` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_player_pause(p: *mut sp_player) -> sp_status {
    // SAFETY: per this function's contract.
    unsafe { on_session(p, |s| s.player().map(|pl| pl.pause())) }
}

/// Seeks to `position_ms` from the presentation start (playback resumes from the keyframe at
/// or before it; beyond the end it is clamped, as the `seek` event tells).
///
/// # Safety
/// `p` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_player_seek(p: *mut sp_player, position_ms: u64) -> sp_status {
    // SAFETY: per this function's contract.
    unsafe {
        on_session(p, |s| {
            s.player()?.seek(Duration::from_millis(position_ms));
            restarted(s);
            Ok(())
        })
    }
}

/// Shows (`on` nonzero) or hides (`on` 0) captions; what is on screen arrives as `SP_EVENT_CAPTION`. A
/// presentation without a caption stream answers `SP_ERR_NO_STREAM`.
///
/// # Safety
/// `p` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_player_set_captions(p: *mut sp_player, on: i32) -> sp_status {
    // SAFETY: per this function's contract.
    unsafe {
        on_session(p, |s| {
            let player = s.player()?;
            let on = on != 0;
            if on && !player.has_captions() {
                return Err(Failure::new(
                    sp_status::SP_ERR_NO_STREAM,
                    "the presentation has no caption stream",
                ));
            }
            player.set_captions(on);
            Ok(())
        })
    }
}

/// Instant replay: jumps back `back_ms` from the current position.
///
/// # Safety
/// `p` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_player_replay(p: *mut sp_player, back_ms: u64) -> sp_status {
    // SAFETY: per this function's contract.
    unsafe {
        on_session(p, |s| {
            s.player()?.replay(Duration::from_millis(back_ms));
            restarted(s);
            Ok(())
        })
    }
}

/// Jumps to the live point of a live presentation (the configured delay behind the edge,
/// three fragments by default). On an on-demand presentation there is no live edge: returns
/// `SP_ERR_UNSUPPORTED` and playback is unchanged (seek to `sp_stats.duration_ms` instead).
///
/// # Safety
/// `p` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_player_go_live(p: *mut sp_player) -> sp_status {
    // SAFETY: per this function's contract.
    unsafe {
        on_session(p, |s| {
            let player = s.player()?;
            if !player.is_live() {
                return Err(Failure::new(
                    sp_status::SP_ERR_UNSUPPORTED,
                    "the presentation is not live",
                ));
            }
            player.go_live();
            restarted(s);
            Ok(())
        })
    }
}

/// Trick play: fast forward or rewind at `rate` times normal — -16, -8, -4, -2, 2, 4, 8 or
/// 16 (negative rewinds) — or back to normal playback at 1. Above 2x and in rewind only the
/// first picture of each fragment is shown; the audio is muted while the rate is not 1.
/// Rewinding to the start, or fast forwarding to the live point, returns to 1 by itself
/// (`SP_EVENT_RATE`). Another rate answers `SP_ERR_INVALID_ARGUMENT`.
///
/// # Safety
/// `p` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_player_set_rate(p: *mut sp_player, rate: f64) -> sp_status {
    // SAFETY: per this function's contract.
    unsafe {
        on_session(p, |s| {
            let player = s.player()?;
            let rate = player_core::session::check_rate(rate)
                .map_err(|e| Failure::new(sp_status::SP_ERR_INVALID_ARGUMENT, e.to_string()))?;
            player.set_rate(rate);
            restarted(s);
            Ok(())
        })
    }
}

/// Stops playback; the presentation stays open until `sp_player_open` or `sp_player_free`.
///
/// # Safety
/// `p` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_player_stop(p: *mut sp_player) -> sp_status {
    // SAFETY: per this function's contract.
    unsafe { on_session(p, |s| s.player().map(|pl| pl.stop())) }
}

/// Switches to another video stream (`SP_STREAM_VIDEO`, by name) or audio stream
/// (`SP_STREAM_AUDIO`, by name or language; UTF-8, case-insensitive); playback continues from
/// the current position. `SP_ERR_NO_STREAM` when the presentation has no such stream.
///
/// # Safety
/// `p` is NULL or a live handle; `name` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_player_select_stream(
    p: *mut sp_player,
    stream_type: sp_stream_type,
    name: *const c_char,
) -> sp_status {
    // SAFETY: per this function's contract.
    unsafe {
        on_session(p, |s| {
            let kind = match stream_type {
                SP_STREAM_VIDEO => StreamKind::Video,
                SP_STREAM_AUDIO => StreamKind::Audio,
                other => {
                    return Err(Failure::new(
                        sp_status::SP_ERR_INVALID_ARGUMENT,
                        format!(
                            "stream type {other} is neither SP_STREAM_VIDEO nor SP_STREAM_AUDIO"
                        ),
                    ));
                }
            };
            let name = arg_str(name, "name")?;
            let player = s.player()?;
            let known = player.tracks(kind).iter().any(|t| {
                t.name.eq_ignore_ascii_case(name)
                    || t.language
                        .as_deref()
                        .is_some_and(|l| l.eq_ignore_ascii_case(name))
            });
            if !known {
                return Err(Failure::new(
                    sp_status::SP_ERR_NO_STREAM,
                    format!("no {kind:?} stream named {name}").to_lowercase(),
                ));
            }
            player.select_stream(kind, name);
            restarted(s);
            Ok(())
        })
    }
}

/// Caps the video bitrate (bits/s); 0 lifts the cap.
///
/// # Safety
/// `p` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_player_set_max_bitrate(p: *mut sp_player, bps: u64) -> sp_status {
    // SAFETY: per this function's contract.
    unsafe {
        on_session(p, |s| {
            s.player()?.set_max_bitrate((bps > 0).then_some(bps));
            Ok(())
        })
    }
}

/// The playback position, milliseconds from the presentation start; -1 when `p` is NULL or
/// no presentation is open.
///
/// # Safety
/// `p` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_player_position(p: *const sp_player) -> i64 {
    guard(-1, || {
        // SAFETY: per this function's contract.
        let Some(h) = (unsafe { handle(p) }) else {
            return -1;
        };
        let mut ms = -1;
        h.with_session(|s| {
            ms = i64::try_from(s.player()?.position().as_millis()).unwrap_or(i64::MAX);
            Ok(())
        });
        ms
    })
}
