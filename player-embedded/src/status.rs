//! The one-line terminal status shown during headless playback.

use std::time::Duration;

use player_core::markers::MarkerKind;
use player_core::player::Stats;

fn clock(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// How a marker reads on the terminal: "chapter: Title", "ad break (4 s): …".
pub fn marker_line(kind: MarkerKind, text: Option<&str>, duration_s: Option<f64>) -> String {
    let what = match kind {
        MarkerKind::Chapter => "chapter",
        MarkerKind::Ad => "ad break",
        MarkerKind::Script => "script",
    };
    let long = duration_s
        .filter(|_| kind == MarkerKind::Ad)
        .map(|d| format!(" ({d:.0} s)"))
        .unwrap_or_default();
    let text = text.unwrap_or("(data)").replace('\n', " / ");
    format!("{what}{long}: {text}")
}

/// `▶ 0:12 / 0:20 · 1280x720 @ 2500 kbit/s · bw 41.2 Mbit/s · buffer 8.0 s · dropped 0`.
pub fn status_line(s: &Stats, duration: Option<Duration>) -> String {
    let position = match (s.latency_s, duration) {
        (Some(lat), _) => format!("{} ({lat:.1} s behind live)", clock(s.position_s)),
        (None, Some(d)) if !d.is_zero() => {
            format!("{} / {}", clock(s.position_s), clock(d.as_secs_f64()))
        }
        _ => clock(s.position_s),
    };
    let quality = if s.width > 0 {
        format!("{}x{} @ {} kbit/s", s.width, s.height, s.bitrate / 1000)
    } else {
        "audio only".to_string()
    };
    format!(
        "▶ {position} · {quality} · bw {:.1} Mbit/s · buffer {:.1} s · dropped {}",
        s.bandwidth_bps as f64 / 1e6,
        s.buffer_s,
        s.frames_dropped
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_shows_position_quality_bandwidth_buffer() {
        let s = Stats {
            position_s: 12.4,
            buffer_s: 8.0,
            bitrate: 2_500_000,
            width: 1280,
            height: 720,
            bandwidth_bps: 41_200_000,
            ..Stats::default()
        };
        assert_eq!(
            status_line(&s, Some(Duration::from_secs(20))),
            "▶ 0:12 / 0:20 · 1280x720 @ 2500 kbit/s · bw 41.2 Mbit/s · buffer 8.0 s · dropped 0"
        );
    }
}
