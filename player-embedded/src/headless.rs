//! Headless playback as the `smoothplay-headless play` command runs it: null or file sinks,
//! JSON events, a status line and a QoE summary. The desktop player falls back to this.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use player_core::player::{Config, Event, Player, Sinks, State, Summary};
use player_core::sink::{AudioSink, NullAudioSink, NullVideoSink, VideoSink};

use crate::sinks::{WavSink, Y4mSink};
use crate::status::status_line;

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
    /// Stop after this much media has played (seconds, or [hh:]mm:ss).
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
    /// Print nothing but errors (no status line, no summary).
    #[arg(long)]
    pub quiet: bool,
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

/// Where event lines go.
enum EventOut {
    None,
    Stdout,
    File(std::io::BufWriter<std::fs::File>),
}

impl EventOut {
    fn write(&mut self, value: &serde_json::Value) {
        let line = value.to_string();
        let _ = match self {
            EventOut::None => Ok(()),
            EventOut::Stdout => {
                let mut out = std::io::stdout().lock();
                writeln!(out, "{line}").and_then(|()| out.flush())
            }
            EventOut::File(f) => writeln!(f, "{line}"),
        };
    }
}

fn stamped(ev: &impl serde::Serialize, launched: Instant) -> serde_json::Value {
    let mut v = serde_json::to_value(ev).unwrap_or(serde_json::Value::Null);
    if let serde_json::Value::Object(map) = &mut v {
        map.insert(
            "wall_s".into(),
            serde_json::json!((launched.elapsed().as_secs_f64() * 1000.0).round() / 1000.0),
        );
    }
    v
}

/// Plays per `args`; returns the process exit code (0 = reached the end or `--for`).
pub fn run_play(args: &PlayArgs) -> i32 {
    run_play_with_keys(args, None)
}

/// [`run_play`] with content keys for protected presentations (the desktop fallback's
/// `--key`/`--key-seed`/`--license-url`).
pub fn run_play_with_keys(args: &PlayArgs, keys: Option<player_core::player::Keys>) -> i32 {
    let launched = Instant::now();
    let mut events_out = match args.events.as_deref() {
        None => EventOut::None,
        Some("-") => EventOut::Stdout,
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => EventOut::File(std::io::BufWriter::new(f)),
            Err(e) => {
                eprintln!("smoothplay: cannot create {path}: {e}");
                return 2;
            }
        },
    };
    let paced = !args.fast;
    let audio: Box<dyn AudioSink> = match &args.audio_out {
        Some(p) => Box::new(WavSink::new(p, paced)),
        None if paced => Box::new(NullAudioSink::paced()),
        None => Box::new(NullAudioSink::unpaced()),
    };
    let config = Config {
        fast: args.fast,
        start: args.start,
        max_bitrate: args.max_bitrate,
        quality: args.quality,
        video: args.video.clone(),
        audio: args.audio.clone(),
        keys,
        ..Config::default()
    };
    let mut sink_error = None;
    let opened = Player::open_with(&args.input, config, |info| {
        let video: Box<dyn VideoSink> = match &args.video_out {
            Some(p) => {
                // Pictures of every level are written at one size: by default the largest
                // level's, as a player would display them.
                let size = args.video_size.or_else(|| {
                    info.video_levels
                        .iter()
                        .filter_map(|l| Some((l.width?, l.height?)))
                        .max_by_key(|(w, h)| u64::from(*w) * u64::from(*h))
                });
                match Y4mSink::create(p, size, (25, 1)) {
                    Ok(s) => Box::new(s),
                    Err(e) => {
                        sink_error = Some(format!("cannot create {}: {e}", p.display()));
                        Box::new(NullVideoSink::default())
                    }
                }
            }
            None => Box::new(NullVideoSink::default()),
        };
        Sinks { video, audio }
    });
    if let Some(e) = sink_error {
        eprintln!("smoothplay: {e}");
        return 2;
    }
    let player = match opened {
        Ok(p) => p,
        Err(e) => {
            let ev = serde_json::json!({"type": "error", "kind": e.kind(), "message": e.to_string(), "fatal": true});
            events_out.write(&stamped(&ev, launched));
            eprintln!("smoothplay: {e}");
            return 1;
        }
    };
    let status = !args.quiet && std::io::stderr().is_terminal();
    let duration = player.duration();
    let mut code = 1;
    let mut last_status = Instant::now() - Duration::from_secs(1);
    loop {
        let ev = match player.events().recv_timeout(Duration::from_millis(200)) {
            Ok(ev) => Some(ev),
            Err(crossbeam_channel_timeout) => {
                if crossbeam_channel_timeout.is_disconnected() {
                    break;
                }
                None
            }
        };
        if let Some(ev) = &ev {
            events_out.write(&stamped(ev, launched));
            match ev {
                Event::Ended { .. } => {
                    code = 0;
                    break;
                }
                Event::State {
                    state: State::Failed,
                    ..
                } => break,
                Event::Error {
                    fatal: true,
                    message,
                    ..
                } if !args.quiet => {
                    if status {
                        eprintln!();
                    }
                    eprintln!("smoothplay: {message}");
                }
                Event::Stats(s)
                    if status && last_status.elapsed() >= Duration::from_millis(500) =>
                {
                    last_status = Instant::now();
                    eprint!("\r{}\x1b[K", status_line(s, Some(duration)));
                }
                _ => {}
            }
        }
        if let Some(limit) = args.play_for
            && player.position() >= args.start.unwrap_or_default() + limit
        {
            code = 0;
            break;
        }
    }
    player.stop();
    let summary = player.summary();
    drop(player);
    let mut line = stamped(&summary, launched);
    if let serde_json::Value::Object(map) = &mut line {
        map.insert("type".into(), "summary".into());
    }
    events_out.write(&line);
    if let EventOut::File(f) = &mut events_out {
        let _ = f.flush();
    }
    if status {
        eprintln!();
    }
    if !args.quiet {
        eprintln!("{}", summary_text(&summary));
    }
    code
}

/// The human-readable QoE summary.
pub fn summary_text(s: &Summary) -> String {
    let startup = s
        .startup_s
        .map_or_else(|| "-".to_string(), |v| format!("{v:.3} s"));
    let drift = s
        .av_drift_ms
        .map_or_else(|| "-".to_string(), |v| format!("{v:.1} ms"));
    format!(
        "startup {startup} · rebuffers {} ({:.2} s) · avg bitrate {} kbit/s · switches {} · frames {} decoded / {} dropped · played {:.1} s · A/V drift {drift}",
        s.rebuffers,
        s.rebuffer_s,
        s.avg_bitrate / 1000,
        s.switches,
        s.frames_decoded,
        s.frames_dropped,
        s.duration_played_s
    )
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
}
