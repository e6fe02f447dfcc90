//! The stats page (`S`), like mpv's: what is playing and how well, with a small graph of
//! the quality and bandwidth over the last two minutes.

use egui::{Align2, Color32, CornerRadius, FontId, Id, Pos2, Rect, Sense, Stroke, Vec2};

use crate::playback::{PlaybackView, bitrate_text};

const GRAPH: Vec2 = Vec2::new(300.0, 80.0);
const QUALITY: Color32 = Color32::from_rgb(102, 187, 106);
const BANDWIDTH: Color32 = Color32::from_rgb(66, 165, 245);

/// The lines of the stats page.
pub fn lines(view: &PlaybackView, extra: &[String]) -> Vec<String> {
    let s = &view.stats;
    let mut out = Vec::new();
    out.push(if s.width > 0 {
        format!(
            "Video:      {}x{} {}  {}",
            s.width,
            s.height,
            view.codec().unwrap_or("?"),
            bitrate_text(s.bitrate)
        )
    } else {
        "Video:      -".to_string()
    });
    out.push(format!(
        "Bandwidth:  {} (estimate)",
        bitrate_text(s.bandwidth_bps)
    ));
    out.push(format!("Buffer:     {:.1} s", s.buffer_s));
    out.push(format!(
        "Frames:     {} decoded, {} dropped (late)",
        s.frames_decoded, s.frames_dropped
    ));
    out.push(format!("Switches:   {}", view.switches));
    if let Some(latency) = s.latency_s {
        let rate = s.rate.unwrap_or(1.0);
        out.push(format!(
            "Latency:    {latency:.1} s behind live, playing at {:.0} %",
            rate * 100.0
        ));
    }
    out.extend(extra.iter().cloned());
    out
}

/// Draws the stats page in the top-left corner.
pub fn draw(ctx: &egui::Context, view: &PlaybackView, extra: &[String]) {
    egui::Area::new(Id::unique("smoothplay-stats"))
        .anchor(Align2::LEFT_TOP, Vec2::new(12.0, 12.0))
        .interactable(false)
        .show(ctx, |ui| {
            egui::Frame::new()
                .fill(Color32::from_black_alpha(200))
                .corner_radius(CornerRadius::same(6))
                .inner_margin(10)
                .show(ui, |ui| {
                    for line in lines(view, extra) {
                        ui.label(
                            egui::RichText::new(line)
                                .color(Color32::WHITE)
                                .font(FontId::monospace(13.0)),
                        );
                    }
                    ui.add_space(6.0);
                    graph(ui, view);
                    ui.horizontal(|ui| {
                        ui.label(egui::RichText::new("quality").color(QUALITY).size(12.0));
                        ui.label(egui::RichText::new("bandwidth").color(BANDWIDTH).size(12.0));
                    });
                });
        });
}

/// Bitrate shown and bandwidth estimate over time, on one scale (the top is 1.5× the
/// highest bitrate shown).
fn graph(ui: &mut egui::Ui, view: &PlaybackView) {
    let (rect, _) = ui.allocate_exact_size(GRAPH, Sense::hover());
    let painter = ui.painter();
    painter.rect_filled(rect, CornerRadius::same(2), Color32::from_black_alpha(120));
    painter.rect_stroke(
        rect,
        CornerRadius::same(2),
        Stroke::new(1.0, Color32::from_gray(90)),
        egui::StrokeKind::Inside,
    );
    let points = &view.history;
    let (Some(first), Some(last)) = (points.front(), points.back()) else {
        return;
    };
    // Scaled to the quality shown: on a fast link the bandwidth estimate is orders of
    // magnitude above the ladder and runs along the top edge.
    let top = (points.iter().map(|p| p.bitrate).max().unwrap_or(0) as f32 * 1.5).max(1.0);
    let span = (last.at_s - first.at_s).max(1.0);
    let to_pos = |at: f64, v: u64| {
        let x = rect.left() + rect.width() * ((at - first.at_s) / span) as f32;
        let y = rect.bottom() - 2.0 - (rect.height() - 4.0) * (v as f32 / top).min(1.0);
        Pos2::new(x, y)
    };
    let line = |value: fn(&crate::playback::QualitySample) -> u64| -> Vec<Pos2> {
        points.iter().map(|p| to_pos(p.at_s, value(p))).collect()
    };
    painter.line(line(|p| p.bandwidth_bps), Stroke::new(1.0, BANDWIDTH));
    painter.line(line(|p| p.bitrate), Stroke::new(2.0, QUALITY));
    painter.text(
        Rect::from_min_size(rect.min, Vec2::ZERO).min + Vec2::new(4.0, 2.0),
        Align2::LEFT_TOP,
        bitrate_text(top as u64),
        FontId::monospace(10.0),
        Color32::LIGHT_GRAY,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use player_core::player::{Event, Stats};

    #[test]
    fn lines_show_resolution_codec_bandwidth_buffer_frames() {
        let mut view = PlaybackView::new();
        view.on_event(&Event::Stats(Stats {
            width: 1280,
            height: 720,
            bitrate: 2_500_000,
            bandwidth_bps: 41_000_000,
            buffer_s: 8.04,
            frames_decoded: 250,
            frames_dropped: 3,
            latency_s: Some(4.2),
            rate: Some(1.03),
            ..Stats::default()
        }));
        let text = lines(&view, &["Display:    1 dropped".to_string()]).join("\n");
        assert!(text.contains("1280x720"), "{text}");
        assert!(text.contains("2.50 Mbit/s"), "{text}");
        assert!(text.contains("41.00 Mbit/s"), "{text}");
        assert!(text.contains("8.0 s"), "{text}");
        assert!(text.contains("250 decoded, 3 dropped"), "{text}");
        assert!(
            text.contains("4.2 s behind live, playing at 103 %"),
            "{text}"
        );
        assert!(text.ends_with("Display:    1 dropped"), "{text}");
    }
}
