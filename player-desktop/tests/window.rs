//! The desktop player in a real window under Xvfb (Mesa lavapipe/llvmpipe for the GPU), fed
//! by the loopback origin: what it shows, and how it answers keys.

mod support;

use std::sync::Mutex;
use std::time::Duration;

use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::assets_dir;
use support::{Events, Image, Player, Scratch, Xvfb, check_patches, frame_index, video_rect};

/// One window test at a time: two players decoding 720p on a 2-core machine starve each other.
static WINDOWS: Mutex<()> = Mutex::new(());

const BINARY: &str = env!("CARGO_BIN_EXE_smoothplay");

/// How often a waiting test takes another screenshot.
const POLL: Duration = Duration::from_millis(100);

fn launch(x: &Xvfb, origin: &Origin, dir: &Scratch) -> (Player, String) {
    let player = Player::start(x.command(BINARY), &[&origin.url("/demo/Manifest")], &dir.0);
    let window = x.window("^demo .* smoothplay$");
    // Keep the pointer off the window so the seek bar stays hidden.
    x.pointer(1900, 1060);
    (player, window)
}

/// A screenshot whose frame index can be read (the first pictures may still be coming in).
fn readable_shot(x: &Xvfb, window: &str, dir: &Scratch, name: &str) -> (Image, u32) {
    let mut last = None;
    for _ in 0..50 {
        let img = x.screenshot(window);
        if let Some(n) = frame_index(&img) {
            return (img, n);
        }
        last = Some(img);
        std::thread::sleep(Duration::from_millis(200));
    }
    let img = last.expect("a screenshot");
    img.save_ppm(&dir.0.join(format!("{name}.ppm")));
    panic!("no readable frame index in the window ({name}.ppm kept)");
}

#[test]
fn window_shows_the_demo_picture_with_exact_colours_and_a_running_frame_counter() {
    let _one = WINDOWS.lock().unwrap_or_else(|p| p.into_inner());
    let dir = Scratch::new("window-picture");
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let x = Xvfb::start();
    let (mut player, window) = launch(&x, &origin, &dir);
    let (i, _) = player.events.wait_position(0, 3.0);

    let (first, n1) = readable_shot(&x, &window, &dir, "first");
    assert_eq!((first.width, first.height), (1280, 720), "window size");
    if let Err(e) = check_patches(&first, 6.0) {
        first.save_ppm(&dir.0.join("first.ppm"));
        panic!("{e}");
    }
    // At 25 fps, 3 s in, the counter is well past the first frames.
    assert!(n1 >= 50, "frame index {n1} at 3 s");

    player.events.wait_position(i + 1, 5.0);
    let (second, n2) = readable_shot(&x, &window, &dir, "second");
    assert!(n2 > n1, "frame counter did not advance: {n1} then {n2}");
    assert!(
        !first.same_region(&second, (0, 0), (1280, 80)),
        "the frame index band did not change"
    );

    // A 4:3 window: the picture keeps its shape between black bars.
    x.run("xdotool", &["windowsize", "--sync", &window, "960", "720"]);
    let boxed = x
        .screenshot_until(&window, 100, Duration::from_millis(200), |img| {
            img.width == 960 && img.height == 720 && frame_index(img).is_some()
        })
        .expect("a readable letterboxed picture after resizing");
    let (_, vy, _, vh) = video_rect(boxed.width, boxed.height);
    assert_eq!((vy, vh), (90.0, 540.0));
    // (Not the top centre: notices, such as the demo's ad break at 6 s, show there.)
    for (x0, y0) in [(10, 10), (200, 40), (950, 80), (10, 700), (480, 650)] {
        assert_eq!(boxed.at(x0, y0), [0, 0, 0], "bar pixel ({x0}, {y0})");
    }
    if let Err(e) = check_patches(&boxed, 10.0) {
        boxed.save_ppm(&dir.0.join("boxed.ppm"));
        panic!("letterboxed: {e}");
    }

    x.key(&window, "q");
    let status = player.wait_exit();
    assert_eq!(status.code(), Some(0), "stderr:\n{}", player.stderr());
}

/// A window under test: the display, the window's id and where pictures are kept on failure.
struct Ui<'a> {
    x: &'a Xvfb,
    window: &'a str,
    dir: &'a Scratch,
}

impl Ui<'_> {
    /// Presses `key` in the window.
    fn key(&self, key: &str) {
        self.x.key(self.window, key);
    }

    /// Waits (10 s at most) for a screenshot that satisfies `ok`.
    fn shot_until(&self, ok: impl Fn(&Image) -> bool) -> Option<Image> {
        self.x.screenshot_until(self.window, 100, POLL, ok)
    }
}

#[test]
fn keys_and_the_seek_bar_control_playback() {
    let _one = WINDOWS.lock().unwrap_or_else(|p| p.into_inner());
    let dir = Scratch::new("window-keys");
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let x = Xvfb::start();
    let (mut player, window) = launch(&x, &origin, &dir);
    let ui = Ui {
        x: &x,
        window: &window,
        dir: &dir,
    };
    let events = &player.events;
    let (i, _) = events.wait_position(0, 2.0);
    readable_shot(&x, &window, &dir, "playing");

    let (i, paused, paused_at) = space_pauses_and_the_picture_stands_still(&ui, events, i);
    s_shows_the_stats_page_in_its_corner_only(&ui, &paused);
    let i = c_shows_and_hides_the_caption_of_the_paused_moment(&ui, events, i, &paused);
    let i = a_click_at_a_quarter_of_the_seek_bar_seeks_to_5_s(&ui, events, i, &paused);
    let i = space_resumes_and_right_seeks_10_s_ahead(&ui, events, i, paused_at);

    // A switches to the next audio language.
    ui.key("a");
    events.wait_for(i, "switch to audio_fra", |v| {
        v["type"] == "track" && v["stream"] == "audio" && v["name"] == "audio_fra"
    });

    // Q quits cleanly, with a summary in the log.
    ui.key("q");
    let status = player.wait_exit();
    assert_eq!(status.code(), Some(0), "stderr:\n{}", player.stderr());
    assert!(
        player.events.all().iter().any(|v| v["type"] == "summary"),
        "no summary line"
    );
}

/// Space pauses: the event log says so and the picture stands still. The paused picture, its
/// frame index and the event index after the pause.
fn space_pauses_and_the_picture_stands_still(
    ui: &Ui,
    events: &Events,
    i: usize,
) -> (usize, Image, u32) {
    ui.key("space");
    let (i, _) = events.wait_for(i, "state paused", |v| {
        v["type"] == "state" && v["state"] == "paused"
    });
    // Let anything already on its way to the screen land before comparing.
    std::thread::sleep(Duration::from_millis(700));
    let a = ui.x.screenshot(ui.window);
    std::thread::sleep(Duration::from_secs(1));
    let b = ui.x.screenshot(ui.window);
    assert!(a == b, "the picture changed while paused");
    let paused_at = frame_index(&b).expect("readable frame while paused");
    (i, b, paused_at)
}

/// S shows the stats page in the top-left corner; the rest of the picture stays. S again
/// hides it.
fn s_shows_the_stats_page_in_its_corner_only(ui: &Ui, paused: &Image) {
    ui.key("s");
    let with_stats = ui
        .shot_until(|img| !img.same_region(paused, (12, 12), (330, 200)))
        .expect("the stats page did not appear");
    if !with_stats.same_region(paused, (700, 300), (1280, 720)) {
        paused.save_ppm(&ui.dir.0.join("paused.ppm"));
        with_stats.save_ppm(&ui.dir.0.join("stats.ppm"));
        panic!("showing stats changed pixels outside the stats page (pictures kept)");
    }
    ui.key("s");
}

/// C shows the caption of the paused moment near the bottom; C again takes it away.
fn c_shows_and_hides_the_caption_of_the_paused_moment(
    ui: &Ui,
    events: &Events,
    i: usize,
    paused: &Image,
) -> usize {
    ui.key("c");
    let (i, shown) = events.wait_for(i, "a caption", |v| {
        v["type"] == "caption" && v["text"].as_str().is_some_and(|t| !t.is_empty())
    });
    let text = shown["text"].as_str().unwrap_or_default();
    let at = shown["position_s"].as_f64().unwrap_or(-1.0);
    assert_eq!(
        text,
        format!("Caption {n}\nt = {n} s", n = at.floor()),
        "caption at {at} s"
    );
    let caption_area = ((160, 540), (1120, 716));
    let with_caption = ui
        .shot_until(|img| !img.same_region(paused, caption_area.0, caption_area.1))
        .expect("the caption did not appear");
    // (The "captions on" notice shows in the index band at the top.)
    if !with_caption.same_region(paused, (0, 90), (1280, 500)) {
        with_caption.save_ppm(&ui.dir.0.join("caption.ppm"));
        panic!("showing a caption changed pixels above the caption area (picture kept)");
    }
    ui.key("c");
    let (i, _) = events.wait_for(i, "the caption cleared", |v| {
        v["type"] == "caption" && v["text"] == ""
    });
    let cleared = ui
        .shot_until(|img| img.same_region(paused, (0, 90), (1280, 720)))
        .is_some();
    assert!(cleared, "the caption stayed on screen after C");
    i
}

/// Moving the mouse shows the seek bar; a click at a quarter of it seeks to 5 s.
fn a_click_at_a_quarter_of_the_seek_bar_seeks_to_5_s(
    ui: &Ui,
    events: &Events,
    i: usize,
    paused: &Image,
) -> usize {
    ui.x.pointer(600, 400);
    ui.x.pointer(640, 420);
    let bar_shown = ui
        .shot_until(|img| !img.same_region(paused, (0, 640), (1280, 720)))
        .is_some();
    assert!(bar_shown, "moving the mouse did not show the seek bar");
    // The bar spans the window less the panel's margins (22 px each side) at y ≈ 662.
    let quarter = 22 + (1280 - 44) / 4;
    ui.x.pointer(quarter, 662);
    ui.x.run("xdotool", &["click", "1"]);
    let (i, seek) = events.wait_for(i, "seek from the seek bar", |v| v["type"] == "seek");
    let requested = seek["requested_s"].as_f64().expect("requested_s");
    assert!(
        (4.5..=5.5).contains(&requested),
        "a click at a quarter of the bar asked for {requested} s"
    );
    ui.x.pointer(1900, 1060);
    i
}

/// Space resumes: a playing state after the pause, and the picture moves on. Right arrow
/// then seeks 10 s ahead.
fn space_resumes_and_right_seeks_10_s_ahead(
    ui: &Ui,
    events: &Events,
    i: usize,
    paused_at: u32,
) -> usize {
    ui.key("space");
    let (i, _) = events.wait_for(i, "state playing after the pause", |v| {
        v["type"] == "state" && v["state"] == "playing"
    });
    let resumed_at = events.all()[i]["position_s"].as_f64().unwrap_or(0.0);

    ui.key("Right");
    let (i, seek) = events.wait_for(i, "seek", |v| v["type"] == "seek");
    let requested = seek["requested_s"].as_f64().expect("requested_s");
    assert!(
        requested >= resumed_at + 9.0,
        "seek to {requested} s from {resumed_at} s"
    );
    events.wait_position(i, requested - 2.0);
    // The clock is at the target as soon as the seek starts; the picture follows once the
    // first frame there is decoded: look until it does.
    let target = paused_at + 200;
    let shown =
        ui.x.screenshot_until(ui.window, 25, Duration::from_millis(200), |img| {
            frame_index(img).is_some_and(|n| n >= target)
        });
    if shown.is_none() {
        let (_, after_seek) = readable_shot(ui.x, ui.window, ui.dir, "after-seek");
        panic!("frame {after_seek} after a +10 s seek from frame {paused_at}");
    }
    i
}

#[test]
fn a_presentation_that_cannot_be_opened_shows_its_error_in_the_window() {
    let _one = WINDOWS.lock().unwrap_or_else(|p| p.into_inner());
    let dir = Scratch::new("window-error");
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let x = Xvfb::start();
    let mut player = Player::start(
        x.command(BINARY),
        &[&origin.url("/missing/Manifest")],
        &dir.0,
    );
    let window = x.window("^missing .* smoothplay$");
    x.pointer(1900, 1060);
    let (_, error) = player.events.wait_for(0, "a fatal error", |v| {
        v["type"] == "error" && v["fatal"] == true
    });
    assert!(
        error["message"].as_str().unwrap_or("").contains("404"),
        "{error}"
    );
    // The message box: its title and frame are drawn in the accent red on black.
    let red = |p: [u8; 3]| p[0] > 180 && p[1] < 100 && p[2] < 100;
    let img = x
        .screenshot_until(&window, 100, POLL, |img| {
            img.pixels.iter().filter(|p| red(**p)).count() > 200
        })
        .expect("no error message in the window");
    // The box is in the middle of the window; the rest stays black.
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for y in 0..img.height {
        for x in 0..img.width {
            if red(img.at(x, y)) {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
        }
    }
    let (mx, my) = ((x0 + x1) / 2, (y0 + y1) / 2);
    assert!(
        mx.abs_diff(img.width / 2) < 80 && my.abs_diff(img.height / 2) < 80,
        "message box centred at ({mx}, {my})"
    );
    for (cx, cy) in [(5, 5), (img.width - 5, 5), (5, img.height - 5)] {
        assert_eq!(img.at(cx, cy), [0, 0, 0], "corner ({cx}, {cy})");
    }
    x.key(&window, "q");
    let status = player.wait_exit();
    assert_eq!(status.code(), Some(1), "a failed presentation exits with 1");
}
