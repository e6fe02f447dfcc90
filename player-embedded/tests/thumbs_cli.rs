//! `smoothplay-headless thumbs`: one readable PNG per `--every` seconds, each of the right
//! fragment, a contact sheet of the right grid, and a clear error with a non-zero exit for
//! what cannot be read.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::assets_dir;

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sp-thumbs-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    dir
}

fn thumbs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smoothplay-headless"))
        .arg("thumbs")
        .args(args)
        .output()
        .expect("run smoothplay-headless")
}

fn rgba(path: &Path) -> image::RgbaImage {
    image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgba8()
}

/// The frame number drawn as 16 blocks across the top of a demo picture.
fn frame_index(img: &image::RgbaImage) -> u32 {
    let (w, h) = img.dimensions();
    (0..16).fold(0, |acc, i| {
        let px = img.get_pixel((2 * i + 1) * w / 32, h / 18);
        (acc << 1) | u32::from(px[1] >= 128)
    })
}

#[test]
fn one_png_per_interval_and_a_contact_sheet() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let dir = out_dir("demo");
    let out = thumbs(&[
        &origin.url("demo/Manifest"),
        "--every",
        "2.5",
        "--out",
        dir.to_str().expect("utf8"),
        "--decoder",
        "openh264",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    // 20 s of video every 2.5 s: 0, 2.5 … 17.5.
    for i in 0..8u32 {
        let path = dir.join(format!("thumb-{i:04}.png"));
        let img = rgba(&path);
        assert_eq!(img.dimensions(), (160, 90), "{}", path.display());
        // The key frame of the 2 s fragment covering i × 2.5 s: 50 frames per fragment.
        let fragment = i * 5 / 4;
        assert_eq!(frame_index(&img), fragment * 50, "{}", path.display());
        let line = format!("thumb-{i:04}.png");
        assert!(stdout.contains(&line), "{line} printed: {stdout}");
    }
    assert!(!dir.join("thumb-0008.png").exists(), "one PNG too many");
    assert!(stdout.contains("17.500 s"), "times printed: {stdout}");
    // Eight pictures in a near-square grid: 3 × 3 cells of 160 × 90 with 4-pixel gaps.
    let sheet = rgba(&dir.join("contact-sheet.png"));
    assert_eq!(sheet.dimensions(), (3 * 160 + 4 * 4, 3 * 90 + 4 * 4));
    // The first cell holds the first thumbnail.
    let first = rgba(&dir.join("thumb-0000.png"));
    assert_eq!(sheet.get_pixel(4 + 80, 4 + 45), first.get_pixel(80, 45));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn columns_and_width_shape_the_sheet() {
    let dir = out_dir("columns");
    let demo = assets_dir().join("demo");
    let out = thumbs(&[
        demo.to_str().expect("utf8"),
        "--every",
        "5",
        "--out",
        dir.to_str().expect("utf8"),
        "--width",
        "80",
        "--columns",
        "4",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(rgba(&dir.join("thumb-0003.png")).dimensions(), (80, 45));
    let sheet = rgba(&dir.join("contact-sheet.png"));
    assert_eq!(sheet.dimensions(), (4 * 80 + 5 * 4, 45 + 2 * 4));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_missing_presentation_fails_with_its_url() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let dir = out_dir("missing");
    let url = origin.url("no-such/Manifest");
    let out = thumbs(&[&url, "--every", "2", "--out", dir.to_str().expect("utf8")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&url), "names the URL: {stderr}");
    assert!(stderr.contains("404"), "says what failed: {stderr}");
    assert!(!dir.exists(), "nothing written");
}

#[test]
fn a_protected_presentation_needs_its_key() {
    let dir = out_dir("protected");
    let piff = assets_dir().join("protected/piff-cbc");
    let args = |key: &'static str| {
        vec![
            piff.to_str().expect("utf8").to_string(),
            "--every".into(),
            "4".into(),
            "--out".into(),
            dir.to_str().expect("utf8").to_string(),
            "--key".into(),
            format!("10000000-1000-1000-1000-100000000002:{key}"),
        ]
    };
    let run = |key| {
        let a = args(key);
        thumbs(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let ok = run("07e4d653cfb45c66158d93ffce422907");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(frame_index(&rgba(&dir.join("thumb-0001.png"))), 100);
    let wrong = run("07e4d653cfb45c66158d93ffce422906");
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert_eq!(wrong.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the key is probably wrong"), "{stderr}");
    assert!(
        !stderr.contains("07e4d653cfb45c66158d93ffce422906"),
        "key shown: {stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
