//! What a user sees on the terminal by default: smoothplay's own one-line notices only —
//! no window-system warnings (winit), no `ALSA lib …` lines from the sound library, no
//! dependency logs — while `SMOOTHPLAY_LOG` brings the dependency logs back.

mod support;

use std::os::unix::fs::PermissionsExt;

use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::assets_dir;
use support::{Player, Scratch, Xvfb};

/// Plays a few seconds in a window under Xvfb with `SMOOTHPLAY_LOG` set to `log` (or unset),
/// quits, and returns what was printed on stderr.
fn stderr_of_a_short_play(name: &str, log: Option<&str>) -> String {
    let dir = Scratch::new(name);
    // A private runtime directory: without one, Mesa's window-system code complains on
    // stderr about the test machine (XDG_RUNTIME_DIR), which is not smoothplay's to hide.
    let runtime = dir.0.join("runtime");
    std::fs::create_dir_all(&runtime).expect("runtime dir");
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let x = Xvfb::start();
    let mut command = x.command(env!("CARGO_BIN_EXE_smoothplay"));
    command.env("XDG_RUNTIME_DIR", &runtime);
    let url = origin.url("/protected/clear/Manifest");
    let mut player = Player::start_logging(command, &[&url], &dir.0, log);
    let window = x.window("^clear .* smoothplay$");
    player.events.wait_position(0, 1.0);
    x.key(&window, "q");
    let status = player.wait_exit();
    assert_eq!(status.code(), Some(0), "stderr:\n{}", player.stderr());
    player.stderr()
}

#[test]
fn by_default_only_smoothplays_own_notices_reach_the_terminal() {
    let stderr = stderr_of_a_short_play("quiet-terminal", None);
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        // Notices, and the QoE summary at the end.
        assert!(
            line.starts_with("smoothplay: ") || line.starts_with("startup "),
            "a line that is not smoothplay's own: {line:?}\nstderr:\n{stderr}"
        );
    }
    let verbose = stderr_of_a_short_play("verbose-terminal", Some("info"));
    assert!(
        verbose.contains("winit") || verbose.contains("wgpu"),
        "SMOOTHPLAY_LOG=info shows dependency logs:\n{verbose}"
    );
}
