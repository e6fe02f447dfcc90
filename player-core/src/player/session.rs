//! The controller task: runs the state machine, starts and restarts fetch tasks, reports.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::{self, Sender, UnboundedReceiver};
use tokio::task::JoinSet;

use super::caption_loop;
use super::command::Command;
use super::event::{Event, State, Stats, StreamKind};
use super::fetch_loop::FetchEnd;
use super::messages::DecodeMsg;
use super::session_ctx::SessionCtx;
use super::stats::DecoderCounters;

const TICK: Duration = Duration::from_millis(20);
const STATS_EVERY: Duration = Duration::from_secs(1);

/// The decoder inputs the controller hands to each generation's fetch tasks.
pub(crate) struct DecoderInputs {
    pub video: Option<Sender<DecodeMsg>>,
    pub audio: Option<Sender<DecodeMsg>>,
}

pub(super) struct Controller {
    pub(super) ctx: Arc<SessionCtx>,
    pub(super) inputs: DecoderInputs,
    pub(super) tasks: JoinSet<FetchEnd>,
    pub(super) state: State,
    /// The host wants playback paused.
    pub(super) user_paused: bool,
    /// Buffering because the buffer ran dry during playback (a rebuffer, not a seek).
    pub(super) stalled: bool,
    last_stats: Instant,
    /// When a paused live session last refreshed its manifest.
    pub(super) last_paused_refresh: Instant,
    /// Decoder counters at the last report to the ABR.
    decoder_mark: Vec<(u64, DecoderCounters)>,
    /// The caption text last reported.
    caption: String,
}

/// Runs the session until `Stop` or until the command channel closes.
pub(crate) async fn run(
    ctx: Arc<SessionCtx>,
    inputs: DecoderInputs,
    mut commands: UnboundedReceiver<Command>,
    start: Option<Duration>,
) {
    let user_paused = ctx.config.start_paused;
    let mut c = Controller {
        ctx,
        inputs,
        tasks: JoinSet::new(),
        state: State::Buffering,
        user_paused,
        stalled: false,
        last_stats: Instant::now(),
        last_paused_refresh: Instant::now(),
        decoder_mark: Vec::new(),
        caption: String::new(),
    };
    let target = match start {
        Some(s) => c.ctx.origin + s,
        None if c.ctx.is_live() => c.live_point(),
        None => c.ctx.origin,
    };
    c.start_at(target, None);
    let captions = tokio::spawn(caption_loop::run(c.ctx.clone()));
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            cmd = commands.recv() => match cmd {
                Some(Command::Stop) | None => break,
                Some(cmd) => c.command(cmd),
            },
            Some(done) = c.tasks.join_next(), if !c.tasks.is_empty() => {
                if let Ok(FetchEnd::Fatal(e)) = done {
                    c.fail(e.kind(), &e.to_string());
                }
            }
            _ = tick.tick() => c.step(),
        }
    }
    c.tasks.abort_all();
    captions.abort();
    c.set_state(State::Stopped);
    c.ctx.shared.shut_down();
}

impl Controller {
    pub(super) fn position_s(&self) -> f64 {
        self.ctx
            .shared
            .position()
            .saturating_sub(self.ctx.origin)
            .as_secs_f64()
    }

    pub(super) fn set_state(&mut self, state: State) {
        if self.state != state {
            self.state = state;
            self.ctx.shared.emit(Event::State {
                state,
                position_s: self.position_s(),
            });
        }
    }

    fn fail(&mut self, kind: &str, message: &str) {
        if matches!(self.state, State::Failed | State::Stopped) {
            return;
        }
        self.ctx.shared.emit(Event::Error {
            kind: kind.to_string(),
            message: message.to_string(),
            fatal: true,
        });
        self.tasks.abort_all();
        self.ctx.shared.set_hold(true);
        self.set_state(State::Failed);
    }

    /// Ends a rebuffer in progress (data arrived, or a seek made it moot).
    pub(super) fn end_stall(&mut self) {
        if self.stalled {
            self.stalled = false;
            let stalled_for = self.ctx.shared.with_stats(|s| {
                let d = s.stall_started.map(|t| t.elapsed());
                s.stall_end(Instant::now());
                d
            });
            if let Some(d) = stalled_for {
                self.ctx.with_quality(|q| q.on_rebuffer(d.as_secs_f64()));
            }
            self.ctx.shared.emit(Event::Buffering { active: false });
        }
    }

    fn command(&mut self, cmd: Command) {
        self.ctx.shared.emit(Event::Command {
            command: cmd.to_string(),
        });
        let terminal = matches!(self.state, State::Failed | State::Stopped);
        match cmd {
            Command::Play => {
                self.user_paused = false;
                if self.state == State::Paused {
                    self.resume_in_window();
                    self.set_state(State::Buffering);
                }
            }
            Command::Pause => {
                self.user_paused = true;
                self.ctx.shared.set_hold(true);
                if matches!(self.state, State::Playing | State::Buffering) {
                    self.set_state(State::Paused);
                }
            }
            Command::Seek(pos) if !terminal => self.seek_to(pos.as_secs_f64()),
            Command::SeekBy(delta) if !terminal => {
                let target = self.position_s() + delta;
                self.seek_to(target);
            }
            Command::SetQuality(level) => self.ctx.with_quality(|q| q.set_manual(level)),
            Command::SetMaxBitrate(cap) => self.ctx.with_quality(|q| q.set_max_bitrate(cap)),
            Command::SetViewport(size) => self.ctx.with_quality(|q| q.set_viewport(size)),
            Command::SelectStream { kind, name } if !terminal => self.select_stream(kind, &name),
            Command::GoLive if !terminal => self.go_live(),
            Command::SetCaptions(on) => match &self.ctx.captions {
                Some(track) => track.set_enabled(on),
                None if on => self.ctx.shared.emit(Event::Error {
                    kind: "selection".into(),
                    message: "the presentation has no caption stream".into(),
                    fatal: false,
                }),
                None => {}
            },
            Command::Seek(_)
            | Command::SeekBy(_)
            | Command::SelectStream { .. }
            | Command::GoLive
            | Command::Stop => {}
        }
    }

    /// Media buffered ahead of the position for `kind` (infinite once fully fetched).
    fn ahead(&self, kind: StreamKind) -> Duration {
        let shared = &self.ctx.shared;
        if shared.fetch_done(kind) {
            return Duration::MAX;
        }
        shared.buffered_end(kind).saturating_sub(shared.position())
    }

    fn step(&mut self) {
        let shared = self.ctx.shared.clone();
        let kinds = self.ctx.kinds();
        if matches!(self.state, State::Failed | State::Stopped) {
            return;
        }
        if let Some(e) = shared.take_fatal() {
            self.fail(e.kind(), &e.to_string());
            return;
        }
        if !self.ctx.is_live() && kinds.iter().all(|k| shared.output_done(*k)) {
            if self.state != State::Ended {
                shared.set_hold(true);
                self.end_stall();
                self.set_state(State::Ended);
                shared.emit(Event::Ended {
                    position_s: self.position_s(),
                });
            }
            return;
        }
        let min_ahead = kinds
            .iter()
            .map(|k| self.ahead(*k))
            .min()
            .unwrap_or(Duration::MAX);
        match self.state {
            State::Buffering => {
                let ready = shared.fast || min_ahead >= self.ctx.config.startup_buffer;
                if ready && !self.user_paused {
                    self.end_stall();
                    shared.set_hold(false);
                    self.set_state(State::Playing);
                } else if ready && self.user_paused {
                    self.set_state(State::Paused);
                }
            }
            State::Playing => {
                if min_ahead.is_zero() && !shared.fast {
                    shared.set_hold(true);
                    shared.with_stats(|s| s.stall_begin(Instant::now()));
                    shared.emit(Event::Buffering { active: true });
                    self.stalled = true;
                    self.set_state(State::Buffering);
                }
            }
            State::Paused => {
                if !self.user_paused {
                    self.set_state(State::Buffering);
                }
                self.refresh_while_paused();
            }
            State::Ended | State::Failed | State::Stopped => {}
        }
        self.show_caption();
        if self.last_stats.elapsed() >= STATS_EVERY {
            self.last_stats = Instant::now();
            self.report_decoder();
            let stats = self.stats(min_ahead);
            shared.emit(Event::Stats(stats));
        }
    }

    /// Reports the caption text when what is on screen changes.
    fn show_caption(&mut self) {
        let Some(track) = &self.ctx.captions else {
            return;
        };
        let text = if track.enabled() {
            track.text_at(self.ctx.shared.position())
        } else {
            String::new()
        };
        if text != self.caption {
            self.caption = text.clone();
            let position_s = self.position_s();
            self.ctx.shared.emit(Event::Caption { text, position_s });
        }
    }

    /// Tells the ABR how the decoder kept up since the last report (real-time playback only:
    /// when running unpaced there is no deadline to miss).
    fn report_decoder(&mut self) {
        let ctx = &self.ctx;
        let (now, frame_s) = ctx
            .shared
            .with_stats(|s| (s.decoder_counters(), s.frame_s()));
        let before = std::mem::replace(&mut self.decoder_mark, now.clone());
        if ctx.shared.fast || self.state != State::Playing {
            return;
        }
        let Some(plan) = ctx.plan(StreamKind::Video) else {
            return;
        };
        // Deadlines pass at the playback speed.
        let frame_s = frame_s / ctx.shared.speed();
        for (bitrate, c) in now {
            let prev = before
                .iter()
                .find(|(b, _)| *b == bitrate)
                .map_or_else(Default::default, |(_, p)| *p);
            let decoded = c.decoded.saturating_sub(prev.decoded);
            let dropped = c.dropped.saturating_sub(prev.dropped);
            if decoded + dropped == 0 {
                continue;
            }
            let Some(level) = plan.levels.iter().position(|l| l.bitrate == bitrate) else {
                continue;
            };
            let wall = c.decode_wall.saturating_sub(prev.decode_wall).as_secs_f64();
            let per_frame = (decoded > 0).then(|| wall / decoded as f64);
            ctx.with_quality(|q| {
                q.on_decoder(level, decoded + dropped, dropped, per_frame, frame_s)
            });
        }
    }

    fn stats(&self, min_ahead: Duration) -> Stats {
        let shared = &self.ctx.shared;
        let origin = self.ctx.origin;
        let live = self.ctx.is_live().then(|| {
            (
                self.ctx.end().saturating_sub(origin).as_secs_f64(),
                self.ctx.window_start().saturating_sub(origin).as_secs_f64(),
            )
        });
        let buffer = if min_ahead == Duration::MAX {
            // Fully fetched: what remains to play.
            self.ctx.end().saturating_sub(shared.position())
        } else {
            min_ahead
        };
        shared.with_stats(|s| {
            let (bitrate, width, height) = s.shown.unwrap_or((0, 0, 0));
            Stats {
                position_s: self.position_s(),
                live_edge_s: live.map(|(edge, _)| edge),
                window_start_s: live.map(|(_, start)| start),
                buffer_s: buffer.as_secs_f64(),
                bitrate,
                width,
                height,
                bandwidth_bps: s.bandwidth_bps,
                frames_decoded: s.frames_decoded,
                frames_dropped: s.frames_dropped,
                audio_frames: s.audio_frames_played,
                latency_s: live.map(|(edge, _)| (edge - self.position_s()).max(0.0)),
            }
        })
    }
}

/// A decoder input channel sized for the forward buffer (fragments, not bytes: the byte
/// budget is enforced by the fetch tasks).
pub(crate) fn decoder_channel() -> (Sender<DecodeMsg>, mpsc::Receiver<DecodeMsg>) {
    mpsc::channel(64)
}
