//! `sp_player_stats`: a snapshot of playback and quality-of-experience counters.

use player_core::player::State;

use super::handle::{on_session, sp_player};
use super::status::sp_status;

/// Playback state in `sp_stats.state`.
pub type sp_state = u32;
/// No presentation open (or no state reported yet).
pub const SP_STATE_IDLE: sp_state = 0;
/// Filling the buffer (start, seek, stall).
pub const SP_STATE_BUFFERING: sp_state = 1;
/// Playing.
pub const SP_STATE_PLAYING: sp_state = 2;
/// Paused by the host.
pub const SP_STATE_PAUSED: sp_state = 3;
/// Played to the end.
pub const SP_STATE_ENDED: sp_state = 4;
/// Stopped by the host.
pub const SP_STATE_STOPPED: sp_state = 5;
/// Stopped by a fatal error (see the `error` event or `sp_player_last_error`).
pub const SP_STATE_FAILED: sp_state = 6;

/// A snapshot of playback. Counters run from `sp_player_open`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct sp_stats {
    /// `SP_STATE_*`.
    pub state: sp_state,
    /// Position from the presentation start, ms.
    pub position_ms: u64,
    /// Length of the presentation, ms.
    pub duration_ms: u64,
    /// Media buffered ahead of the position, ms (updated about once a second).
    pub buffer_ms: u64,
    /// Bitrate of the video level on screen, bits/s (about once a second).
    pub bitrate: u64,
    /// Width of the video on screen.
    pub width: u32,
    /// Height of the video on screen.
    pub height: u32,
    /// Estimated network throughput, bits/s (about once a second).
    pub bandwidth_bps: u64,
    /// Video frames decoded.
    pub frames_decoded: u64,
    /// Video frames dropped because they were late.
    pub frames_dropped: u64,
    /// Audio sample frames played since the last seek (about once a second).
    pub audio_frames: u64,
    /// Stalls after playback started.
    pub rebuffers: u64,
    /// Time spent stalled, ms.
    pub rebuffer_ms: u64,
    /// Video quality switches.
    pub switches: u64,
    /// Time-weighted average video bitrate shown, bits/s.
    pub avg_bitrate: u64,
    /// From open to the first picture, ms; -1 before it.
    pub startup_ms: i64,
    /// Live: how far behind the live edge playback is, ms; -1 on demand.
    pub latency_ms: i64,
    /// The playback rate in thousandths (1000 = normal): the trick-play rate (negative while
    /// rewinding, see `sp_player_set_rate`), else on live the rate holding the latency.
    pub rate_permille: i32,
}

fn state_code(s: Option<State>) -> sp_state {
    match s {
        None => SP_STATE_IDLE,
        Some(State::Buffering) => SP_STATE_BUFFERING,
        Some(State::Playing) => SP_STATE_PLAYING,
        Some(State::Paused) => SP_STATE_PAUSED,
        Some(State::Ended) => SP_STATE_ENDED,
        Some(State::Stopped) => SP_STATE_STOPPED,
        Some(State::Failed) => SP_STATE_FAILED,
    }
}

fn ms(secs: f64) -> u64 {
    (secs.max(0.0) * 1000.0).round() as u64
}

/// Fills `*out` with a snapshot. Without an open presentation, `*out` is zeroed with
/// `SP_STATE_IDLE` and `SP_ERR_NOT_OPEN` is returned. Any thread, also from callbacks.
///
/// # Safety
/// `p` is NULL or a live handle; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sp_player_stats(p: *const sp_player, out: *mut sp_stats) -> sp_status {
    if out.is_null() {
        return sp_status::SP_ERR_NULL_POINTER;
    }
    let mut snapshot = sp_stats {
        startup_ms: -1,
        latency_ms: -1,
        rate_permille: 1000,
        ..sp_stats::default()
    };
    // SAFETY: per this function's contract.
    let status = unsafe {
        on_session(p, |s| {
            let player = s.player()?;
            let seen = s.tracked.get();
            let summary = player.summary();
            snapshot = sp_stats {
                state: state_code(seen.state),
                position_ms: u64::try_from(player.position().as_millis()).unwrap_or(u64::MAX),
                duration_ms: u64::try_from(player.duration().as_millis()).unwrap_or(u64::MAX),
                buffer_ms: ms(seen.stats.buffer_s),
                bitrate: seen.stats.bitrate,
                width: seen.stats.width,
                height: seen.stats.height,
                bandwidth_bps: seen.stats.bandwidth_bps,
                frames_decoded: summary.frames_decoded,
                frames_dropped: summary.frames_dropped,
                audio_frames: seen.stats.audio_frames,
                rebuffers: summary.rebuffers,
                rebuffer_ms: ms(summary.rebuffer_s),
                switches: summary.switches,
                avg_bitrate: summary.avg_bitrate,
                startup_ms: summary.startup_s.map_or(-1, |s| ms(s) as i64),
                latency_ms: seen.stats.latency_s.map_or(-1, |l| ms(l) as i64),
                rate_permille: (seen.stats.rate.unwrap_or(1.0) * 1000.0).round() as i32,
            };
            Ok(())
        })
    };
    if status != sp_status::SP_OK {
        snapshot = sp_stats {
            startup_ms: -1,
            latency_ms: -1,
            rate_permille: 1000,
            ..sp_stats::default()
        };
    }
    // SAFETY: `out` is writable (contract), checked non-NULL above.
    unsafe { out.write(snapshot) };
    status
}
