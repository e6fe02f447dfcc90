//! The playback states and what moves between them at each tick: buffering until enough
//! media is ahead, stalling when it runs out, the end of the presentation; plus the
//! once-a-second report (stats event, decoder health for the ABR).

use std::time::{Duration, Instant};

use super::Session;
use super::event::{Event, State, Stats};
use super::io::{Action, LevelCounters};
use super::quality::DecoderHealth;

/// How often stats are reported.
const STATS_EVERY: Duration = Duration::from_secs(1);
/// How often decoder health is told to the ABR: a decoder that cannot keep up drops a
/// picture every frame, so its verdict should not wait for the next stats report.
const HEALTH_EVERY: Duration = Duration::from_millis(250);

/// Where playback stands.
#[derive(Debug)]
pub(crate) struct Playback {
    pub state: State,
    /// The host wants playback paused.
    pub user_paused: bool,
    /// Bumped on every new start point; work stamped with an older one is dropped.
    pub generation: u64,
    /// When the current rebuffer began (the buffer ran dry while playing).
    pub stall_started: Option<Instant>,
    last_stats: Instant,
    last_health: Instant,
    /// When a paused live session last refreshed its manifest.
    pub last_paused_refresh: Instant,
    /// Decoder counters at the last report to the ABR.
    decoder_mark: Vec<(u64, LevelCounters)>,
}

impl Playback {
    /// Buffering, before the first generation; paused from the start if asked.
    pub fn new(start_paused: bool, now: Instant) -> Playback {
        Playback {
            state: State::Buffering,
            user_paused: start_paused,
            generation: 0,
            stall_started: None,
            last_stats: now,
            last_health: now,
            last_paused_refresh: now,
            decoder_mark: Vec::new(),
        }
    }

    /// Whether playback has failed or stopped: nothing more happens.
    pub fn is_over(&self) -> bool {
        matches!(self.state, State::Failed | State::Stopped)
    }

    /// When the next stats or decoder-health report is due.
    pub fn next_report(&self) -> Instant {
        (self.last_stats + STATS_EVERY).min(self.last_health + HEALTH_EVERY)
    }
}

impl Session {
    /// Changes state, telling the host.
    pub(super) fn set_state(&mut self, state: State) {
        if self.play.state != state {
            self.play.state = state;
            let position_s = self.position_s();
            self.emit(Event::State { state, position_s });
        }
    }

    /// One tick: state transitions, captions, and the periodic report.
    pub(super) fn step(&mut self, now: Instant) {
        if self.play.is_over() {
            return;
        }
        if self.play.generation == 0 {
            // Still locating the live edge: nothing to play yet.
            self.hold_latency(now);
            return;
        }
        if self.trick_bounds(now) {
            return;
        }
        if self.reached_end() {
            if self.play.state != State::Ended {
                self.out.push_back(Action::Hold(true));
                self.end_stall(now);
                self.end_trick("end");
                self.set_state(State::Ended);
                let position_s = self.position_s();
                self.emit(Event::Ended { position_s });
            }
            return;
        }
        let min_ahead = self.min_ahead();
        match self.play.state {
            State::Buffering => self.buffering(min_ahead, now),
            State::Playing if min_ahead.is_zero() && !self.cfg.fast => self.begin_stall(now),
            State::Paused => {
                if !self.play.user_paused {
                    self.set_state(State::Buffering);
                }
                self.refresh_while_paused(now);
            }
            _ => {}
        }
        self.forget_played();
        self.hold_latency(now);
        self.watch_progress(now);
        self.show_caption();
        self.deliver_markers(now);
        if now >= self.play.last_health + HEALTH_EVERY {
            self.play.last_health = now;
            self.report_decoder(now);
        }
        if now >= self.play.last_stats + STATS_EVERY {
            self.play.last_stats = now;
            let stats = self.stats(min_ahead, now);
            self.emit(Event::Stats(stats));
        }
    }

    /// On demand, every output of the generation has played its last sample (played
    /// backwards, the end is the start: see `trick_bounds`).
    fn reached_end(&self) -> bool {
        let playing: Vec<_> = self.tracks.iter().flatten().collect();
        !self.pres.is_live()
            && !playing.is_empty()
            && !playing.iter().any(|t| t.reverse())
            && self
                .pres
                .kinds()
                .iter()
                .filter(|k| self.tracks[k.idx()].is_some())
                .all(|k| self.obs.output_done[k.idx()])
    }

    /// Media buffered ahead of the position, the least of the selected streams.
    pub(super) fn min_ahead(&self) -> Duration {
        self.tracks
            .iter()
            .flatten()
            .map(|t| t.ahead(self.obs.position))
            .min()
            .unwrap_or(Duration::MAX)
    }

    fn buffering(&mut self, min_ahead: Duration, now: Instant) {
        let ready = self.cfg.fast || min_ahead >= self.cfg.startup_buffer;
        if !ready || !self.edge_reached(now) {
            return;
        }
        if let Some(f) = &mut self.follow {
            f.wait_for_edge = None;
        }
        if self.play.user_paused {
            self.set_state(State::Paused);
        } else {
            if self.play.stall_started.is_some() {
                self.rebuffered_at_live(now);
            }
            self.end_stall(now);
            self.out.push_back(Action::Hold(false));
            self.set_state(State::Playing);
        }
    }

    fn begin_stall(&mut self, now: Instant) {
        self.out.push_back(Action::Hold(true));
        self.play.stall_started = Some(now);
        self.emit(Event::Buffering { active: true });
        self.set_state(State::Buffering);
    }

    /// Ends a rebuffer in progress (data arrived, or a seek made it moot).
    pub(super) fn end_stall(&mut self, now: Instant) {
        if let Some(started) = self.play.stall_started.take() {
            let stalled_s = now.saturating_duration_since(started).as_secs_f64();
            self.abr.on_rebuffer(stalled_s, now);
            self.emit(Event::Buffering { active: false });
        }
    }

    /// Tells the ABR how the decoder kept up since the last report (real-time playback only:
    /// when running unpaced there is no deadline to miss).
    fn report_decoder(&mut self, now: Instant) {
        let counters = self.obs.counters.per_level.clone();
        let before = std::mem::replace(&mut self.play.decoder_mark, counters.clone());
        // In trick play the deadlines are the rate's, not the ones the ABR plans for.
        let trick = self.generation_trick().is_some();
        if self.cfg.fast || self.play.state != super::State::Playing || trick {
            return;
        }
        let Some(plan) = self.pres.plan(super::StreamKind::Video).cloned() else {
            return;
        };
        // Deadlines pass at the playback speed.
        let frame_s = self.obs.counters.frame_s.max(0.001) / self.cfg.speed;
        for (bitrate, c) in counters {
            let prev = before
                .iter()
                .find(|(b, _)| *b == bitrate)
                .map_or_else(Default::default, |(_, p)| *p);
            let decoded = c.decoded.saturating_sub(prev.decoded);
            let dropped = c.dropped.saturating_sub(prev.dropped);
            let level = plan.levels.iter().position(|l| l.bitrate == bitrate);
            let (Some(level), true) = (level, decoded + dropped > 0) else {
                continue;
            };
            let wall = c.decode_wall.saturating_sub(prev.decode_wall).as_secs_f64();
            let health = DecoderHealth {
                level,
                decoded: decoded + dropped,
                dropped,
                decode_s_per_frame: (decoded > 0).then(|| wall / decoded as f64),
                frame_s,
            };
            self.abr.on_decoder(&health, now);
        }
        self.replace_unaffordable(now);
    }

    fn stats(&self, min_ahead: Duration, now: Instant) -> Stats {
        let origin = self.pres.origin;
        let live = self.pres.is_live().then(|| {
            (
                self.edge_now(now).saturating_sub(origin).as_secs_f64(),
                self.pres
                    .window_start()
                    .saturating_sub(origin)
                    .as_secs_f64(),
            )
        });
        let buffer = if min_ahead == Duration::MAX {
            // Fully fetched: what remains to play.
            self.pres.end().saturating_sub(self.obs.position)
        } else {
            min_ahead
        };
        let c = &self.obs.counters;
        let (bitrate, width, height) = c.shown.unwrap_or((0, 0, 0));
        let position_s = self.position_s();
        Stats {
            position_s,
            live_edge_s: live.map(|(edge, _)| edge),
            window_start_s: live.map(|(_, start)| start),
            buffer_s: buffer.as_secs_f64(),
            bitrate,
            width,
            height,
            bandwidth_bps: self.abr.bandwidth_bps(),
            frames_decoded: c.frames_decoded,
            frames_dropped: c.frames_dropped,
            audio_frames: c.audio_frames,
            latency_s: live.map(|(edge, _)| (edge - position_s).max(0.0)),
            rate: self
                .trick
                .map(|t| t.rate)
                .or(self.follow.as_ref().map(|f| f.rate)),
        }
    }
}
