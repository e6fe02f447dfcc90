//! The on-screen controls drawn with egui over the video: the seek bar with play/pause and
//! replay buttons and the time (or the LIVE badge), status and notices, error messages, and
//! the stats page.

use egui::{Align2, Color32, CornerRadius, FontId, Id, Pos2, Rect, Sense, Stroke, Vec2};

use crate::chapters::{self, ChapterList};
use crate::controls::Action;
use crate::playback::{PlaybackView, clock};
use crate::stats_view;

/// Colour of the played part of the seek bar and of the LIVE badge at the edge.
const ACCENT: Color32 = Color32::from_rgb(229, 57, 53);
/// Within this many seconds of the live edge, the LIVE badge is lit.
const AT_EDGE_S: f64 = 10.0;

/// What the overlay draws this frame.
pub struct OverlayInput<'a> {
    /// Playback as events described it.
    pub view: &'a PlaybackView,
    /// Position from the start, seconds.
    pub position_s: f64,
    /// What the seek bar spans, seconds from the start: the whole presentation on demand,
    /// the DVR window (up to the live edge) on live.
    pub range_s: (f64, f64),
    /// Whether the seek bar and buttons are shown.
    pub controls: bool,
    /// Whether the stats page is shown.
    pub stats: bool,
    /// Extra lines for the stats page (display, audio output…).
    pub stats_extra: &'a [String],
    /// The presentation's name.
    pub title: &'a str,
    /// Chapters and ad breaks, marked on the seek bar.
    pub chapters: &'a ChapterList,
}

/// Draws the overlay; returns what the user clicked.
pub fn draw(ctx: &egui::Context, input: &OverlayInput<'_>) -> Vec<Action> {
    let mut actions = Vec::new();
    let screen = ctx.content_rect();
    let view = input.view;
    if let Some(message) = &view.fatal {
        message_box(ctx, screen, "Playback failed", message);
    } else if view.state.is_none() {
        status_badge(ctx, screen, &format!("Opening {}…", input.title));
    } else if view.buffering && !view.is_paused() {
        status_badge(ctx, screen, "Buffering…");
    }
    if let Some(notice) = view.current_notice() {
        egui::Area::new(Id::unique("smoothplay-notice"))
            .anchor(Align2::CENTER_TOP, Vec2::new(0.0, 16.0))
            .interactable(false)
            .show(ctx, |ui| {
                panel().show(ui, |ui| {
                    ui.label(egui::RichText::new(notice).color(Color32::WHITE).size(16.0));
                });
            });
    }
    if !view.caption.is_empty() && view.fatal.is_none() {
        caption(ctx, screen, &view.caption, input.controls);
    }
    if input.stats {
        stats_view::draw(ctx, view, input.stats_extra);
    }
    if input.controls && view.fatal.is_none() {
        controls_bar(ctx, screen, input, &mut actions);
    }
    actions
}

/// The caption on screen: each line centred near the bottom (above the controls when they
/// show) on a dark box as wide as the line, its size following the window's height like a
/// TV's subtitles.
fn caption(ctx: &egui::Context, screen: Rect, text: &str, controls: bool) {
    let size = (screen.height() / 24.0).clamp(14.0, 42.0);
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Middle,
        Id::unique("smoothplay-caption"),
    ));
    let galleys: Vec<_> = text
        .lines()
        .map(|line| {
            painter.layout_no_wrap(line.to_owned(), FontId::proportional(size), Color32::WHITE)
        })
        .collect();
    let pad = Vec2::new(size * 0.4, size * 0.1);
    let line_h = galleys.iter().map(|g| g.size().y).fold(0.0, f32::max) + 2.0 * pad.y;
    let bottom = screen.bottom() - if controls { 96.0 } else { size * 1.5 };
    let mut top = bottom - line_h * galleys.len() as f32;
    for g in galleys {
        let w = g.size().x + 2.0 * pad.x;
        let rect = Rect::from_min_size(
            Pos2::new(screen.center().x - w / 2.0, top),
            Vec2::new(w, line_h),
        );
        painter.rect_filled(rect, CornerRadius::same(2), Color32::from_black_alpha(200));
        painter.galley(rect.min + pad, g, Color32::WHITE);
        top += line_h;
    }
}

fn panel() -> egui::Frame {
    egui::Frame::new()
        .fill(Color32::from_black_alpha(190))
        .corner_radius(CornerRadius::same(6))
        .inner_margin(10)
}

fn status_badge(ctx: &egui::Context, screen: Rect, text: &str) {
    egui::Area::new(Id::unique("smoothplay-status"))
        .fixed_pos(screen.center() - Vec2::new(0.0, 20.0))
        .pivot(Align2::CENTER_CENTER)
        .interactable(false)
        .show(ctx, |ui| {
            panel().show(ui, |ui| {
                ui.label(egui::RichText::new(text).color(Color32::WHITE).size(18.0));
            });
        });
}

/// A readable error message in the middle of the window.
fn message_box(ctx: &egui::Context, screen: Rect, title: &str, message: &str) {
    egui::Area::new(Id::unique("smoothplay-error"))
        .fixed_pos(screen.center())
        .pivot(Align2::CENTER_CENTER)
        .interactable(false)
        .show(ctx, |ui| {
            panel().stroke(Stroke::new(1.5, ACCENT)).show(ui, |ui| {
                ui.set_max_width((screen.width() * 0.8).min(640.0));
                ui.label(egui::RichText::new(title).color(ACCENT).size(20.0).strong());
                ui.add_space(6.0);
                ui.label(
                    egui::RichText::new(message)
                        .color(Color32::WHITE)
                        .size(15.0),
                );
                ui.add_space(6.0);
                ui.label(
                    egui::RichText::new("Press Q to quit.")
                        .color(Color32::LIGHT_GRAY)
                        .size(13.0),
                );
            });
        });
}

fn controls_bar(
    ctx: &egui::Context,
    screen: Rect,
    input: &OverlayInput<'_>,
    actions: &mut Vec<Action>,
) {
    let view = input.view;
    let width = (screen.width() - 24.0).max(120.0);
    egui::Area::new(Id::unique("smoothplay-controls"))
        .anchor(Align2::CENTER_BOTTOM, Vec2::new(0.0, -12.0))
        .show(ctx, |ui| {
            panel().show(ui, |ui| {
                ui.set_width(width - 20.0);
                seek_bar(ui, input, actions);
                ui.add_space(4.0);
                ui.horizontal(|ui| {
                    let play_label = if view.is_paused() || view.state.is_none() {
                        "Play"
                    } else {
                        "Pause"
                    };
                    if ui.button(play_label).clicked() {
                        actions.push(Action::TogglePause);
                    }
                    if ui
                        .button("Replay 10 s")
                        .on_hover_text("Instant replay (R)")
                        .clicked()
                    {
                        actions.push(Action::Replay);
                    }
                    ui.add_space(8.0);
                    if view.is_live {
                        live_badge(ui, view, actions);
                    } else {
                        ui.label(
                            egui::RichText::new(format!(
                                "{} / {}",
                                clock(input.position_s),
                                clock(input.range_s.1)
                            ))
                            .color(Color32::WHITE)
                            .monospace(),
                        );
                    }
                });
            });
        });
}

/// The LIVE badge: lit at the live edge, otherwise grey with how far behind; click to go live.
fn live_badge(ui: &mut egui::Ui, view: &PlaybackView, actions: &mut Vec<Action>) {
    let behind = view.stats.latency_s.unwrap_or(0.0);
    let at_edge = behind <= AT_EDGE_S;
    let fill = if at_edge {
        ACCENT
    } else {
        Color32::from_gray(90)
    };
    let badge =
        egui::Button::new(egui::RichText::new("LIVE").color(Color32::WHITE).strong()).fill(fill);
    if ui.add(badge).on_hover_text("Go live (L)").clicked() {
        actions.push(Action::GoLive);
    }
    if !at_edge {
        ui.label(
            egui::RichText::new(format!("−{} behind live", clock(behind)))
                .color(Color32::WHITE)
                .monospace(),
        );
    }
}

/// The seek bar: the whole presentation (or, on live, the DVR window with the edge at its
/// right end) with the buffered range and the position; click or drag to seek (the seek is
/// sent when the button is released).
fn seek_bar(ui: &mut egui::Ui, input: &OverlayInput<'_>, actions: &mut Vec<Action>) {
    let height = 18.0;
    let (rect, response) = ui.allocate_exact_size(
        Vec2::new(ui.available_width(), height),
        Sense::click_and_drag(),
    );
    let (start, end) = input.range_s;
    let duration = (end - start).max(0.0);
    let bar = Rect::from_center_size(rect.center(), Vec2::new(rect.width(), 6.0));
    let painter = ui.painter();
    painter.rect_filled(bar, CornerRadius::same(3), Color32::from_gray(70));
    let x_of = |t: f64| -> f32 {
        if duration <= 0.0 {
            bar.left()
        } else {
            bar.left() + bar.width() * ((t - start) / duration).clamp(0.0, 1.0) as f32
        }
    };
    let position = input.position_s;
    let buffered_end = position + input.view.stats.buffer_s.max(0.0);
    let buffered = Rect::from_x_y_ranges(x_of(position)..=x_of(buffered_end), bar.y_range());
    painter.rect_filled(buffered, CornerRadius::same(3), Color32::from_gray(150));
    let played = Rect::from_x_y_ranges(bar.left()..=x_of(position), bar.y_range());
    if input.view.is_live {
        // The live edge: the right end of the window.
        painter.circle_filled(bar.right_center(), 4.0, ACCENT);
    }
    painter.rect_filled(played, CornerRadius::same(3), ACCENT);
    chapters::on_seek_bar(painter, bar, input.range_s, input.chapters, x_of);
    let pointer = response.interact_pointer_pos();
    let target_of = |p: Pos2| -> f64 {
        if bar.width() <= 0.0 {
            0.0
        } else {
            start + f64::from(((p.x - bar.left()) / bar.width()).clamp(0.0, 1.0)) * duration
        }
    };
    let knob_x = match pointer {
        Some(p) if response.dragged() => p.x.clamp(bar.left(), bar.right()),
        _ => x_of(position),
    };
    painter.circle_filled(Pos2::new(knob_x, bar.center().y), 7.0, Color32::WHITE);
    if let Some(p) = pointer
        && response.dragged()
    {
        painter.text(
            Pos2::new(knob_x, rect.top() - 4.0),
            Align2::CENTER_BOTTOM,
            clock(target_of(p)),
            FontId::monospace(13.0),
            Color32::WHITE,
        );
    }
    if duration > 0.0
        && (response.clicked() || response.drag_stopped())
        && let Some(p) = pointer.or_else(|| response.hover_pos())
    {
        actions.push(Action::SeekTo(target_of(p)));
    }
    // Seek-bar thumbnails (thumbnails.rs): the hovered time, and its picture above the bar
    // with the title of the chapter it falls in.
    let hovered = response
        .hover_pos()
        .filter(|_| duration > 0.0)
        .map(target_of);
    let chapter = hovered
        .and_then(|t| input.chapters.at(t))
        .map(|c| c.title.as_str());
    crate::thumbnails::on_seek_bar(ui, rect, hovered, chapter);
}
