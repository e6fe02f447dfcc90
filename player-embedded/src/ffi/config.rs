//! `sp_config`: what the host sets before opening, copied and checked by `sp_player_new`.

use std::ffi::{CStr, c_char, c_void};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use player_core::net::ProxySetting;
use player_core::net::proxy::proxy_url;
use player_core::net::tls::read_ca_file;

use crate::builder::PlayerBuilder;
use player_core::decode::Backend;
use player_core::player::AudioChannels;

use super::audio::{SP_AUDIO_F32, SP_AUDIO_S16, sp_audio_cb, sp_audio_format, sp_audio_played_cb};
use super::callbacks::{Gate, UserData, ask_key, sp_event_cb, sp_key_cb, sp_video_cb};
use super::status::{Failure, sp_status};

/// Run unpaced, as fast as the pipeline can (audio counts as heard once taken). For tests,
/// benchmarks and transcoding hosts.
pub const SP_FLAG_FAST: u32 = 1;
/// Open paused: buffering starts, playback waits for `sp_player_play`.
pub const SP_FLAG_START_PAUSED: u32 = 2;
/// Keep due pictures for `sp_player_next_video_frame` instead of calling `on_video`.
pub const SP_FLAG_PULL_VIDEO: u32 = 4;
/// Show captions from the start (`SP_EVENT_CAPTION` events; see `sp_player_set_captions`).
pub const SP_FLAG_CAPTIONS: u32 = 8;
/// Give `on_audio` every channel of the stream (5.1 as 6 channels, in WAVE order: FL FR FC
/// LFE BL BR) instead of a stereo downmix.
pub const SP_FLAG_ALL_CHANNELS: u32 = 16;
const KNOWN_FLAGS: u32 = SP_FLAG_FAST
    | SP_FLAG_START_PAUSED
    | SP_FLAG_PULL_VIDEO
    | SP_FLAG_CAPTIONS
    | SP_FLAG_ALL_CHANNELS;

/// Which decoders play (`sp_config.decoder`).
pub type sp_decoder = u32;
/// Hardware decoding (VA-API, V4L2) when a device answers, then libav, then openh264.
pub const SP_DECODER_AUTO: sp_decoder = 0;
/// openh264 and symphonia: H.264 and stereo AAC only.
pub const SP_DECODER_OPENH264: sp_decoder = 1;
/// FFmpeg's libavcodec in software (`SP_ERR_UNSUPPORTED` from `sp_player_open` in a build
/// without it).
pub const SP_DECODER_LIBAV: sp_decoder = 2;

/// Most extra headers accepted.
const MAX_HEADERS: usize = 256;

/// Player settings. Every field's zero value (0 / NULL) means its default, so a
/// zero-initialised `sp_config` (`sp_config cfg = {0};`) is a valid configuration. The library
/// copies what it needs in `sp_player_new`: the struct and its strings may be freed after.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct sp_config {
    /// HTTP User-Agent (UTF-8); NULL = "smoothplay/<version>".
    pub user_agent: *const c_char,
    /// `header_count` extra request headers, each a UTF-8 "Name: value" string.
    pub headers: *const *const c_char,
    /// Number of entries in `headers` (at most 256).
    pub header_count: usize,
    /// Media to keep buffered ahead per stream, milliseconds; 0 = 20000.
    pub buffer_ms: u64,
    /// Memory budget: bytes of compressed media plus decoded pictures queued in the
    /// pipeline; the fetcher waits while it is full. 0 = 32 MiB.
    pub buffer_bytes: u64,
    /// Start position, milliseconds from the presentation start.
    pub start_ms: u64,
    /// Live: how far behind the edge to play, milliseconds; 0 = three fragments. Never under
    /// one and a half fragments; held by a playback rate within 5 % of normal.
    pub live_delay_ms: u64,
    /// Live: how far behind the delay playback may fall before it jumps back to the live
    /// point instead of catching up by rate, milliseconds; 0 = 8000.
    pub live_max_drift_ms: u64,
    /// Highest video bitrate to play, bits/s; 0 = no cap.
    pub max_bitrate: u64,
    /// Video stream to play, by name (UTF-8); NULL = the first playable one.
    pub video_stream: *const c_char,
    /// Audio stream to play, by name or language (UTF-8); NULL = the first playable one.
    pub audio_stream: *const c_char,
    /// `SP_FLAG_*` bits.
    pub flags: u32,
    /// Sample format for `on_audio`: `SP_AUDIO_F32` (0) or `SP_AUDIO_S16`.
    pub audio_format: sp_audio_format,
    /// Pictures when due (NULL: discarded, or kept for pulling with `SP_FLAG_PULL_VIDEO`).
    pub on_video: sp_video_cb,
    /// Audio (NULL: discarded, paced in real time unless `SP_FLAG_FAST`).
    pub on_audio: sp_audio_cb,
    /// Frames heard, to drive the clock from the host's device (NULL: real-time estimate).
    pub on_audio_played: sp_audio_played_cb,
    /// Events as JSON (NULL: none; `sp_player_stats` still works).
    pub on_event: sp_event_cb,
    /// Content keys for protected presentations (NULL: protected fragments fail).
    pub on_key: sp_key_cb,
    /// Given back to every callback, untouched.
    pub user_data: *mut c_void,
    /// Decoder backend: `SP_DECODER_AUTO` (0), `SP_DECODER_OPENH264` or `SP_DECODER_LIBAV`.
    pub decoder: sp_decoder,
    /// Video decoding threads; 0 = one per core.
    pub decode_threads: u32,
    /// Path (UTF-8) of a PEM file of extra CA certificates to trust (a private CA), added to
    /// the system's roots; NULL = none. Certificate verification cannot be turned off.
    pub ca_file: *const c_char,
    /// Proxy for http and https requests (UTF-8, `[http://|https://][user:password@]host
    /// [:port]`); NULL = the environment's `https_proxy` / `http_proxy` / `all_proxy` as
    /// curl reads them; "" = no proxy. Hosts in `no_proxy` / `NO_PROXY` always go direct.
    pub proxy: *const c_char,
}

impl Default for sp_config {
    /// The zero configuration: every field its default (what `sp_config cfg = {0};` gives C).
    fn default() -> sp_config {
        sp_config {
            user_agent: std::ptr::null(),
            headers: std::ptr::null(),
            header_count: 0,
            buffer_ms: 0,
            buffer_bytes: 0,
            start_ms: 0,
            live_delay_ms: 0,
            live_max_drift_ms: 0,
            max_bitrate: 0,
            video_stream: std::ptr::null(),
            audio_stream: std::ptr::null(),
            flags: 0,
            audio_format: 0,
            on_video: None,
            on_audio: None,
            on_audio_played: None,
            on_event: None,
            on_key: None,
            user_data: std::ptr::null_mut(),
            decoder: 0,
            decode_threads: 0,
            ca_file: std::ptr::null(),
            proxy: std::ptr::null(),
        }
    }
}

/// `sp_config`, copied into owned, checked values.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    user_agent: Option<String>,
    headers: Vec<(String, String)>,
    buffer_ms: u64,
    buffer_bytes: u64,
    start_ms: u64,
    live_delay_ms: u64,
    live_max_drift_ms: u64,
    max_bitrate: u64,
    video: Option<String>,
    audio: Option<String>,
    pub flags: u32,
    pub audio_format: sp_audio_format,
    pub on_video: sp_video_cb,
    pub on_audio: sp_audio_cb,
    pub on_audio_played: sp_audio_played_cb,
    pub on_event: sp_event_cb,
    on_key: sp_key_cb,
    pub user: UserData,
    decoder: Backend,
    decode_threads: u32,
    ca_file: Option<PathBuf>,
    proxy: ProxySetting,
}

/// Reads an optional C string.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string.
unsafe fn opt_string(p: *const c_char, what: &str) -> Result<Option<String>, Failure> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: per this function's contract.
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str().map(|s| Some(s.to_string())).map_err(|_| {
        Failure::new(
            sp_status::SP_ERR_INVALID_UTF8,
            format!("{what} is not valid UTF-8"),
        )
    })
}

fn invalid(message: String) -> Failure {
    Failure::new(sp_status::SP_ERR_INVALID_ARGUMENT, message)
}

/// Splits "Name: value".
fn split_header(text: &str, index: usize) -> Result<(String, String), Failure> {
    match text.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(invalid(format!(
            "sp_config.headers[{index}] {text:?} is not \"Name: value\""
        ))),
    }
}

/// The backend `sp_config.decoder` names.
fn backend(decoder: sp_decoder) -> Result<Backend, Failure> {
    match decoder {
        SP_DECODER_AUTO => Ok(Backend::Auto),
        SP_DECODER_OPENH264 => Ok(Backend::OpenH264),
        SP_DECODER_LIBAV if Backend::LIBAV_BUILT => Ok(Backend::Libav),
        SP_DECODER_LIBAV => Err(Failure::new(
            sp_status::SP_ERR_UNSUPPORTED,
            "sp_config.decoder: this library was built without libav",
        )),
        other => Err(invalid(format!(
            "sp_config.decoder {other} is not an SP_DECODER_*"
        ))),
    }
}

impl Settings {
    /// Copies and checks `cfg`; NULL gives the defaults.
    ///
    /// # Safety
    /// `cfg` is NULL or points to a valid `sp_config` whose pointers follow its field docs.
    pub unsafe fn read(cfg: *const sp_config) -> Result<Settings, Failure> {
        if cfg.is_null() {
            return Ok(Settings::default());
        }
        // SAFETY: per this function's contract.
        let c = unsafe { &*cfg };
        if c.flags & !KNOWN_FLAGS != 0 {
            return Err(invalid(format!(
                "sp_config.flags has unknown bits {:#x}",
                c.flags
            )));
        }
        if c.audio_format != SP_AUDIO_F32 && c.audio_format != SP_AUDIO_S16 {
            return Err(invalid(format!(
                "sp_config.audio_format {} is neither SP_AUDIO_F32 nor SP_AUDIO_S16",
                c.audio_format
            )));
        }
        if c.on_video.is_some() && c.flags & SP_FLAG_PULL_VIDEO != 0 {
            return Err(invalid(
                "sp_config: on_video and SP_FLAG_PULL_VIDEO exclude each other".into(),
            ));
        }
        if c.header_count > MAX_HEADERS {
            return Err(invalid(format!(
                "sp_config.header_count {} is more than {MAX_HEADERS}",
                c.header_count
            )));
        }
        if c.header_count > 0 && c.headers.is_null() {
            return Err(Failure::new(
                sp_status::SP_ERR_NULL_POINTER,
                "sp_config.headers is NULL but header_count is not 0",
            ));
        }
        let mut headers = Vec::with_capacity(c.header_count);
        for i in 0..c.header_count {
            // SAFETY: `headers` holds `header_count` entries (contract).
            let p = unsafe { *c.headers.add(i) };
            let what = format!("sp_config.headers[{i}]");
            // SAFETY: each entry is NULL or a NUL-terminated string (contract).
            let text = unsafe { opt_string(p, &what) }?.ok_or_else(|| {
                Failure::new(sp_status::SP_ERR_NULL_POINTER, format!("{what} is NULL"))
            })?;
            headers.push(split_header(&text, i)?);
        }
        let decoder = backend(c.decoder)?;
        // SAFETY: the string fields are NULL or NUL-terminated (contract).
        let (ca_file, proxy) = unsafe { network(c) }?;
        Ok(Settings {
            ca_file,
            proxy,
            // SAFETY: the string fields are NULL or NUL-terminated (contract).
            user_agent: unsafe { opt_string(c.user_agent, "sp_config.user_agent") }?,
            headers,
            buffer_ms: c.buffer_ms,
            buffer_bytes: c.buffer_bytes,
            start_ms: c.start_ms,
            live_delay_ms: c.live_delay_ms,
            live_max_drift_ms: c.live_max_drift_ms,
            max_bitrate: c.max_bitrate,
            // SAFETY: as above.
            video: unsafe { opt_string(c.video_stream, "sp_config.video_stream") }?,
            // SAFETY: as above.
            audio: unsafe { opt_string(c.audio_stream, "sp_config.audio_stream") }?,
            flags: c.flags,
            audio_format: c.audio_format,
            on_video: c.on_video,
            on_audio: c.on_audio,
            on_audio_played: c.on_audio_played,
            on_event: c.on_event,
            on_key: c.on_key,
            user: UserData(c.user_data),
            decoder,
            decode_threads: c.decode_threads,
        })
    }

    /// Whether `flag` is set.
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// A builder with these settings (sinks are added by the caller); the key callback waits
    /// for `gate`.
    pub fn builder(&self, gate: &Arc<Gate>) -> PlayerBuilder {
        let mut b = PlayerBuilder::new()
            .fast(self.has(SP_FLAG_FAST))
            .start_paused(self.has(SP_FLAG_START_PAUSED))
            .captions(self.has(SP_FLAG_CAPTIONS))
            .max_bitrate((self.max_bitrate > 0).then_some(self.max_bitrate))
            .decoder(self.decoder)
            .decode_threads((self.decode_threads > 0).then_some(self.decode_threads as usize))
            .audio_channels(if self.has(SP_FLAG_ALL_CHANNELS) {
                AudioChannels::All
            } else {
                AudioChannels::Stereo
            });
        if let Some(ua) = &self.user_agent {
            b = b.user_agent(ua.clone());
        }
        for (name, value) in &self.headers {
            b = b.header(name.clone(), value.clone());
        }
        if self.buffer_ms > 0 {
            b = b.buffer_ahead(Duration::from_millis(self.buffer_ms));
        }
        if self.buffer_bytes > 0 {
            b = b.buffer_bytes(usize::try_from(self.buffer_bytes).unwrap_or(usize::MAX));
        }
        if self.start_ms > 0 {
            b = b.start(Duration::from_millis(self.start_ms));
        }
        if self.live_delay_ms > 0 {
            b = b.live_delay(Some(Duration::from_millis(self.live_delay_ms)));
        }
        if self.live_max_drift_ms > 0 {
            b = b.live_max_drift(Duration::from_millis(self.live_max_drift_ms));
        }
        if let Some(v) = &self.video {
            b = b.video_stream(v.clone());
        }
        if let Some(a) = &self.audio {
            b = b.audio_stream(a.clone());
        }
        if let Some(path) = &self.ca_file {
            b = b.ca_file(path.clone());
        }
        b = b.configure(|c| c.fetch.proxy = self.proxy.clone());
        if let Some(cb) = self.on_key {
            let (user, gate) = (self.user, gate.clone());
            b = b.key_provider(move |kid| ask_key(cb, user, &gate, kid));
        }
        b
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            user_agent: None,
            headers: Vec::new(),
            buffer_ms: 0,
            buffer_bytes: 0,
            start_ms: 0,
            live_delay_ms: 0,
            live_max_drift_ms: 0,
            max_bitrate: 0,
            video: None,
            audio: None,
            flags: 0,
            audio_format: SP_AUDIO_F32,
            on_video: None,
            on_audio: None,
            on_audio_played: None,
            on_event: None,
            on_key: None,
            user: UserData(std::ptr::null_mut()),
            decoder: Backend::Auto,
            decode_threads: 0,
            ca_file: None,
            proxy: ProxySetting::Environment,
        }
    }
}

/// `ca_file` and `proxy`, checked: the CA file must hold certificates, the proxy must parse.
///
/// # Safety
/// Both fields of `c` are NULL or NUL-terminated strings.
unsafe fn network(c: &sp_config) -> Result<(Option<PathBuf>, ProxySetting), Failure> {
    // SAFETY: per this function's contract.
    let ca_file = unsafe { opt_string(c.ca_file, "sp_config.ca_file") }?.map(PathBuf::from);
    if let Some(path) = &ca_file {
        read_ca_file(path).map_err(|e| invalid(format!("sp_config.ca_file: {e}")))?;
    }
    // SAFETY: per this function's contract.
    let proxy = match unsafe { opt_string(c.proxy, "sp_config.proxy") }? {
        None => ProxySetting::Environment,
        Some(p) if p.trim().is_empty() => ProxySetting::Direct,
        Some(p) => {
            proxy_url(&p).map_err(|e| invalid(format!("sp_config.proxy: {e}")))?;
            ProxySetting::Url(p)
        }
    };
    Ok((ca_file, proxy))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zeroed() -> sp_config {
        sp_config::default()
    }

    #[test]
    fn zero_config_is_the_defaults() {
        let c = zeroed();
        // SAFETY: a valid config.
        let s = unsafe { Settings::read(&c) }.expect("valid");
        let cfg = s.builder(&Arc::default()).config().clone();
        assert_eq!(cfg.buffer_bytes, crate::DEFAULT_BUFFER_BYTES);
        assert_eq!(cfg.buffer_ahead, crate::DEFAULT_BUFFER_AHEAD);
        assert!(cfg.fetch.headers.is_empty() && !cfg.fast && cfg.max_bitrate.is_none());
    }

    #[test]
    fn fields_reach_the_player_config() {
        let headers = [c"X-Token: abc".as_ptr(), c"Accept:  */*".as_ptr()];
        let mut c = zeroed();
        c.user_agent = c"stb/3".as_ptr();
        c.headers = headers.as_ptr();
        c.header_count = 2;
        c.buffer_ms = 8000;
        c.buffer_bytes = 4 << 20;
        c.max_bitrate = 1_000_000;
        c.audio_stream = c"fra".as_ptr();
        c.flags = SP_FLAG_FAST | SP_FLAG_PULL_VIDEO | SP_FLAG_ALL_CHANNELS;
        c.decoder = SP_DECODER_OPENH264;
        c.decode_threads = 3;
        // SAFETY: a valid config.
        let s = unsafe { Settings::read(&c) }.expect("valid");
        assert!(s.has(SP_FLAG_PULL_VIDEO));
        let cfg = s.builder(&Arc::default()).config().clone();
        assert_eq!(cfg.fetch.user_agent, "stb/3");
        assert_eq!(
            cfg.fetch.headers,
            vec![
                ("X-Token".to_string(), "abc".to_string()),
                ("Accept".to_string(), "*/*".to_string())
            ]
        );
        assert_eq!(cfg.buffer_ahead, Duration::from_secs(8));
        assert_eq!(cfg.buffer_bytes, 4 << 20);
        assert_eq!(cfg.max_bitrate, Some(1_000_000));
        assert_eq!(cfg.audio.as_deref(), Some("fra"));
        assert!(cfg.fast);
        assert_eq!(cfg.decoder, Backend::OpenH264);
        assert_eq!(cfg.decode_threads, Some(3));
        assert_eq!(cfg.audio_channels, AudioChannels::All);
    }

    #[test]
    fn ca_file_and_proxy_reach_the_fetch_config_and_are_checked() {
        use player_core::net::ProxySetting;
        let dir = std::env::temp_dir().join(format!("sp-ffi-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let not_pem = dir.join("not.pem");
        std::fs::write(&not_pem, "hello").expect("write");
        let path = std::ffi::CString::new(not_pem.to_str().expect("utf8")).expect("c string");
        let mut c = zeroed();
        c.ca_file = path.as_ptr();
        // SAFETY: a valid config.
        let e = unsafe { Settings::read(&c) }.expect_err("not a CA file");
        assert_eq!(e.status, sp_status::SP_ERR_INVALID_ARGUMENT);
        assert!(e.message.contains("sp_config.ca_file"), "{}", e.message);
        let mut c = zeroed();
        c.proxy = c"socks5://p:1080".as_ptr();
        // SAFETY: a valid config.
        let e = unsafe { Settings::read(&c) }.expect_err("socks");
        assert!(e.message.contains("sp_config.proxy"), "{}", e.message);
        for (text, want) in [
            (
                c"proxy.example:3128",
                ProxySetting::Url("proxy.example:3128".into()),
            ),
            (c"", ProxySetting::Direct),
        ] {
            let mut c = zeroed();
            c.proxy = text.as_ptr();
            // SAFETY: a valid config.
            let s = unsafe { Settings::read(&c) }.expect("valid");
            assert_eq!(s.builder(&Arc::default()).config().fetch.proxy, want);
        }
        // SAFETY: a valid config.
        let s = unsafe { Settings::read(&zeroed()) }.expect("valid");
        let f = s.builder(&Arc::default()).config().fetch.clone();
        assert_eq!((f.proxy, f.ca_files.len()), (ProxySetting::Environment, 0));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn bad_configs_are_refused_with_a_reason() {
        let read = |c: &sp_config| {
            // SAFETY: the configs below keep the pointer contract.
            unsafe { Settings::read(c) }.expect_err("invalid")
        };
        let bad_utf8 = [0x66u8, 0xff, 0x00];
        let mut c = zeroed();
        c.user_agent = bad_utf8.as_ptr().cast();
        let e = read(&c);
        assert_eq!(e.status, sp_status::SP_ERR_INVALID_UTF8);
        assert!(e.message.contains("user_agent"), "{}", e.message);

        let headers = [c"no colon here".as_ptr()];
        let mut c = zeroed();
        c.headers = headers.as_ptr();
        c.header_count = 1;
        let e = read(&c);
        assert_eq!(e.status, sp_status::SP_ERR_INVALID_ARGUMENT);
        assert!(e.message.contains("headers[0]"), "{}", e.message);

        let mut c = zeroed();
        c.header_count = 1;
        assert_eq!(read(&c).status, sp_status::SP_ERR_NULL_POINTER);

        let mut c = zeroed();
        c.flags = 0x80;
        assert_eq!(read(&c).status, sp_status::SP_ERR_INVALID_ARGUMENT);
        c.flags = 0;
        c.decoder = 7;
        assert_eq!(read(&c).status, sp_status::SP_ERR_INVALID_ARGUMENT);

        let mut c = zeroed();
        c.audio_format = 7;
        assert_eq!(read(&c).status, sp_status::SP_ERR_INVALID_ARGUMENT);
    }
}
