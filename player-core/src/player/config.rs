//! How a player is set up: buffering, pacing, quality caps, stream choice, network.

use std::time::Duration;

use crate::decode::Backend;
use crate::net::FetchConfig;
use crate::session::SessionConfig;

/// A simulated slow decoder (test hook, see [`Config::slow_decode`]).
#[cfg(feature = "test-hooks")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlowDecode {
    /// Pictures at least this tall are slowed down.
    pub min_height: u32,
    /// Extra wall time per such picture.
    pub per_frame: Duration,
}

/// Player settings; `Config::default()` suits a desktop, embedders tune the budget.
#[derive(Debug, Clone)]
pub struct Config {
    /// Network settings (timeouts, user agent, extra headers, retries).
    pub fetch: FetchConfig,
    /// Run as fast as the pipeline can, without real-time pacing (tests, benchmarks).
    pub fast: bool,
    /// Start position, from the presentation's start.
    pub start: Option<Duration>,
    /// Forward buffer to keep per stream.
    pub buffer_ahead: Duration,
    /// Memory budget for compressed media queued plus decoded frames, in bytes.
    pub buffer_bytes: usize,
    /// Media needed in the buffer before playback starts or resumes after a stall.
    pub startup_buffer: Duration,
    /// Highest video bitrate the ABR may pick (bits/s).
    pub max_bitrate: Option<u64>,
    /// A fixed video quality: index into the levels sorted by bitrate, 0 = lowest.
    pub quality: Option<usize>,
    /// Video stream to play, by StreamIndex Name (first supported video stream otherwise).
    pub video: Option<String>,
    /// Audio stream to play, by Name or Language (first supported audio stream otherwise).
    pub audio: Option<String>,
    /// Show captions from the start (they can be turned on and off while playing).
    pub captions: bool,
    /// Caption stream to show, by Name or Language (the first caption stream otherwise).
    pub text: Option<String>,
    /// Mirrors of the presentation (other manifest URLs serving the same fragments): a
    /// fragment that fails at the primary after retries is fetched from them.
    pub backup_urls: Vec<String>,
    /// Where content keys come from (static keys, key seed, license server, host callback).
    pub keys: Option<super::Keys>,
    /// Live: how far behind the edge to play (default three fragments; never under 1.5).
    pub live_delay: Option<Duration>,
    /// Live: how far behind the delay playback may fall (after a stall) before it jumps
    /// back to the live point instead of catching up by rate.
    pub live_max_drift: Duration,
    /// Playback rate of the clock: 1.0 is real time; tests run a live simulation faster
    /// with paced null sinks made for the same speed (`Sinks::null_at`).
    pub speed: f64,
    /// Test hook (cargo feature `test-hooks`): makes decoding this much slower per picture
    /// of at least this height, to check the CPU side of the ABR on a fast machine.
    #[cfg(feature = "test-hooks")]
    pub slow_decode: Option<SlowDecode>,
    /// Open paused (the first picture is shown, the clock waits for `play`).
    pub start_paused: bool,
    /// Which decoders play (`Auto`: hardware, then libav, then openh264 + symphonia).
    pub decoder: Backend,
    /// Video decoding threads (`None`: one per core). openh264 decodes that many fragments
    /// at once; libav runs one decoder with that many frame threads.
    pub decode_threads: Option<usize>,
    /// Audio channels to output: `Stereo` downmixes multichannel audio, `All` passes every
    /// channel on (to a callback or a file that takes them).
    pub audio_channels: AudioChannels,
}

/// How many audio channels the output takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AudioChannels {
    /// Two: 5.1 and other layouts are downmixed (mono stays mono).
    #[default]
    Stereo,
    /// As many as the stream has.
    All,
}

impl std::str::FromStr for AudioChannels {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "stereo" | "2" => Ok(AudioChannels::Stereo),
            "all" => Ok(AudioChannels::All),
            _ => Err(format!("audio channels {s:?}: expected stereo or all")),
        }
    }
}

/// Threads for video decoding when the configuration leaves it open: the core count.
pub(crate) fn default_decode_threads() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

impl Default for Config {
    fn default() -> Self {
        Config {
            fetch: FetchConfig::default(),
            fast: false,
            start: None,
            buffer_ahead: Duration::from_secs(20),
            buffer_bytes: 32 * 1024 * 1024,
            startup_buffer: Duration::from_millis(1500),
            max_bitrate: None,
            quality: None,
            video: None,
            audio: None,
            captions: false,
            text: None,
            backup_urls: Vec::new(),
            keys: None,
            live_delay: None,
            live_max_drift: Duration::from_secs(8),
            speed: 1.0,
            start_paused: false,
            decoder: Backend::Auto,
            decode_threads: None,
            audio_channels: AudioChannels::Stereo,
            #[cfg(feature = "test-hooks")]
            slow_decode: None,
        }
    }
}

impl Config {
    /// What the session decides with, for a source with `locations` places to fetch from
    /// that can (or, a single file, cannot) serve text streams.
    pub(crate) fn session(
        &self,
        locations: usize,
        text_streams: bool,
        codecs: crate::demux::CodecSupport,
    ) -> SessionConfig {
        SessionConfig {
            fast: self.fast,
            speed: self.speed,
            start: self.start,
            start_paused: self.start_paused,
            buffer_ahead: self.buffer_ahead,
            buffer_bytes: self.buffer_bytes as u64,
            startup_buffer: self.startup_buffer,
            live_delay: self.live_delay,
            live_max_drift: self.live_max_drift,
            quality: self.quality,
            max_bitrate: self.max_bitrate,
            video: self.video.clone(),
            audio: self.audio.clone(),
            captions: self.captions,
            text: self.text.clone(),
            text_streams,
            locations,
            codecs,
        }
    }
}
