//! Headless playback as the `smoothplay-headless play` command runs it: null or file sinks,
//! JSON events, a status line and a QoE summary. The desktop player falls back to this.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::keys::{KeyArgs, provider_from_args};
use crate::sinks::{WavSink, Y4mSink};
use crate::status::status_line;
use crate::{
    AudioSink, Event, NullAudioSink, NullVideoSink, PlayerBuilder, State, Stats, Summary, VideoSink,
};

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
    /// Live: play this far behind the live edge (seconds; default three fragments).
    #[arg(long, value_parser = parse_time)]
    pub live_delay: Option<Duration>,
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

/// Reads control commands from stdin on its own thread; bad lines are reported on stderr.
fn spawn_control_reader(commander: player_core::player::Commander) {
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if line.trim().is_empty() {
                continue;
            }
            match player_core::player::Command::parse(&line) {
                Ok(cmd) => {
                    if !commander.send(cmd) {
                        break;
                    }
                }
                Err(e) => eprintln!("smoothplay: {e}"),
            }
        }
    });
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

/// Longest wait for an event before checking `--for` and the stats interval.
const POLL: Duration = Duration::from_millis(200);

/// Where event lines go.
enum EventOut {
    None,
    Stdout,
    File(std::io::BufWriter<std::fs::File>),
}

impl EventOut {
    fn is_none(&self) -> bool {
        matches!(self, EventOut::None)
    }

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
        Some(p) => Box::new(WavSink::new(p, paced, args.speed)),
        None if paced => Box::new(NullAudioSink::paced_at(args.speed)),
        None => Box::new(NullAudioSink::unpaced()),
    };
    let keys = match provider_from_args(&args.keys) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("smoothplay: {e}");
            return 2;
        }
    };
    let (live_delay, speed, backup_urls) = (args.live_delay, args.speed, args.backup_urls.clone());
    let (captions, text) = (args.captions || args.text.is_some(), args.text.clone());
    let mut builder = PlayerBuilder::new()
        .configure(move |c| {
            c.keys = keys;
            c.live_delay = live_delay;
            c.speed = speed;
            c.backup_urls = backup_urls;
            c.captions = captions;
            c.text = text;
        })
        .fast(args.fast)
        .max_bitrate(args.max_bitrate)
        .quality(args.quality)
        .audio_sink_with(move |_| audio);
    if let Some(start) = args.start {
        builder = builder.start(start);
    }
    if let Some(v) = &args.video {
        builder = builder.video_stream(v.clone());
    }
    if let Some(a) = &args.audio {
        builder = builder.audio_stream(a.clone());
    }
    if let Some(bytes) = args.budget {
        builder = builder.buffer_bytes(bytes);
    }
    if let Some(ua) = &args.user_agent {
        builder = builder.user_agent(ua.clone());
    }
    for (name, value) in &args.headers {
        builder = builder.header(name.clone(), value.clone());
    }
    let sink_error = std::rc::Rc::new(std::cell::RefCell::new(None));
    let video_out = args.video_out.clone();
    let video_size = args.video_size;
    let error_slot = sink_error.clone();
    let opened = builder
        .video_sink_with(move |info| {
            let Some(p) = video_out else {
                return Box::new(NullVideoSink::default());
            };
            // Pictures of every level are written at one size: by default the largest
            // level's, as a player would display them.
            let size = video_size.or_else(|| {
                info.video_levels
                    .iter()
                    .filter_map(|l| Some((l.width?, l.height?)))
                    .max_by_key(|(w, h)| u64::from(*w) * u64::from(*h))
            });
            match Y4mSink::create(&p, size, (25, 1)) {
                Ok(s) => Box::new(s) as Box<dyn VideoSink>,
                Err(e) => {
                    *error_slot.borrow_mut() = Some(format!("cannot create {}: {e}", p.display()));
                    Box::new(NullVideoSink::default())
                }
            }
        })
        .open(&args.input);
    let sink_error = sink_error.borrow_mut().take();
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
    if let Some(source) = &args.control {
        if source != "-" {
            eprintln!("smoothplay: --control takes `-` (stdin)");
            return 2;
        }
        spawn_control_reader(player.commander());
    }
    // A status line redrawn in place on a terminal, unless lines were asked for at an interval.
    let live_status =
        !args.quiet && args.stats_interval.is_none() && std::io::stderr().is_terminal();
    let duration = player.duration();
    let mut code = 1;
    let mut last_status = Instant::now() - Duration::from_secs(1);
    let mut latest = Stats::default();
    let mut next_tick = args.stats_interval.map(|i| Instant::now() + i);
    loop {
        let wait = next_tick.map_or(POLL, |t| {
            t.saturating_duration_since(Instant::now()).min(POLL)
        });
        let ev = match player.events().recv_timeout(wait) {
            Ok(ev) => Some(ev),
            Err(e) if e.is_disconnected() => break,
            Err(_) => None,
        };
        if let Some(ev) = &ev {
            if let Event::Stats(s) = ev {
                latest = s.clone();
            }
            // With --stats-interval, stats lines come at that interval instead.
            if !(matches!(ev, Event::Stats(_)) && next_tick.is_some()) {
                events_out.write(&stamped(ev, launched));
            }
            match ev {
                Event::Ended { .. } => {
                    code = 0;
                    break;
                }
                Event::State {
                    state: State::Failed,
                    ..
                } => break,
                // Stopped on request (`stop` on the control channel): a normal end.
                Event::State {
                    state: State::Stopped,
                    ..
                } => {
                    code = 0;
                    break;
                }
                Event::Error {
                    fatal: true,
                    message,
                    ..
                } if !args.quiet => {
                    if live_status {
                        eprintln!();
                    }
                    eprintln!("smoothplay: {message}");
                }
                // Captions scroll above the status line, as subtitles would on a terminal.
                Event::Caption { text, position_s } if live_status && !text.is_empty() => {
                    let at = position_s.max(0.0) as u64;
                    let shown = text.replace('\n', " / ");
                    eprintln!("\r[{}:{:02}] {shown}\x1b[K", at / 60, at % 60);
                }
                Event::Stats(s)
                    if live_status && last_status.elapsed() >= Duration::from_millis(500) =>
                {
                    last_status = Instant::now();
                    eprint!("\r{}\x1b[K", status_line(s, Some(duration)));
                }
                _ => {}
            }
        }
        if let (Some(at), Some(interval)) = (next_tick, args.stats_interval)
            && Instant::now() >= at
        {
            next_tick = Some((at + interval).max(Instant::now()));
            let now = Stats {
                position_s: player.position().as_secs_f64(),
                ..latest.clone()
            };
            if events_out.is_none() {
                eprintln!("{}", status_line(&now, Some(duration)));
            } else {
                events_out.write(&stamped(&Event::Stats(now), launched));
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
    if live_status {
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
