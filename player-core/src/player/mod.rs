//! The player: the session state machine run by a thin driver on tokio, the decoder threads
//! and the presenters, behind the public [`Player`] API.
//!
//! ```text
//! driver (tokio: session, fetch tasks, refreshes) ─► decoder threads ─► presenter / audio output ─► sinks
//! ```
//! Every stage is bounded: the session fetches only up to the forward-buffer target and the
//! byte budget, channels between threads are bounded, and a new start point bumps a
//! generation number so stale work anywhere in the pipeline is dropped.

mod audio_stage;
mod config;
mod decode_thread;
// Shared with thumbnail/, which decodes key frames on decoders of its own.
pub(crate) mod decoders;
mod driver;
mod fetch_task;
pub(crate) mod keys;
pub mod license;
mod messages;
mod pipeline;
mod pool_shared;
mod present_audio;
mod present_video;
mod stats;
mod video_pool;
mod video_stage;

pub use crate::session::{
    Command, Event, Level as LevelInfo, RATES, State, Stats, StreamKind, Summary, View, step_rate,
};
#[cfg(feature = "test-hooks")]
pub use config::SlowDecode;
pub use config::{AudioChannels, Config};
pub use keys::Keys;
pub use license::ClearKeyProvider;

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::base::locked;
use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::net::{Fetcher, RetryNotice, Source};
use crate::session::Session;
use crate::sink::{AudioSink, NullAudioSink, NullVideoSink, VideoSink};

use crate::decode::DecoderFactory;
use audio_stage::AudioStage;
use decoders::AudioDecoding;
use driver::{DecoderInput, Driver};
use fetch_task::FetchContext;
use pipeline::Pipeline;
use video_pool::VideoPool;

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
    manifest: Arc<Manifest>,
    view: Arc<Mutex<View>>,
    pipeline: Arc<Pipeline>,
    runtime: Option<tokio::runtime::Runtime>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    /// What the decoders can play.
    codecs: crate::demux::CodecSupport,
    /// The decoder backend in words.
    backend: &'static str,
}

impl Player {
    /// Opens `input` (an http(s) manifest URL, a directory, a manifest file or a single
    /// `.ismv`), selects the streams and starts buffering; playback starts by itself unless
    /// `start_paused`.
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
        // Opened first: retries of the manifest itself are events too.
        let (event_tx, events) = crossbeam_channel::bounded(4096);
        let fetcher = Fetcher::new(config.fetch.clone())?.on_retry(retry_events(&event_tx));
        let (source, manifest) =
            runtime.block_on(Source::open(input, fetcher, &config.backup_urls))?;
        let manifest = Arc::new(manifest);
        let plan = DecodePlan::new(&config)?;
        let session_config = config.session(
            source.locations(),
            !source.is_single_file(),
            plan.factory.support(),
        );
        let session = Session::new(manifest.clone(), session_config, opened_at)?;
        let view = session.view();
        let sinks = make_sinks(&PresentationInfo {
            manifest: &manifest,
            video_levels: &view.video_levels,
            origin: view.origin,
        });
        let mut pipeline =
            Pipeline::new(view.origin, config.fast, config.speed, event_tx, opened_at);
        #[cfg(feature = "test-hooks")]
        {
            pipeline.slow_decode = config.slow_decode;
        }
        pipeline.budget = config.buffer_bytes as u64;
        let pipeline = Arc::new(pipeline);
        warn_protection_defects(&pipeline, &manifest);
        let (decoders, threads) = start_threads(&pipeline, &view, sinks, &plan)?;
        let fetch = Arc::new(FetchContext {
            source,
            decryptor: keys::decryptor(&manifest, config.keys.as_ref()),
            manifest: manifest.clone(),
        });
        let view = Arc::new(Mutex::new(view));
        let driver = Driver {
            session,
            pipeline: pipeline.clone(),
            fetch,
            decoders,
            view: view.clone(),
        };
        let (cmd_tx, cmd_rx) = tokio::sync::mpsc::unbounded_channel();
        runtime.spawn(driver.run(cmd_rx));
        Ok(Player {
            commands: cmd_tx,
            events,
            manifest,
            view,
            pipeline,
            runtime: Some(runtime),
            threads: Mutex::new(threads),
            codecs: plan.factory.support(),
            backend: plan.factory.describe(),
        })
    }

    fn view(&self) -> View {
        locked(&self.view).clone()
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
        self.view().live
    }

    /// The range a seek may reach, from the presentation start: the whole presentation on
    /// demand, the DVR window on live (its end is the known live edge).
    pub fn seekable(&self) -> (Duration, Duration) {
        let v = self.view();
        (
            v.window_start.saturating_sub(v.origin),
            v.end.saturating_sub(v.origin),
        )
    }

    /// Trick play: fast forward or rewind at `rate` (−16, −8, −4, −2, 2, 4, 8, 16; negative
    /// rewinds), or back to normal at 1. Another rate is refused with an error event; the
    /// change and any return to 1 by itself arrive as `Event::Rate`.
    pub fn set_rate(&self, rate: f64) {
        self.send(Command::SetRate(rate));
    }

    /// The trick-play rate asked for (1 = normal).
    pub fn rate(&self) -> f64 {
        self.view().rate
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

    /// Every marker known so far (chapters, ad signals, script commands), by start in media
    /// time (`origin()` is position 0); `Event::Marker` reports each as it is learnt and
    /// reached.
    pub fn markers(&self) -> std::sync::Arc<[crate::markers::Marker]> {
        self.view().markers
    }

    /// Whether the presentation has a caption stream the player can show.
    pub fn has_captions(&self) -> bool {
        self.view().has_captions
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
        let current = self.view().selected[kind.idx()];
        self.manifest
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
                playable: s.quality_levels.iter().any(|q| {
                    crate::demux::decoder_config(q).is_ok_and(|c| self.codecs.supports(&c))
                }),
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

    /// Media time of position 0 (the presentation's first fragment when it was opened).
    pub fn origin(&self) -> Duration {
        self.view().origin
    }

    /// The current position from the presentation start.
    pub fn position(&self) -> Duration {
        self.pipeline.position().saturating_sub(self.view().origin)
    }

    /// The presentation's length (on demand).
    pub fn duration(&self) -> Duration {
        let v = self.view();
        v.end.saturating_sub(v.origin)
    }

    /// The parsed manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The video levels the player may choose from, lowest bitrate first.
    pub fn video_levels(&self) -> Vec<LevelInfo> {
        self.view().video_levels.to_vec()
    }

    /// The decoder backend playing: `openh264+symphonia`, `libav`, `libav (hardware first)`.
    pub fn decoder(&self) -> &'static str {
        self.backend
    }

    /// The quality-of-experience summary so far.
    pub fn summary(&self) -> Summary {
        let p = &self.pipeline;
        p.with_stats(|s| s.summary(p.opened_at, Instant::now()))
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
        self.pipeline.shut_down();
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(2));
        }
        let threads = std::mem::take(&mut *locked(&self.threads));
        for t in threads {
            let _ = t.join();
        }
        // The spare planes are a cache for playing; a stopped player leaves no pictures behind.
        crate::base::spare_planes::release();
    }
}

/// How the decoders are set up: the backend's factory, fragment-parallel workers, and
/// whether audio is downmixed.
struct DecodePlan {
    factory: DecoderFactory,
    /// Video fragments decoded at once.
    workers: usize,
    stereo: bool,
}

impl DecodePlan {
    /// openh264 decodes `threads` fragments at once; libav one fragment at a time on
    /// `threads` frame threads (its pictures need no reordering memory).
    fn new(config: &Config) -> Result<DecodePlan> {
        let threads = config
            .decode_threads
            .unwrap_or_else(config::default_decode_threads)
            .clamp(1, 64);
        let factory = DecoderFactory::new(config.decoder, threads)?;
        let workers = if factory.frame_threads() > 1 {
            1
        } else {
            threads
        };
        tracing::debug!(backend = factory.describe(), workers, "video decoding");
        Ok(DecodePlan {
            factory,
            workers,
            stereo: config.audio_channels == AudioChannels::Stereo,
        })
    }
}

/// Starts a decoder thread and a presenter thread for each selected stream.
#[allow(clippy::type_complexity)]
fn start_threads(
    pipeline: &Arc<Pipeline>,
    view: &View,
    sinks: Sinks,
    plan: &DecodePlan,
) -> Result<([Option<DecoderInput>; 2], Vec<JoinHandle<()>>)> {
    let mut threads = Vec::new();
    let mut inputs = [None, None];
    if view.selected[StreamKind::Video.idx()].is_some() {
        pipeline.set_active(StreamKind::Video);
        let (input, rx) = DecoderInput::channel();
        let (ftx, frx) = crossbeam_channel::bounded(4);
        inputs[StreamKind::Video.idx()] = Some(input);
        let (pool, workers) = VideoPool::start(pipeline, &plan.factory, plan.workers, ftx.clone())?;
        threads.extend(workers);
        let p = pipeline.clone();
        threads.push(spawn("smoothplay-vdec", move || {
            decode_thread::run(p, rx, ftx, pool);
        })?);
        let p = pipeline.clone();
        let sink = sinks.video;
        threads.push(spawn("smoothplay-video", move || {
            present_video::run(p, frx, sink);
        })?);
    }
    if view.selected[StreamKind::Audio.idx()].is_some() {
        pipeline.set_active(StreamKind::Audio);
        let (input, rx) = DecoderInput::channel();
        let (ptx, prx) = crossbeam_channel::bounded(32);
        inputs[StreamKind::Audio.idx()] = Some(input);
        let p = pipeline.clone();
        let stage = AudioStage::new(AudioDecoding::new(plan.factory.clone(), plan.stereo));
        threads.push(spawn("smoothplay-adec", move || {
            decode_thread::run(p, rx, ptx, stage);
        })?);
        let p = pipeline.clone();
        let sink = sinks.audio;
        threads.push(spawn("smoothplay-audio", move || {
            present_audio::run(p, prx, sink);
        })?);
    }
    Ok((inputs, threads))
}

/// Protection headers that cannot be read are listed without KIDs; playback goes on (the
/// clear streams play) and the host is told what is wrong.
fn warn_protection_defects(pipeline: &Pipeline, manifest: &Manifest) {
    for defect in manifest
        .protection
        .iter()
        .filter_map(|p| p.defect.as_deref())
    {
        let message = format!("{defect}; its keys are unknown, clear streams still play");
        pipeline.emit(Event::problem("manifest", message, false));
    }
}

/// A retry watcher that posts each retry as an event, never waiting (a full queue drops it).
fn retry_events(events: &crossbeam_channel::Sender<Event>) -> impl Fn(&RetryNotice) + use<> {
    let events = events.clone();
    move |n: &RetryNotice| {
        let _ = events.try_send(Event::Retry {
            request: n.kind.as_str().to_string(),
            url: n.url.clone(),
            attempt: n.attempt,
            attempts: n.attempts,
            delay_s: n.wait.as_secs_f64(),
            error: n.error.to_string(),
        });
    }
}

/// Loads the manifest behind `input` (a local single file is described as one) with default
/// network settings, blocking (for `probe`-like tools); returns it with the URL fragments
/// resolve against.
pub fn load_manifest(input: &str) -> Result<(Manifest, url::Url)> {
    load_manifest_with(input, crate::net::FetchConfig::default())
}

/// Like [`load_manifest`], with these network settings (proxy, extra trusted roots…).
pub fn load_manifest_with(
    input: &str,
    network: crate::net::FetchConfig,
) -> Result<(Manifest, url::Url)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| spawn_error("network runtime", &e))?;
    let fetcher = Fetcher::new(network)?;
    let (source, manifest) = runtime.block_on(Source::open(input, fetcher, &[]))?;
    Ok((manifest, source.url().clone()))
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
