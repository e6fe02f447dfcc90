//! Where playback goes: start points, seeks (clamped to the DVR window on live), instant
//! replay, going live, switching streams, and keeping a paused live session's window fresh.

use std::time::{Duration, Instant};

use crate::error::Error;
use crate::live::{clamp_to_window, live_target};
use crate::manifest::StreamType;
use crate::time::ticks_to_duration;

use super::event::{Event, State, StreamKind};
use super::fetch_loop;
use super::quality::rungs;
use super::selection;
use super::session::Controller;

impl Controller {
    /// The media time a live session aims for: the configured delay behind the edge.
    pub(super) fn live_point(&self) -> Duration {
        let ctx = &self.ctx;
        live_target(ctx.end(), ctx.fragment_duration(), ctx.config.live_delay)
    }

    /// Starts a generation at media time `target`: video from the keyframe (fragment start)
    /// at or before it, audio from the fragment holding that point. `requested` (seconds from
    /// the origin, clamped or not) makes it a seek and reports it.
    pub(super) fn start_at(&mut self, target: Duration, requested: Option<(f64, bool)>) {
        self.tasks.abort_all();
        self.end_stall();
        let ctx = self.ctx.clone();
        let start = ctx
            .chunk_at(ctx.lead(), target)
            .map(|(c, ts)| ticks_to_duration(c.start, ts))
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
            let from = ctx.chunk_at(kind, start).map_or(0, |(c, _)| c.start);
            self.tasks
                .spawn(fetch_loop::run(ctx.clone(), kind, generation, from, tx));
        }
        if let Some((requested_s, clamped)) = requested {
            ctx.shared.emit(Event::Seek {
                requested_s,
                position_s: start.saturating_sub(ctx.origin).as_secs_f64(),
                clamped,
            });
        }
        self.set_state(if self.user_paused {
            State::Paused
        } else {
            State::Buffering
        });
    }

    /// Seeks to `requested_s` from the origin, clamped to what can be played: the whole
    /// presentation on demand, the DVR window (short of the edge) on live.
    pub(super) fn seek_to(&mut self, requested_s: f64) {
        let ctx = &self.ctx;
        let origin = ctx.origin;
        let wanted = if requested_s <= 0.0 {
            origin.saturating_sub(Duration::from_secs_f64(-requested_s))
        } else {
            origin + Duration::from_secs_f64(requested_s)
        };
        let (target, clamped) = if ctx.is_live() {
            clamp_to_window(
                wanted,
                ctx.window_start(),
                ctx.end(),
                ctx.fragment_duration(),
            )
        } else {
            let t = wanted.clamp(ctx.window_start(), ctx.end());
            (t, t != wanted || requested_s < 0.0)
        };
        self.start_at(target, Some((requested_s, clamped)));
    }

    /// Jumps to the live point (for on-demand content: nothing to do but say so).
    pub(super) fn go_live(&mut self) {
        if !self.ctx.is_live() {
            self.ctx.shared.emit(Event::Error {
                kind: "not_live".into(),
                message: "the presentation is not live".into(),
                fatal: false,
            });
            return;
        }
        let target = self.live_point();
        let requested = target.saturating_sub(self.ctx.origin).as_secs_f64();
        self.start_at(target, Some((requested, false)));
    }

    /// After a pause: if the DVR window moved past the paused position, resume from its start.
    pub(super) fn resume_in_window(&mut self) {
        let ctx = &self.ctx;
        if !ctx.is_live() {
            return;
        }
        let position = ctx.shared.position();
        let start = ctx.window_start();
        if position < start {
            let requested = position.saturating_sub(ctx.origin).as_secs_f64();
            let fragment = ctx.fragment_duration();
            // One fragment in, so the window does not leave us behind again at once.
            self.start_at(start + fragment, Some((requested, true)));
        }
    }

    /// While a live session is paused nothing is fetched, so tfrf tells nothing: refresh
    /// the manifest now and then to keep the window and the edge current.
    pub(super) fn refresh_while_paused(&mut self) {
        let ctx = self.ctx.clone();
        if !ctx.is_live() {
            return;
        }
        let every = (ctx.fragment_duration() * 2).div_f64(ctx.config.speed.max(0.01));
        if self.last_paused_refresh.elapsed() < every {
            return;
        }
        self.last_paused_refresh = Instant::now();
        tokio::spawn(async move {
            if let Err(e) = ctx.refresh_manifest(Duration::ZERO).await {
                tracing::debug!("refresh while paused: {e}");
            }
        });
    }

    /// Switches the video or audio stream and restarts playback at the current position.
    pub(super) fn select_stream(&mut self, kind: StreamKind, name: &str) {
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
                ctx.reset_timeline(kind);
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
}
