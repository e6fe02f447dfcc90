//! The controller task: runs the state machine, starts and restarts fetch tasks, reports.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::{self, Sender, UnboundedReceiver};
use tokio::task::JoinSet;

use crate::error::Error;
use crate::manifest::StreamType;

use super::command::Command;
use super::event::{Event, State, Stats, StreamKind};
use super::fetch_loop::{self, FetchEnd};
use super::messages::DecodeMsg;
use super::quality::rungs;
use super::selection;
use super::session_ctx::SessionCtx;

const TICK: Duration = Duration::from_millis(20);
const STATS_EVERY: Duration = Duration::from_secs(1);

/// The decoder inputs the controller hands to each generation's fetch tasks.
pub(crate) struct DecoderInputs {
    pub video: Option<Sender<DecodeMsg>>,
    pub audio: Option<Sender<DecodeMsg>>,
}

struct Controller {
    ctx: Arc<SessionCtx>,
    inputs: DecoderInputs,
    tasks: JoinSet<FetchEnd>,
    state: State,
    /// The host wants playback paused.
    user_paused: bool,
    /// Buffering because the buffer ran dry during playback (a rebuffer, not a seek).
    stalled: bool,
    last_stats: Instant,
}

/// Runs the session until `Stop` or until the command channel closes.
pub(crate) async fn run(
    ctx: Arc<SessionCtx>,
    inputs: DecoderInputs,
    mut commands: UnboundedReceiver<Command>,
    start: Duration,
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
    };
    c.start_at(start, None);
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
    c.set_state(State::Stopped);
    c.ctx.shared.shut_down();
}

impl Controller {
    fn position_s(&self) -> f64 {
        self.ctx
            .shared
            .position()
            .saturating_sub(self.ctx.origin())
            .as_secs_f64()
    }

    fn set_state(&mut self, state: State) {
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

    /// Starts a generation at media time `target`: video from the keyframe (fragment start) at
    /// or before it, audio from the fragment that holds that point.
    fn start_at(&mut self, target: Duration, requested: Option<(f64, bool)>) {
        self.tasks.abort_all();
        self.end_stall();
        let ctx = self.ctx.clone();
        let lead = if ctx.plan(StreamKind::Video).is_some() {
            StreamKind::Video
        } else {
            StreamKind::Audio
        };
        let lead_index = ctx.chunk_at(lead, target);
        let start = ctx
            .stream(lead)
            .and_then(|s| {
                s.chunks
                    .get(lead_index)
                    .map(|c| crate::time::ticks_to_duration(c.start, s.timescale))
            })
            .unwrap_or(target);
        let generation = ctx.shared.new_generation(start);
        ctx.shared.set_hold(true);
        if ctx.plan(StreamKind::Audio).is_some() && !ctx.shared.fast {
            ctx.shared.set_audio_master(true);
        }
        for (kind, tx) in [
            (StreamKind::Video, self.inputs.video.clone()),
            (StreamKind::Audio, self.inputs.audio.clone()),
        ] {
            let Some(tx) = tx else { continue };
            let first = ctx.chunk_at(kind, start);
            self.tasks
                .spawn(fetch_loop::run(ctx.clone(), kind, generation, first, tx));
        }
        if let Some((requested_s, clamped)) = requested {
            ctx.shared.emit(Event::Seek {
                requested_s,
                position_s: start.saturating_sub(ctx.origin()).as_secs_f64(),
                clamped,
            });
        }
        self.set_state(State::Buffering);
    }

    /// Ends a rebuffer in progress (data arrived, or a seek made it moot).
    fn end_stall(&mut self) {
        if self.stalled {
            self.stalled = false;
            self.ctx.shared.with_stats(|s| s.stall_end(Instant::now()));
            self.ctx.shared.emit(Event::Buffering { active: false });
        }
    }

    fn command(&mut self, cmd: Command) {
        let terminal = matches!(self.state, State::Failed | State::Stopped);
        match cmd {
            Command::Play => {
                self.user_paused = false;
                if self.state == State::Paused {
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
            Command::SelectStream { kind, name } if !terminal => self.select_stream(kind, &name),
            Command::Seek(_)
            | Command::SeekBy(_)
            | Command::SelectStream { .. }
            | Command::Stop => {}
        }
    }

    fn select_stream(&mut self, kind: StreamKind, name: &str) {
        let ctx = self.ctx.clone();
        if ctx.plan(kind).is_none() {
            ctx.shared.emit(Event::Error {
                kind: "selection".into(),
                message: format!("no {kind:?} stream is playing: cannot switch to {name}"),
                fatal: false,
            });
            return;
        }
        let ty = match kind {
            StreamKind::Video => StreamType::Video,
            StreamKind::Audio => StreamType::Audio,
        };
        let mut skipped = Vec::new();
        match selection::pick(&ctx.manifest, ty, Some(name), &mut skipped) {
            Ok(Some(plan)) => {
                if kind == StreamKind::Video {
                    ctx.with_quality(|q| q.set_ladder(rungs(&plan)));
                }
                ctx.with_selection(|s| match kind {
                    StreamKind::Video => s.video = Some(plan),
                    StreamKind::Audio => s.audio = Some(plan),
                });
                let position = ctx.shared.position();
                self.start_at(position, None);
                ctx.shared.emit(Event::Track {
                    stream: kind,
                    name: name.to_string(),
                });
            }
            Ok(None) => {
                let e = skipped.pop().unwrap_or(Error::NoPlayableStream);
                ctx.shared.emit(Event::Error {
                    kind: e.kind().into(),
                    message: e.to_string(),
                    fatal: false,
                });
            }
            Err(e) => ctx.shared.emit(Event::Error {
                kind: e.kind().into(),
                message: e.to_string(),
                fatal: false,
            }),
        }
    }

    fn seek_to(&mut self, requested_s: f64) {
        let origin = self.ctx.origin();
        let end = self.ctx.end();
        let length = end.saturating_sub(origin).as_secs_f64();
        let clamped_s = requested_s.clamp(0.0, length.max(0.0));
        let clamped = (clamped_s - requested_s).abs() > 1e-9;
        let target = origin + Duration::from_secs_f64(clamped_s);
        self.start_at(target, Some((requested_s, clamped)));
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
        if kinds.iter().all(|k| shared.output_done(*k)) {
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
            }
            State::Ended | State::Failed | State::Stopped => {}
        }
        if self.last_stats.elapsed() >= STATS_EVERY {
            self.last_stats = Instant::now();
            let stats = self.stats(min_ahead);
            shared.emit(Event::Stats(stats));
        }
    }

    fn stats(&self, min_ahead: Duration) -> Stats {
        let shared = &self.ctx.shared;
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
                buffer_s: buffer.as_secs_f64(),
                bitrate,
                width,
                height,
                bandwidth_bps: s.bandwidth_bps,
                frames_decoded: s.frames_decoded,
                frames_dropped: s.frames_dropped,
                audio_frames: s.audio_frames_played,
                latency_s: None,
            }
        })
    }
}

/// A decoder input channel sized for the forward buffer (fragments, not bytes: the byte
/// budget is enforced by the fetch tasks).
pub(crate) fn decoder_channel() -> (Sender<DecodeMsg>, mpsc::Receiver<DecodeMsg>) {
    mpsc::channel(64)
}
