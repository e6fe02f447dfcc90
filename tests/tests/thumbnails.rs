//! Seek-bar thumbnails end to end, from the loopback origin: each picture is the key frame
//! of the lowest level's fragment covering the time asked for — checked by its content (the
//! frame number drawn in the picture, and the picture the full player decodes there) — for
//! clear and protected presentations and over a live DVR window.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use player_core::decode::{Backend, VideoFrame};
use player_core::decrypt::{ContentKey, StaticKeys};
use player_core::manifest::Uuid;
use player_core::player::{Config, Keys, Player, Sinks};
use player_core::sink::{NullAudioSink, SinkError, VideoSink};
use player_core::thumbnail::{
    Colour, DEFAULT_WIDTH, Thumbnail, ThumbnailConfig, ThumbnailError, Thumbnailer, to_thumbnail,
};
use player_tests::origin::{LiveConfig, Origin, OriginConfig};
use player_tests::support::{assets_dir, run_to_end};

/// Ticks per frame of the demo (25 fps at 10 MHz).
const FRAME: u64 = 400_000;
/// Ticks per video fragment of the demo (2 s).
const FRAGMENT: u64 = 20_000_000;

fn config() -> ThumbnailConfig {
    ThumbnailConfig {
        // Bit-exact with the reference decode, whatever libav the machine has.
        decoder: Backend::OpenH264,
        ..ThumbnailConfig::default()
    }
}

/// The frame number drawn as 16 blocks across the top of the picture, read from its RGB.
fn thumb_index(t: &Thumbnail) -> u64 {
    let y = t.height / 18;
    (0..16).fold(0, |acc, i| {
        let x = (2 * i + 1) * t.width / 32;
        (acc << 1) | u64::from(t.rgb(x, y)[1] >= 128)
    })
}

/// Mean absolute difference of two same-sized pictures' RGB.
fn mean_diff(a: &Thumbnail, b: &Thumbnail) -> f64 {
    assert_eq!((a.width, a.height), (b.width, b.height));
    let sum: u64 = a
        .rgba
        .iter()
        .zip(&b.rgba)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.rgba.len() as f64
}

/// Keeps, made small the same way, the pictures the player presents at fragment starts.
#[derive(Clone, Default)]
struct FragmentStarts(Arc<Mutex<HashMap<u64, Thumbnail>>>);

impl VideoSink for FragmentStarts {
    fn present(&mut self, frame: &VideoFrame) -> Result<(), SinkError> {
        if frame.pts.is_multiple_of(FRAGMENT) {
            let key = player_core::thumbnail::FragmentKey {
                stream: 0,
                level: 0,
                start: frame.pts,
            };
            let t = to_thumbnail(frame, key, DEFAULT_WIDTH, Colour::BT709);
            if let Ok(mut m) = self.0.lock() {
                m.insert(frame.pts, t);
            }
        }
        Ok(())
    }
}

/// Plays `url` at its lowest level to the end; the pictures at fragment starts.
fn played_fragment_starts(url: &str) -> HashMap<u64, Thumbnail> {
    let sink = FragmentStarts::default();
    let config = Config {
        fast: true,
        quality: Some(0),
        decoder: Backend::OpenH264,
        ..Config::default()
    };
    let sinks = Sinks {
        video: Box::new(sink.clone()),
        audio: Box::new(NullAudioSink::unpaced()),
    };
    let player = Player::open(url, config, sinks).expect("open");
    run_to_end(&player);
    drop(player);
    sink.0.lock().map(|m| m.clone()).unwrap_or_default()
}

#[test]
fn thumbnails_come_from_the_fragment_covering_the_time() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let url = origin.url("demo/Manifest");
    let thumbs = Thumbnailer::open(&url, config()).expect("open");
    assert_eq!(
        thumbs.span(),
        Some((Duration::ZERO, Duration::from_secs(20)))
    );
    // (time asked for, fragment start expected): inside, on a boundary, the last moment,
    // past the end (clamped to the last fragment).
    let cases = [
        (0.0, 0),
        (1.96, 0),
        (2.0, FRAGMENT),
        (7.0, 3 * FRAGMENT),
        (13.3, 6 * FRAGMENT),
        (19.99, 9 * FRAGMENT),
        (25.0, 9 * FRAGMENT),
    ];
    let played = played_fragment_starts(&url);
    assert_eq!(
        played.len(),
        10,
        "the player presented every fragment start"
    );
    for (at, start) in cases {
        let t = thumbs
            .thumbnail(Duration::from_secs_f64(at))
            .unwrap_or_else(|e| panic!("thumbnail at {at} s: {e}"));
        assert_eq!(t.key.start, start, "fragment for {at} s");
        assert_eq!(t.key.level, 0, "the lowest level (300 kbit/s)");
        assert_eq!(t.pts, start, "the fragment's first picture");
        assert_eq!((t.width, t.height), (160, 90));
        assert_eq!(
            thumb_index(&t),
            start / FRAME,
            "frame number drawn in the thumbnail at {at} s"
        );
        let full = &played[&start];
        let diff = mean_diff(&t, full);
        assert!(
            diff < 1.0,
            "{at} s: differs from the player's picture by {diff:.2} on average"
        );
    }
    // Different fragments, different pictures (not only the frame number band).
    let a = thumbs.thumbnail(Duration::from_secs(1)).expect("first");
    let b = thumbs.thumbnail(Duration::from_secs(7)).expect("fourth");
    let diff = mean_diff(&a, &b);
    assert!(
        diff > 3.0,
        "two fragments' thumbnails differ by only {diff:.2}"
    );
}

#[test]
fn local_directories_and_other_video_widths_work_too() {
    let dir = assets_dir().join("demo");
    let cfg = ThumbnailConfig {
        width: 64,
        ..config()
    };
    let thumbs = Thumbnailer::open(dir.to_str().expect("utf8"), cfg).expect("open");
    let t = thumbs
        .thumbnail(Duration::from_secs(11))
        .expect("thumbnail");
    assert_eq!((t.width, t.height, t.key.start), (64, 36, 5 * FRAGMENT));
}

fn protected_key(variant: &str) -> (Uuid, [u8; 16]) {
    let text = std::fs::read_to_string(
        assets_dir()
            .join("protected")
            .join(variant)
            .join("reference.json"),
    )
    .expect("reference.json");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let kid: Uuid = v["protection"]["kid"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("protection.kid");
    let key: [u8; 16] = v["protection"]["key"]
        .as_str()
        .and_then(|s| hex::decode(s).ok())
        .and_then(|b| b.try_into().ok())
        .expect("protection.key");
    (kid, key)
}

fn keyed(kid: Uuid, key: [u8; 16]) -> ThumbnailConfig {
    let mut keys = StaticKeys::new();
    keys.insert(kid, ContentKey::new(key));
    ThumbnailConfig {
        keys: Some(Keys(Arc::new(keys))),
        ..config()
    }
}

#[test]
fn protected_presentations_give_the_clear_pictures_with_the_right_key() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let clear =
        Thumbnailer::open(&origin.url("protected/clear/Manifest"), config()).expect("clear");
    for variant in ["piff-ctr", "piff-cbc", "cenc-ctr"] {
        let (kid, key) = protected_key(variant);
        let url = origin.url(&format!("protected/{variant}/Manifest"));
        let thumbs = Thumbnailer::open(&url, keyed(kid, key)).expect("open");
        for at in [0.5, 5.0] {
            let at = Duration::from_secs_f64(at);
            let got = thumbs
                .thumbnail(at)
                .unwrap_or_else(|e| panic!("{variant}: {e}"));
            let want = clear.thumbnail(at).expect("clear thumbnail");
            assert_eq!(
                got.rgba, want.rgba,
                "{variant} at {at:?}: the clear picture"
            );
        }
        // A wrong key (one bit off) is refused with a message naming the KID, never the key.
        let mut wrong = key;
        wrong[15] ^= 1;
        let thumbs = Thumbnailer::open(&url, keyed(kid, wrong)).expect("open");
        let e = thumbs.thumbnail(Duration::ZERO).expect_err("wrong key");
        let text = e.to_string();
        println!("{variant} with a wrong key: {text}");
        assert!(text.contains(&kid.to_string()), "{text}");
        assert!(text.contains("wrong"), "{text}");
        assert!(
            !text.contains(&hex::encode(wrong)),
            "the key must not be shown: {text}"
        );
        assert!(matches!(
            e,
            ThumbnailError::Fragment { .. } | ThumbnailError::WrongKey { .. }
        ));
        // No key at all.
        let thumbs = Thumbnailer::open(&url, config()).expect("open");
        let text = thumbs
            .thumbnail(Duration::ZERO)
            .expect_err("no key")
            .to_string();
        assert!(text.contains("no key available"), "{text}");
    }
}

#[test]
fn live_thumbnails_cover_the_dvr_window() {
    let time_base = 1_000_000_000_000;
    let origin = Origin::start(
        assets_dir(),
        OriginConfig {
            live: Some(LiveConfig {
                dvr_window: Some(Duration::from_secs(10)),
                preroll: Duration::from_secs(30),
                time_base,
                ..LiveConfig::default()
            }),
            ..OriginConfig::default()
        },
    )
    .expect("origin");
    let mut thumbs = Thumbnailer::open(&origin.url("demo/Manifest"), config()).expect("open");
    thumbs.refresh().expect("refresh");
    let (start, end) = thumbs.span().expect("a window");
    let window = end - start;
    assert!(
        window >= Duration::from_secs(8) && window <= Duration::from_secs(14),
        "DVR window {window:?}"
    );
    let base = Duration::from_nanos(time_base * 100);
    assert!(
        start >= base + Duration::from_secs(16),
        "window starts at {start:?}"
    );
    // Before the window: its first fragment. Inside: the fragment covering the time.
    for (at, want) in [
        (base, start),
        (
            start + Duration::from_secs(3),
            start + Duration::from_secs(2),
        ),
    ] {
        let t = thumbs.thumbnail(at).expect("thumbnail");
        assert_eq!(t.time(), want, "thumbnail for {at:?}");
        // The live origin loops the 20 s demo: the frame drawn is the media time since the
        // live start, modulo 500 frames.
        let frames = (t.pts - time_base) / FRAME;
        assert_eq!(thumb_index(&t), frames % 500, "frame number at {at:?}");
    }
}
