//! What some tests need beyond the checkout: the shared test corpus and external tools.
//!
//! The policy when one is missing: under CI (the environment variable `CI` set and not
//! empty) the test fails with a message naming what is missing and how to get it; elsewhere
//! it writes a `SKIPPED <test>: …` line straight to stderr (past the test harness's output
//! capture, so it shows in a normal `cargo test` run) and returns without checking anything.
//!
//! This file uses only `std`, so test crates that cannot depend on `player-tests`
//! (player-core's integration tests) include this very file with `#[path]` instead of
//! copying it. `CARGO_MANIFEST_DIR` is then the including crate's, one level below the
//! workspace root like this crate's.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The environment variable that points the tests at a corpus somewhere else.
pub const CORPUS_ENV: &str = "SMOOTHPLAY_CORPUS";

/// How to get the corpus (the README's "Test corpus" section says more).
const CORPUS_HOW: &str = "see README: Test corpus; put the corpus in ../shared/corpus beside \
     the checkout or point SMOOTHPLAY_CORPUS at it";

/// Whether this is a CI run: `CI` is set and not empty.
pub fn under_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// The workspace root (the parent of the crate being compiled).
fn workspace_root() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir
        .parent()
        .map_or_else(|| crate_dir.join(".."), Path::to_path_buf)
}

/// Where the corpus is looked for: `$SMOOTHPLAY_CORPUS`, else `../shared/corpus` beside the
/// workspace root.
pub fn corpus_root() -> PathBuf {
    match std::env::var_os(CORPUS_ENV).filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join("../shared/corpus"),
    }
}

/// The corpus entry `rel` (a folder or file such as `shaka/mss-clear`), or `None` when it is
/// absent: then `test` fails under CI, or says it skipped.
pub fn corpus(test: &str, rel: &str) -> Option<PathBuf> {
    let root = corpus_root();
    let path = root.join(rel);
    if path.exists() {
        return Some(path);
    }
    let named = match std::env::var_os(CORPUS_ENV).filter(|v| !v.is_empty()) {
        Some(_) => format!("{CORPUS_ENV}={}", root.display()),
        None => "../shared/corpus".to_string(),
    };
    let what = if root.is_dir() {
        format!("{rel} is missing from the test corpus {named}")
    } else {
        format!("{named} is absent")
    };
    missing(test, &what, CORPUS_HOW);
    None
}

/// Whether the external `tool` runs (`tool version_arg` succeeds); when it does not, `test`
/// fails under CI, or says it skipped. `package` is the Debian package that `./x deps`
/// installs for it.
pub fn tool(test: &str, tool: &str, version_arg: &str, package: &str) -> bool {
    let runs = Command::new(tool)
        .arg(version_arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !runs {
        missing(
            test,
            &format!("{tool} is not installed"),
            &format!("`./x deps` installs it: Debian package {package}"),
        );
    }
    runs
}

/// A prerequisite of `test` is missing (`what`; `how` says how to get it): a failure under CI,
/// else a visible SKIPPED line.
pub fn missing(test: &str, what: &str, how: &str) {
    assert!(
        !under_ci(),
        "{test}: {what}, and CI is set, so this test may not skip ({how})"
    );
    // Straight to the process's stderr: `eprintln!` would be captured and hidden.
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {what} ({how})");
}
