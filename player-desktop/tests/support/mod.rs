//! Window-test support: a private Xvfb display, screenshots (`xwd`), keys and pointer
//! (`xdotool`), the player process and its `--events` log.
//!
//! Xvfb, xwd and xdotool are required (Debian `xvfb`, `x11-apps`, `xdotool`, installed by
//! `./x deps`): a missing tool fails the test with a message saying so.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Longest wait for anything the player should do (a loaded CI machine is slow, not stuck).
pub const PATIENCE: Duration = Duration::from_secs(180);

/// The demo's picture geometry (720p coordinates) from assets/README.md.
pub const DEMO_SIZE: (f32, f32) = (1280.0, 720.0);

/// A private X server; killed when dropped.
pub struct Xvfb {
    child: Child,
    /// `:N`
    pub display: String,
}

impl Xvfb {
    /// Starts Xvfb on a free display number (it picks one and tells us through -displayfd).
    pub fn start() -> Xvfb {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1920x1080x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start Xvfb ({e}): install it with ./x deps (Debian package xvfb)")
            });
        let stdout = child.stdout.take().expect("Xvfb stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("Xvfb display number");
        let n: u32 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("Xvfb printed {line:?} instead of a display number"));
        Xvfb {
            child,
            display: format!(":{n}"),
        }
    }

    /// A command run against this display.
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("DISPLAY", &self.display)
            .env_remove("WAYLAND_DISPLAY");
        c
    }

    /// Runs a tool on this display; its stdout. Panics with the tool's message on failure.
    pub fn run(&self, program: &str, args: &[&str]) -> Vec<u8> {
        let out = self
            .command(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program} ({e}): install it with ./x deps"));
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Waits for a window whose name matches the regular expression `pattern`; its id.
    pub fn window(&self, pattern: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let out = self
                .command("xdotool")
                .args(["search", "--name", pattern])
                .output()
                .unwrap_or_else(|e| panic!("cannot run xdotool ({e}): install it with ./x deps"));
            if let Some(id) = String::from_utf8_lossy(&out.stdout).lines().next() {
                return id.trim().to_string();
            }
            assert!(Instant::now() < deadline, "no window named {pattern:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Screenshot of a window's contents.
    pub fn screenshot(&self, window: &str) -> Image {
        parse_xwd(&self.run("xwd", &["-silent", "-id", window]))
    }

    /// Takes screenshots up to `tries` times, `every` apart, until one satisfies `ok`.
    pub fn screenshot_until(
        &self,
        window: &str,
        tries: u32,
        every: Duration,
        ok: impl Fn(&Image) -> bool,
    ) -> Option<Image> {
        for _ in 0..tries {
            let img = self.screenshot(window);
            if ok(&img) {
                return Some(img);
            }
            std::thread::sleep(every);
        }
        None
    }

    /// Gives the window the keyboard focus and presses `key` (xdotool key name).
    pub fn key(&self, window: &str, key: &str) {
        self.run("xdotool", &["windowfocus", "--sync", window]);
        self.run("xdotool", &["key", key]);
    }

    /// Moves the pointer to screen coordinates.
    pub fn pointer(&self, x: u32, y: u32) {
        self.run(
            "xdotool",
            &["mousemove", "--sync", &x.to_string(), &y.to_string()],
        );
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An RGB picture.
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    /// Width.
    pub width: usize,
    /// Height.
    pub height: usize,
    /// Pixels, row by row.
    pub pixels: Vec<[u8; 3]>,
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Image({}x{})", self.width, self.height)
    }
}

impl Image {
    /// The pixel at (x, y).
    pub fn at(&self, x: usize, y: usize) -> [u8; 3] {
        self.pixels[y * self.width + x]
    }

    /// Mean colour of the (2r+1)² square around (x, y).
    pub fn mean(&self, x: usize, y: usize, r: usize) -> [f32; 3] {
        let mut sum = [0f32; 3];
        let mut n = 0f32;
        for yy in y.saturating_sub(r)..=(y + r).min(self.height - 1) {
            for xx in x.saturating_sub(r)..=(x + r).min(self.width - 1) {
                let p = self.at(xx, yy);
                for c in 0..3 {
                    sum[c] += f32::from(p[c]);
                }
                n += 1.0;
            }
        }
        sum.map(|s| s / n)
    }

    /// Whether the rectangle [x0, x1) × [y0, y1) is the same in both pictures.
    pub fn same_region(
        &self,
        other: &Image,
        (x0, y0): (usize, usize),
        (x1, y1): (usize, usize),
    ) -> bool {
        (y0..y1.min(self.height))
            .all(|y| (x0..x1.min(self.width)).all(|x| self.at(x, y) == other.at(x, y)))
    }

    /// Writes a binary PPM (kept next to a failing test's output for a person to look at).
    pub fn save_ppm(&self, path: &Path) {
        let mut data = format!("P6\n{} {}\n255\n", self.width, self.height).into_bytes();
        for p in &self.pixels {
            data.extend_from_slice(p);
        }
        let _ = std::fs::write(path, data);
    }
}

fn be32(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([b[i * 4], b[i * 4 + 1], b[i * 4 + 2], b[i * 4 + 3]])
}

/// Parses an X Window Dump (ZPixmap, 24/32 bits per pixel, TrueColor).
pub fn parse_xwd(data: &[u8]) -> Image {
    assert!(data.len() >= 100, "xwd output too short");
    let header_size = be32(data, 0) as usize;
    let format = be32(data, 2);
    let width = be32(data, 4) as usize;
    let height = be32(data, 5) as usize;
    let byte_order = be32(data, 7);
    let bpp = be32(data, 11) as usize;
    let bytes_per_line = be32(data, 12) as usize;
    let masks = [be32(data, 14), be32(data, 15), be32(data, 16)];
    let ncolors = be32(data, 19) as usize;
    assert_eq!(format, 2, "xwd: not a ZPixmap");
    assert!(bpp == 32 || bpp == 24, "xwd: {bpp} bits per pixel");
    let start = header_size + ncolors * 12;
    let pixels_data = &data[start..];
    assert!(
        pixels_data.len() >= bytes_per_line * height,
        "xwd: truncated"
    );
    let mut pixels = Vec::with_capacity(width * height);
    let step = bpp / 8;
    for y in 0..height {
        let row = &pixels_data[y * bytes_per_line..];
        for x in 0..width {
            let p = &row[x * step..x * step + step];
            let mut v = 0u32;
            if byte_order == 0 {
                for (i, b) in p.iter().enumerate() {
                    v |= u32::from(*b) << (8 * i);
                }
            } else {
                for b in p {
                    v = (v << 8) | u32::from(*b);
                }
            }
            pixels.push(masks.map(|m| ((v & m) >> m.trailing_zeros()) as u8));
        }
    }
    Image {
        width,
        height,
        pixels,
    }
}

/// The running player; killed when dropped if still running.
pub struct Player {
    child: Child,
    /// Its `--events` file.
    pub events: Events,
    /// Its stderr, captured to a file.
    pub stderr_path: PathBuf,
}

impl Player {
    /// Starts `smoothplay ARGS --events FILE` with this environment, logging warnings of
    /// every crate.
    pub fn start(command: Command, args: &[&str], dir: &Path) -> Player {
        Player::start_logging(command, args, dir, Some("warn"))
    }

    /// Like [`Player::start`], with `SMOOTHPLAY_LOG` set to `log` (`None`: unset, the
    /// default a user gets).
    pub fn start_logging(
        mut command: Command,
        args: &[&str],
        dir: &Path,
        log: Option<&str>,
    ) -> Player {
        let events_path = dir.join("events.jsonl");
        let stderr_path = dir.join("stderr.txt");
        let stderr = std::fs::File::create(&stderr_path).expect("stderr file");
        match log {
            Some(filter) => command.env("SMOOTHPLAY_LOG", filter),
            None => command.env_remove("SMOOTHPLAY_LOG"),
        };
        let child = command
            .args(args)
            .arg("--events")
            .arg(&events_path)
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("start smoothplay");
        Player {
            child,
            events: Events { path: events_path },
            stderr_path,
        }
    }

    /// Waits for the process to exit.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "smoothplay did not exit; stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// What it printed on stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The player's `--events` JSON lines.
pub struct Events {
    path: PathBuf,
}

impl Events {
    /// All events so far.
    pub fn all(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Waits for the first event after the first `skip` that satisfies `pred`; returns it
    /// and its index.
    pub fn wait_for(
        &self,
        skip: usize,
        what: &str,
        pred: impl Fn(&serde_json::Value) -> bool,
    ) -> (usize, serde_json::Value) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let all = self.all();
            if let Some((i, v)) = all.iter().enumerate().skip(skip).find(|(_, v)| pred(v)) {
                return (i, v.clone());
            }
            assert!(
                Instant::now() < deadline,
                "no event: {what}; last events: {:?}",
                all.iter().rev().take(5).collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits for a stats event at or past `position_s`.
    pub fn wait_position(&self, skip: usize, position_s: f64) -> (usize, serde_json::Value) {
        self.wait_for(skip, &format!("stats at {position_s} s"), |v| {
            v["type"] == "stats" && v["position_s"].as_f64().is_some_and(|p| p >= position_s)
        })
    }
}

/// A scratch directory for one test, removed when dropped unless the test panicked.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A new empty directory named after the test.
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("smoothplay-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("test files kept in {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Where the demo's picture lies in a window of this size (letterboxed, centred).
pub fn video_rect(width: usize, height: usize) -> (f32, f32, f32, f32) {
    let (w, h) = (width as f32, height as f32);
    let scale = (w / DEMO_SIZE.0).min(h / DEMO_SIZE.1);
    let (vw, vh) = ((DEMO_SIZE.0 * scale).round(), (DEMO_SIZE.1 * scale).round());
    (((w - vw) / 2.0).floor(), ((h - vh) / 2.0).floor(), vw, vh)
}

/// Maps a point of the 1280x720 demo picture into the window.
pub fn to_window(img: &Image, x: f32, y: f32) -> (usize, usize) {
    let (vx, vy, vw, vh) = video_rect(img.width, img.height);
    (
        (vx + x * vw / DEMO_SIZE.0) as usize,
        (vy + y * vh / DEMO_SIZE.1) as usize,
    )
}

/// Reads the frame index from the band of 16 blocks (assets/README.md); `None` when a block
/// is neither clearly white nor clearly black (no picture, garbage, or a blend).
pub fn frame_index(img: &Image) -> Option<u32> {
    let mut n = 0u32;
    for i in 0..16 {
        let (x, y) = to_window(
            img,
            (i as f32 + 0.5) * DEMO_SIZE.0 / 16.0,
            DEMO_SIZE.1 / 18.0,
        );
        let m = img.mean(x, y, 3);
        let luma = (m[0] + m[1] + m[2]) / 3.0;
        let bit = if luma > 200.0 {
            1
        } else if luma < 55.0 {
            0
        } else {
            return None;
        };
        n = (n << 1) | bit;
    }
    Some(n)
}

/// The five colour patches: name, centre in 720p coordinates, expected RGB.
pub fn patches() -> [(&'static str, f32, f32, [u8; 3]); 5] {
    let centre = |i: f32| 64.0 + 128.0 * i + 64.0;
    [
        ("red", centre(0.0), 624.0, [255, 0, 0]),
        ("green", centre(1.0), 624.0, [0, 255, 0]),
        ("blue", centre(2.0), 624.0, [0, 0, 255]),
        ("white", centre(3.0), 624.0, [255, 255, 255]),
        ("black", centre(4.0), 624.0, [0, 0, 0]),
    ]
}

/// Checks every patch centre against its pure colour, within `tolerance` per channel.
pub fn check_patches(img: &Image, tolerance: f32) -> Result<(), String> {
    for (name, x, y, want) in patches() {
        let (wx, wy) = to_window(img, x, y);
        let got = img.mean(wx, wy, 4);
        let off = got
            .iter()
            .zip(want)
            .map(|(g, w)| (g - f32::from(w)).abs())
            .fold(0.0, f32::max);
        if off > tolerance {
            return Err(format!(
                "{name} patch at ({wx}, {wy}) is {got:?}, expected {want:?} (±{tolerance})"
            ));
        }
    }
    Ok(())
}
