//! The committed C header must be what cbindgen generates from `src/ffi` today.

use std::path::PathBuf;

#[test]
fn committed_header_matches_a_fresh_generation() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .unwrap_or_else(|e| panic!("cbindgen.toml: {e}"));
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .unwrap_or_else(|e| panic!("cbindgen: {e}"));
    let mut fresh = Vec::new();
    bindings.write(&mut fresh);
    let fresh = String::from_utf8(fresh).expect("cbindgen writes UTF-8");
    let path = crate_dir.join("include/smoothplay.h");
    if std::env::var_os("SMOOTHPLAY_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write header");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    // Pinpoint the first differing line: a whole-file diff of a header is unreadable.
    let first_diff = committed
        .lines()
        .zip(fresh.lines())
        .position(|(a, b)| a != b)
        .map(|i| format!("first difference at line {}", i + 1))
        .unwrap_or_else(|| "one is a prefix of the other".into());
    assert!(
        committed == fresh,
        "include/smoothplay.h is out of date ({first_diff}); regenerate with \
         SMOOTHPLAY_BLESS=1 cargo test -p player-embedded --test header"
    );
    for name in [
        "sp_player_new",
        "sp_player_open",
        "sp_player_play",
        "sp_player_pause",
        "sp_player_seek",
        "sp_player_replay",
        "sp_player_go_live",
        "sp_player_stop",
        "sp_player_select_stream",
        "sp_player_set_max_bitrate",
        "sp_player_set_captions",
        "sp_player_position",
        "sp_player_stats",
        "sp_player_free",
        "sp_player_next_video_frame",
        "sp_frame_release",
    ] {
        assert!(
            fresh.contains(&format!(" {name}(")),
            "{name} missing from the header"
        );
    }
}
