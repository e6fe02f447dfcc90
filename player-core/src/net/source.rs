//! Turns what the user typed (a URL, a directory, a manifest file) into the manifest URL.

use std::path::Path;

use url::Url;

use super::NetError;

/// Resolves `input` to the URL of a client manifest: http(s) URLs are used as given, a
/// directory becomes `dir/Manifest` (any case), a file becomes its `file://` URL.
pub fn manifest_url(input: &str) -> Result<Url, NetError> {
    let bad = |reason: &str| NetError::BadInput {
        input: input.to_string(),
        reason: reason.to_string(),
    };
    if input.starts_with("http://") || input.starts_with("https://") || input.starts_with("file:") {
        return Url::parse(input).map_err(|e| bad(&e.to_string()));
    }
    let path = Path::new(input);
    let abs = std::path::absolute(path).map_err(|e| bad(&e.to_string()))?;
    let file = if abs.is_dir() {
        find_manifest_in(&abs).ok_or_else(|| bad("directory holds no Manifest file"))?
    } else if abs.is_file() {
        abs
    } else {
        return Err(bad("no such file or directory, and not an http(s) URL"));
    };
    Url::from_file_path(&file).map_err(|()| bad("path cannot be expressed as a URL"))
}

/// Finds `Manifest` in `dir`, case-insensitively (also `*.ismc`).
fn find_manifest_in(dir: &Path) -> Option<std::path::PathBuf> {
    let exact = dir.join("Manifest");
    if exact.is_file() {
        return Some(exact);
    }
    let entries = std::fs::read_dir(dir).ok()?;
    let mut candidates: Vec<_> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .map(|n| {
                    n.eq_ignore_ascii_case("manifest") || n.to_ascii_lowercase().ends_with(".ismc")
                })
                .unwrap_or(false)
        })
        .collect();
    candidates.sort();
    candidates.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_urls_pass_through() {
        let u = manifest_url("http://127.0.0.1:8080/a.ism/Manifest?token=1").expect("url");
        assert_eq!(u.query(), Some("token=1"));
    }

    #[test]
    fn directories_resolve_to_their_manifest() {
        let dir = std::env::temp_dir().join(format!("sp-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("manifest"), b"<x/>").expect("write");
        let u = manifest_url(dir.to_str().expect("utf8")).expect("url");
        assert_eq!(u.scheme(), "file");
        assert!(u.path().to_ascii_lowercase().ends_with("/manifest"));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn missing_paths_are_typed_errors() {
        let e = manifest_url("/definitely/not/here").expect_err("missing");
        assert!(matches!(e, NetError::BadInput { .. }));
    }
}
