//! Hovering the seek bar in a real window (Xvfb) shows the thumbnail of the hovered moment
//! above the bar: found by its colour patches, and read by the frame number it shows.

mod support;

use std::time::Duration;

use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::assets_dir;
use support::{Image, Player, Scratch, Xvfb};

const BINARY: &str = env!("CARGO_BIN_EXE_smoothplay");

/// Where the thumbnail may appear: above the right part of the seek bar (y ≈ 662), where
/// the full picture itself has no pure colours (its patches are on the left).
const REGION: ((usize, usize), (usize, usize)) = ((860, 1280), (440, 655));

fn pure_red(p: [u8; 3]) -> bool {
    p[0] > 200 && p[1] < 70 && p[2] < 70
}

/// The top-left pure red pixel in [`REGION`]: the red patch of a thumbnail, if one is shown.
fn red_patch(img: &Image) -> Option<(usize, usize)> {
    let ((x0, x1), (y0, y1)) = REGION;
    let hits: Vec<(usize, usize)> = (y0..y1.min(img.height))
        .flat_map(|y| (x0..x1.min(img.width)).map(move |x| (x, y)))
        .filter(|&(x, y)| pure_red(img.at(x, y)))
        .collect();
    // A 16×16 patch, not a stray pixel.
    (hits.len() >= 100).then(|| {
        let x = hits.iter().map(|h| h.0).min().unwrap_or(0);
        let y = hits.iter().map(|h| h.1).min().unwrap_or(0);
        (x, y)
    })
}

/// The frame number a 160×90 thumbnail whose red patch starts at `red` shows: the patch is
/// at (8, 70) in the thumbnail, the number in 16 blocks of 10 px across its top 10 rows.
fn thumbnail_index(img: &Image, red: (usize, usize)) -> u32 {
    let (ox, oy) = (red.0.saturating_sub(8), red.1.saturating_sub(70));
    (0..16).fold(0, |acc, i| {
        let p = img.at(ox + 10 * i + 5, oy + 5);
        (acc << 1) | u32::from(p[1] >= 128)
    })
}

#[test]
fn hovering_the_seek_bar_shows_the_thumbnail_of_that_moment() {
    let dir = Scratch::new("window-thumbnails");
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let x = Xvfb::start();
    let mut player = Player::start(x.command(BINARY), &[&origin.url("/demo/Manifest")], &dir.0);
    let window = x.window("^demo .* smoothplay$");
    x.pointer(1900, 1060);
    let (i, _) = player.events.wait_position(0, 1.0);
    x.key(&window, "space");
    player.events.wait_for(i, "state paused", |v| {
        v["type"] == "state" && v["state"] == "paused"
    });
    // Show the controls, then hover the bar at 17 s: 22 px margins, 1236 px for 20 s.
    x.pointer(600, 400);
    x.pointer(640, 420);
    let at_17_s = 22 + 1236 * 17 / 20;
    x.pointer(at_17_s as u32, 662);
    x.pointer(at_17_s as u32 + 1, 662);
    let shot = x.screenshot_until(&window, 100, Duration::from_millis(100), |img| {
        red_patch(img).is_some()
    });
    let Some(img) = shot else {
        x.screenshot(&window).save_ppm(&dir.0.join("hover.ppm"));
        panic!("no thumbnail above the seek bar (hover.ppm kept)");
    };
    let red = red_patch(&img).expect("red patch");
    let index = thumbnail_index(&img, red);
    if index != 400 {
        img.save_ppm(&dir.0.join("hover.ppm"));
    }
    // The fragment covering 17 s starts at 16 s: frame 400.
    assert_eq!(
        index, 400,
        "frame shown in the thumbnail (red patch at {red:?})"
    );
    x.key(&window, "q");
    let status = player.wait_exit();
    assert_eq!(status.code(), Some(0), "stderr:\n{}", player.stderr());
}
