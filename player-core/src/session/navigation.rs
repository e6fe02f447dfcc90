//! Where playback goes: host commands, start points, seeks (clamped to the DVR window on
//! live), instant replay, going live, switching streams, and keeping a paused live session's
//! window fresh.

use std::time::{Duration, Instant};

use crate::error::Error;
use crate::live::{clamp_to_window, paused_refresh_interval};
use crate::manifest::StreamType;
use crate::time::ticks_to_duration;

use super::Session;
use super::command::Command;
use super::event::{Event, State, StreamKind};
use super::io::Action;
use super::selection;
use super::track::Track;

impl Session {
    /// Carries out a host command.
    pub(super) fn command(&mut self, cmd: Command, now: Instant) {
        self.emit(Event::Command {
            command: cmd.to_string(),
        });
        let over = self.play.is_over();
        match cmd {
            Command::Play => {
                self.play.user_paused = false;
                if self.play.state == State::Paused {
                    self.resume_in_window(now);
                    self.set_state(State::Buffering);
                }
            }
            Command::Pause => {
                self.play.user_paused = true;
                self.stop_following();
                self.out.push_back(Action::Hold(true));
                if matches!(self.play.state, State::Playing | State::Buffering) {
                    self.set_state(State::Paused);
                }
            }
            Command::Seek(pos) if !over => self.seek_to(pos.as_secs_f64(), now),
            Command::SeekBy(delta) if !over => self.seek_to(self.position_s() + delta, now),
            Command::SetQuality(level) => self.abr.set_manual(level),
            Command::SetMaxBitrate(cap) => self.abr.set_max_bitrate(cap),
            Command::SetViewport(size) => self.abr.set_viewport(size),
            Command::SelectStream { kind, name } if !over => {
                self.select_stream(kind, &name, now);
            }
            Command::GoLive if !over => self.go_live(now),
            Command::SetCaptions(on) => self.set_captions(on),
            Command::SetRate(rate) if !over => self.change_rate(rate, now),
            Command::Stop => self.stop(),
            Command::Seek(_)
            | Command::SeekBy(_)
            | Command::SelectStream { .. }
            | Command::GoLive
            | Command::SetRate(_) => {}
        }
    }

    fn stop(&mut self) {
        self.cancel_all();
        self.set_state(State::Stopped);
        self.out.push_back(Action::Close);
    }

    /// Starts a generation at the keyframe (fragment start) at or before media time
    /// `target`. `requested` (seconds from the origin, clamped or not) makes it a seek and
    /// reports it.
    pub(super) fn start_at(
        &mut self,
        target: Duration,
        requested: Option<(f64, bool)>,
        now: Instant,
    ) {
        let lead = self.pres.lead();
        let start = self
            .pres
            .chunk_at(lead, target)
            .map(|c| ticks_to_duration(c.start, self.pres.timeline(lead).timescale))
            .unwrap_or(target);
        self.start_exact(start, requested, now);
    }

    /// Starts a generation showing media from exactly `start`: each stream is fetched from
    /// the fragment holding it, and what comes before it is decoded but not shown.
    pub(super) fn start_exact(
        &mut self,
        start: Duration,
        requested: Option<(f64, bool)>,
        now: Instant,
    ) {
        self.cancel_all();
        self.end_stall(now);
        self.watchdog.progress(now);
        self.play.generation += 1;
        let generation = self.play.generation;
        let trick = self.trick;
        let rate = self.rate();
        self.out.push_back(Action::Flush {
            generation,
            start,
            rate,
        });
        self.out.push_back(Action::Hold(true));
        self.obs.position = start;
        self.markers.schedule.restart(start);
        self.obs.output_done = [false; 2];
        for kind in [StreamKind::Video, StreamKind::Audio] {
            // Trick play shows video only: audio is muted, and not fetched.
            let wanted = trick.is_none() || kind == StreamKind::Video;
            self.tracks[kind.idx()] = self.pres.plan(kind).filter(|_| wanted).map(|_| {
                let cursor = self.pres.cursor_at(kind, start);
                match trick {
                    Some(t) if t.reverse() => Track::backwards(cursor, start, t),
                    _ => Track {
                        trick,
                        ..Track::new(cursor, start)
                    },
                }
            });
        }
        if let Some((requested_s, clamped)) = requested {
            let position_s = start.saturating_sub(self.pres.origin).as_secs_f64();
            self.emit(Event::Seek {
                requested_s,
                position_s,
                clamped,
            });
        }
        self.set_state(if self.play.user_paused {
            State::Paused
        } else {
            State::Buffering
        });
    }

    /// Seeks to `requested_s` from the origin, clamped to what can be played: the whole
    /// presentation on demand, the DVR window (short of the edge) on live.
    fn seek_to(&mut self, requested_s: f64, now: Instant) {
        let origin = self.pres.origin;
        let wanted = if requested_s <= 0.0 {
            origin.saturating_sub(Duration::from_secs_f64(-requested_s))
        } else {
            origin + Duration::try_from_secs_f64(requested_s).unwrap_or(Duration::MAX / 2)
        };
        self.stop_following();
        let (start, end) = (self.pres.window_start(), self.pres.end());
        let (target, clamped) = if self.pres.is_live() {
            clamp_to_window(wanted, start, end, self.pres.fragment_duration())
        } else {
            let t = wanted.clamp(start, end.max(start));
            (t, t != wanted || requested_s < 0.0)
        };
        self.start_at(target, Some((requested_s, clamped)), now);
    }

    /// Jumps to the live point (for on-demand content: nothing to do but say so).
    fn go_live(&mut self, now: Instant) {
        if !self.pres.is_live() {
            self.emit(Event::problem(
                "not_live",
                "the presentation is not live".into(),
                false,
            ));
            return;
        }
        self.end_trick("live");
        self.jump_to_live(true, now);
    }

    /// After a pause: if the DVR window moved past the paused position, resume from its start.
    fn resume_in_window(&mut self, now: Instant) {
        if !self.pres.is_live() {
            return;
        }
        let position = self.obs.position;
        let start = self.pres.window_start();
        if position < start {
            let requested = position.saturating_sub(self.pres.origin).as_secs_f64();
            // One fragment in, so the window does not leave us behind again at once.
            let target = start + self.pres.fragment_duration();
            self.start_at(target, Some((requested, true)), now);
        }
    }

    /// While a live session is paused nothing is fetched, so tfrf tells nothing: refresh
    /// the manifest now and then to keep the window and the edge current.
    pub(super) fn refresh_while_paused(&mut self, now: Instant) {
        if !self.pres.is_live() {
            return;
        }
        let every = paused_refresh_interval(self.pres.fragment_duration(), self.cfg.speed);
        if now.saturating_duration_since(self.play.last_paused_refresh) < every {
            return;
        }
        self.play.last_paused_refresh = now;
        self.refresh.due = Some(now);
        self.refresh_if_due(now);
    }

    /// Switches the video or audio stream and restarts playback at the current position.
    fn select_stream(&mut self, kind: StreamKind, name: &str, now: Instant) {
        if self.pres.plan(kind).is_none() {
            let message = format!("no {kind:?} stream is playing: cannot switch to {name}");
            self.emit(Event::problem("selection", message, false));
            return;
        }
        let ty = match kind {
            StreamKind::Video => StreamType::Video,
            StreamKind::Audio => StreamType::Audio,
        };
        let mut skipped = Vec::new();
        match selection::pick(
            &self.pres.manifest,
            ty,
            Some(name),
            &self.cfg.codecs,
            &mut skipped,
        ) {
            Ok(Some(plan)) => {
                if kind == StreamKind::Video {
                    self.abr.set_ladder(&plan.levels);
                }
                self.pres.set_plan(kind, plan);
                self.switch_at_boundary(kind, now);
                self.emit(Event::Track {
                    stream: kind,
                    name: name.to_string(),
                });
            }
            Ok(None) => {
                let e = skipped.pop().unwrap_or(Error::NoPlayableStream);
                self.warn(&e);
            }
            Err(e) => self.warn(&e),
        }
    }
}
