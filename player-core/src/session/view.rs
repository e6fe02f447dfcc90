//! What the host may ask of a playing session at any time, as a snapshot the driver
//! publishes after each step.

use std::sync::Arc;
use std::time::Duration;

use super::Session;
use super::event::{State, StreamKind};
use super::selection::Level;

/// A snapshot of the session for the host's queries.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// The playback state.
    pub state: State,
    /// Whether fragments keep coming.
    pub live: bool,
    /// Media time of position 0.
    pub origin: Duration,
    /// The earliest media time that can be played (the DVR window's start on live).
    pub window_start: Duration,
    /// The presentation's end on demand, the known live edge on live.
    pub end: Duration,
    /// The selected video and audio streams (indexes into `Manifest::streams`).
    pub selected: [Option<usize>; 2],
    /// The video levels, lowest bitrate first (empty without video).
    pub video_levels: Arc<[Level]>,
    /// Whether there is a caption stream to show.
    pub has_captions: bool,
    /// Every marker known (chapters, ad signals, script commands), by start.
    pub markers: Arc<[crate::markers::Marker]>,
    /// The trick-play rate asked for (1 = normal; negative: rewind).
    pub rate: f64,
}

impl Session {
    /// The snapshot of the session now.
    pub fn view(&self) -> View {
        let selected = |k: StreamKind| self.pres.plan(k).map(|p| p.stream);
        View {
            state: self.play.state,
            live: self.pres.is_live(),
            origin: self.pres.origin,
            window_start: self.pres.window_start(),
            end: self.pres.end(),
            selected: [selected(StreamKind::Video), selected(StreamKind::Audio)],
            video_levels: self
                .pres
                .plan(StreamKind::Video)
                .map_or_else(|| Arc::from([]), |p| p.levels.clone()),
            has_captions: self.text.is_some(),
            markers: self.markers.list.clone(),
            rate: self.rate(),
        }
    }
}
