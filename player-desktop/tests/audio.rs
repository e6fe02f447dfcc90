//! Sound through cpal: the player in a window plays into a private PulseAudio server's null
//! sink, recorded from its monitor with `parec`; the recording holds the demo's tone at the
//! chosen volume, and the audio clock drives playback.
//!
//! Needs `pulseaudio` and `parec` (Debian `pulseaudio`, `pulseaudio-utils`; `./x deps`).

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::assets_dir;
use support::{PATIENCE, Player, Scratch, Xvfb};

/// A private PulseAudio server with one null sink; stopped when dropped.
struct Pulse {
    child: Child,
}

impl Pulse {
    fn start(runtime_dir: &Path) -> Pulse {
        let child = Command::new("pulseaudio")
            .args([
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--disable-shm=true",
                "-L",
                "module-null-sink sink_name=nullsink",
                "-L",
                "module-native-protocol-unix",
            ])
            .env("XDG_RUNTIME_DIR", runtime_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start pulseaudio ({e}): install it with ./x deps (Debian package pulseaudio)")
            });
        let socket = runtime_dir.join("pulse/native");
        let deadline = Instant::now() + PATIENCE;
        while !socket.exists() {
            assert!(Instant::now() < deadline, "pulseaudio did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Pulse { child }
    }
}

impl Drop for Pulse {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Left-channel samples of an s16le stereo recording, as floats.
fn left_channel(raw: &[u8]) -> Vec<f32> {
    raw.chunks_exact(4)
        .map(|f| f32::from(i16::from_le_bytes([f[0], f[1]])) / 32768.0)
        .collect()
}

#[test]
fn the_tone_plays_through_the_default_device_at_the_chosen_volume() {
    let dir = Scratch::new("audio");
    let runtime = dir.0.join("xdg");
    std::fs::create_dir_all(&runtime).expect("runtime dir");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700))
            .expect("runtime dir mode");
    }
    let _pulse = Pulse::start(&runtime);
    let recording = dir.0.join("recording.raw");
    let mut parec = Command::new("parec")
        .args([
            "-d",
            "nullsink.monitor",
            "--format=s16le",
            "--rate=48000",
            "--channels=2",
            "--raw",
        ])
        .env("XDG_RUNTIME_DIR", &runtime)
        .stdout(std::fs::File::create(&recording).expect("recording"))
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start parec ({e}): install it with ./x deps (pulseaudio-utils)")
        });

    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let x = Xvfb::start();
    let mut command = x.command(env!("CARGO_BIN_EXE_smoothplay"));
    command.env("XDG_RUNTIME_DIR", &runtime);
    let mut player = Player::start(
        command,
        &[&origin.url("/demo/Manifest"), "--volume", "50"],
        &dir.0,
    );
    let window = x.window("^demo .* smoothplay$");
    let (_, stats) = player.events.wait_position(0, 5.0);
    x.key(&window, "q");
    let status = player.wait_exit();
    let _ = parec.kill();
    let _ = parec.wait();
    let stderr = player.stderr();
    assert_eq!(status.code(), Some(0), "stderr:\n{stderr}");
    assert!(
        !stderr.contains("no usable audio output"),
        "fell back to silence:\n{stderr}"
    );
    assert!(
        stats["audio_frames"].as_u64().unwrap_or(0) >= 4 * 48_000,
        "the device played too little: {stats}"
    );

    let samples = left_channel(&std::fs::read(&recording).expect("read recording"));
    // A loaded machine may drop out now and then: measure on the first 0.2 s without a gap.
    let window = tone_window(&samples, 9600).expect("no 0.2 s of uninterrupted sound");
    let crossings = window
        .windows(2)
        .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
        .count();
    assert!(
        (198..=202).contains(&crossings),
        "{} Hz instead of the English track's 1000 Hz",
        crossings * 5
    );
    let peak = window.iter().fold(0f32, |m, s| m.max(s.abs()));
    // The tone's amplitude is 1/8; at volume 50 % it is 1/16.
    assert!(
        (0.05..=0.075).contains(&peak),
        "peak {peak} instead of about 0.0625"
    );
}

/// The first `len` samples in a row with no silence longer than a quarter period of 1 kHz.
fn tone_window(samples: &[f32], len: usize) -> Option<&[f32]> {
    let mut start = None;
    let mut quiet = 0;
    for (i, s) in samples.iter().enumerate() {
        if s.abs() < 0.005 {
            quiet += 1;
            if quiet > 12 {
                start = None;
            }
        } else {
            quiet = 0;
            let from = *start.get_or_insert(i);
            if i + 1 - from >= len {
                return samples.get(from..=i);
            }
        }
    }
    None
}
