//! `examples/c/sp_play.c` built with the system C compiler against the header and the
//! library (shared, and static through pkg-config), then run against the loopback origin.

use std::path::{Path, PathBuf};
use std::process::Command;

use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::assets_dir;

/// `<target>/<profile>/deps`: where `cargo test` builds this crate's cdylib and staticlib
/// (copies in `<profile>` itself are refreshed only by `cargo build`).
fn deps_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // <target>/<profile>/deps/c_example-<hash>
    exe.parent().map(Path::to_path_buf).expect("deps directory")
}

/// `<target>/<profile>`: where build.rs writes pkgconfig/.
fn profile_dir() -> PathBuf {
    deps_dir()
        .parent()
        .map(Path::to_path_buf)
        .expect("profile directory")
}

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sp-c-example-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn pkg_config(args: &[&str]) -> Vec<String> {
    let out = Command::new("pkg-config")
        .env("PKG_CONFIG_PATH", profile_dir().join("pkgconfig"))
        .args(args)
        .arg("smoothplay")
        .output()
        .expect("pkg-config runs (Debian package pkg-config)");
    assert!(
        out.status.success(),
        "pkg-config {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Compiles sp_play.c; `link` are the linker arguments for the library.
fn compile(out: &Path, link: &[String]) {
    let source = crate_dir().join("examples/c/sp_play.c");
    let mut cc = Command::new("cc");
    cc.args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-O1"])
        .args(pkg_config(&["--cflags"]))
        .arg(&source)
        .args(link)
        .arg("-o")
        .arg(out);
    let result = cc.output().expect("cc runs");
    assert!(
        result.status.success(),
        "{cc:?} failed:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

/// Runs the program on the demo; returns its stdout after checking the exit code.
fn run(program: &Path, args: &[&str]) -> String {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let out = Command::new(program)
        .args(args)
        .arg(origin.url("demo/Manifest"))
        .output()
        .expect("sp_play runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "sp_play {args:?} exited with {}:\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    // Every request the program made was answered.
    let log = origin.log().records();
    assert!(log.iter().all(|r| r.status == 200), "{log:?}");
    assert!(log.iter().any(|r| r.is_manifest()));
    stdout
}

/// The number after `prefix` on its line.
fn number(out: &str, prefix: &str) -> f64 {
    out.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {prefix:?} line in:\n{out}"))
}

/// What every run must show: the demo (20 s at 25 fps, 48 kHz stereo) played to the end,
/// with a seek at 10 s back to 4 s.
fn check_playback(out: &str) {
    assert!(out.contains("go_live: SP_ERR_UNSUPPORTED"), "{out}");
    assert!(out.contains("seek at 10.000 s to 4.000 s: SP_OK"), "{out}");
    assert!(
        out.contains(r#"event {"type":"seek","requested_s":4.0,"position_s":4.0,"clamped":false}"#),
        "{out}"
    );
    assert_eq!(number(out, "seek events "), 1.0, "{out}");
    // Fast mode drops nothing: 4 s … 19.96 s after the seek, and at least 0 … 10 s before it.
    assert_eq!(number(out, "first frame after seek "), 4.0, "{out}");
    assert_eq!(number(out, "frames after seek "), 400.0, "{out}");
    assert!(number(out, "frames ") >= 651.0, "{out}");
    assert_eq!(number(out, "bad frames "), 0.0, "{out}");
    // Audio from the 4 s keyframe to the end of the last AAC fragment (20.010667 s).
    let after = number(out, "audio frames after seek ");
    assert!(
        (after - 768_512.0).abs() <= 1024.0,
        "{after} audio frames: {out}"
    );
    assert!(number(out, "audio frames ") >= after, "{out}");
    assert!(out.contains("(48000 Hz, 2 channels"), "{out}");
    assert_eq!(number(out, "stats state "), 4.0, "ended: {out}");
    let stats = out
        .lines()
        .find(|l| l.starts_with("stats "))
        .unwrap_or_default();
    assert!(stats.contains("duration 20010 ms"), "{stats}");
    assert!(stats.contains("dropped 0"), "{stats}");
    assert!(out.contains(r#"event {"type":"ended""#), "{out}");
}

#[test]
fn c_example_plays_the_demo_through_the_shared_library() {
    let lib = deps_dir().join("libplayer_embedded.so");
    assert!(lib.is_file(), "{} not built", lib.display());
    let dir = scratch("shared");
    let program = dir.join("sp_play");
    // The freshly built library comes first on the search path, then pkg-config's flags.
    let mut link = vec![format!("-L{}", deps_dir().display())];
    link.extend(pkg_config(&["--libs"]));
    link.push(format!("-Wl,-rpath,{}", deps_dir().display()));
    compile(&program, &link);
    let out = run(&program, &["--fast"]);
    check_playback(&out);
    assert!(out.contains(", f32)"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn c_example_pulls_frames_through_the_static_library() {
    let lib = deps_dir().join("libplayer_embedded.a");
    assert!(lib.is_file(), "{} not built", lib.display());
    let dir = scratch("static");
    let program = dir.join("sp_play");
    // The archive itself instead of -lplayer_embedded (which would pick the .so), plus the
    // system libraries pkg-config lists for static linking.
    let link: Vec<String> = pkg_config(&["--static", "--libs"])
        .into_iter()
        .map(|a| {
            if a == "-lplayer_embedded" {
                lib.display().to_string()
            } else {
                a
            }
        })
        .collect();
    compile(&program, &link);
    let ldd = Command::new("ldd").arg(&program).output().expect("ldd");
    assert!(
        !String::from_utf8_lossy(&ldd.stdout).contains("libplayer_embedded"),
        "linked statically"
    );
    let out = run(&program, &["--fast", "--pull", "--s16"]);
    check_playback(&out);
    assert!(out.contains(", s16)"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn installed_pkg_config_file_points_at_the_install_prefix() {
    let text = std::fs::read_to_string(profile_dir().join("pkgconfig/smoothplay.pc"))
        .expect("smoothplay.pc written by build.rs");
    let prefix = std::env::var("SMOOTHPLAY_PREFIX").unwrap_or_else(|_| "/usr/local".into());
    assert!(text.contains(&format!("prefix={prefix}\n")), "{text}");
    assert!(text.contains("libdir=${prefix}/lib\n"), "{text}");
    assert!(text.contains("includedir=${prefix}/include\n"), "{text}");
    assert!(
        text.contains("Libs: -L${libdir} -lplayer_embedded\n"),
        "{text}"
    );
    // The libav backend links FFmpeg's libraries first; the pure build starts with C++'s.
    let first = if cfg!(feature = "libav") {
        "Libs.private: -lavcodec -lavutil -lstdc++"
    } else {
        "Libs.private: -lstdc++"
    };
    assert!(text.contains(first), "{text}");
    assert!(
        text.contains(&format!("Version: {}\n", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
}
