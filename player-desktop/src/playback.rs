//! What the window shows about playback, kept up to date from the player's events: state,
//! latest stats, quality history, errors and short notices.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use player_core::manifest::{Manifest, StreamType};
use player_core::markers::MarkerKind;
use player_core::player::{Event, State, Stats, StreamKind};
use player_embedded::status::marker_line;

/// Quality-history samples kept (about one a second).
const HISTORY: usize = 120;
/// How long a notice stays on screen.
const NOTICE_FOR: Duration = Duration::from_secs(3);

/// One point of the quality graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualitySample {
    /// Seconds since the view was created.
    pub at_s: f64,
    /// Bitrate of the level shown, bits/s.
    pub bitrate: u64,
    /// Estimated bandwidth, bits/s.
    pub bandwidth_bps: u64,
    /// Buffer ahead, seconds.
    pub buffer_s: f64,
}

/// The UI's picture of playback.
#[derive(Debug)]
pub struct PlaybackView {
    created: Instant,
    /// The player's state; `None` while opening.
    pub state: Option<State>,
    /// Waiting for data (startup, seek, stall).
    pub buffering: bool,
    /// The latest statistics.
    pub stats: Stats,
    /// Quality over time, oldest first.
    pub history: VecDeque<QualitySample>,
    /// The fatal error that stopped playback, if any.
    pub fatal: Option<String>,
    /// A short message shown for a moment (track switch, volume, non-fatal error).
    pub notice: Option<(String, Instant)>,
    /// Video levels of the presentation: (bitrate, FourCC).
    codecs: Vec<(u64, String)>,
    /// The caption on screen (empty: none).
    pub caption: String,
    /// Whether the presentation is live.
    pub is_live: bool,
    /// Quality switches seen.
    pub switches: u64,
}

impl Default for PlaybackView {
    fn default() -> Self {
        PlaybackView::new()
    }
}

impl PlaybackView {
    /// A view of a presentation that is still opening.
    pub fn new() -> PlaybackView {
        PlaybackView {
            created: Instant::now(),
            state: None,
            buffering: true,
            stats: Stats::default(),
            history: VecDeque::with_capacity(HISTORY),
            fatal: None,
            notice: None,
            codecs: Vec::new(),
            caption: String::new(),
            is_live: false,
            switches: 0,
        }
    }

    /// Takes in what the manifest says (codecs, live).
    pub fn set_manifest(&mut self, manifest: &Manifest) {
        self.is_live = manifest.is_live;
        self.codecs = manifest
            .streams
            .iter()
            .filter(|s| s.stream_type == StreamType::Video)
            .flat_map(|s| s.quality_levels.iter())
            .map(|q| (q.bitrate, q.fourcc.clone()))
            .collect();
    }

    /// The codec of the video level being shown (FourCC), if known.
    pub fn codec(&self) -> Option<&str> {
        self.codecs
            .iter()
            .find(|(b, _)| *b == self.stats.bitrate)
            .or(self.codecs.first())
            .map(|(_, c)| c.as_str())
    }

    /// Shows `text` for a moment.
    pub fn notify(&mut self, text: impl Into<String>) {
        self.notice = Some((text.into(), Instant::now()));
    }

    /// The notice to show now, if one is current.
    pub fn current_notice(&self) -> Option<&str> {
        self.notice
            .as_ref()
            .filter(|(_, at)| at.elapsed() < NOTICE_FOR)
            .map(|(t, _)| t.as_str())
    }

    /// When the current notice expires.
    pub fn notice_deadline(&self) -> Option<Instant> {
        self.notice.as_ref().map(|(_, at)| *at + NOTICE_FOR)
    }

    /// Whether playback is paused by the user.
    pub fn is_paused(&self) -> bool {
        self.state == Some(State::Paused)
    }

    /// Keeps the latest statistics and a little history of them for the graphs.
    fn on_stats(&mut self, s: &Stats) {
        self.stats = s.clone();
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(QualitySample {
            at_s: self.created.elapsed().as_secs_f64(),
            bitrate: s.bitrate,
            bandwidth_bps: s.bandwidth_bps,
            buffer_s: s.buffer_s,
        });
    }

    /// Takes in one player event; returns true when it changes what is on screen.
    pub fn on_event(&mut self, event: &Event) -> bool {
        match event {
            Event::State { state, .. } => {
                self.state = Some(*state);
                if matches!(state, State::Playing | State::Paused | State::Ended) {
                    self.buffering = false;
                }
                if *state == State::Buffering {
                    self.buffering = true;
                }
            }
            Event::Buffering { active } => self.buffering = *active,
            Event::Stats(s) => self.on_stats(s),
            Event::Quality {
                stream: StreamKind::Video,
                from,
                bitrate,
                width,
                height,
                reason,
                ..
            } => {
                if from.is_some() {
                    self.switches += 1;
                }
                self.stats.bitrate = *bitrate;
                if let (Some(w), Some(h)) = (width, height) {
                    self.stats.width = *w;
                    self.stats.height = *h;
                }
                tracing::info!("video quality {} kbit/s ({reason})", bitrate / 1000);
            }
            Event::Quality { .. } | Event::Command { .. } => {}
            Event::Error { message, fatal, .. } => {
                if *fatal {
                    tracing::error!("{message}");
                    self.fatal = Some(message.clone());
                } else {
                    tracing::warn!("{message}");
                    self.notify(message.clone());
                }
            }
            Event::Track { stream, name } => {
                let kind = match stream {
                    StreamKind::Video => "video",
                    StreamKind::Audio => "audio",
                };
                self.notify(format!("{kind}: {name}"));
            }
            Event::Caption { text, .. } => self.caption.clone_from(text),
            // A short note as an ad break is reached (chapters show on the seek bar).
            Event::Marker {
                kind: kind @ MarkerKind::Ad,
                text,
                duration_s,
                upcoming: false,
                ..
            } => {
                self.notify(marker_line(*kind, text.as_deref(), *duration_s));
            }
            Event::Marker { .. } => {}
            // The keys already said what they asked for; a return to 1x by itself is news.
            Event::Rate { rate, reason } if reason != "command" => {
                self.notify(format!("{rate}x ({reason})"));
            }
            Event::Rate { .. } => {}
            Event::Seek { .. } | Event::Retry { .. } | Event::Failover { .. } => {}
            Event::Ended { .. } => {
                self.state = Some(State::Ended);
                self.buffering = false;
            }
        }
        true
    }
}

/// `m:ss` or `h:mm:ss`.
pub fn clock(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// A bitrate for people: `2.50 Mbit/s`, `800 kbit/s`.
pub fn bitrate_text(bps: u64) -> String {
    if bps >= 1_000_000 {
        format!("{:.2} Mbit/s", bps as f64 / 1e6)
    } else {
        format!("{} kbit/s", bps / 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_update_the_view() {
        let mut v = PlaybackView::new();
        assert!(v.state.is_none() && v.buffering);
        v.on_event(&Event::State {
            state: State::Playing,
            position_s: 0.0,
        });
        assert!(!v.buffering);
        v.on_event(&Event::Stats(Stats {
            bitrate: 800_000,
            bandwidth_bps: 5_000_000,
            ..Stats::default()
        }));
        assert_eq!(v.history.len(), 1);
        v.on_event(&Event::Quality {
            stream: StreamKind::Video,
            from: Some(1),
            to: 2,
            bitrate: 2_500_000,
            width: Some(1280),
            height: Some(720),
            reason: "bandwidth".into(),
        });
        assert_eq!((v.stats.width, v.switches), (1280, 1));
        v.on_event(&Event::Error {
            kind: "network".into(),
            message: "fragment 3 failed".into(),
            fatal: false,
        });
        assert_eq!(v.current_notice(), Some("fragment 3 failed"));
        assert!(v.fatal.is_none());
        v.on_event(&Event::Error {
            kind: "network".into(),
            message: "manifest gone".into(),
            fatal: true,
        });
        assert_eq!(v.fatal.as_deref(), Some("manifest gone"));
        v.on_event(&Event::State {
            state: State::Paused,
            position_s: 3.0,
        });
        assert!(v.is_paused());
    }

    #[test]
    fn history_is_bounded() {
        let mut v = PlaybackView::new();
        for _ in 0..(HISTORY + 10) {
            v.on_event(&Event::Stats(Stats::default()));
        }
        assert_eq!(v.history.len(), HISTORY);
    }

    #[test]
    fn times_and_rates_read_well() {
        assert_eq!(clock(62.9), "1:02");
        assert_eq!(clock(3725.0), "1:02:05");
        assert_eq!(bitrate_text(2_500_000), "2.50 Mbit/s");
        assert_eq!(bitrate_text(800_000), "800 kbit/s");
    }
}
