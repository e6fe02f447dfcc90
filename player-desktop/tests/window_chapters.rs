//! Chapters in a real window (Xvfb): the seek bar has a tick at each chapter of the demo
//! (8 s and 14 s of 20 s) and the ad break (6–10 s) in its own colour, and `N` / `P` jump
//! between chapters.

mod support;

use std::time::Duration;

use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::assets_dir;
use support::{Image, Player, Scratch, Xvfb};

const BINARY: &str = env!("CARGO_BIN_EXE_smoothplay");

/// The seek bar's rows in a 1280×720 window (its centre is at y ≈ 662), with room around.
const BAR_ROWS: std::ops::Range<usize> = 646..690;

/// The x of a position on the seek bar: 22 px margins, 1236 px for the demo's 20 s.
fn bar_x(t: f64) -> usize {
    (22.0 + 1236.0 * t / 20.0).round() as usize
}

/// Whether a column near `x` has a chapter tick: a run of near-white pixels taller than the
/// bar (the bar itself is grey, red or gold; behind the panel the video is dimmed).
fn tick_at(img: &Image, x: usize) -> bool {
    (x - 2..=x + 2).any(|x| {
        let mut run = 0;
        BAR_ROWS.clone().any(|y| {
            run = if img.at(x, y).iter().all(|c| *c >= 220) {
                run + 1
            } else {
                0
            };
            run >= 10
        })
    })
}

/// Whether the bar is gold (an ad break) in the column at `x`.
fn ad_at(img: &Image, x: usize) -> bool {
    BAR_ROWS.clone().any(|y| {
        let [r, g, b] = img.at(x, y);
        r >= 230 && (160..=220).contains(&g) && b <= 60
    })
}

/// Whether the seek bar shows ticks at the chapters (8 s, 14 s) and nowhere else, and the
/// ad break (6–10 s) in gold.
fn chapters_drawn(img: &Image) -> bool {
    let ticks = [8.0, 14.0].iter().all(|t| tick_at(img, bar_x(*t)));
    let elsewhere = [4.0, 11.0, 17.0, 19.0]
        .iter()
        .any(|t| tick_at(img, bar_x(*t)));
    let ad = [6.5, 7.0, 9.5].iter().all(|t| ad_at(img, bar_x(*t)));
    let no_ad = [3.0, 12.0, 16.0].iter().any(|t| ad_at(img, bar_x(*t)));
    ticks && !elsewhere && ad && !no_ad
}

/// Presses `key` and waits for the chapter seek it makes: asked for `to_s`, resumed there
/// (the demo has a key frame every 2 s), and the position reported there.
fn jump(x: &Xvfb, window: &str, player: &Player, key: &str, to_s: f64) {
    let from = player.events.all().len();
    x.key(window, key);
    let (i, seek) = player
        .events
        .wait_for(from, &format!("seek to {to_s} s"), |v| v["type"] == "seek");
    let requested = seek["requested_s"].as_f64().unwrap_or(f64::NAN);
    let resumed = seek["position_s"].as_f64().unwrap_or(f64::NAN);
    assert!(
        (requested - to_s).abs() < 0.01 && (resumed - to_s).abs() < 0.01,
        "{key} sought {seek}, expected {to_s} s"
    );
    player
        .events
        .wait_for(i, &format!("stats at {to_s} s"), |v| {
            v["type"] == "stats"
                && v["position_s"]
                    .as_f64()
                    .is_some_and(|p| (p - to_s).abs() < 0.05)
        });
}

#[test]
fn chapters_are_ticks_on_the_seek_bar_and_n_p_jump_between_them() {
    let dir = Scratch::new("window-chapters");
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let x = Xvfb::start();
    let mut player = Player::start(x.command(BINARY), &[&origin.url("/demo/Manifest")], &dir.0);
    let window = x.window("^demo .* smoothplay$");
    x.pointer(1900, 1060);
    let (i, _) = player.events.wait_position(0, 0.5);
    // Paused, positions stay where the jumps put them.
    x.key(&window, "space");
    player.events.wait_for(i, "state paused", |v| {
        v["type"] == "state" && v["state"] == "paused"
    });

    // Show the controls (the pointer away from the bar: no thumbnail over it).
    x.pointer(600, 400);
    x.pointer(640, 420);
    let shot = x.screenshot_until(&window, 50, Duration::from_millis(100), chapters_drawn);
    if shot.is_none() {
        x.screenshot(&window).save_ppm(&dir.0.join("bar.ppm"));
        panic!("no chapter ticks at 8 s and 14 s, or no ad break at 6-10 s (bar.ppm kept)");
    }

    jump(&x, &window, &player, "n", 8.0);
    jump(&x, &window, &player, "n", 14.0);
    // Within 2 s of a chapter's start, P goes to the chapter before…
    jump(&x, &window, &player, "p", 8.0);
    // …and later in a chapter, back to its start.
    jump(&x, &window, &player, "Right", 18.0);
    jump(&x, &window, &player, "p", 14.0);

    x.key(&window, "q");
    let status = player.wait_exit();
    assert_eq!(status.code(), Some(0), "stderr:\n{}", player.stderr());
}
