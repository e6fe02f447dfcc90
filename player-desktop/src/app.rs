//! The window: a winit 0.30 application that opens the presentation, shows its pictures and
//! the overlay, and turns keys and clicks into player commands.
//!
//! The window and GPU come first; the player is opened on a helper thread (fetching the
//! manifest may take a while) and arrives as a user event. Player events reach the UI through
//! a pump thread that also writes the `--events` log.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use player_core::player::{Command, Config, Event, State, StreamKind};
use winit::application::ApplicationHandler;
use winit::dpi::LogicalSize;
use winit::event::{ElementState, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, EventLoopProxy};
use winit::window::{Fullscreen, Window, WindowId};

use crate::args::Args;
use crate::chapters::Chapters;
use crate::colour::{Colour, colour_for, signalled_colours};
use crate::controls::{self, Action, GoLive, SEEK_STEP_S};
use crate::events_log::{self, EventLog};
use crate::opening::{Opened, UserEvent, open_in_background};
use crate::overlay::{self, OverlayInput};
use crate::playback::PlaybackView;
use crate::screen::Screen;
use crate::thumbnails::{self, SeekPreview};

/// How long the controls stay after the mouse stops moving.
const CONTROLS_FOR: Duration = Duration::from_millis(2500);

/// How a windowed run ended.
#[derive(Debug)]
pub enum Outcome {
    /// The window was closed: exit with this code.
    Exit(i32),
    /// No window could be used (why): play headless instead.
    Headless(String),
}

/// Runs the window until the user quits; `Headless` when no display or GPU is usable.
pub fn run(args: Args, config: Config, launched: Instant) -> Outcome {
    let event_loop = match EventLoop::<UserEvent>::with_user_event().build() {
        Ok(l) => l,
        Err(e) => return Outcome::Headless(format!("cannot open a display ({e})")),
    };
    event_loop.set_control_flow(ControlFlow::Wait);
    let mut app = App::new(args, config, event_loop.create_proxy(), launched);
    if let Err(e) = event_loop.run_app(&mut app) {
        tracing::error!("window event loop failed: {e}");
        if app.screen.is_none() && app.outcome.is_none() {
            return Outcome::Headless(format!("the window system failed ({e})"));
        }
    }
    app.finish()
}

/// The presentation's name for the title: the last meaningful path segment of the input.
pub fn presentation_name(input: &str) -> String {
    let path = input.split(['?', '#']).next().unwrap_or(input);
    path.trim_end_matches('/')
        .rsplit(['/', '\\'])
        .map(|s| {
            s.trim_end_matches(".isml")
                .trim_end_matches(".ism")
                .to_string()
        })
        .find(|s| !s.is_empty() && !s.eq_ignore_ascii_case("manifest"))
        .unwrap_or_else(|| input.to_string())
}

struct App {
    args: Args,
    config: Option<Config>,
    proxy: EventLoopProxy<UserEvent>,
    launched: Instant,
    title: String,
    log: Arc<Mutex<EventLog>>,
    screen: Option<Screen>,
    egui_ctx: egui::Context,
    egui_state: Option<egui_winit::State>,
    opened: Option<Opened>,
    /// Seek-bar thumbnails, once the presentation is open.
    preview: Option<SeekPreview>,
    /// Chapters for the seek bar and the N / P keys.
    chapters: Chapters,
    open_failed: bool,
    view: PlaybackView,
    colours: Vec<((u32, u32), Colour)>,
    controls_until: Option<Instant>,
    last_cursor: Option<(f64, f64)>,
    stats: bool,
    captions: bool,
    repaint_at: Option<Instant>,
    last_redraw: Instant,
    outcome: Option<Outcome>,
}

impl App {
    fn new(args: Args, config: Config, proxy: EventLoopProxy<UserEvent>, launched: Instant) -> App {
        let input = args.input_or_demo();
        let captions = args.captions;
        App {
            title: presentation_name(&input),
            args,
            config: Some(config),
            proxy,
            launched,
            log: Arc::new(Mutex::new(EventLog::disabled(launched))),
            screen: None,
            egui_ctx: egui::Context::default(),
            egui_state: None,
            opened: None,
            preview: None,
            chapters: Chapters::default(),
            open_failed: false,
            view: PlaybackView::new(),
            colours: Vec::new(),
            controls_until: None,
            last_cursor: None,
            stats: false,
            captions,
            repaint_at: None,
            last_redraw: launched,
            outcome: None,
        }
    }

    fn request_redraw(&self) {
        if let Some(s) = &self.screen {
            s.window.request_redraw();
        }
    }

    /// Opens the presentation on a helper thread; the result arrives as `UserEvent::Opened`.
    fn open(&mut self) {
        let Some(config) = self.config.take() else {
            return;
        };
        let spawned = open_in_background(
            self.args.input_or_demo(),
            config,
            self.args.gain(),
            self.proxy.clone(),
            self.log.clone(),
        );
        if let Err(e) = spawned {
            self.view.fatal = Some(format!("cannot start the player: {e}"));
            self.open_failed = true;
        }
    }

    fn create_window(&mut self, event_loop: &ActiveEventLoop) -> Result<(), String> {
        let mut attributes = Window::default_attributes()
            .with_title(format!("{} — smoothplay", self.title))
            .with_inner_size(LogicalSize::new(1280.0, 720.0))
            .with_min_inner_size(LogicalSize::new(320.0, 180.0))
            .with_resizable(true);
        if self.args.fullscreen {
            attributes = attributes.with_fullscreen(Some(Fullscreen::Borderless(None)));
        }
        let window = Arc::new(
            event_loop
                .create_window(attributes)
                .map_err(|e| format!("cannot create a window ({e})"))?,
        );
        let screen = Screen::new(window.clone()).map_err(|e| e.to_string())?;
        tracing::info!("drawing with {}", screen.gpu.describe());
        let max_side = screen.gpu.device.limits().max_texture_dimension_2d as usize;
        self.egui_state = Some(egui_winit::State::new(
            self.egui_ctx.clone(),
            egui::ViewportId::ROOT,
            &window,
            Some(window.scale_factor() as f32),
            None,
            Some(max_side),
        ));
        self.screen = Some(screen);
        Ok(())
    }

    fn on_opened(&mut self, result: Result<Box<Opened>, String>) {
        match result {
            Ok(opened) => {
                let manifest = opened.player.manifest();
                self.view.set_manifest(manifest);
                self.colours = signalled_colours(manifest);
                let origin = opened.player.origin();
                self.preview = thumbnails::for_args(&self.args, origin, self.proxy.clone());
                self.opened = Some(*opened);
            }
            Err(message) => {
                tracing::error!("{message}");
                self.view.fatal = Some(message);
                self.open_failed = true;
            }
        }
        self.request_redraw();
    }

    fn on_player_event(&mut self, event: Event) {
        self.view.on_event(&event);
        self.chapters.on_event(&event);
        self.request_redraw();
    }

    fn controls_visible(&self) -> bool {
        self.controls_until.is_some_and(|t| Instant::now() < t)
            || (self.controls_until.is_some() && self.egui_ctx.is_pointer_over_egui())
            || self.view.state == Some(State::Ended)
    }

    fn redraw(&mut self, event_loop: &ActiveEventLoop) {
        let controls = self.controls_visible();
        let (Some(screen), Some(egui_state)) = (&mut self.screen, &mut self.egui_state) else {
            return;
        };
        self.last_redraw = Instant::now();
        let mut position_s = 0.0;
        let mut range_s = (0.0, 0.0);
        let mut extra = Vec::new();
        if let Some(o) = &self.opened {
            if let Some(frame) = o.mailbox.take() {
                let colour = colour_for(&self.colours, frame.width, frame.height);
                screen
                    .video
                    .upload(&screen.gpu.device, &screen.gpu.queue, &frame, colour);
                o.mailbox.recycle(frame);
            }
            position_s = o.player.position().as_secs_f64();
            let (start, end) = o.player.seekable();
            range_s = (start.as_secs_f64(), end.as_secs_f64());
            self.chapters.refresh(&o.player);
            extra.push(format!(
                "Display:    {} drawn, {} not drawn (display too slow)",
                o.mailbox.delivered(),
                o.mailbox.dropped()
            ));
            let volume = if o.audio.muted() {
                "muted".to_string()
            } else {
                format!("volume {:.0} %", o.audio.volume() * 100.0)
            };
            extra.push(format!("Audio:      {} ({volume})", o.audio.output()));
        }
        extra.push(format!("Renderer:   {}", screen.gpu.describe()));
        let input = OverlayInput {
            view: &self.view,
            position_s,
            range_s,
            controls,
            stats: self.stats,
            stats_extra: &extra,
            title: &self.title,
            chapters: self.chapters.list(),
        };
        let raw = egui_state.take_egui_input(&screen.window);
        let mut actions = Vec::new();
        if let Some(p) = &mut self.preview {
            p.before_frame(&self.egui_ctx);
        }
        let mut output = self.egui_ctx.run_ui(raw, |ui| {
            actions = overlay::draw(ui.ctx(), &input);
        });
        if let Some(p) = &mut self.preview {
            p.after_frame(&self.egui_ctx);
        }
        egui_state.handle_platform_output(&screen.window, output.platform_output);
        let jobs = self
            .egui_ctx
            .tessellate(output.shapes, output.pixels_per_point);
        screen.render(&jobs, &mut output.textures_delta, output.pixels_per_point);
        self.repaint_at = output
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .filter(|v| v.repaint_delay < Duration::from_secs(60))
            .map(|v| Instant::now() + v.repaint_delay);
        for action in actions {
            self.apply(action, event_loop);
        }
    }

    fn apply(&mut self, action: Action, event_loop: &ActiveEventLoop) {
        match action {
            Action::Quit => event_loop.exit(),
            Action::ToggleFullscreen => self.toggle_fullscreen(),
            Action::ToggleStats => {
                self.stats = !self.stats;
                self.request_redraw();
            }
            Action::NextChapter | Action::PreviousChapter => {
                if let Some(o) = &self.opened {
                    let notice = self.chapters.jump(&o.player, action == Action::NextChapter);
                    self.view.notify(notice);
                    self.request_redraw();
                }
            }
            _ => self.apply_to_player(action),
        }
    }

    fn toggle_fullscreen(&self) {
        if let Some(s) = &self.screen {
            let next = match s.window.fullscreen() {
                Some(_) => None,
                None => Some(Fullscreen::Borderless(None)),
            };
            s.window.set_fullscreen(next);
        }
    }

    /// An action on the player or its sound; ignored until the presentation has opened.
    fn apply_to_player(&mut self, action: Action) {
        let Some(o) = &self.opened else { return };
        let player = &o.player;
        match action {
            Action::TogglePause => controls::toggle_pause(player, self.view.state),
            Action::Rate(faster) => self.view.notify(controls::step_rate(player, faster)),
            Action::SeekBy(delta) => {
                player.send(Command::SeekBy(delta));
                self.view.notify(format!("{delta:+.0} s"));
            }
            Action::SeekTo(t) => player.seek(Duration::from_secs_f64(t.max(0.0))),
            Action::Replay => {
                player.replay(Duration::from_secs_f64(SEEK_STEP_S));
                self.view.notify("instant replay");
            }
            Action::GoLive => match controls::go_live(player) {
                GoLive::Sent => self.view.notify("going live"),
                GoLive::NotLive => self.view.notify("not live"),
            },
            Action::NextAudio => self
                .view
                .notify(controls::select_next_stream(player, StreamKind::Audio)),
            Action::NextVideo => self
                .view
                .notify(controls::select_next_stream(player, StreamKind::Video)),
            Action::ToggleCaptions => {
                if player.has_captions() {
                    self.captions = !self.captions;
                    player.set_captions(self.captions);
                    self.view.notify(if self.captions {
                        "captions on"
                    } else {
                        "captions off"
                    });
                } else {
                    self.view.notify("no captions in this presentation");
                }
            }
            Action::Volume(delta) => {
                let v = controls::step_volume(o.audio.volume(), delta);
                o.audio.set_volume(v);
                o.audio.set_muted(false);
                self.view.notify(format!("volume {:.0} %", v * 100.0));
            }
            Action::ToggleMute => {
                let muted = !o.audio.muted();
                o.audio.set_muted(muted);
                self.view.notify(if muted { "muted" } else { "sound on" });
            }
            Action::Quit | Action::ToggleFullscreen | Action::ToggleStats => {}
            Action::NextChapter | Action::PreviousChapter => {}
        }
        self.request_redraw();
    }

    /// Stops the player, writes the summary; the exit code.
    fn finish(mut self) -> Outcome {
        if let Some(outcome) = self.outcome.take() {
            return outcome;
        }
        // Close the window before the player winds down.
        self.egui_state = None;
        self.screen = None;
        let failed = self.open_failed || self.view.state == Some(State::Failed);
        if let Some(o) = self.opened.take() {
            o.player.stop();
            let summary = o.player.summary();
            drop(o.player);
            let _ = o.pump.join();
            events_log::lock(&self.log).write(&summary, Some("summary"));
            eprintln!("{}", player_embedded::headless::summary_text(&summary));
        }
        Outcome::Exit(if failed { 1 } else { 0 })
    }
}

impl ApplicationHandler<UserEvent> for App {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.screen.is_some() || self.outcome.is_some() {
            return;
        }
        if let Err(why) = self.create_window(event_loop) {
            self.outcome = Some(Outcome::Headless(why));
            event_loop.exit();
            return;
        }
        match EventLog::open(self.args.events.as_deref(), self.launched) {
            Ok(log) => *events_log::lock(&self.log) = log,
            Err(e) => {
                let path = self.args.events.clone().unwrap_or_default();
                eprintln!("smoothplay: cannot create {path}: {e}");
                self.outcome = Some(Outcome::Exit(2));
                event_loop.exit();
                return;
            }
        }
        self.open();
        self.request_redraw();
    }

    fn user_event(&mut self, _event_loop: &ActiveEventLoop, event: UserEvent) {
        match event {
            UserEvent::Frame => self.request_redraw(),
            UserEvent::Player(e) => self.on_player_event(e),
            UserEvent::Opened(result) => self.on_opened(result),
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        // Keys are the player's: egui has no text fields, and a focused button must not
        // also take Space.
        if let WindowEvent::KeyboardInput { event: key, .. } = &event {
            if key.state == ElementState::Pressed
                && let Some(action) = controls::action_for(&key.logical_key)
            {
                self.apply(action, event_loop);
            }
            return;
        }
        if let (Some(state), Some(screen)) = (&mut self.egui_state, &self.screen) {
            let response = state.on_window_event(&screen.window, &event);
            // egui asks to repaint on a redraw request too: following that would redraw
            // for ever.
            if response.repaint && event != WindowEvent::RedrawRequested {
                screen.window.request_redraw();
            }
        }
        match event {
            WindowEvent::CloseRequested => event_loop.exit(),
            WindowEvent::Resized(size) => {
                if let Some(s) = &mut self.screen {
                    s.resize(size.width, size.height);
                }
                // The ABR need not fetch pictures much larger than the window shows.
                if let Some(o) = &self.opened {
                    o.player.set_viewport(Some((size.width, size.height)));
                }
                self.request_redraw();
            }
            WindowEvent::CursorMoved { position, .. } => {
                // Only a real move inside the window shows the controls: winit also reports
                // the pointer where it is (maybe outside) when the window gains focus.
                let (w, h) = self.screen.as_ref().map_or((0, 0), Screen::size);
                let inside = position.x >= 0.0
                    && position.y >= 0.0
                    && position.x < f64::from(w)
                    && position.y < f64::from(h);
                let moved = self.last_cursor != Some((position.x, position.y));
                self.last_cursor = Some((position.x, position.y));
                if inside && moved {
                    self.controls_until = Some(Instant::now() + CONTROLS_FOR);
                    self.request_redraw();
                }
            }
            WindowEvent::CursorLeft { .. } => {
                // The pointer went elsewhere: the controls go with it.
                self.controls_until = None;
                self.request_redraw();
            }
            WindowEvent::RedrawRequested => self.redraw(event_loop),
            _ => {}
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        // Wake for what changes without input: controls hiding, a notice expiring, egui.
        let now = Instant::now();
        let deadlines = [
            self.controls_until,
            self.view.notice_deadline(),
            self.repaint_at,
        ];
        let next = deadlines.into_iter().flatten().filter(|t| *t > now).min();
        let due = deadlines
            .into_iter()
            .flatten()
            .any(|t| self.last_redraw < t && t <= now);
        if due {
            self.request_redraw();
        }
        event_loop.set_control_flow(match next {
            Some(t) => ControlFlow::WaitUntil(t),
            None => ControlFlow::Wait,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_path() {
        assert_eq!(
            presentation_name("http://127.0.0.1:8080/demo/Manifest"),
            "demo"
        );
        assert_eq!(
            presentation_name("https://host/vod/BigBuckBunny.ism/Manifest?token=1"),
            "BigBuckBunny"
        );
        assert_eq!(presentation_name("assets/demo"), "demo");
        assert_eq!(presentation_name("/media/show.isml/manifest"), "show");
    }
}
