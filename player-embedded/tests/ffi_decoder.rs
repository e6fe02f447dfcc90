//! The C ABI's decoder settings: `sp_config.decoder` picks the backend (the pure one refuses
//! 5.1 AAC when the stream is opened), and `SP_FLAG_ALL_CHANNELS` gives `on_audio` all six
//! channels of a 5.1 presentation instead of a stereo downmix.
#![cfg(feature = "libav")]

use std::ffi::{CString, c_void};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use player_embedded::ffi::*;
use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::assets_dir;

fn config() -> sp_config {
    sp_config {
        flags: SP_FLAG_FAST,
        ..sp_config::default()
    }
}

/// Plays `url` with `cfg` to its end; returns the status of `sp_player_open`.
fn play(cfg: &sp_config, url: &str) -> sp_status {
    // SAFETY: a valid config.
    let p = unsafe { sp_player_new(cfg) };
    assert!(!p.is_null());
    let url = CString::new(url).expect("no NUL");
    // SAFETY: live handle, NUL-terminated URL.
    let status = unsafe { sp_player_open(p, url.as_ptr()) };
    let deadline = Instant::now() + Duration::from_secs(60);
    while status == sp_status::SP_OK && Instant::now() < deadline {
        let mut s = sp_stats::default();
        // SAFETY: live handle, writable out.
        unsafe { sp_player_stats(p, &mut s) };
        if s.state == SP_STATE_ENDED || s.state == SP_STATE_FAILED {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: the handle is live and freed once.
    unsafe { sp_player_free(p) };
    status
}

/// Channel counts and sample frames the host received.
#[derive(Default)]
struct Heard {
    channels: Vec<u32>,
    frames: u64,
}

unsafe extern "C" fn take_audio(user: *mut c_void, audio: *const sp_audio) -> u32 {
    // SAFETY: `user` is the Mutex<Heard> the test passed; `audio` is valid for this call.
    let (heard, a) = unsafe { (&*user.cast::<Mutex<Heard>>(), &*audio) };
    if a.kind != SP_AUDIO_SAMPLES {
        return 0;
    }
    if let Ok(mut h) = heard.lock() {
        h.channels.push(a.channels);
        h.frames += u64::from(a.frames);
    }
    a.frames
}

#[test]
fn all_channels_reach_the_callback_when_asked_and_stereo_otherwise() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let url = origin.url("codecs/aac51/Manifest");
    for (flags, want) in [(SP_FLAG_ALL_CHANNELS, 6), (0, 2)] {
        let heard = Mutex::new(Heard::default());
        let mut cfg = config();
        cfg.flags |= flags;
        cfg.on_audio = Some(take_audio);
        cfg.user_data = std::ptr::from_ref(&heard).cast_mut().cast();
        assert_eq!(play(&cfg, &url), sp_status::SP_OK);
        let h = heard.lock().expect("lock");
        assert!(h.frames >= 4 * 48000, "{} sample frames", h.frames);
        assert!(h.channels.iter().all(|c| *c == want), "{:?}", h.channels);
    }
}

#[test]
fn the_decoder_setting_picks_the_backend() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let url = origin.url("codecs/aac51/Manifest");
    let mut cfg = config();
    cfg.decoder = SP_DECODER_OPENH264;
    assert_eq!(play(&cfg, &url), sp_status::SP_ERR_UNSUPPORTED);
    cfg.decoder = SP_DECODER_LIBAV;
    cfg.decode_threads = 2;
    assert_eq!(play(&cfg, &url), sp_status::SP_OK);
    cfg.decoder = 9;
    assert_eq!(play(&cfg, &url), sp_status::SP_ERR_INVALID_ARGUMENT);
}
