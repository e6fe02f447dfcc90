//! THE state machine of one playback, sans-IO.
//!
//! The driver feeds it what happened — host commands, fetch results and progress, manifest
//! refreshes, decoder failures, and clock ticks carrying what the pipeline observed — with
//! the current time, through [`Session::handle`]; it polls what to do next with
//! [`Session::poll_action`] (fetch this fragment at this level from this location, cancel,
//! flush to a new generation, hold the clock, hand samples to a decoder, refresh the
//! manifest, tell the host) and when to call again with [`Session::poll_timeout`]. There are
//! no awaits, sleeps, locks or threads in here: every decision about what playback does next
//! is made here, once, and unit-tested with scripted inputs and a fake clock.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::{Duration, Instant};
//! use player_core::session::{Action, Input, Observed, Session, SessionConfig};
//!
//! let xml = r#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="0" Duration="40000000">
//!   <StreamIndex Type="audio" Name="audio" QualityLevels="1" Chunks="2" Url="a/{start time}">
//!     <QualityLevel Index="0" Bitrate="128000" FourCC="AACL" SamplingRate="44100"
//!       Channels="2" BitsPerSample="16" PacketSize="4" AudioTag="255" CodecPrivateData="1210" />
//!     <c t="0" d="20000000" /><c d="20000000" />
//!   </StreamIndex>
//! </SmoothStreamingMedia>"#;
//! let manifest = Arc::new(player_core::manifest::parse(xml.as_bytes()).unwrap());
//! let t0 = Instant::now();
//! let mut session = Session::new(manifest, SessionConfig::default(), t0).unwrap();
//! session.handle(Input::Tick(Observed::default()), t0);
//! let mut fetches = Vec::new();
//! while let Some(action) = session.poll_action() {
//!     if let Action::Fetch(request) = action {
//!         fetches.push(request.chunk.start);
//!     }
//! }
//! assert_eq!(fetches, [0]); // the first audio fragment, one request at a time
//! ```

mod command;
mod config;
mod event;
mod fetching;
mod io;
mod live_follow;
mod marker_fetch;
mod markers;
mod navigation;
mod playback;
mod presentation;
mod quality;
mod refresh;
mod replace;
mod selection;
mod text;
mod text_fetch;
mod track;
mod trick;
mod view;
mod watchdog;

#[cfg(test)]
mod tests;

pub use command::Command;
pub use config::SessionConfig;
pub use event::{Event, State, Stats, StreamKind, Summary};
pub use io::{
    Action, Counters, DecodeFragment, FetchOutcome, FetchRequest, Fetched, Input, LevelCounters,
    Observed, Payload, Progress, RequestId, Target,
};
pub use selection::Level;
pub use trick::{RATES, RateError, check_rate, parse_rate, step_rate};
pub use view::View;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::manifest::Manifest;

use crate::live::LatencyTarget;
use live_follow::Follow;
use markers::Markers;
use playback::Playback;
use presentation::Presentation;
use quality::QualityChooser;
use refresh::Refresh;
use text::TextTrack;
use track::Track;
use watchdog::Watchdog;

/// One playback of one presentation.
#[derive(Debug)]
pub struct Session {
    cfg: SessionConfig,
    pres: Presentation,
    tracks: [Option<Track>; 2],
    text: Option<TextTrack>,
    markers: Markers,
    /// Live: what is known of the edge and how it is followed.
    follow: Option<Follow>,
    /// Trick play asked for (`None`: rate 1); each new generation plays at it.
    trick: Option<trick::TrickPlay>,
    abr: QualityChooser,
    play: Playback,
    refresh: Refresh,
    watchdog: Watchdog,
    /// What the pipeline looked like at the last tick.
    obs: Observed,
    out: VecDeque<Action>,
    next_id: u64,
}

impl Session {
    /// Opens `manifest`: selects the streams (an error when nothing can play) and starts the
    /// first generation at the configured start (live: the configured delay behind the edge).
    pub fn new(
        manifest: Arc<Manifest>,
        cfg: SessionConfig,
        now: Instant,
    ) -> Result<Session, Error> {
        let mut selection = selection::select(
            &manifest,
            cfg.video.as_deref(),
            cfg.audio.as_deref(),
            &cfg.codecs,
        )?;
        let skipped = std::mem::take(&mut selection.skipped);
        let ladder: Vec<Level> = selection
            .video
            .as_ref()
            .map(|p| p.levels.to_vec())
            .unwrap_or_default();
        let abr = QualityChooser::new(
            &ladder,
            cfg.quality,
            cfg.max_bitrate,
            cfg.buffer_ahead.as_secs_f64(),
            now,
        );
        let pres = Presentation::new(manifest, selection);
        let play = Playback::new(cfg.start_paused, now);
        let mut s = Session {
            cfg,
            pres,
            tracks: [None, None],
            text: None,
            markers: Markers::default(),
            follow: None,
            trick: None,
            abr,
            play,
            refresh: Refresh::default(),
            watchdog: Watchdog::new(now),
            obs: Observed::default(),
            out: VecDeque::new(),
            next_id: 0,
        };
        for e in skipped {
            s.warn(&e);
        }
        s.open_captions();
        s.open_markers();
        s.obs.position = s.pres.origin;
        if s.pres.is_live() {
            let fragment = s.pres.fragment_duration();
            let target = LatencyTarget::new(s.live_delay_floor(), s.cfg.live_max_drift);
            s.follow = Some(Follow::new(now, s.cfg.speed, fragment, target));
            let manifest = s.pres.manifest.clone();
            s.learn_manifest(&manifest, now);
        }
        match s.cfg.start {
            Some(at) => s.start_at(s.pres.origin + at, None, now),
            None if s.pres.is_live() => s.jump_to_live(false, now),
            None => s.start_at(s.pres.origin, None, now),
        }
        Ok(s)
    }

    /// Takes in one thing that happened at `now`.
    pub fn handle(&mut self, input: Input, now: Instant) {
        // After `Close` the driver listens no more: nothing may come out (found by fuzzing).
        if self.play.state == State::Stopped {
            return;
        }
        match input {
            Input::Command(cmd) => self.command(cmd, now),
            Input::Tick(observed) => {
                self.obs = observed;
                self.step(now);
            }
            Input::Fetched { id, outcome } => self.on_fetched(id, outcome, now),
            Input::Progress { id, progress } => self.on_progress(id, &progress, now),
            Input::Manifest(result) => self.on_manifest(result, now),
            Input::DecoderFailed(e) => self.fail(&e),
        }
        if !self.play.is_over() {
            self.schedule(now);
        }
    }

    /// The next thing to do, in order; `None` when there is nothing more for now.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.out.pop_front()
    }

    /// When the session next wants to be called even if nothing happens (a tick then).
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.play.is_over() {
            return None;
        }
        let tracks = self
            .tracks
            .iter()
            .flatten()
            .filter(|t| t.flight.is_none())
            .filter_map(|t| t.not_before);
        let text = self.text.as_ref().and_then(|t| t.not_before);
        let markers = self
            .markers
            .streams
            .iter()
            .filter(|s| s.flight.is_none())
            .filter_map(|s| s.not_before);
        tracks
            .chain(text)
            .chain(markers)
            .chain(self.markers.next_due)
            .chain(self.refresh.due.filter(|_| !self.refresh.in_flight))
            .chain(Some(self.play.next_report()))
            .min()
    }

    /// The playback state.
    pub fn state(&self) -> State {
        self.play.state
    }

    fn emit(&mut self, event: Event) {
        self.out.push_back(Action::Emit(event));
    }

    /// Reports a problem that playback survives.
    fn warn(&mut self, e: &Error) {
        self.emit(Event::error(e, false));
    }

    fn next_request_id(&mut self) -> io::RequestId {
        self.next_id += 1;
        io::RequestId(self.next_id)
    }

    /// Media position from the presentation start, seconds.
    fn position_s(&self) -> f64 {
        self.obs
            .position
            .saturating_sub(self.pres.origin)
            .as_secs_f64()
    }

    /// Wall time as the ABR sees it: media seconds at the playback speed, so that throughput
    /// (bytes per second of it) compares with bitrates (bits per media second).
    fn media_secs(&self, wall: Duration) -> f64 {
        wall.as_secs_f64() * self.cfg.speed
    }

    /// Issues whatever fetches and refreshes are due.
    fn schedule(&mut self, now: Instant) {
        for kind in self.pres.kinds() {
            self.schedule_track(kind, now);
        }
        self.schedule_text(now);
        self.schedule_markers(now);
        self.refresh_if_due(now);
    }

    /// Stops everything with a fatal error.
    fn fail(&mut self, e: &Error) {
        if self.play.is_over() {
            return;
        }
        self.emit(Event::error(e, true));
        self.cancel_all();
        self.out.push_back(Action::Hold(true));
        self.set_state(State::Failed);
    }

    /// Cancels every request in flight.
    fn cancel_all(&mut self) {
        if let Some(f) = &mut self.follow {
            let locating = f.locate.as_mut().and_then(|l| l.flight.take());
            for (id, _) in [locating, f.watch.take()].into_iter().flatten() {
                self.out.push_back(Action::Cancel(id));
            }
        }
        let mut ids: Vec<_> = self
            .tracks
            .iter_mut()
            .flatten()
            .filter_map(|t| t.flight.take().map(|f| f.id))
            .collect();
        if let Some(t) = &mut self.text {
            ids.extend(t.flight.take().map(|(id, ..)| id));
        }
        for s in &mut self.markers.streams {
            ids.extend(s.flight.take().map(|(id, _)| id));
        }
        for id in ids {
            self.out.push_back(Action::Cancel(id));
        }
    }
}
