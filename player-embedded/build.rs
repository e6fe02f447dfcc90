//! Writes the pkg-config files for C hosts next to the built libraries:
//! `<target>/<profile>/pkgconfig/smoothplay.pc` for an install under `$SMOOTHPLAY_PREFIX`
//! (default /usr/local: lib/ and include/), and `smoothplay-uninstalled.pc` for building
//! against this checkout (pkg-config prefers it when that directory is on PKG_CONFIG_PATH).

use std::path::{Path, PathBuf};

/// What the static library needs from the system when linking (`Libs.private`): what
/// `rustc --print native-static-libs` reports on Linux, plus the C++ runtime for OpenH264.
const LIBS_PRIVATE: &str = "-lstdc++ -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc";
/// With the libav backend (cargo feature `libav`), FFmpeg's shared libraries come first.
const LIBAV_LIBS: &str = "-lavcodec -lavutil";

fn render(template: &str, prefix: &str, libdir: &str, includedir: &str) -> String {
    let libs = if std::env::var_os("CARGO_FEATURE_LIBAV").is_some() {
        format!("{LIBAV_LIBS} {LIBS_PRIVATE}")
    } else {
        LIBS_PRIVATE.to_string()
    };
    template
        .replace("@PREFIX@", prefix)
        .replace("@LIBDIR@", libdir)
        .replace("@INCLUDEDIR@", includedir)
        .replace("@VERSION@", env!("CARGO_PKG_VERSION"))
        .replace("@LIBS_PRIVATE@", &libs)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo::rerun-if-changed=smoothplay.pc.in");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=SMOOTHPLAY_PREFIX");
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let template = std::fs::read_to_string(manifest_dir.join("smoothplay.pc.in"))?;
    // OUT_DIR is <target>/<profile>/build/<package>-<hash>/out: the libraries land in <profile>.
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let Some(profile_dir) = out_dir.ancestors().nth(3).map(Path::to_path_buf) else {
        return Ok(());
    };
    let pc_dir = profile_dir.join("pkgconfig");
    std::fs::create_dir_all(&pc_dir)?;
    let prefix = std::env::var("SMOOTHPLAY_PREFIX").unwrap_or_else(|_| "/usr/local".into());
    let installed = render(&template, &prefix, "${prefix}/lib", "${prefix}/include");
    let here = |p: &Path| p.display().to_string();
    let uninstalled = render(
        &template,
        &here(&profile_dir),
        &here(&profile_dir),
        &here(&manifest_dir.join("include")),
    );
    write_if_changed(&pc_dir.join("smoothplay.pc"), &installed)?;
    write_if_changed(&pc_dir.join("smoothplay-uninstalled.pc"), &uninstalled)?;
    Ok(())
}

fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text)?;
    }
    Ok(())
}
