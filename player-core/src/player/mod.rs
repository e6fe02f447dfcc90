//! The player: commands, events, state machine and pipeline threads.
//!
//! ```text
//! controller (tokio) ─► fetch task per stream ─► decoder thread ─► presenter / audio output ─► sinks
//! ```
//! Every stage is bounded: the fetch tasks stop at the forward-buffer target and the byte
//! budget, channels between threads are bounded, and a seek bumps a generation number so
//! stale work anywhere in the pipeline is dropped.

mod caption_loop;
mod caption_track;
mod command;
mod config;
mod decode_thread;
mod decoders;
mod event;
mod fetch_loop;
pub mod license;
mod messages;
mod navigation;
mod present_audio;
mod present_video;
mod protection;
mod quality;
mod selection;
mod session;
mod session_ctx;
mod shared;
mod single_file;
mod stats;
mod wrong_key;

pub use command::Command;
pub use config::{Config, SlowDecode};
pub use event::{Event, State, Stats, StreamKind, Summary};
pub use license::ClearKeyProvider;
pub use protection::Keys;

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::limits::MAX_MANIFEST_BYTES;
use crate::manifest::Manifest;
use crate::net::{Fetcher, Verdict, manifest_url};
use crate::sink::{AudioSink, NullAudioSink, NullVideoSink, VideoSink};

use quality::{QualityChooser, Rung};
use session::DecoderInputs;
use session_ctx::SessionCtx;
use shared::Shared;

/// Where the player sends pictures and sound.
pub struct Sinks {
    /// Receives pictures when due.
    pub video: Box<dyn VideoSink>,
    /// Plays sound and drives the clock.
    pub audio: Box<dyn AudioSink>,
}

impl Sinks {
    /// Null sinks paced at `speed` times real time (pair with `Config::speed`).
    pub fn null_at(speed: f64) -> Sinks {
        Sinks {
            video: Box::new(NullVideoSink::default()),
            audio: Box::new(NullAudioSink::paced_at(speed)),
        }
    }

    /// Sinks that discard media: paced in real time, or unpaced for `fast` runs.
    pub fn null(fast: bool) -> Sinks {
        Sinks {
            video: Box::new(NullVideoSink::default()),
            audio: Box::new(if fast {
                NullAudioSink::unpaced()
            } else {
                NullAudioSink::paced()
            }),
        }
    }
}

/// Sends commands to a player from any thread; cheap to clone.
#[derive(Clone)]
pub struct Commander(tokio::sync::mpsc::UnboundedSender<Command>);

impl Commander {
    /// Sends a command; returns false once the player has stopped.
    pub fn send(&self, command: Command) -> bool {
        self.0.send(command).is_ok()
    }
}

/// A video or audio quality level the player may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelInfo {
    /// Bitrate, bits/s.
    pub bitrate: u64,
    /// Width (video).
    pub width: Option<u32>,
    /// Height (video).
    pub height: Option<u32>,
}

/// A video or audio stream of the presentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackInfo {
    /// Name (or Language when it has no Name): what `select_stream` takes.
    pub name: String,
    /// Language.
    pub language: Option<String>,
    /// Whether its codec can be played.
    pub playable: bool,
    /// Whether it is the one playing.
    pub selected: bool,
}

/// What a host may want to know before choosing sinks.
#[derive(Debug, Clone, Copy)]
pub struct PresentationInfo<'a> {
    /// The parsed manifest.
    pub manifest: &'a Manifest,
    /// The video levels the player may use, lowest bitrate first (empty without video).
    pub video_levels: &'a [LevelInfo],
    /// Media time of the presentation start: positions and seeks count from here.
    pub origin: Duration,
}

/// A playing presentation. Dropping it stops playback and joins its threads.
pub struct Player {
    commands: tokio::sync::mpsc::UnboundedSender<Command>,
    events: crossbeam_channel::Receiver<Event>,
    ctx: Arc<SessionCtx>,
    runtime: Option<tokio::runtime::Runtime>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Player {
    /// Opens `input` (an http(s) manifest URL, a directory or a manifest file), selects the
    /// streams and starts buffering; playback starts by itself unless `start_paused`.
    pub fn open(input: &str, config: Config, sinks: Sinks) -> Result<Player> {
        Player::open_with(input, config, |_| sinks)
    }

    /// Like [`Player::open`], but builds the sinks once the presentation is known (e.g. to
    /// size a window or an output file from the video levels).
    pub fn open_with(
        input: &str,
        config: Config,
        make_sinks: impl FnOnce(&PresentationInfo) -> Sinks,
    ) -> Result<Player> {
        let opened_at = Instant::now();
        let mut config = config;
        if !(config.speed.is_finite() && config.speed > 0.0) {
            config.speed = 1.0;
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("smoothplay-net")
            .enable_all()
            .build()
            .map_err(|e| spawn_error("network runtime", &e))?;
        let fetcher = Fetcher::new(config.fetch.clone())?;
        let (manifest, base_url, file) = runtime.block_on(load(&fetcher, input))?;
        let selection =
            selection::select(&manifest, config.video.as_deref(), config.audio.as_deref())?;
        let (event_tx, events) = crossbeam_channel::bounded(4096);
        let ladder: Vec<Rung> = selection
            .video
            .as_ref()
            .map(quality::rungs)
            .unwrap_or_default();
        let chooser = QualityChooser::new(
            ladder,
            config.quality,
            config.max_bitrate,
            config.buffer_ahead.as_secs_f64(),
        );
        let mut selection = selection;
        let skipped = std::mem::take(&mut selection.skipped);
        let fast = config.fast;
        let origin = session_ctx::origin_of(&manifest, &selection);
        let start = config.start;
        let mut shared = Shared::new(
            origin + start.unwrap_or(Duration::ZERO),
            fast,
            config.speed,
            event_tx,
            opened_at,
        );
        shared.slow_decode = config.slow_decode;
        let shared = Arc::new(shared);
        let protection = protection::decryptor(&manifest, config.keys.as_ref());
        let ctx = SessionCtx::new(
            shared.clone(),
            fetcher,
            manifest,
            base_url,
            selection,
            config,
            chooser,
            protection,
        );
        for e in skipped {
            shared.emit(Event::Error {
                kind: e.kind().into(),
                message: e.to_string(),
                fatal: false,
            });
        }
        let mut ctx = ctx;
        // A local single file is indexed for its audio and video tracks only.
        if file.is_none() {
            match caption_track::pick_captions(&ctx.manifest, ctx.config.text.as_deref()) {
                Ok(Some((stream, ql))) => {
                    ctx.captions = caption_track::CaptionTrack::new(
                        &ctx.manifest,
                        stream,
                        ql,
                        ctx.config.captions,
                    );
                }
                Ok(None) => {}
                Err(e) => shared.emit(Event::Error {
                    kind: e.kind().into(),
                    message: e.to_string(),
                    fatal: false,
                }),
            }
        }
        ctx.file = file;
        let ctx = Arc::new(ctx);
        let sinks = make_sinks(&PresentationInfo {
            manifest: &ctx.manifest,
            video_levels: &levels_of(&ctx),
            origin: ctx.origin,
        });
        let (cmd_tx, cmd_rx) = tokio::sync::mpsc::unbounded_channel();
        let mut threads = Vec::new();
        let mut inputs = DecoderInputs {
            video: None,
            audio: None,
        };
        if ctx.plan(StreamKind::Video).is_some() {
            shared.set_active(StreamKind::Video);
            let (tx, rx) = session::decoder_channel();
            let (ftx, frx) = crossbeam_channel::bounded(4);
            inputs.video = Some(tx);
            let s = shared.clone();
            threads.push(spawn("smoothplay-vdec", move || {
                decode_thread::run_video(s, rx, ftx)
            })?);
            let s = shared.clone();
            let sink = sinks.video;
            threads.push(spawn("smoothplay-video", move || {
                present_video::run(s, frx, sink)
            })?);
        }
        if ctx.plan(StreamKind::Audio).is_some() {
            shared.set_active(StreamKind::Audio);
            let (tx, rx) = session::decoder_channel();
            let (ptx, prx) = crossbeam_channel::bounded(32);
            inputs.audio = Some(tx);
            let s = shared.clone();
            threads.push(spawn("smoothplay-adec", move || {
                decode_thread::run_audio(s, rx, ptx)
            })?);
            let s = shared.clone();
            let sink = sinks.audio;
            threads.push(spawn("smoothplay-audio", move || {
                present_audio::run(s, prx, sink)
            })?);
        }
        runtime.spawn(session::run(ctx.clone(), inputs, cmd_rx, start));
        Ok(Player {
            commands: cmd_tx,
            events,
            ctx,
            runtime: Some(runtime),
            threads: Mutex::new(threads),
        })
    }

    /// Sends a command; its outcome arrives as events.
    pub fn send(&self, command: Command) {
        let _ = self.commands.send(command);
    }

    /// A handle that sends commands from any thread (e.g. a control channel reader).
    pub fn commander(&self) -> Commander {
        Commander(self.commands.clone())
    }

    /// Resumes playback.
    pub fn play(&self) {
        self.send(Command::Play);
    }

    /// Pauses playback.
    pub fn pause(&self) {
        self.send(Command::Pause);
    }

    /// Seeks to `position` from the presentation start.
    pub fn seek(&self, position: Duration) {
        self.send(Command::Seek(position));
    }

    /// Jumps to the live point (the configured delay behind the edge).
    pub fn go_live(&self) {
        self.send(Command::GoLive);
    }

    /// Whether the presentation is live (fragments keep coming).
    pub fn is_live(&self) -> bool {
        self.ctx.is_live()
    }

    /// The range a seek may reach, from the presentation start: the whole presentation on
    /// demand, the DVR window on live (its end is the known live edge).
    pub fn seekable(&self) -> (Duration, Duration) {
        let o = self.ctx.origin;
        (
            self.ctx.window_start().saturating_sub(o),
            self.ctx.end().saturating_sub(o),
        )
    }

    /// Instant replay: jumps back `back` from the current position.
    pub fn replay(&self, back: Duration) {
        self.send(Command::SeekBy(-back.as_secs_f64()));
    }

    /// Fixes the video level (index into `video_levels()`), or `None` for automatic.
    pub fn set_quality(&self, level: Option<usize>) {
        self.send(Command::SetQuality(level));
    }

    /// Tells the ABR the size the video is shown at (window resized, fullscreen).
    pub fn set_viewport(&self, size: Option<(u32, u32)>) {
        self.send(Command::SetViewport(size));
    }

    /// Shows or hides captions (`Event::Caption` reports what is on screen).
    pub fn set_captions(&self, on: bool) {
        self.send(Command::SetCaptions(on));
    }

    /// Whether the presentation has a caption stream the player can show.
    pub fn has_captions(&self) -> bool {
        self.ctx.captions.is_some()
    }

    /// Caps the video bitrate.
    pub fn set_max_bitrate(&self, cap: Option<u64>) {
        self.send(Command::SetMaxBitrate(cap));
    }

    /// Switches the video (camera angle) or audio (language) stream, by Name or Language.
    pub fn select_stream(&self, kind: StreamKind, name: &str) {
        self.send(Command::SelectStream {
            kind,
            name: name.to_string(),
        });
    }

    /// The streams of `kind` the presentation offers: (Name or Language, whether playable).
    pub fn tracks(&self, kind: StreamKind) -> Vec<TrackInfo> {
        let ty = match kind {
            StreamKind::Video => crate::manifest::StreamType::Video,
            StreamKind::Audio => crate::manifest::StreamType::Audio,
        };
        let current = self.ctx.plan(kind).map(|p| p.stream);
        self.ctx
            .manifest
            .streams
            .iter()
            .enumerate()
            .filter(|(_, s)| s.stream_type == ty)
            .map(|(i, s)| TrackInfo {
                name: s
                    .name
                    .clone()
                    .or_else(|| s.language.clone())
                    .unwrap_or_default(),
                language: s.language.clone(),
                playable: s.quality_levels.iter().any(|q| q.codec.is_supported()),
                selected: current == Some(i),
            })
            .collect()
    }

    /// Stops playback (the player can then only be dropped).
    pub fn stop(&self) {
        self.send(Command::Stop);
    }

    /// The event stream.
    pub fn events(&self) -> &crossbeam_channel::Receiver<Event> {
        &self.events
    }

    /// The current position from the presentation start.
    pub fn position(&self) -> Duration {
        self.ctx.shared.position().saturating_sub(self.ctx.origin)
    }

    /// The presentation's length (on demand).
    pub fn duration(&self) -> Duration {
        self.ctx.end().saturating_sub(self.ctx.origin)
    }

    /// The parsed manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.ctx.manifest
    }

    /// The video levels the player may choose from, lowest bitrate first.
    pub fn video_levels(&self) -> Vec<LevelInfo> {
        levels_of(&self.ctx)
    }

    /// The quality-of-experience summary so far.
    pub fn summary(&self) -> Summary {
        let shared = &self.ctx.shared;
        shared.with_stats(|s| s.summary(shared.opened_at, Instant::now()))
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
        self.ctx.shared.shut_down();
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(2));
        }
        let threads = match self.threads.lock() {
            Ok(mut t) => std::mem::take(&mut *t),
            Err(p) => std::mem::take(&mut *p.into_inner()),
        };
        for t in threads {
            let _ = t.join();
        }
    }
}

/// Fetches and parses the client manifest behind `input` (URL, directory or file); returns
/// it with the URL fragment URLs resolve against.
pub async fn fetch_manifest(fetcher: &Fetcher, input: &str) -> Result<(Manifest, url::Url)> {
    let url = manifest_url(input)?;
    let download = fetcher
        .fetch(&url, MAX_MANIFEST_BYTES, &mut |_| Verdict::Continue)
        .await?;
    let manifest = crate::manifest::parse(&download.body)?;
    Ok((manifest, download.url))
}

/// Loads what `input` names: a Smooth manifest, or a local single file indexed as one.
async fn load(
    fetcher: &Fetcher,
    input: &str,
) -> Result<(Manifest, url::Url, Option<single_file::FileIndex>)> {
    if crate::net::local_file::is_single_file(input) {
        let path = std::path::absolute(input).map_err(|e| crate::net::NetError::BadInput {
            input: input.to_string(),
            reason: e.to_string(),
        })?;
        let (manifest, index) = single_file::open(&path).await?;
        let url = url::Url::from_file_path(&path).map_err(|()| crate::net::NetError::BadInput {
            input: input.to_string(),
            reason: "path cannot be expressed as a URL".into(),
        })?;
        return Ok((manifest, url, Some(index)));
    }
    let (manifest, url) = fetch_manifest(fetcher, input).await?;
    Ok((manifest, url, None))
}

/// Loads the manifest behind `input` (a local single file is described as one) with default
/// network settings, blocking (for `probe`-like tools).
pub fn load_manifest(input: &str) -> Result<(Manifest, url::Url)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| spawn_error("network runtime", &e))?;
    let fetcher = Fetcher::new(crate::net::FetchConfig::default())?;
    let (manifest, url, _) = runtime.block_on(load(&fetcher, input))?;
    Ok((manifest, url))
}

fn levels_of(ctx: &SessionCtx) -> Vec<LevelInfo> {
    ctx.plan(StreamKind::Video)
        .map(|p| {
            p.levels
                .iter()
                .map(|l| LevelInfo {
                    bitrate: l.bitrate,
                    width: l.width,
                    height: l.height,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .map_err(|e| spawn_error(name, &e))
}

fn spawn_error(what: &str, e: &std::io::Error) -> Error {
    Error::Spawn {
        what: what.to_string(),
        message: e.to_string(),
    }
}
