//! `smoothplay-headless` on the encrypted test content (`assets/protected/`), as a user runs
//! it: `play URL --key… / --key-seed / --license-url` over HTTP from the loopback origin, with
//! the output files checked against the clear reference, and `probe` showing the protection.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use md5::{Digest, Md5};
use player_tests::origin::{ClearKeyConfig, Origin, OriginConfig};
use player_tests::support::{Reference, assets_dir};

const BIN: &str = env!("CARGO_BIN_EXE_smoothplay-headless");
/// Microsoft's public PlayReady test key seed (see assets/README.md).
const SEED: &str = "XVBovsmzhP9gRIZxWfFta3VVRPzVEWmJsazEJ46I";

fn protected_dir() -> PathBuf {
    assets_dir().join("protected")
}

/// (KID, key hex) of a variant, from its reference.json.
fn kid_and_key(variant: &str) -> (String, String) {
    let path = protected_dir().join(variant).join("reference.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let v: serde_json::Value = serde_json::from_str(&text).expect("reference.json");
    let field = |k: &str| {
        v["protection"][k]
            .as_str()
            .unwrap_or_else(|| panic!("protection.{k}"))
            .to_string()
    };
    (field("kid"), field("key"))
}

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "smoothplay-headless-protected-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("SMOOTHPLAY_LOG", "off")
        .output()
        .expect("run smoothplay-headless")
}

/// MD5 of every picture in a YUV4MPEG2 file (packed I420, the reference.json convention).
fn y4m_md5s(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let header_end = bytes.iter().position(|&b| b == b'\n').expect("y4m header");
    let header = String::from_utf8_lossy(&bytes[..header_end]).to_string();
    let dim = |tag: char| -> usize {
        header
            .split(' ')
            .find_map(|t| t.strip_prefix(tag).and_then(|v| v.parse().ok()))
            .unwrap_or_else(|| panic!("no {tag} in {header}"))
    };
    let size = dim('W') * dim('H') * 3 / 2;
    let mut out = Vec::new();
    let mut at = header_end + 1;
    while at < bytes.len() {
        assert_eq!(&bytes[at..at + 6], b"FRAME\n", "frame marker at byte {at}");
        at += 6;
        let picture = &bytes[at..at + size];
        out.push(
            Md5::digest(picture)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        );
        at += size;
    }
    out
}

/// Sample frames in a float WAV file written by `--audio-out`.
fn wav_frames(path: &Path) -> u64 {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let data = bytes
        .windows(4)
        .position(|w| w == b"data")
        .expect("data chunk");
    let len = u32::from_le_bytes(bytes[data + 4..data + 8].try_into().expect("4 bytes"));
    u64::from(len) / 8 // 2 channels of f32
}

fn assert_like_clear(what: &str, out: &Output, scratch: &Scratch) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{what}: {:?}\n{stderr}", out.status);
    let reference = Reference::load(&protected_dir().join("clear")).expect("reference");
    let want: Vec<&str> = reference.video[0]
        .frames
        .iter()
        .map(|f| f.md5.as_str())
        .collect();
    let got = y4m_md5s(&scratch.path("out.y4m"));
    assert_eq!(
        got, want,
        "{what}: pictures differ from the clear reference"
    );
    assert_eq!(
        wav_frames(&scratch.path("out.wav")),
        reference.audio[0].total_samples,
        "{what}: audio sample frames"
    );
}

#[test]
fn plays_every_variant_with_keys_from_the_command_line() {
    let origin = Origin::start(protected_dir(), OriginConfig::default()).expect("origin");
    for (variant, how) in [
        ("piff-ctr", "key"),
        ("piff-cbc", "seed"),
        ("cenc-ctr", "key-base64"),
    ] {
        let scratch = Scratch::new(variant);
        let (kid, key) = kid_and_key(variant);
        let key_arg = match how {
            "key-base64" => {
                use base64::Engine;
                let bytes = hex::decode(&key).expect("hex");
                format!(
                    "{}:{}",
                    kid.replace('-', ""),
                    base64::engine::general_purpose::STANDARD.encode(bytes)
                )
            }
            _ => format!("{kid}:{key}"),
        };
        let (flag, value) = if how == "seed" {
            ("--key-seed", SEED.to_string())
        } else {
            ("--key", key_arg)
        };
        let url = origin.url(&format!("{variant}/Manifest"));
        let y4m = scratch.path("out.y4m");
        let wav = scratch.path("out.wav");
        let out = run(&[
            "play",
            &url,
            "--fast",
            flag,
            &value,
            "--video-out",
            y4m.to_str().expect("utf-8"),
            "--audio-out",
            wav.to_str().expect("utf-8"),
            "--events",
            "-",
        ]);
        assert_like_clear(&format!("{variant} ({how})"), &out, &scratch);
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!printed.contains(&key), "{variant}: the key was printed");
        assert!(!printed.contains(SEED), "{variant}: the seed was printed");
        assert!(
            printed.contains(r#""type":"ended""#),
            "{variant}: {printed}"
        );
    }
}

#[test]
fn clearkey_license_url() {
    let (kid, key) = kid_and_key("cenc-ctr");
    let key_bytes: [u8; 16] = hex::decode(&key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .expect("16 bytes");
    let config = OriginConfig {
        clearkey: ClearKeyConfig::with_keys([(kid.parse().expect("kid"), key_bytes)]),
        ..OriginConfig::default()
    };
    let origin = Origin::start(protected_dir(), config).expect("origin");
    let scratch = Scratch::new("clearkey");
    let y4m = scratch.path("out.y4m");
    let wav = scratch.path("out.wav");
    let out = run(&[
        "play",
        &origin.url("cenc-ctr/Manifest"),
        "--fast",
        "--license-url",
        &origin.url("clearkey"),
        "--video-out",
        y4m.to_str().expect("utf-8"),
        "--audio-out",
        wav.to_str().expect("utf-8"),
    ]);
    assert_like_clear("cenc-ctr (ClearKey)", &out, &scratch);
    let license: Vec<u16> = origin
        .log()
        .records()
        .iter()
        .filter(|r| r.path == "/clearkey")
        .map(|r| r.status)
        .collect();
    assert_eq!(license, vec![200]);
}

#[test]
fn key_failures_exit_non_zero_with_a_clear_message() {
    let origin = Origin::start(
        protected_dir(),
        OriginConfig {
            clearkey: ClearKeyConfig::refusing(403),
            ..OriginConfig::default()
        },
    )
    .expect("origin");
    let wrong = "00112233445566778899aabbccddeeff";
    let (ctr_kid, _) = kid_and_key("piff-ctr");
    let (cbc_kid, _) = kid_and_key("piff-cbc");
    let (cenc_kid, _) = kid_and_key("cenc-ctr");
    let wrong_ctr = format!("{ctr_kid}:{wrong}");
    let wrong_cbc = format!("{cbc_kid}:{wrong}");
    let license = origin.url("clearkey");
    let cases: [(&str, Vec<&str>, String); 4] = [
        (
            "piff-ctr",
            vec!["--key", &wrong_ctr],
            format!("wrong key for KID {ctr_kid}"),
        ),
        (
            "piff-cbc",
            vec!["--key", &wrong_cbc],
            format!("with the key for KID {cbc_kid}"),
        ),
        (
            "cenc-ctr",
            vec![],
            format!("no key available for KID {cenc_kid}"),
        ),
        (
            "cenc-ctr",
            vec!["--license-url", &license],
            format!("refused the key request for KID {cenc_kid}: HTTP 403"),
        ),
    ];
    for (variant, extra, expected) in cases {
        let url = origin.url(&format!("{variant}/Manifest"));
        let mut args = vec!["play", url.as_str(), "--fast", "--events", "-"];
        args.extend(extra.iter().copied());
        let out = run(&args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{variant} {extra:?}: {stderr}");
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with("smoothplay: ") && l.contains(&expected)),
            "{variant} {extra:?}: {stderr}"
        );
        assert!(
            stdout.contains(r#""fatal":true,"kind":"decrypt""#)
                && stdout.contains(r#""state":"failed""#),
            "{variant} {extra:?}: {stdout}"
        );
        assert!(!stdout.contains(wrong) && !stderr.contains(wrong));
    }
}

#[test]
fn bad_key_options_are_refused_before_playing() {
    let out = run(&[
        "play",
        &protected_dir().join("piff-ctr").display().to_string(),
        "--key",
        "10000000-1000-1000-1000-100000000001:3a2a1b68dd2bd9b2eeb25e84c47766",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--key: the key for KID 10000000-1000-1000-1000-100000000001"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("3a2a1b68dd2bd9b2eeb25e84c47766"),
        "{stderr}"
    );
}

#[test]
fn probe_shows_the_protection() {
    for (variant, line) in [
        (
            "piff-ctr",
            "KID 10000000-1000-1000-1000-100000000001 AESCTR, key checksum",
        ),
        (
            "piff-cbc",
            "KID 10000000-1000-1000-1000-100000000002 AESCBC, no key checksum",
        ),
        (
            "cenc-ctr",
            "KID a1b1c1d1-a2b2-a3b3-a4b4-a5b5c5d5e5f5 AESCTR, key checksum",
        ),
    ] {
        let dir = protected_dir().join(variant);
        let out = run(&["probe", dir.to_str().expect("utf-8")]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{variant}");
        assert!(
            text.contains("  PlayReady 9a04f079-9840-4286-ab92-e65be0885f95 ("),
            "{text}"
        );
        assert!(text.contains(line), "{text}");
        assert!(
            text.contains(
                "license https://test.playready.microsoft.com/service/rightsmanager.asmx"
            ),
            "{text}"
        );
        let out = run(&["probe", dir.to_str().expect("utf-8"), "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let p = &v["protection"][0];
        assert_eq!(p["system"], "PlayReady");
        let cbc = variant == "piff-cbc";
        assert_eq!(p["keys"][0]["checksum"], !cbc);
        assert_eq!(p["header_version"], if cbc { "4.3.0.0" } else { "4.0.0.0" });
    }
    let clear = protected_dir().join("clear");
    let out = run(&["probe", clear.to_str().expect("utf-8")]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("protection  none"));
}
