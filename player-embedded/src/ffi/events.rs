//! The event thread: reads the player's events, keeps what `sp_player_stats` and pull mode
//! need, and forwards each one to the host's `on_event` as JSON.

use std::ffi::{CString, c_char, c_void};
use std::sync::Mutex;
use std::thread::JoinHandle;

use player_core::player::{Event, State, Stats};

use super::callbacks::{Gate, UserData, in_callback};

/// Type of an event given to `on_event`.
pub type sp_event_type = u32;
/// `{"type":"state","state":"buffering|playing|paused|ended|stopped|failed","position_s"}`.
pub const SP_EVENT_STATE: sp_event_type = 0;
/// `{"type":"quality","stream","from","to","bitrate","width","height","reason"}`.
pub const SP_EVENT_QUALITY: sp_event_type = 1;
/// `{"type":"buffering","active"}`: a stall began or ended.
pub const SP_EVENT_BUFFERING: sp_event_type = 2;
/// `{"type":"seek","requested_s","position_s","clamped"}`.
pub const SP_EVENT_SEEK: sp_event_type = 3;
/// `{"type":"error","kind","message","fatal"}`.
pub const SP_EVENT_ERROR: sp_event_type = 4;
/// `{"type":"track","stream","name"}`: another stream was selected.
pub const SP_EVENT_TRACK: sp_event_type = 5;
/// `{"type":"stats","position_s","buffer_s","bitrate","width","height","bandwidth_bps",
/// "frames_decoded","frames_dropped","audio_frames"}`, about once a second; on live also
/// "live_edge_s","window_start_s","latency_s".
pub const SP_EVENT_STATS: sp_event_type = 6;
/// `{"type":"ended","position_s"}`.
pub const SP_EVENT_ENDED: sp_event_type = 7;
/// `{"type":"command","command"}`: a command was taken (its effects follow as other events).
pub const SP_EVENT_COMMAND: sp_event_type = 8;
/// `{"type":"caption","text","position_s"}`: the caption on screen changed while captions
/// are on; `text` has its lines separated by `\n` and is empty when none is showing.
pub const SP_EVENT_CAPTION: sp_event_type = 9;
/// `{"type":"retry","request":"manifest|fragment","url","attempt","attempts","delay_s","error"}`:
/// a failed request is tried again at the same place after a wait.
pub const SP_EVENT_RETRY: sp_event_type = 10;
/// `{"type":"failover","stream","position_s","from_level","to_level","from_location",
/// "to_location","error"}`: a fragment that failed is tried at a mirror or another level.
pub const SP_EVENT_FAILOVER: sp_event_type = 11;
/// `{"type":"marker","kind":"ad|chapter|script","stream","id","start_s","duration_s",
/// "text"|"data_base64","upcoming","position_s"}`: a timed marker from a sparse stream (an
/// ad signal, a chapter, a script command), announced once when known ahead of the
/// position (`upcoming` true), delivered when playback reaches `start_s` (`upcoming`
/// false; again after a seek back). `text` when the sample is text, else `data_base64`.
pub const SP_EVENT_MARKER: sp_event_type = 12;
/// `{"type":"rate","rate","reason"}`: the trick-play rate changed (`reason`: "command", or
/// back to 1 by itself at the "start", the "live" point or the "end").
pub const SP_EVENT_RATE: sp_event_type = 13;

/// The `sp_event_type` of an event.
pub(crate) fn event_type(ev: &Event) -> sp_event_type {
    match ev {
        Event::State { .. } => SP_EVENT_STATE,
        Event::Quality { .. } => SP_EVENT_QUALITY,
        Event::Buffering { .. } => SP_EVENT_BUFFERING,
        Event::Seek { .. } => SP_EVENT_SEEK,
        Event::Error { .. } => SP_EVENT_ERROR,
        Event::Track { .. } => SP_EVENT_TRACK,
        Event::Stats(_) => SP_EVENT_STATS,
        Event::Ended { .. } => SP_EVENT_ENDED,
        Event::Command { .. } => SP_EVENT_COMMAND,
        Event::Caption { .. } => SP_EVENT_CAPTION,
        Event::Retry { .. } => SP_EVENT_RETRY,
        Event::Failover { .. } => SP_EVENT_FAILOVER,
        Event::Marker { .. } => SP_EVENT_MARKER,
        Event::Rate { .. } => SP_EVENT_RATE,
    }
}

/// What the event thread has learnt so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct Seen {
    /// The latest state (None until the first state event).
    pub state: Option<State>,
    /// The latest periodic statistics.
    pub stats: Stats,
    /// The latest fatal error message.
    pub fatal: Option<String>,
}

/// Shared between the event thread and the handle.
#[derive(Debug, Default)]
pub(crate) struct Tracked(Mutex<Seen>);

impl Tracked {
    /// A copy of what has been seen.
    pub fn get(&self) -> Seen {
        self.0.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn update(&self, f: impl FnOnce(&mut Seen)) {
        if let Ok(mut s) = self.0.lock() {
            f(&mut s);
        }
    }

    /// Notes what `ev` tells.
    pub fn observe(&self, ev: &Event) {
        self.update(|s| match ev {
            Event::State { state, .. } => s.state = Some(*state),
            Event::Ended { .. } => s.state = Some(State::Ended),
            Event::Stats(st) => s.stats = st.clone(),
            Event::Error {
                fatal: true,
                message,
                ..
            } => s.fatal = Some(message.clone()),
            _ => {}
        });
    }

    /// Marks a new start (seek, replay, stream switch): playback is no longer over.
    pub fn restarted(&self) {
        self.update(|s| {
            if matches!(s.state, Some(State::Ended)) {
                s.state = Some(State::Buffering);
            }
        });
    }
}

type EventCb = unsafe extern "C" fn(*mut c_void, u32, *const c_char, usize);

/// Starts the event thread; it ends when the player is dropped (its event channel closes).
pub(crate) fn spawn_pump(
    events: crossbeam_channel::Receiver<Event>,
    tracked: std::sync::Arc<Tracked>,
    cb: Option<EventCb>,
    user: UserData,
    gate: std::sync::Arc<Gate>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("smoothplay-events".into())
        .spawn(move || {
            gate.wait();
            for ev in events.iter() {
                tracked.observe(&ev);
                let Some(cb) = cb else { continue };
                let Ok(json) = serde_json::to_string(&ev) else {
                    continue;
                };
                let Ok(text) = CString::new(json) else {
                    continue;
                };
                let len = text.as_bytes().len();
                let ty = event_type(&ev);
                // SAFETY: the host registered `cb`; `text` is NUL-terminated and outlives the call.
                in_callback(|| unsafe { cb(user.ptr(), ty, text.as_ptr(), len) });
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_state_stats_and_fatal_errors() {
        let t = Tracked::default();
        t.observe(&Event::State {
            state: State::Playing,
            position_s: 1.0,
        });
        t.observe(&Event::Stats(Stats {
            bitrate: 800_000,
            ..Stats::default()
        }));
        t.observe(&Event::Error {
            kind: "network".into(),
            message: "gone".into(),
            fatal: true,
        });
        t.observe(&Event::Ended { position_s: 20.0 });
        let s = t.get();
        assert_eq!(s.state, Some(State::Ended));
        assert_eq!(s.stats.bitrate, 800_000);
        assert_eq!(s.fatal.as_deref(), Some("gone"));
        t.restarted();
        assert_eq!(t.get().state, Some(State::Buffering));
        assert_eq!(
            event_type(&Event::Buffering { active: true }),
            SP_EVENT_BUFFERING
        );
    }
}
