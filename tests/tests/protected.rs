//! Protected playback end to end: the encrypted copies in `assets/protected/` (PIFF CTR, PIFF
//! CBC, CENC CTR) played over HTTP from the loopback origin, through the whole pipeline
//! (fetch, decrypt, decode, present) with capturing sinks, in `--fast` mode.
//!
//! Correct keys — given as static keys, derived from the key seed, fetched from the origin's
//! ClearKey endpoint or returned by an embedder callback — must give exactly the clear
//! subset's pictures and samples. Wrong, missing or refused keys must end in a fatal `decrypt`
//! error, promptly, without a picture of garbage and without printing a key.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use player_core::decrypt::{
    CallbackProvider, ContentKey, DecryptError, KeySeedProvider, StaticKeys,
};
use player_core::manifest::Uuid;
use player_core::player::ClearKeyProvider;
use player_core::player::{Config, Event, Keys, Player, Sinks, State};
use player_tests::key_text::parse_key_seed;
use player_tests::origin::{ClearKeyConfig, Origin, OriginConfig};
use player_tests::support::{CaptureAudio, CaptureVideo, CapturedFrame, Reference, assets_dir};

/// Microsoft's public PlayReady test key seed (see assets/README.md).
const SEED: &str = "XVBovsmzhP9gRIZxWfFta3VVRPzVEWmJsazEJ46I";
const VARIANTS: [&str; 3] = ["piff-ctr", "piff-cbc", "cenc-ctr"];
/// Longest wait for the next player event before the test calls it a hang.
const HANG: Duration = Duration::from_secs(120);

fn protected_dir() -> PathBuf {
    assets_dir().join("protected")
}

/// KID and key of a variant, from the `protection` section of its reference.json.
fn kid_and_key(variant: &str) -> (Uuid, [u8; 16]) {
    let path = protected_dir().join(variant).join("reference.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let v: serde_json::Value = serde_json::from_str(&text).expect("reference.json");
    let kid: Uuid = v["protection"]["kid"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("protection.kid");
    let key = v["protection"]["key"]
        .as_str()
        .and_then(|s| hex::decode(s).ok())
        .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
        .expect("protection.key");
    (kid, key)
}

fn static_keys(pairs: &[(Uuid, [u8; 16])]) -> Keys {
    let mut keys = StaticKeys::new();
    for (kid, key) in pairs {
        keys.insert(*kid, ContentKey::new(*key));
    }
    Keys(Arc::new(keys))
}

/// What one playback showed.
struct Played {
    frames: Vec<CapturedFrame>,
    samples: Vec<f32>,
    channels: u16,
    events: Vec<Event>,
    end: State,
}

impl Played {
    fn errors(&self) -> Vec<(String, String, bool)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Error {
                    kind,
                    message,
                    fatal,
                } => Some((kind.clone(), message.clone(), *fatal)),
                _ => None,
            })
            .collect()
    }

    /// The first errors, for failure messages (a wrong key can make hundreds).
    fn error_summary(&self) -> String {
        let errors = self.errors();
        let head: Vec<String> = errors.iter().take(3).map(|e| format!("{e:?}")).collect();
        format!("{} errors: {} …", errors.len(), head.join(", "))
    }

    fn fatal(&self) -> Option<(String, String)> {
        self.errors()
            .into_iter()
            .find(|e| e.2)
            .map(|(kind, message, _)| (kind, message))
    }

    fn stalled(&self) -> bool {
        self.events
            .iter()
            .any(|e| matches!(e, Event::Buffering { active: true }))
    }
}

/// Plays `url` to its end (Ended) or to a failure (Failed), unpaced.
fn play(url: &str, keys: Option<Keys>) -> Played {
    let video = CaptureVideo::default();
    let audio = CaptureAudio::new(false);
    let config = Config {
        fast: true,
        keys,
        ..Config::default()
    };
    let sinks = Sinks {
        video: Box::new(video.clone()),
        audio: Box::new(audio.clone()),
    };
    let player = Player::open(url, config, sinks).unwrap_or_else(|e| panic!("open {url}: {e}"));
    let mut events = Vec::new();
    let end = loop {
        let ev = player
            .events()
            .recv_timeout(HANG)
            .unwrap_or_else(|e| panic!("{url}: no event for {HANG:?} ({e}): the player hangs"));
        let end = match &ev {
            Event::Ended { .. } => Some(State::Ended),
            Event::State {
                state: State::Failed,
                ..
            } => Some(State::Failed),
            _ => None,
        };
        events.push(ev);
        if let Some(end) = end {
            break end;
        }
    };
    player.stop();
    drop(player);
    let captured = audio.captured();
    Played {
        frames: video.frames(),
        samples: captured.samples,
        channels: captured.channels,
        events,
        end,
    }
}

/// The clear subset, played once over HTTP and checked against its reference.json.
fn clear() -> &'static Played {
    static CLEAR: OnceLock<Played> = OnceLock::new();
    CLEAR.get_or_init(|| {
        let origin = Origin::start(protected_dir(), OriginConfig::default()).expect("origin");
        let p = play(&origin.url("clear/Manifest"), None);
        assert_eq!(p.end, State::Ended, "clear subset: {}", p.error_summary());
        assert!(p.errors().is_empty(), "clear subset: {}", p.error_summary());
        let reference = Reference::load(&protected_dir().join("clear")).expect("reference");
        let level = &reference.video[0];
        let want: Vec<(u64, &str)> = level
            .frames
            .iter()
            .map(|f| (f.pts, f.md5.as_str()))
            .collect();
        let got: Vec<(u64, &str)> = p.frames.iter().map(|f| (f.pts, f.md5.as_str())).collect();
        assert_eq!(got, want, "clear subset pictures against reference.json");
        let audio = &reference.audio[0];
        assert_eq!(p.channels, audio.channels);
        assert_eq!(
            p.samples.len() as u64,
            audio.total_samples * u64::from(audio.channels),
            "every decoded AAC sample, priming included, is played"
        );
        p
    })
}

/// `p` shows exactly what the clear subset shows, and reached the end without an error.
fn assert_like_clear(what: &str, p: &Played) {
    assert_eq!(p.end, State::Ended, "{what}: {}", p.error_summary());
    assert!(p.errors().is_empty(), "{what}: {}", p.error_summary());
    let clear = clear();
    let got: Vec<(u64, &str)> = p.frames.iter().map(|f| (f.pts, f.md5.as_str())).collect();
    let want: Vec<(u64, &str)> = clear
        .frames
        .iter()
        .map(|f| (f.pts, f.md5.as_str()))
        .collect();
    assert_eq!(got.len(), 200, "{what}: pictures presented");
    assert_eq!(got, want, "{what}: pictures differ from the clear subset");
    assert_eq!(p.channels, clear.channels, "{what}");
    assert_eq!(
        p.samples.len(),
        clear.samples.len(),
        "{what}: audio sample count"
    );
    if let Some(i) = p
        .samples
        .iter()
        .zip(&clear.samples)
        .position(|(a, b)| a != b)
    {
        panic!("{what}: audio sample {i} differs from the clear subset");
    }
}

/// Every provider kind, for one variant: static key, key seed, ClearKey server, callback.
fn plays_with_every_provider(variant: &str) {
    let (kid, key) = kid_and_key(variant);
    let clearkey = ClearKeyConfig::with_keys([(kid, key)]);
    let origin = Origin::start(
        protected_dir(),
        OriginConfig {
            clearkey,
            ..OriginConfig::default()
        },
    )
    .expect("origin");
    let url = origin.url(&format!("{variant}/Manifest"));

    let p = play(&url, Some(static_keys(&[(kid, key)])));
    assert_like_clear(&format!("{variant} with a static key"), &p);

    let seed = parse_key_seed(SEED).expect("seed");
    let p = play(&url, Some(Keys(Arc::new(KeySeedProvider::new(seed)))));
    assert_like_clear(&format!("{variant} with the key seed"), &p);

    let license = ClearKeyProvider::new(&origin.url("clearkey")).expect("provider");
    let before = origin.log().records().len();
    let p = play(&url, Some(Keys(Arc::new(license))));
    assert_like_clear(&format!("{variant} with the ClearKey server"), &p);
    let license_requests: Vec<u16> = origin.log().records()[before..]
        .iter()
        .filter(|r| r.path == "/clearkey")
        .map(|r| r.status)
        .collect();
    assert_eq!(
        license_requests,
        vec![200],
        "{variant}: one license request for both streams (keys are cached per KID)"
    );

    let callback = CallbackProvider::new(move |k| (k == kid).then(|| ContentKey::new(key)));
    let p = play(&url, Some(Keys(Arc::new(callback))));
    assert_like_clear(&format!("{variant} with a callback"), &p);
}

#[test]
fn clear_subset_matches_its_reference() {
    let p = clear();
    assert_eq!(p.frames.len(), 200);
    let first = p.frames.first().map(|f| (f.pts, f.index));
    let last = p.frames.last().map(|f| (f.pts, f.index));
    assert_eq!((first, last), (Some((0, 0)), Some((79_600_000, 199))));
}

#[test]
fn piff_ctr_plays_like_the_clear_subset() {
    plays_with_every_provider("piff-ctr");
}

#[test]
fn piff_cbc_plays_like_the_clear_subset() {
    plays_with_every_provider("piff-cbc");
}

#[test]
fn cenc_ctr_plays_like_the_clear_subset() {
    plays_with_every_provider("cenc-ctr");
}

/// The fatal error of a failed playback: kind `decrypt`, no picture shown that the clear
/// subset does not have, no rebuffering, and the key nowhere in the events.
fn assert_failed_cleanly(what: &str, p: &Played, key: &[u8; 16]) -> String {
    assert_eq!(p.end, State::Failed, "{what}: {}", p.error_summary());
    let (kind, message) = p
        .fatal()
        .unwrap_or_else(|| panic!("{what}: no fatal error"));
    assert_eq!(kind, "decrypt", "{what}: {message}");
    assert!(
        !p.stalled(),
        "{what}: the player rebuffered instead of failing"
    );
    let clear: Vec<&str> = clear().frames.iter().map(|f| f.md5.as_str()).collect();
    for f in &p.frames {
        assert!(
            clear.contains(&f.md5.as_str()),
            "{what}: a garbage picture was shown at pts {}",
            f.pts
        );
    }
    let shown = format!("{:?}", p.events);
    for secret in [hex::encode(key), hex::encode(key).to_uppercase()] {
        assert!(
            !shown.contains(&secret),
            "{what}: the key appears in the events"
        );
    }
    message
}

#[test]
fn wrong_key_with_a_checksum_is_wrong_key() {
    for variant in ["piff-ctr", "cenc-ctr"] {
        let (kid, _) = kid_and_key(variant);
        let origin = Origin::start(protected_dir(), OriginConfig::default()).expect("origin");
        let wrong = [0x5a; 16];
        let p = play(
            &origin.url(&format!("{variant}/Manifest")),
            Some(static_keys(&[(kid, wrong)])),
        );
        let message = assert_failed_cleanly(variant, &p, &wrong);
        assert_eq!(message, DecryptError::WrongKey { kid }.to_string());
        assert!(
            p.frames.is_empty(),
            "{variant}: nothing decrypted, nothing shown"
        );
        assert!(
            p.samples.is_empty(),
            "{variant}: nothing decrypted, nothing heard"
        );
    }
}

#[test]
fn another_variants_key_is_a_wrong_key_too() {
    // The seed derives a key for any KID; a static key given for the right KID but taken
    // from another variant is caught by the checksum like any other wrong key.
    let (kid, _) = kid_and_key("piff-ctr");
    let (_, other_key) = kid_and_key("cenc-ctr");
    let origin = Origin::start(protected_dir(), OriginConfig::default()).expect("origin");
    let p = play(
        &origin.url("piff-ctr/Manifest"),
        Some(static_keys(&[(kid, other_key)])),
    );
    let message = assert_failed_cleanly("piff-ctr", &p, &other_key);
    assert_eq!(message, DecryptError::WrongKey { kid }.to_string());
}

#[test]
fn wrong_cbc_key_without_a_checksum_ends_in_a_clear_error() {
    let (kid, _) = kid_and_key("piff-cbc");
    let origin = Origin::start(protected_dir(), OriginConfig::default()).expect("origin");
    let wrong = [0x5a; 16];
    let p = play(
        &origin.url("piff-cbc/Manifest"),
        Some(static_keys(&[(kid, wrong)])),
    );
    let message = assert_failed_cleanly("piff-cbc", &p, &wrong);
    assert!(
        message.contains(&format!("decryption with the key for KID {kid}"))
            && message.contains("the key is probably wrong"),
        "{message}"
    );
    assert!(p.frames.is_empty(), "no picture decodes with a wrong key");
    assert!(
        p.samples.is_empty(),
        "{} samples of noise were played",
        p.samples.len()
    );
}

#[test]
fn missing_key_is_key_unavailable_without_a_stall() {
    for variant in VARIANTS {
        let (kid, _) = kid_and_key(variant);
        let origin = Origin::start(protected_dir(), OriginConfig::default()).expect("origin");
        let url = origin.url(&format!("{variant}/Manifest"));
        // No keys at all, and keys for other KIDs only.
        let others: Vec<(Uuid, [u8; 16])> = VARIANTS
            .iter()
            .filter(|v| **v != variant)
            .map(|v| kid_and_key(v))
            .collect();
        for keys in [None, Some(static_keys(&others))] {
            let p = play(&url, keys);
            let message = assert_failed_cleanly(variant, &p, &[0; 16]);
            assert_eq!(message, DecryptError::KeyUnavailable { kid }.to_string());
            assert!(p.frames.is_empty() && p.samples.is_empty(), "{variant}");
        }
    }
}

#[test]
fn clearkey_refusal_fails_cleanly() {
    let (kid, key) = kid_and_key("cenc-ctr");
    let origin = Origin::start(
        protected_dir(),
        OriginConfig {
            clearkey: ClearKeyConfig::refusing(403),
            ..OriginConfig::default()
        },
    )
    .expect("origin");
    let url = origin.url("clearkey");
    let license = ClearKeyProvider::new(&url).expect("provider");
    let p = play(
        &origin.url("cenc-ctr/Manifest"),
        Some(Keys(Arc::new(license))),
    );
    let message = assert_failed_cleanly("cenc-ctr", &p, &key);
    assert_eq!(
        message,
        DecryptError::LicenseDenied {
            kid,
            url,
            status: 403
        }
        .to_string()
    );
    let refused = origin
        .log()
        .records()
        .iter()
        .filter(|r| r.path == "/clearkey")
        .all(|r| r.status == 403);
    assert!(refused);
    assert!(p.frames.is_empty() && p.samples.is_empty());
}

#[test]
fn clearkey_server_without_the_kid_is_key_unavailable() {
    let (kid, _) = kid_and_key("piff-cbc");
    let (other_kid, other_key) = kid_and_key("piff-ctr");
    let origin = Origin::start(
        protected_dir(),
        OriginConfig {
            clearkey: ClearKeyConfig::with_keys([(other_kid, other_key)]),
            ..OriginConfig::default()
        },
    )
    .expect("origin");
    let license = ClearKeyProvider::new(&origin.url("clearkey")).expect("provider");
    let p = play(
        &origin.url("piff-cbc/Manifest"),
        Some(Keys(Arc::new(license))),
    );
    let message = assert_failed_cleanly("piff-cbc", &p, &other_key);
    assert_eq!(message, DecryptError::KeyUnavailable { kid }.to_string());
}
