//! Keyboard controls: which key does what, and the small decisions behind some actions
//! (next track, volume steps, going live).

use std::time::Duration;

use player_core::player::{Player, State, StreamKind, TrackInfo};
use winit::keyboard::{Key, NamedKey};

/// The key list shown by `--help` (and in the README).
pub const KEY_HELP: &str = "\
Keys:
  Space        pause / play (back to normal speed while fast forwarding or rewinding)
  [ / ]        slower / faster: rewind and fast forward (-16x ... -2x, 1x, 2x ... 16x)
  Left/Right   seek -10 s / +10 s
  R            instant replay (back 10 s)
  L            go live (live presentations)
  F, F11       fullscreen on/off
  S            stats overlay on/off
  A            next audio track (language)
  V            next video stream (camera angle)
  C            captions on/off
  N / P        next chapter / previous chapter (or back to this one's start)
  Up/Down      volume +10 % / -10 %
  M            mute on/off
  Q, Esc       quit
Mouse: moving it shows the seek bar; click or drag on the bar to seek; hover it for a
thumbnail and the chapter's title (chapters are ticks on the bar).";

/// How far the arrow keys and instant replay jump, seconds.
pub const SEEK_STEP_S: f64 = 10.0;
/// How much the volume keys change the volume.
pub const VOLUME_STEP: f32 = 0.1;

/// Something the user asked for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    /// Pause when playing, play when paused.
    TogglePause,
    /// Seek relative to the position, seconds.
    SeekBy(f64),
    /// Seek to a position from the start, seconds (seek bar).
    SeekTo(f64),
    /// Jump back [`SEEK_STEP_S`].
    Replay,
    /// Jump to the live edge.
    GoLive,
    /// One step down (`false`) or up the trick-play rates.
    Rate(bool),
    /// Fullscreen on/off.
    ToggleFullscreen,
    /// Stats overlay on/off.
    ToggleStats,
    /// Next audio stream.
    NextAudio,
    /// Next video stream.
    NextVideo,
    /// Captions on/off.
    ToggleCaptions,
    /// Jump to the next chapter.
    NextChapter,
    /// Jump to the previous chapter (or the current one's start).
    PreviousChapter,
    /// Change the volume by this much.
    Volume(f32),
    /// Mute on/off.
    ToggleMute,
    /// Close the player.
    Quit,
}

/// The action bound to a key, if any (keys are matched without regard to case or layout
/// modifiers, so `q` and `Q` both quit).
pub fn action_for(key: &Key) -> Option<Action> {
    match key {
        Key::Named(named) => match named {
            NamedKey::Space => Some(Action::TogglePause),
            NamedKey::ArrowLeft => Some(Action::SeekBy(-SEEK_STEP_S)),
            NamedKey::ArrowRight => Some(Action::SeekBy(SEEK_STEP_S)),
            NamedKey::ArrowUp => Some(Action::Volume(VOLUME_STEP)),
            NamedKey::ArrowDown => Some(Action::Volume(-VOLUME_STEP)),
            NamedKey::Escape => Some(Action::Quit),
            NamedKey::F11 => Some(Action::ToggleFullscreen),
            _ => None,
        },
        Key::Character(c) => match c.to_lowercase().as_str() {
            " " => Some(Action::TogglePause),
            "r" => Some(Action::Replay),
            "l" => Some(Action::GoLive),
            "f" => Some(Action::ToggleFullscreen),
            "s" => Some(Action::ToggleStats),
            "a" => Some(Action::NextAudio),
            "v" => Some(Action::NextVideo),
            "c" => Some(Action::ToggleCaptions),
            "n" => Some(Action::NextChapter),
            "p" => Some(Action::PreviousChapter),
            "m" => Some(Action::ToggleMute),
            "q" => Some(Action::Quit),
            "[" => Some(Action::Rate(false)),
            "]" => Some(Action::Rate(true)),
            _ => None,
        },
        _ => None,
    }
}

/// The playable track after the selected one (wrapping around), or `None` when there is no
/// other playable track.
pub fn next_track(tracks: &[TrackInfo]) -> Option<&TrackInfo> {
    let current = tracks.iter().position(|t| t.selected);
    let n = tracks.len();
    let start = current.map_or(0, |c| c + 1);
    (0..n)
        .map(|i| &tracks[(start + i) % n])
        .find(|t| t.playable && !t.selected)
}

/// A readable name for a track: `Name (language)`.
pub fn track_label(t: &TrackInfo) -> String {
    match &t.language {
        Some(lang) if *lang != t.name => format!("{} ({lang})", t.name),
        _ => t.name.clone(),
    }
}

/// The volume after a step, kept within 0.0-1.0 and on whole percents.
pub fn step_volume(volume: f32, delta: f32) -> f32 {
    ((volume + delta).clamp(0.0, 1.0) * 100.0).round() / 100.0
}

/// Space: back to normal speed in trick play, play when paused, start again from the
/// beginning when ended, else pause.
pub fn toggle_pause(player: &Player, state: Option<State>) {
    if player.rate() != 1.0 {
        player.set_rate(1.0);
        return;
    }
    match state {
        Some(State::Paused) => player.play(),
        Some(State::Ended) => {
            player.seek(Duration::ZERO);
            player.play();
        }
        _ => player.pause(),
    }
}

/// One step slower or `faster` through the trick-play rates; the notice to show.
pub fn step_rate(player: &Player, faster: bool) -> String {
    let rate = player_core::player::step_rate(player.rate(), faster);
    player.set_rate(rate);
    format!("{rate}x")
}

/// Switches to the next playable stream of `kind`; the notice to show.
pub fn select_next_stream(player: &Player, kind: StreamKind) -> String {
    let what = match kind {
        StreamKind::Audio => "audio track",
        StreamKind::Video => "video stream",
    };
    let tracks = player.tracks(kind);
    match next_track(&tracks) {
        Some(t) => {
            player.select_stream(kind, &t.name);
            format!("{what}: {}", track_label(t))
        }
        None => format!("no other {what}"),
    }
}

/// What became of a go-live request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoLive {
    /// The request was sent.
    Sent,
    /// The presentation is on demand: there is no live edge.
    NotLive,
}

/// Jumps to the live point (the configured delay behind the edge) of a live presentation.
pub fn go_live(player: &Player) -> GoLive {
    if player.is_live() {
        player.go_live();
        GoLive::Sent
    } else {
        GoLive::NotLive
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use winit::keyboard::SmolStr;

    fn track(name: &str, playable: bool, selected: bool) -> TrackInfo {
        TrackInfo {
            name: name.into(),
            language: Some("eng".into()),
            playable,
            selected,
        }
    }

    #[test]
    fn keys_map_to_actions() {
        let ch = |s: &str| Key::Character(SmolStr::new(s));
        assert_eq!(action_for(&ch("[")), Some(Action::Rate(false)));
        assert_eq!(action_for(&ch("]")), Some(Action::Rate(true)));
        assert_eq!(
            action_for(&Key::Named(NamedKey::Space)),
            Some(Action::TogglePause)
        );
        assert_eq!(
            action_for(&Key::Named(NamedKey::ArrowLeft)),
            Some(Action::SeekBy(-10.0))
        );
        assert_eq!(
            action_for(&Key::Named(NamedKey::ArrowRight)),
            Some(Action::SeekBy(10.0))
        );
        assert_eq!(action_for(&ch("Q")), Some(Action::Quit));
        assert_eq!(action_for(&ch("q")), Some(Action::Quit));
        assert_eq!(action_for(&ch("s")), Some(Action::ToggleStats));
        assert_eq!(action_for(&ch("r")), Some(Action::Replay));
        assert_eq!(action_for(&ch("N")), Some(Action::NextChapter));
        assert_eq!(action_for(&ch("p")), Some(Action::PreviousChapter));
        assert_eq!(action_for(&ch("x")), None);
        assert_eq!(
            action_for(&Key::Named(NamedKey::Escape)),
            Some(Action::Quit)
        );
    }

    #[test]
    fn next_track_wraps_and_skips_unplayable() {
        let tracks = vec![
            track("a", true, false),
            track("b", false, false),
            track("c", true, true),
        ];
        assert_eq!(next_track(&tracks).map(|t| t.name.as_str()), Some("a"));
        let tracks = vec![track("a", true, true), track("b", false, false)];
        assert!(next_track(&tracks).is_none());
        assert!(next_track(&[]).is_none());
    }

    #[test]
    fn volume_steps_stay_in_range() {
        assert_eq!(step_volume(0.95, 0.1), 1.0);
        assert_eq!(step_volume(0.05, -0.1), 0.0);
        assert_eq!(step_volume(0.5, 0.1), 0.6);
    }

    #[test]
    fn labels_show_language_when_it_differs() {
        assert_eq!(
            track_label(&track("audio_fra", true, false)),
            "audio_fra (eng)"
        );
        assert_eq!(track_label(&track("eng", true, false)), "eng");
    }
}
