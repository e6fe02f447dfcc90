//! Running `play`: opens the player with null or file sinks, logs its events as JSON lines,
//! keeps a status line on the terminal, and ends with a QoE summary.

use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::args::PlayArgs;
use crate::keys::provider_from_args_with;
use crate::sinks::{WavSink, Y4mSink};
use crate::status::status_line;
use crate::{
    AudioSink, Event, NullAudioSink, NullVideoSink, Player, PlayerBuilder, PresentationInfo, State,
    Stats, Summary, VideoSink,
};

/// Longest wait for an event before checking `--for` and the stats interval.
const POLL: Duration = Duration::from_millis(200);

/// Plays per `args`; returns the process exit code (0 = reached the end or `--for`).
pub fn run_play(args: &PlayArgs) -> i32 {
    let launched = Instant::now();
    let mut events_out = match EventOut::open(args.events.as_deref()) {
        Ok(out) => out,
        Err(message) => {
            eprintln!("smoothplay: {message}");
            return 2;
        }
    };
    let player = match open_player(args, &mut events_out, launched) {
        Ok(p) => p,
        Err(code) => return code,
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
    let mut watch = Watch::new(args, &player, launched, live_status);
    let code = watch.run(&player, &mut events_out);
    finish(player, args, &mut events_out, launched, live_status);
    code
}

/// Opens the player; on failure, says why and returns the exit code (2: bad options or
/// output files, 1: the presentation cannot be played).
fn open_player(
    args: &PlayArgs,
    events_out: &mut EventOut,
    launched: Instant,
) -> Result<Player, i32> {
    let audio = audio_sink(args);
    let builder = player_builder(args);
    // The license server is asked the way the presentation is fetched (proxy, CA files).
    let keys = provider_from_args_with(&args.keys, &builder.config().fetch).map_err(|e| {
        eprintln!("smoothplay: {e}");
        2
    })?;
    let builder = match keys {
        Some(k) => builder.keys(k),
        None => builder,
    };
    let sink_error = Rc::new(RefCell::new(None));
    let opened = builder
        .audio_sink_with(move |_| audio)
        .video_sink_with(video_sink_maker(args, sink_error.clone()))
        .open(&args.input);
    if let Some(e) = sink_error.borrow_mut().take() {
        eprintln!("smoothplay: {e}");
        return Err(2);
    }
    opened.map_err(|e| {
        let ev = serde_json::json!({"type": "error", "kind": e.kind(), "message": e.to_string(), "fatal": true});
        events_out.write(&stamped(&ev, launched));
        eprintln!("smoothplay: {e}");
        1
    })
}

/// The audio sink: a WAV file with `--audio-out`, else a null sink (paced unless `--fast`).
fn audio_sink(args: &PlayArgs) -> Box<dyn AudioSink> {
    let paced = !args.fast;
    match &args.audio_out {
        Some(p) => Box::new(WavSink::new(p, paced, args.speed)),
        None if paced => Box::new(NullAudioSink::paced_at(args.speed)),
        None => Box::new(NullAudioSink::unpaced()),
    }
}

/// The builder with every playback and network option of `args` (the keys and the sinks
/// are added by the caller).
fn player_builder(args: &PlayArgs) -> PlayerBuilder {
    let (live_delay, speed, backup_urls) = (args.live_delay, args.speed, args.backup_urls.clone());
    let max_drift = args.live_max_drift;
    let (captions, text) = (args.captions || args.text.is_some(), args.text.clone());
    let net = args.net.clone();
    let mut builder = PlayerBuilder::new()
        .configure(move |c| {
            net.apply(&mut c.fetch);
            c.live_delay = live_delay;
            if let Some(d) = max_drift {
                c.live_max_drift = d;
            }
            c.speed = speed;
            c.backup_urls = backup_urls;
            c.captions = captions;
            c.text = text;
        })
        .fast(args.fast)
        .max_bitrate(args.max_bitrate)
        .quality(args.quality)
        .decoder(args.decoder)
        .decode_threads(args.decode_threads.map(usize::from))
        .audio_channels(args.audio_channels);
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
    builder
}

/// Makes the video sink once the presentation is known: a Y4M file with `--video-out`, else
/// a null sink. A file that cannot be created is reported in `error_slot`.
fn video_sink_maker(
    args: &PlayArgs,
    error_slot: Rc<RefCell<Option<String>>>,
) -> impl FnOnce(&PresentationInfo) -> Box<dyn VideoSink> + 'static {
    let (video_out, video_size) = (args.video_out.clone(), args.video_size);
    move |info| {
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
    }
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

/// Follows the player's events until playback is over: logs them, draws the status line,
/// writes stats at `--stats-interval`, and stops after `--for`.
struct Watch<'a> {
    args: &'a PlayArgs,
    launched: Instant,
    live_status: bool,
    duration: Duration,
    last_status: Instant,
    latest: Stats,
    next_tick: Option<Instant>,
}

impl<'a> Watch<'a> {
    fn new(args: &'a PlayArgs, player: &Player, launched: Instant, live_status: bool) -> Self {
        Watch {
            args,
            launched,
            live_status,
            duration: player.duration(),
            last_status: Instant::now() - Duration::from_secs(1),
            latest: Stats::default(),
            next_tick: args.stats_interval.map(|i| Instant::now() + i),
        }
    }

    /// Runs until playback is over; the exit code (0 = reached the end, stopped, or `--for`).
    fn run(&mut self, player: &Player, events_out: &mut EventOut) -> i32 {
        loop {
            let wait = self.next_tick.map_or(POLL, |t| {
                t.saturating_duration_since(Instant::now()).min(POLL)
            });
            match player.events().recv_timeout(wait) {
                Ok(ev) => {
                    if let Some(code) = self.on_event(&ev, events_out) {
                        return code;
                    }
                }
                Err(e) if e.is_disconnected() => return 1,
                Err(_) => {}
            }
            self.stats_tick(player, events_out);
            // D seconds of media played from wherever playback started, live or on demand
            // (positions on live count from the window's start, not from the start point).
            if let Some(limit) = self.args.play_for
                && player.summary().duration_played_s >= limit.as_secs_f64()
            {
                return 0;
            }
        }
    }

    /// Logs `ev` and shows what a terminal shows of it; the exit code once playback is over.
    fn on_event(&mut self, ev: &Event, events_out: &mut EventOut) -> Option<i32> {
        if let Event::Stats(s) = ev {
            self.latest = s.clone();
        }
        // With --stats-interval, stats lines come at that interval instead.
        if !(matches!(ev, Event::Stats(_)) && self.next_tick.is_some()) {
            events_out.write(&stamped(ev, self.launched));
        }
        match ev {
            Event::Ended { .. } => return Some(0),
            Event::State {
                state: State::Failed,
                ..
            } => return Some(1),
            // Stopped on request (`stop` on the control channel): a normal end.
            Event::State {
                state: State::Stopped,
                ..
            } => return Some(0),
            Event::Error {
                fatal: true,
                message,
                ..
            } if !self.args.quiet => {
                if self.live_status {
                    eprintln!();
                }
                eprintln!("smoothplay: {message}");
            }
            // Captions scroll above the status line, as subtitles would on a terminal.
            Event::Caption { text, position_s } if self.live_status && !text.is_empty() => {
                let at = position_s.max(0.0) as u64;
                let shown = text.replace('\n', " / ");
                eprintln!("\r[{}:{:02}] {shown}\x1b[K", at / 60, at % 60);
            }
            // Chapters and ad breaks, as they are reached, above the status line too.
            Event::Marker {
                kind,
                text,
                start_s,
                duration_s,
                upcoming: false,
                ..
            } if self.live_status => {
                let at = start_s.max(0.0) as u64;
                let what = crate::status::marker_line(*kind, text.as_deref(), *duration_s);
                eprintln!("\r[{}:{:02}] {what}\x1b[K", at / 60, at % 60);
            }
            Event::Stats(s)
                if self.live_status && self.last_status.elapsed() >= Duration::from_millis(500) =>
            {
                self.last_status = Instant::now();
                eprint!("\r{}\x1b[K", status_line(s, Some(self.duration)));
            }
            _ => {}
        }
        None
    }

    /// With `--stats-interval`: a status line (or a JSON stats line) when one is due.
    fn stats_tick(&mut self, player: &Player, events_out: &mut EventOut) {
        let (Some(at), Some(interval)) = (self.next_tick, self.args.stats_interval) else {
            return;
        };
        if Instant::now() < at {
            return;
        }
        self.next_tick = Some((at + interval).max(Instant::now()));
        let now = Stats {
            position_s: player.position().as_secs_f64(),
            ..self.latest.clone()
        };
        if events_out.is_none() {
            eprintln!("{}", status_line(&now, Some(self.duration)));
        } else {
            events_out.write(&stamped(&Event::Stats(now), self.launched));
        }
    }
}

/// Stops the player and reports its summary (a `summary` event line, and the text on
/// stderr unless `--quiet`).
fn finish(
    player: Player,
    args: &PlayArgs,
    events_out: &mut EventOut,
    launched: Instant,
    live_status: bool,
) {
    player.stop();
    let summary = player.summary();
    drop(player);
    let mut line = stamped(&summary, launched);
    if let serde_json::Value::Object(map) = &mut line {
        map.insert("type".into(), "summary".into());
    }
    events_out.write(&line);
    events_out.flush();
    if live_status {
        eprintln!();
    }
    if !args.quiet {
        eprintln!("{}", summary_text(&summary));
    }
}

/// Where event lines go.
enum EventOut {
    None,
    Stdout,
    File(std::io::BufWriter<std::fs::File>),
}

impl EventOut {
    /// `--events`: none, `-` for stdout, or a file (created here).
    fn open(target: Option<&str>) -> Result<EventOut, String> {
        Ok(match target {
            None => EventOut::None,
            Some("-") => EventOut::Stdout,
            Some(path) => match std::fs::File::create(path) {
                Ok(f) => EventOut::File(std::io::BufWriter::new(f)),
                Err(e) => return Err(format!("cannot create {path}: {e}")),
            },
        })
    }

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

    fn flush(&mut self) {
        if let EventOut::File(f) = self {
            let _ = f.flush();
        }
    }
}

/// `ev` as JSON with its `wall_s` stamp (seconds since launch).
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
