//! Opening a presentation for the window: the player with the desktop sinks (mailbox video
//! sink, cpal audio), and the pump thread that logs player events and forwards them to the UI.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use player_core::player::{Config, Event, Player, Sinks};
use winit::event_loop::EventLoopProxy;

use crate::audio_out::{AudioControl, CpalAudioSink};
use crate::events_log::{EventLog, lock};
use crate::video_sink::{FrameMailbox, MailboxSink};

/// What the UI thread is told from elsewhere: the picture wake-ups, the event pump and the
/// opening thread send these through the event loop's proxy.
pub enum UserEvent {
    /// A new picture is in the mailbox.
    Frame,
    /// A player event.
    Player(Event),
    /// The presentation opened (or could not be).
    Opened(Result<Box<Opened>, String>),
}

/// A playing presentation and its handles.
pub struct Opened {
    /// The player.
    pub player: Player,
    /// Volume and mute.
    pub audio: AudioControl,
    /// Where pictures arrive.
    pub mailbox: Arc<FrameMailbox>,
    /// The event pump (ends when the player is dropped).
    pub pump: JoinHandle<()>,
}

/// Opens the player on a helper thread (fetching the manifest may take a while); the result
/// arrives as `UserEvent::Opened`. Errs when the thread cannot be started.
pub fn open_in_background(
    input: String,
    config: Config,
    gain: f32,
    proxy: EventLoopProxy<UserEvent>,
    log: Arc<Mutex<EventLog>>,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("smoothplay-open".into())
        .spawn(move || {
            let result = open_player(&input, config, gain, &proxy, &log);
            let _ = proxy.send_event(UserEvent::Opened(result));
        })
        .map(drop)
}

/// Opens the player with the desktop sinks and starts the event pump.
pub fn open_player(
    input: &str,
    config: Config,
    gain: f32,
    proxy: &EventLoopProxy<UserEvent>,
    log: &Arc<Mutex<EventLog>>,
) -> Result<Box<Opened>, String> {
    let mailbox = FrameMailbox::new();
    let (audio_sink, audio) = CpalAudioSink::new(gain);
    let wake = proxy.clone();
    let video = MailboxSink::new(mailbox.clone(), move || {
        let _ = wake.send_event(UserEvent::Frame);
    });
    let sinks = Sinks {
        video: Box::new(video),
        audio: Box::new(audio_sink),
    };
    let player = Player::open(input, config, sinks).map_err(|e| {
        let line = serde_json::json!({"kind": e.kind(), "message": e.to_string(), "fatal": true});
        lock(log).write(&line, Some("error"));
        format!("cannot open {input}: {e}")
    })?;
    let events = player.events().clone();
    let (proxy, log) = (proxy.clone(), log.clone());
    let pump = std::thread::Builder::new()
        .name("smoothplay-events".into())
        .spawn(move || {
            // Ends when the player is dropped and its event channel closes.
            for event in events.iter() {
                lock(&log).write(&event, None);
                let _ = proxy.send_event(UserEvent::Player(event));
            }
        })
        .map_err(|e| format!("cannot start the event thread: {e}"))?;
    Ok(Box::new(Opened {
        player,
        audio,
        mailbox,
        pump,
    }))
}
