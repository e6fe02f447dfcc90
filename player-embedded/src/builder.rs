//! The embedder's way to set up a player: sinks, buffer budget, network identity, keys.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use player_core::decrypt::{CallbackProvider, ContentKey, KeyProvider};
use player_core::manifest::Uuid;
use player_core::net::ProxySetting;
use player_core::player::{Config, Keys, Player, PresentationInfo, Sinks};
use player_core::sink::{AudioSink, NullAudioSink, NullVideoSink, VideoSink};

/// Default forward buffer per stream for embedded players.
pub const DEFAULT_BUFFER_AHEAD: Duration = Duration::from_secs(20);
/// Default memory budget (compressed media queued + decoded frames queued): set-top box sized.
pub const DEFAULT_BUFFER_BYTES: usize = 32 * 1024 * 1024;

type SinkFactory<T> = Box<dyn FnOnce(&PresentationInfo) -> Box<T>>;

/// Builds a [`Player`] with embedder defaults: no window, null sinks (paced in real time,
/// or unpaced with [`fast`](PlayerBuilder::fast)) unless the host gives its own, a
/// [`DEFAULT_BUFFER_BYTES`] budget and [`DEFAULT_BUFFER_AHEAD`] of media ahead.
///
/// ```no_run
/// use std::time::Duration;
/// let player = player_embedded::PlayerBuilder::new()
///     .buffer(Duration::from_secs(10), 16 << 20)
///     .user_agent("acme-stb/2.1")
///     .header("X-Device-Id", "1234")
///     .key_provider(|_kid| None)
///     .open("http://127.0.0.1:8080/demo/Manifest")?;
/// player.pause();
/// # Ok::<(), player_core::Error>(())
/// ```
pub struct PlayerBuilder {
    config: Config,
    video: Option<SinkFactory<dyn VideoSink>>,
    audio: Option<SinkFactory<dyn AudioSink>>,
}

impl Default for PlayerBuilder {
    fn default() -> Self {
        PlayerBuilder::new()
    }
}

impl std::fmt::Debug for PlayerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlayerBuilder")
            .field("config", &self.config)
            .field("video_sink", &self.video.is_some())
            .field("audio_sink", &self.audio.is_some())
            .finish()
    }
}

impl PlayerBuilder {
    /// Embedder defaults (see the type's documentation).
    pub fn new() -> PlayerBuilder {
        PlayerBuilder::with_config(Config {
            buffer_ahead: DEFAULT_BUFFER_AHEAD,
            buffer_bytes: DEFAULT_BUFFER_BYTES,
            ..Config::default()
        })
    }

    /// Starts from a full configuration (sinks still default to null sinks).
    pub fn with_config(config: Config) -> PlayerBuilder {
        PlayerBuilder {
            config,
            video: None,
            audio: None,
        }
    }

    /// The configuration so far.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Changes the configuration in place (for settings without a builder method).
    pub fn configure(mut self, f: impl FnOnce(&mut Config)) -> PlayerBuilder {
        f(&mut self.config);
        self
    }

    /// The buffer budget: media kept ahead per stream, and bytes of compressed media plus
    /// decoded frames queued in the whole pipeline (the fetcher waits when either is reached).
    pub fn buffer(self, ahead: Duration, bytes: usize) -> PlayerBuilder {
        self.buffer_ahead(ahead).buffer_bytes(bytes)
    }

    /// Media kept buffered ahead of the position, per stream.
    pub fn buffer_ahead(mut self, ahead: Duration) -> PlayerBuilder {
        self.config.buffer_ahead = ahead;
        self
    }

    /// The memory budget in bytes (compressed media plus decoded frames queued).
    pub fn buffer_bytes(mut self, bytes: usize) -> PlayerBuilder {
        self.config.buffer_bytes = bytes;
        self
    }

    /// The HTTP User-Agent.
    pub fn user_agent(mut self, agent: impl Into<String>) -> PlayerBuilder {
        self.config.fetch.user_agent = agent.into();
        self
    }

    /// Adds a header sent with every request (checked when the player opens).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> PlayerBuilder {
        self.config.fetch.headers.push((name.into(), value.into()));
        self
    }

    /// The decoder backend: `Backend::Auto` (hardware, then libav, then openh264),
    /// `Backend::OpenH264` or `Backend::Libav`.
    pub fn decoder(mut self, backend: player_core::decode::Backend) -> PlayerBuilder {
        self.config.decoder = backend;
        self
    }

    /// Video decoding threads (`None`: one per core).
    pub fn decode_threads(mut self, threads: Option<usize>) -> PlayerBuilder {
        self.config.decode_threads = threads;
        self
    }

    /// Audio channels for the sink: `Stereo` downmixes 5.1 and other layouts, `All` passes
    /// every channel on.
    pub fn audio_channels(mut self, channels: player_core::player::AudioChannels) -> PlayerBuilder {
        self.config.audio_channels = channels;
        self
    }

    /// Also trusts the CA certificates of this PEM file (a private CA), on top of the
    /// platform's roots; may be called more than once. Certificate verification itself
    /// cannot be turned off. A file that cannot be read fails `open`.
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> PlayerBuilder {
        self.config.fetch.ca_files.push(path.into());
        self
    }

    /// Sends http and https requests through `url` (`[http://|https://][user:password@]
    /// host[:port]`, port 1080 by default) instead of the environment's `https_proxy` /
    /// `http_proxy`; hosts in `no_proxy` still go direct, as with curl.
    pub fn proxy(mut self, url: impl Into<String>) -> PlayerBuilder {
        self.config.fetch.proxy = ProxySetting::Url(url.into());
        self
    }

    /// Ignores the environment's proxy variables: every request goes direct.
    pub fn no_proxy(mut self) -> PlayerBuilder {
        self.config.fetch.proxy = ProxySetting::Direct;
        self
    }

    /// Runs unpaced, as fast as the pipeline can (tests, benchmarks, transcoding hosts).
    pub fn fast(mut self, fast: bool) -> PlayerBuilder {
        self.config.fast = fast;
        self
    }

    /// Starts at `position` from the presentation start.
    pub fn start(mut self, position: Duration) -> PlayerBuilder {
        self.config.start = Some(position);
        self
    }

    /// Opens paused: buffering starts, the clock waits for `play`.
    pub fn start_paused(mut self, paused: bool) -> PlayerBuilder {
        self.config.start_paused = paused;
        self
    }

    /// Shows captions from the start (`Event::Caption`), when the presentation has them.
    pub fn captions(mut self, on: bool) -> PlayerBuilder {
        self.config.captions = on;
        self
    }

    /// Live: how far behind the edge to play (default three fragments, never under one and a
    /// half); the latency is held by a playback rate within 5 % of normal.
    pub fn live_delay(mut self, delay: Option<Duration>) -> PlayerBuilder {
        self.config.live_delay = delay;
        self
    }

    /// Live: how far behind the delay playback may fall (after a stall) before it jumps back
    /// to the live point instead of catching up by rate.
    pub fn live_max_drift(mut self, drift: Duration) -> PlayerBuilder {
        self.config.live_max_drift = drift;
        self
    }

    /// Caps the video bitrate (bits/s).
    pub fn max_bitrate(mut self, bps: Option<u64>) -> PlayerBuilder {
        self.config.max_bitrate = bps;
        self
    }

    /// Fixes the video level (0 = lowest bitrate), or `None` for automatic.
    pub fn quality(mut self, level: Option<usize>) -> PlayerBuilder {
        self.config.quality = level;
        self
    }

    /// Chooses the video stream (camera angle) by name.
    pub fn video_stream(mut self, name: impl Into<String>) -> PlayerBuilder {
        self.config.video = Some(name.into());
        self
    }

    /// Chooses the audio stream by name or language.
    pub fn audio_stream(mut self, name: impl Into<String>) -> PlayerBuilder {
        self.config.audio = Some(name.into());
        self
    }

    /// Where content keys come from.
    pub fn keys(mut self, keys: Keys) -> PlayerBuilder {
        self.config.keys = Some(keys);
        self
    }

    /// Any [`KeyProvider`] (static keys, license client…).
    pub fn key_source(self, provider: impl KeyProvider + 'static) -> PlayerBuilder {
        self.keys(Keys(Arc::new(provider)))
    }

    /// Asks `f` for the content key of each KID (a big-endian UUID, as in `tenc`/`senc`);
    /// `None` = no key. Called on a network thread, once per KID while the answer is a key.
    pub fn key_provider(
        self,
        f: impl Fn(Uuid) -> Option<ContentKey> + Send + Sync + 'static,
    ) -> PlayerBuilder {
        self.key_source(CallbackProvider::new(f))
    }

    /// Sends pictures to `sink` (called on the video presentation thread when each is due).
    pub fn video_sink(self, sink: impl VideoSink + 'static) -> PlayerBuilder {
        self.video_sink_with(move |_| Box::new(sink))
    }

    /// Builds the video sink once the presentation is known (e.g. to size a surface).
    pub fn video_sink_with(
        mut self,
        make: impl FnOnce(&PresentationInfo) -> Box<dyn VideoSink> + 'static,
    ) -> PlayerBuilder {
        self.video = Some(Box::new(make));
        self
    }

    /// Sends sound to `sink`, whose `played()` drives the clock.
    pub fn audio_sink(self, sink: impl AudioSink + 'static) -> PlayerBuilder {
        self.audio_sink_with(move |_| Box::new(sink))
    }

    /// Builds the audio sink once the presentation is known.
    pub fn audio_sink_with(
        mut self,
        make: impl FnOnce(&PresentationInfo) -> Box<dyn AudioSink> + 'static,
    ) -> PlayerBuilder {
        self.audio = Some(Box::new(make));
        self
    }

    /// Opens `input` (manifest URL, directory or manifest file): fetches and parses the
    /// manifest before returning, then buffers and plays on the player's own threads.
    pub fn open(self, input: &str) -> player_core::Result<Player> {
        let fast = self.config.fast;
        let (video, audio) = (self.video, self.audio);
        Player::open_with(input, self.config, move |info| Sinks {
            video: match video {
                Some(make) => make(info),
                None => Box::new(NullVideoSink::default()),
            },
            audio: match audio {
                Some(make) => make(info),
                None if fast => Box::new(NullAudioSink::unpaced()),
                None => Box::new(NullAudioSink::paced()),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_land_in_the_config() {
        let b = PlayerBuilder::new()
            .buffer(Duration::from_secs(7), 1 << 20)
            .user_agent("stb/1")
            .header("X-A", "1")
            .header("X-B", "2")
            .fast(true)
            .max_bitrate(Some(900_000))
            .quality(Some(1))
            .audio_stream("fra")
            .ca_file("/etc/private-ca.pem")
            .proxy("http://proxy.example:3128")
            .start_paused(true);
        let c = b.config();
        assert_eq!(c.buffer_ahead, Duration::from_secs(7));
        assert_eq!(c.buffer_bytes, 1 << 20);
        assert_eq!(c.fetch.user_agent, "stb/1");
        assert_eq!(
            c.fetch.headers,
            vec![("X-A".into(), "1".into()), ("X-B".into(), "2".into())]
        );
        assert!(c.fast && c.start_paused);
        assert_eq!((c.max_bitrate, c.quality), (Some(900_000), Some(1)));
        assert_eq!(c.audio.as_deref(), Some("fra"));
        assert_eq!(c.fetch.ca_files, vec![PathBuf::from("/etc/private-ca.pem")]);
        assert_eq!(
            c.fetch.proxy,
            ProxySetting::Url("http://proxy.example:3128".into())
        );
        let direct = PlayerBuilder::new().no_proxy();
        assert_eq!(direct.config().fetch.proxy, ProxySetting::Direct);
        assert!(c.keys.is_none());
        assert!(b.key_provider(|_| None).config().keys.is_some());
    }

    #[test]
    fn defaults_are_the_embedded_budget() {
        let c = PlayerBuilder::new().config().clone();
        assert_eq!(c.buffer_bytes, DEFAULT_BUFFER_BYTES);
        assert_eq!(c.buffer_ahead, DEFAULT_BUFFER_AHEAD);
        assert!(!c.fast);
    }
}
