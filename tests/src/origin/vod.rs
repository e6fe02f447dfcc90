//! On-demand serving: maps request paths to files under the root, `Manifest` in any case.

use std::path::{Component, Path, PathBuf};

/// Maps a percent-decoded request path to a file under `root`, refusing `..` escapes.
/// A last component `Manifest` (any case) finds the directory's manifest in any case.
pub fn resolve(root: &Path, request_path: &str) -> Option<PathBuf> {
    let rel = Path::new(request_path.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let full = root.join(rel);
    if full.is_file() {
        return Some(full);
    }
    let name = full.file_name()?.to_str()?;
    if name.eq_ignore_ascii_case("manifest") {
        let dir = full.parent()?;
        let found = std::fs::read_dir(dir)
            .ok()?
            .filter_map(|e| e.ok())
            .find(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case("manifest"))
            })?;
        return Some(found.path());
    }
    None
}

/// The content type for a served path.
pub fn content_type(path: &str) -> &'static str {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with("/manifest") || lower.ends_with(".ismc") {
        "text/xml; charset=utf-8"
    } else if lower.contains("fragments(") && lower.contains("audio") {
        "audio/mp4"
    } else if lower.contains("fragments(") && lower.contains("video") {
        "video/mp4"
    } else if lower.contains("fragments(") {
        "application/mp4"
    } else {
        "application/octet-stream"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_escapes_and_finds_manifest_in_any_case() {
        let dir = std::env::temp_dir().join(format!("sp-vod-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("p")).expect("mkdir");
        std::fs::write(dir.join("p/manifest"), "x").expect("write");
        assert!(resolve(&dir, "/p/../../etc/passwd").is_none());
        assert_eq!(resolve(&dir, "/p/Manifest"), Some(dir.join("p/manifest")));
        assert_eq!(resolve(&dir, "/p/MANIFEST"), Some(dir.join("p/manifest")));
        assert!(resolve(&dir, "/p/nothing").is_none());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("/a/Manifest"), "text/xml; charset=utf-8");
        assert_eq!(
            content_type("/QualityLevels(1)/Fragments(video=0)"),
            "video/mp4"
        );
        assert_eq!(
            content_type("/QualityLevels(1)/Fragments(audio_eng=0)"),
            "audio/mp4"
        );
    }
}
