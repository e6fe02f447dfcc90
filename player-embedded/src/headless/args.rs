//! The options of `play` and the parsers of their values (times, sizes, byte counts,
//! intervals, headers).

use std::path::PathBuf;
use std::time::Duration;

use crate::keys::KeyArgs;
use crate::net_args::NetArgs;

/// Options of `play` (shared by `smoothplay-headless play` and the desktop fallback).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PlayArgs {
    /// Manifest URL (http/https), presentation directory, or manifest file.
    pub input: String,
    /// Run as fast as possible instead of in real time.
    #[arg(long)]
    pub fast: bool,
    /// Start position (seconds, or [hh:]mm:ss).
    #[arg(long, value_parser = parse_time)]
    pub start: Option<Duration>,
    /// Stop after this much media has played from the start point, live or on demand
    /// (seconds, or [hh:]mm:ss).
    #[arg(long = "for", value_parser = parse_time)]
    pub play_for: Option<Duration>,
    /// Write the presented pictures to a YUV4MPEG2 file.
    #[arg(long)]
    pub video_out: Option<PathBuf>,
    /// Size of the pictures written by --video-out, WxH (default: the largest level's size).
    #[arg(long, value_parser = parse_size)]
    pub video_size: Option<(u32, u32)>,
    /// Write the played audio to a WAV file (32-bit float).
    #[arg(long)]
    pub audio_out: Option<PathBuf>,
    /// Write one JSON object per event per line to FILE, or to stdout with `-`.
    #[arg(long)]
    pub events: Option<String>,
    /// Highest video bitrate to use, bits/s.
    #[arg(long)]
    pub max_bitrate: Option<u64>,
    /// Fix the video quality level (0 = lowest bitrate).
    #[arg(long)]
    pub quality: Option<usize>,
    /// Video stream to play, by name.
    #[arg(long)]
    pub video: Option<String>,
    /// Audio stream to play, by name or language.
    #[arg(long)]
    pub audio: Option<String>,
    /// Show captions (printed above the status line, and `caption` events).
    #[arg(long)]
    pub captions: bool,
    /// Caption stream to show, by name or language (implies --captions).
    #[arg(long)]
    pub text: Option<String>,
    /// Read commands from stdin (`-`), one per line: pause, play, seek 30, seek -20,
    /// replay 10, live, quality N|auto, audio NAME, video NAME, captions on|off, stop.
    #[arg(long)]
    pub control: Option<String>,
    /// Live: play this far behind the live edge (seconds; default three fragments, never
    /// under one and a half). The latency is held by a playback rate within 5 % of normal.
    #[arg(long, value_parser = parse_time)]
    pub live_delay: Option<Duration>,
    /// Live: fall this far behind the delay (after a stall) and playback jumps back to the
    /// live point instead of catching up by rate (seconds).
    #[arg(long, value_parser = parse_time)]
    pub live_max_drift: Option<Duration>,
    /// Clock rate: 1 is real time; above 1 plays faster (paired with a live test origin's --speed).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// A mirror of the presentation (its manifest URL), used when the primary fails; repeatable.
    #[arg(long = "backup-url")]
    pub backup_urls: Vec<String>,
    /// Print nothing but errors (no status line, no summary).
    #[arg(long)]
    pub quiet: bool,
    /// Content keys for protected presentations.
    #[command(flatten)]
    pub keys: KeyArgs,
    /// Decoders: auto (hardware, then libav, then openh264), openh264 or libav.
    #[arg(long, default_value = "auto")]
    pub decoder: player_core::decode::Backend,
    /// Video decoding threads (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub decode_threads: Option<u16>,
    /// Audio channels to play and write: stereo (5.1 downmixed) or all.
    #[arg(long, value_name = "stereo|all", default_value = "stereo")]
    pub audio_channels: player_core::player::AudioChannels,
    /// Trusted roots and proxy.
    #[command(flatten)]
    pub net: NetArgs,
    /// Memory budget: bytes of compressed media plus decoded frames queued (suffix K, M or G
    /// for KiB, MiB, GiB; default 32M).
    #[arg(long, value_parser = parse_bytes)]
    pub budget: Option<usize>,
    /// Print a status line every SECONDS (a JSON `stats` line with --events, replacing the
    /// once-a-second ones).
    #[arg(long, value_name = "SECONDS", value_parser = parse_interval)]
    pub stats_interval: Option<Duration>,
    /// HTTP User-Agent.
    #[arg(long)]
    pub user_agent: Option<String>,
    /// Extra HTTP request header, `Name: value` (repeatable).
    #[arg(long = "header", value_name = "NAME: VALUE", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,
}

/// Parses a byte count: `1048576`, `512K`, `32M`, `1G` (binary multiples).
pub fn parse_bytes(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, ""),
    };
    let shift = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => {
            return Err(format!(
                "invalid size {s:?}: use bytes, or a K, M or G suffix"
            ));
        }
    };
    let n: usize = digits
        .parse()
        .map_err(|_| format!("invalid size {s:?}: use bytes, or a K, M or G suffix"))?;
    n.checked_mul(1usize << shift)
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("invalid size {s:?}"))
}

/// Parses a positive number of seconds.
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("invalid interval {s:?}: use seconds"))?;
    if !(v.is_finite() && v > 0.0) {
        return Err(format!("invalid interval {s:?}: must be more than 0"));
    }
    Duration::try_from_secs_f64(v).map_err(|e| format!("invalid interval {s:?}: {e}"))
}

/// Parses `Name: value`.
pub fn parse_header(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!("invalid header {s:?}: use 'Name: value'")),
    }
}

/// Parses `90`, `1.5`, `1:30` or `01:02:03` into a duration.
pub fn parse_time(s: &str) -> Result<Duration, String> {
    let mut secs = 0.0f64;
    for part in s.trim().split(':') {
        let v: f64 = part
            .parse()
            .map_err(|_| format!("invalid time {s:?}: use seconds or [hh:]mm:ss"))?;
        if !v.is_finite() || v < 0.0 {
            return Err(format!("invalid time {s:?}"));
        }
        secs = secs * 60.0 + v;
    }
    Duration::try_from_secs_f64(secs).map_err(|e| format!("invalid time {s:?}: {e}"))
}

/// Parses `WxH`.
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("invalid size {s:?}: use WxH"))?;
    let w: u32 = w.parse().map_err(|_| format!("invalid width in {s:?}"))?;
    let h: u32 = h.parse().map_err(|_| format!("invalid height in {s:?}"))?;
    if w == 0 || h == 0 || w > 16384 || h > 16384 {
        return Err(format!("invalid size {s:?}"));
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_sizes_parse() {
        assert_eq!(parse_time("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_time("1:30"), Ok(Duration::from_secs(90)));
        assert_eq!(
            parse_time("01:00:01.5"),
            Ok(Duration::from_millis(3_601_500))
        );
        assert!(parse_time("-3").is_err());
        assert!(parse_time("abc").is_err());
        assert_eq!(parse_size("1280x720"), Ok((1280, 720)));
        assert!(parse_size("0x10").is_err());
        assert!(parse_size("1280").is_err());
    }

    #[test]
    fn budgets_intervals_and_headers_parse() {
        assert_eq!(parse_bytes("1048576"), Ok(1 << 20));
        assert_eq!(parse_bytes("512K"), Ok(512 << 10));
        assert_eq!(parse_bytes("32M"), Ok(32 << 20));
        assert_eq!(parse_bytes("1g"), Ok(1 << 30));
        assert!(parse_bytes("0").is_err());
        assert!(parse_bytes("12T").is_err());
        assert!(parse_bytes("M").is_err());
        assert_eq!(parse_interval("0.5"), Ok(Duration::from_millis(500)));
        assert!(parse_interval("0").is_err());
        assert!(parse_interval("-1").is_err());
        assert_eq!(
            parse_header("X-Device-Id:  stb 42 "),
            Ok(("X-Device-Id".into(), "stb 42".into()))
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header(": empty name").is_err());
    }
}
