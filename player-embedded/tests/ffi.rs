//! The C ABI driven from Rust as a C host would: statuses, NULL and UTF-8 checks, errors
//! reported by open, callbacks (including the key callback on a protected presentation),
//! and what may and may not be called from inside a callback.

use std::ffi::{CStr, CString, c_char, c_void};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use player_embedded::ffi::*;
use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::assets_dir;

fn config() -> sp_config {
    sp_config {
        ..sp_config::default()
    }
}

/// A handle freed when dropped.
struct Handle(*mut sp_player);

impl Handle {
    fn new(cfg: &sp_config) -> Handle {
        // SAFETY: a valid config.
        let p = unsafe { sp_player_new(cfg) };
        assert!(!p.is_null());
        Handle(p)
    }

    fn open(&self, url: &str) -> sp_status {
        let url = CString::new(url).expect("no NUL");
        // SAFETY: live handle, NUL-terminated URL.
        unsafe { sp_player_open(self.0, url.as_ptr()) }
    }

    fn last_error(&self) -> String {
        let mut buf = [0 as c_char; 512];
        // SAFETY: live handle, buffer of the given size.
        unsafe { sp_player_last_error(self.0, buf.as_mut_ptr(), buf.len()) };
        // SAFETY: sp_player_last_error NUL-terminates.
        unsafe { CStr::from_ptr(buf.as_ptr()) }
            .to_string_lossy()
            .into_owned()
    }

    fn stats(&self) -> (sp_status, sp_stats) {
        let mut s = sp_stats::default();
        // SAFETY: live handle, writable out.
        let status = unsafe { sp_player_stats(self.0, &mut s) };
        (status, s)
    }

    /// Polls until `done(stats)`; panics after a minute (a hang, not a slow machine).
    fn wait_for(&self, what: &str, done: impl Fn(&sp_stats) -> bool) -> sp_stats {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (_, s) = self.stats();
            if done(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "gave up waiting for {what}: {s:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the handle is live and freed once.
        unsafe { sp_player_free(self.0) };
    }
}

fn demo_origin() -> Origin {
    Origin::start(assets_dir(), OriginConfig::default()).expect("origin")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sp-ffi-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn null_pointers_are_refused_with_a_status() {
    let null = std::ptr::null_mut();
    // SAFETY: NULL handles are allowed and must be refused.
    unsafe {
        assert_eq!(sp_player_play(null), sp_status::SP_ERR_NULL_POINTER);
        assert_eq!(sp_player_pause(null), sp_status::SP_ERR_NULL_POINTER);
        assert_eq!(sp_player_seek(null, 1000), sp_status::SP_ERR_NULL_POINTER);
        assert_eq!(sp_player_replay(null, 1000), sp_status::SP_ERR_NULL_POINTER);
        assert_eq!(sp_player_go_live(null), sp_status::SP_ERR_NULL_POINTER);
        assert_eq!(sp_player_stop(null), sp_status::SP_ERR_NULL_POINTER);
        assert_eq!(
            sp_player_set_max_bitrate(null, 1),
            sp_status::SP_ERR_NULL_POINTER
        );
        assert_eq!(
            sp_player_select_stream(null, SP_STREAM_AUDIO, c"fra".as_ptr()),
            sp_status::SP_ERR_NULL_POINTER
        );
        assert_eq!(
            sp_player_open(null, c"http://127.0.0.1:1/Manifest".as_ptr()),
            sp_status::SP_ERR_NULL_POINTER
        );
        assert_eq!(sp_player_position(null), -1);
        let mut stats = sp_stats::default();
        assert_eq!(
            sp_player_stats(null, &mut stats),
            sp_status::SP_ERR_NULL_POINTER
        );
        let mut frame = std::mem::zeroed::<sp_frame>();
        assert_eq!(
            sp_player_next_video_frame(null, 0, &mut frame),
            sp_status::SP_ERR_NULL_POINTER
        );
        assert_eq!(sp_player_last_error(null, std::ptr::null_mut(), 0), 0);
        sp_player_free(null);
        sp_frame_release(null.cast());
    }
    let h = Handle::new(&config());
    // SAFETY: live handle, NULL out-pointers must be refused.
    unsafe {
        assert_eq!(
            sp_player_stats(h.0, std::ptr::null_mut()),
            sp_status::SP_ERR_NULL_POINTER
        );
        assert_eq!(
            sp_player_open(h.0, std::ptr::null()),
            sp_status::SP_ERR_NULL_POINTER
        );
        assert_eq!(
            sp_player_next_video_frame(h.0, 0, std::ptr::null_mut()),
            sp_status::SP_ERR_NULL_POINTER
        );
    }
    assert_eq!(h.last_error(), "frame is NULL");
}

#[test]
fn commands_before_open_say_not_open() {
    // SAFETY: NULL config = defaults.
    let h = Handle(unsafe { sp_player_new(std::ptr::null()) });
    assert!(!h.0.is_null());
    // SAFETY: live handle.
    unsafe {
        assert_eq!(sp_player_play(h.0), sp_status::SP_ERR_NOT_OPEN);
        assert_eq!(sp_player_seek(h.0, 5), sp_status::SP_ERR_NOT_OPEN);
        assert_eq!(sp_player_position(h.0), -1);
    }
    assert!(
        h.last_error().contains("sp_player_open"),
        "{}",
        h.last_error()
    );
    let (status, stats) = h.stats();
    assert_eq!(status, sp_status::SP_ERR_NOT_OPEN);
    assert_eq!((stats.state, stats.startup_ms), (SP_STATE_IDLE, -1));
    // The length is reported even when the buffer is too small, and the copy is cut.
    let mut small = [0x7f as c_char; 4];
    // SAFETY: live handle, 4-byte buffer.
    let len = unsafe { sp_player_last_error(h.0, small.as_mut_ptr(), small.len()) };
    assert!(len > 3);
    assert_eq!(small[3], 0, "NUL-terminated within the buffer");
}

#[test]
fn open_reports_bad_input_network_and_manifest_errors() {
    let h = Handle::new(&config());
    let bad_utf8 = [b'h', 0xff, 0];
    // SAFETY: live handle, NUL-terminated (invalid UTF-8) string.
    let status = unsafe { sp_player_open(h.0, bad_utf8.as_ptr().cast()) };
    assert_eq!(status, sp_status::SP_ERR_INVALID_UTF8);
    assert_eq!(h.last_error(), "url is not valid UTF-8");

    let origin = demo_origin();
    assert_eq!(
        h.open(&origin.url("nothing/Manifest")),
        sp_status::SP_ERR_NETWORK
    );
    assert!(h.last_error().contains("404"), "{}", h.last_error());

    let dir = scratch("bad-manifest");
    std::fs::create_dir_all(dir.join("p")).expect("mkdir");
    std::fs::write(dir.join("p/Manifest"), "<SmoothStreamingMedia").expect("write");
    let bad = Origin::start(&dir, OriginConfig::default()).expect("origin");
    assert_eq!(h.open(&bad.url("p/Manifest")), sp_status::SP_ERR_MANIFEST);
    std::fs::remove_dir_all(&dir).ok();

    // A configuration refused by sp_player_new is reported by open, with the field named.
    let headers = [c"X-Good: 1".as_ptr(), c"no colon".as_ptr()];
    let mut cfg = config();
    cfg.headers = headers.as_ptr();
    cfg.header_count = headers.len();
    let h = Handle::new(&cfg);
    assert_eq!(
        h.open(&origin.url("demo/Manifest")),
        sp_status::SP_ERR_INVALID_ARGUMENT
    );
    assert!(h.last_error().contains("headers[1]"), "{}", h.last_error());
}

/// Accepts one HTTP request, answers 404, and returns the request head (lowercased).
fn capture_one_request() -> (String, std::thread::JoinHandle<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/p/Manifest", listener.local_addr().expect("addr"));
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && conn.read(&mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
        let _ = conn
            .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        String::from_utf8_lossy(&head).to_lowercase()
    });
    (url, server)
}

#[test]
fn user_agent_and_extra_headers_reach_the_server() {
    let (url, server) = capture_one_request();
    let headers = [
        c"X-Device-Id: stb-42".as_ptr(),
        c"Authorization: Bearer t0k".as_ptr(),
    ];
    let mut cfg = config();
    cfg.user_agent = c"acme-stb/2.1".as_ptr();
    cfg.headers = headers.as_ptr();
    cfg.header_count = headers.len();
    let h = Handle::new(&cfg);
    assert_eq!(h.open(&url), sp_status::SP_ERR_NETWORK);
    let head = server.join().expect("server");
    assert!(head.starts_with("get /p/manifest http/1.1\r\n"), "{head}");
    assert!(head.contains("\r\nuser-agent: acme-stb/2.1\r\n"), "{head}");
    assert!(head.contains("\r\nx-device-id: stb-42\r\n"), "{head}");
    assert!(head.contains("\r\nauthorization: bearer t0k\r\n"), "{head}");
}

/// What the callbacks of `callbacks_may_command_but_not_open_or_free` saw.
struct Host {
    player: AtomicU64,
    frames: AtomicU64,
    open_from_callback: AtomicI32,
    pause_from_callback: AtomicI32,
    events: Mutex<Vec<(u32, String)>>,
}

impl Host {
    /// A host with nothing seen yet, at a stable address for `user_data`.
    fn boxed() -> Box<Host> {
        Box::new(Host {
            player: AtomicU64::new(0),
            frames: AtomicU64::new(0),
            open_from_callback: AtomicI32::new(-1),
            pause_from_callback: AtomicI32::new(-1),
            events: Mutex::new(Vec::new()),
        })
    }
}

unsafe extern "C" fn host_video(user: *mut c_void, frame: *const sp_frame) {
    // SAFETY: user_data is the test's Host, alive while the player is.
    let host = unsafe { &*user.cast::<Host>() };
    // SAFETY: the frame is valid during the call.
    let f = unsafe { &*frame };
    assert!(!f.y.is_null() && f.width > 0 && f.internal.is_null());
    let p = host.player.load(Ordering::SeqCst) as *mut sp_player;
    if host.frames.fetch_add(1, Ordering::SeqCst) == 0 {
        // SAFETY: live handle, from inside a callback.
        unsafe {
            let reopened = sp_player_open(p, c"http://127.0.0.1:1/Manifest".as_ptr());
            host.open_from_callback
                .store(reopened as i32, Ordering::SeqCst);
            sp_player_free(p); // refused: the handle stays usable
            let paused = sp_player_pause(p);
            host.pause_from_callback
                .store(paused as i32, Ordering::SeqCst);
        }
    }
}

unsafe extern "C" fn host_event(user: *mut c_void, ty: u32, json: *const c_char, len: usize) {
    // SAFETY: user_data is the test's Host.
    let host = unsafe { &*user.cast::<Host>() };
    // SAFETY: json is NUL-terminated, len bytes long, valid during the call.
    let text = unsafe { CStr::from_ptr(json) }
        .to_string_lossy()
        .into_owned();
    assert_eq!(text.len(), len);
    if let Ok(mut e) = host.events.lock() {
        e.push((ty, text));
    }
}

#[test]
fn callbacks_may_command_but_not_open_or_free() {
    let origin = demo_origin();
    let host = Host::boxed();
    let mut cfg = config();
    cfg.on_video = Some(host_video);
    cfg.on_event = Some(host_event);
    cfg.user_data = (&*host as *const Host).cast_mut().cast();
    let h = Handle::new(&cfg);
    host.player.store(h.0 as u64, Ordering::SeqCst);
    assert_eq!(h.open(&origin.url("demo/Manifest")), sp_status::SP_OK);
    let s = h.wait_for("the pause asked from on_video", |s| {
        s.state == SP_STATE_PAUSED
    });
    assert_eq!(
        host.open_from_callback.load(Ordering::SeqCst),
        sp_status::SP_ERR_IN_CALLBACK as i32
    );
    assert_eq!(
        host.pause_from_callback.load(Ordering::SeqCst),
        sp_status::SP_OK as i32
    );
    assert!(h.last_error().contains("callback"), "{}", h.last_error());
    assert_eq!(s.duration_ms, 20_010);
    // SAFETY: live handle.
    unsafe {
        assert_eq!(sp_player_go_live(h.0), sp_status::SP_ERR_UNSUPPORTED);
        assert_eq!(
            sp_player_select_stream(h.0, SP_STREAM_AUDIO, c"deu".as_ptr()),
            sp_status::SP_ERR_NO_STREAM
        );
        assert_eq!(
            sp_player_select_stream(h.0, 7, c"fra".as_ptr()),
            sp_status::SP_ERR_INVALID_ARGUMENT
        );
        assert_eq!(
            sp_player_select_stream(h.0, SP_STREAM_AUDIO, c"FRA".as_ptr()),
            sp_status::SP_OK
        );
        let mut frame = std::mem::zeroed::<sp_frame>();
        assert_eq!(
            sp_player_next_video_frame(h.0, 0, &mut frame),
            sp_status::SP_ERR_NOT_PULL_MODE
        );
    }
    // Events arrive as typed JSON: the state changes, then the switch to the French audio.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let events = host.events.lock().expect("lock").clone();
        if let Some((_, json)) = events.iter().find(|(ty, _)| *ty == SP_EVENT_TRACK) {
            assert_eq!(json, r#"{"type":"track","stream":"audio","name":"FRA"}"#);
            assert!(events.iter().any(|(ty, j)| *ty == SP_EVENT_STATE
                && j.starts_with(r#"{"type":"state","state":"paused""#)));
            break;
        }
        assert!(Instant::now() < deadline, "no track event: {events:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(h);
    // No callback runs after sp_player_free: the host may go now.
    let frames = host.frames.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(host.frames.load(Ordering::SeqCst), frames);
}

const KEY: [u8; 16] = *b"smoothplay-key!!";

/// KIDs the key callback was asked for.
static KIDS_ASKED: Mutex<Vec<[u8; 16]>> = Mutex::new(Vec::new());
static FRAMES: AtomicU64 = AtomicU64::new(0);

unsafe extern "C" fn give_key(_user: *mut c_void, kid: *const u8, key_out: *mut u8) -> i32 {
    // SAFETY: kid and key_out are 16-byte buffers valid during the call.
    let kid = unsafe { std::slice::from_raw_parts(kid, 16) };
    if let (Ok(mut asked), Ok(k)) = (KIDS_ASKED.lock(), <[u8; 16]>::try_from(kid)) {
        asked.push(k);
    }
    // SAFETY: as above.
    unsafe { std::ptr::copy_nonoverlapping(KEY.as_ptr(), key_out, 16) };
    1
}

unsafe extern "C" fn no_key(_user: *mut c_void, _kid: *const u8, _key_out: *mut u8) -> i32 {
    0
}

unsafe extern "C" fn count_frame(_user: *mut c_void, _frame: *const sp_frame) {
    FRAMES.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn key_callback_unlocks_a_protected_presentation() {
    use player_tests::piff_encrypt::fragment::Scheme;
    use player_tests::piff_encrypt::{EncryptOptions, encrypt_presentation};
    let kid: player_embedded::Uuid = "3f2b1a10-0c4d-4e5f-8a9b-0123456789ab"
        .parse()
        .expect("uuid");
    let root = scratch("protected");
    let dst = root.join("demo");
    let opts = EncryptOptions {
        scheme: Scheme::PiffCtr,
        kid,
        key: KEY,
        la_url: "http://127.0.0.1:1/rightsmanager.asmx".into(),
    };
    encrypt_presentation(&assets_dir().join("demo"), &dst, &opts).expect("encrypts");
    let origin = Origin::start(&root, OriginConfig::default()).expect("origin");
    let url = origin.url("demo/Manifest");

    let mut cfg = config();
    cfg.flags = SP_FLAG_FAST;
    cfg.max_bitrate = 300_000; // the smallest level: decryption is what is under test
    cfg.on_video = Some(count_frame);
    cfg.on_key = Some(give_key);
    let h = Handle::new(&cfg);
    assert_eq!(h.open(&url), sp_status::SP_OK);
    let s = h.wait_for("the end", |s| {
        s.state == SP_STATE_ENDED || s.state == SP_STATE_FAILED
    });
    assert_eq!(s.state, SP_STATE_ENDED, "{}", h.last_error());
    assert_eq!(FRAMES.load(Ordering::SeqCst), 500, "20 s at 25 fps");
    assert_eq!(s.frames_decoded, 500);
    let asked = KIDS_ASKED.lock().expect("lock").clone();
    assert_eq!(asked.first(), Some(&kid.0), "big-endian KID bytes");
    assert!(asked.iter().all(|k| *k == kid.0));
    drop(h);

    // Without a key, playback fails with a decrypt error instead of showing garbage.
    cfg.on_key = Some(no_key);
    let h = Handle::new(&cfg);
    assert_eq!(h.open(&url), sp_status::SP_OK);
    let s = h.wait_for("the failure", |s| s.state == SP_STATE_FAILED);
    assert_eq!(s.state, SP_STATE_FAILED);
    drop(h);
    std::fs::remove_dir_all(&root).ok();
}

#[test]
fn captions_arrive_as_caption_events() {
    let origin = demo_origin();
    let host = Host::boxed();
    let mut cfg = config();
    cfg.flags = SP_FLAG_CAPTIONS;
    cfg.on_event = Some(host_event);
    cfg.user_data = (&*host as *const Host).cast_mut().cast();
    let h = Handle::new(&cfg);
    assert_eq!(h.open(&origin.url("demo/Manifest")), sp_status::SP_OK);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let events = host.events.lock().expect("lock").clone();
        let first = events.iter().find(|(ty, _)| *ty == SP_EVENT_CAPTION);
        if let Some((_, json)) = first {
            let v: serde_json::Value = serde_json::from_str(json).expect("JSON");
            assert_eq!(v["type"], "caption");
            assert!(
                v["text"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Caption ") && t.contains("\nt = ")),
                "{json}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "no caption event: {events:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: live handle.
    unsafe {
        assert_eq!(sp_player_set_captions(h.0, 0), sp_status::SP_OK);
        assert_eq!(
            sp_player_set_captions(std::ptr::null_mut(), 1),
            sp_status::SP_ERR_NULL_POINTER
        );
    }
    // A presentation without captions says so.
    let plain = Handle::new(&config());
    assert_eq!(
        plain.open(&origin.url("bframes/Manifest")),
        sp_status::SP_OK
    );
    // SAFETY: live handle.
    assert_eq!(
        unsafe { sp_player_set_captions(plain.0, 1) },
        sp_status::SP_ERR_NO_STREAM
    );
}

#[test]
fn an_https_origin_of_a_private_ca_opens_with_ca_file_and_not_without() {
    use player_tests::support::test_ca::{TestCa, Validity};
    let dir = scratch("https");
    let ca = TestCa::new();
    let ca_path = dir.join("ca.pem");
    ca.write_pem(&ca_path);
    let origin = Origin::start(
        assets_dir(),
        OriginConfig {
            tls: Some(ca.server(&["127.0.0.1"], Validity::Current)),
            ..OriginConfig::default()
        },
    )
    .expect("https origin");
    let url = origin.url("protected/clear/Manifest");
    let ca_c = CString::new(ca_path.to_str().expect("utf-8")).expect("no NUL");
    let mut cfg = config();
    cfg.flags = SP_FLAG_FAST;
    // An empty proxy: direct, whatever the environment says.
    cfg.proxy = c"".as_ptr();
    let refused = Handle::new(&cfg);
    assert_ne!(refused.open(&url), sp_status::SP_OK);
    assert!(
        refused.last_error().contains("TLS certificate"),
        "{}",
        refused.last_error()
    );
    cfg.ca_file = ca_c.as_ptr();
    let trusted = Handle::new(&cfg);
    assert_eq!(
        trusted.open(&url),
        sp_status::SP_OK,
        "{}",
        trusted.last_error()
    );
    trusted.wait_for("the end", |s| s.state == SP_STATE_ENDED);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn markers_arrive_as_marker_events_with_their_payload() {
    let origin = demo_origin();
    let host = Host::boxed();
    let mut cfg = config();
    cfg.on_event = Some(host_event);
    cfg.start_ms = 5000;
    cfg.user_data = (&*host as *const Host).cast_mut().cast();
    let h = Handle::new(&cfg);
    assert_eq!(h.open(&origin.url("demo/Manifest")), sp_status::SP_OK);
    let deadline = Instant::now() + Duration::from_secs(60);
    let delivered = loop {
        let events = host.events.lock().expect("lock").clone();
        let markers: Vec<serde_json::Value> = events
            .iter()
            .filter(|(ty, _)| *ty == SP_EVENT_MARKER)
            .map(|(_, json)| serde_json::from_str(json).expect("JSON"))
            .collect();
        if let Some(m) = markers.iter().find(|m| m["upcoming"] == false) {
            break m.clone();
        }
        assert!(Instant::now() < deadline, "no marker event: {events:?}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(delivered["type"], "marker");
    assert_eq!(delivered["kind"], "ad");
    assert_eq!(delivered["start_s"], 6.0);
    assert_eq!(delivered["text"], "adbreak duration=4 id=break-1");
    drop(h);
}

#[test]
fn set_rate_takes_the_offered_rates_reports_them_and_refuses_others() {
    let origin = demo_origin();
    let host = Host::boxed();
    let mut cfg = config();
    cfg.on_event = Some(host_event);
    cfg.user_data = (&*host as *const Host).cast_mut().cast();
    let h = Handle::new(&cfg);
    assert_eq!(h.open(&origin.url("demo/Manifest")), sp_status::SP_OK);
    // SAFETY: live handle, then NULL.
    unsafe {
        assert_eq!(
            sp_player_set_rate(h.0, 3.0),
            sp_status::SP_ERR_INVALID_ARGUMENT
        );
        assert!(
            h.last_error().contains("expected one of"),
            "{}",
            h.last_error()
        );
        assert_eq!(
            sp_player_set_rate(std::ptr::null_mut(), 4.0),
            sp_status::SP_ERR_NULL_POINTER
        );
        assert_eq!(sp_player_set_rate(h.0, 4.0), sp_status::SP_OK);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let events = host.events.lock().expect("lock").clone();
        if let Some((_, json)) = events.iter().find(|(ty, _)| *ty == SP_EVENT_RATE) {
            let v: serde_json::Value = serde_json::from_str(json).expect("JSON");
            assert_eq!(
                (v["rate"].as_f64(), v["reason"].as_str()),
                (Some(4.0), Some("command"))
            );
            break;
        }
        assert!(Instant::now() < deadline, "no rate event: {events:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    let s = h.wait_for("the rate in the stats", |s| s.rate_permille == 4000);
    assert_eq!(s.rate_permille, 4000);
}
