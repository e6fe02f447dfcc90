//! Where a presentation's bytes come from — an http(s) origin with its mirrors, a local
//! directory or manifest file, or a single `.ismv` file read by byte range — behind one
//! [`Source`], so fetching has no special cases; and turning what the user typed into it.

use std::path::Path;

use url::Url;

use super::single_file::{self, FileIndex};
use super::{Download, Fetcher, NetError, Progress, Verdict};
use crate::demux::SingleFileTrack;
use crate::error::Error;
use crate::limits::MAX_MANIFEST_BYTES;
use crate::manifest::{Manifest, fragment_url};

/// Where one presentation's manifest and fragments come from.
pub struct Source {
    fetcher: Fetcher,
    /// The manifest URL (`file://` for local presentations).
    manifest: Url,
    /// Mirrors' manifest URLs, tried in order when the primary fails.
    mirrors: Vec<Url>,
    /// A local single file: where its fragments lie.
    file: Option<FileIndex>,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("manifest", &self.manifest.as_str())
            .field("mirrors", &self.mirrors.len())
            .field("single_file", &self.file.is_some())
            .finish()
    }
}

impl Source {
    /// Opens `input` (a manifest URL, a directory, a manifest file or a single `.ismv`) and
    /// loads its manifest; `mirrors` are other manifest URLs serving the same fragments
    /// (unusable ones are skipped with a warning).
    pub async fn open(
        input: &str,
        fetcher: Fetcher,
        mirrors: &[String],
    ) -> Result<(Source, Manifest), Error> {
        let mirrors = mirrors
            .iter()
            .filter_map(|u| match manifest_url(u) {
                Ok(url) => Some(url),
                Err(e) => {
                    tracing::warn!("backup URL ignored: {e}");
                    None
                }
            })
            .collect();
        if super::local_file::is_single_file(input) {
            let bad = |reason: String| NetError::BadInput {
                input: input.to_string(),
                reason,
            };
            let path = std::path::absolute(input).map_err(|e| bad(e.to_string()))?;
            let (manifest, index) = single_file::open(&path).await?;
            let url = Url::from_file_path(&path)
                .map_err(|()| bad("path cannot be expressed as a URL".into()))?;
            let source = Source {
                fetcher,
                manifest: url,
                mirrors: Vec::new(),
                file: Some(index),
            };
            return Ok((source, manifest));
        }
        let mut source = Source {
            fetcher,
            manifest: manifest_url(input)?,
            mirrors,
            file: None,
        };
        let (manifest, url) = source.fetch_manifest().await?;
        // Fragment URLs resolve against where the manifest really was (after redirects).
        source.manifest = url;
        Ok((source, manifest))
    }

    /// The manifest URL fragments resolve against.
    pub fn url(&self) -> &Url {
        &self.manifest
    }

    /// Places fragments can come from: the primary and each mirror.
    pub fn locations(&self) -> usize {
        1 + self.mirrors.len()
    }

    /// Whether this is a local single file (no text streams, no refreshes).
    pub fn is_single_file(&self) -> bool {
        self.file.is_some()
    }

    /// Fetches and parses the manifest again (live refresh).
    pub async fn manifest(&self) -> Result<Manifest, Error> {
        if self.file.is_some() {
            return Err(Error::Net(NetError::BadInput {
                input: self.manifest.to_string(),
                reason: "a single file has no manifest to refresh".into(),
            }));
        }
        Ok(self.fetch_manifest().await?.0)
    }

    async fn fetch_manifest(&self) -> Result<(Manifest, Url), Error> {
        let download = self
            .fetcher
            .fetch_manifest(&self.manifest, MAX_MANIFEST_BYTES)
            .await?;
        let manifest = crate::manifest::parse(&download.body)?;
        Ok((manifest, download.url))
    }

    /// How to read stream `stream`'s samples when they come from a single file.
    pub fn file_track(&self, stream: usize) -> Option<SingleFileTrack> {
        let s = self.file.as_ref()?.streams.get(stream)?;
        Some(SingleFileTrack {
            track_id: s.track_id,
            defaults: s.defaults,
            all_sync: s.all_sync,
        })
    }

    /// Fetches the fragment starting at `start` of quality level `ql` of stream `stream`
    /// from `location` (0: the primary, then the mirrors), at most `limit` bytes; the
    /// network layer retries what may get better. `progress` may abort it.
    #[allow(clippy::too_many_arguments)]
    pub async fn fragment(
        &self,
        manifest: &Manifest,
        stream: usize,
        ql: usize,
        start: u64,
        location: usize,
        limit: usize,
        progress: &mut (dyn FnMut(Progress) -> Verdict + Send),
    ) -> Result<Download, Error> {
        if let Some(file) = &self.file {
            return self.read_from_file(file, stream, start, limit).await;
        }
        let missing = || {
            Error::Net(NetError::BadInput {
                input: format!("stream {stream} level {ql}"),
                reason: "not in the manifest".into(),
            })
        };
        let s = manifest.streams.get(stream).ok_or_else(missing)?;
        let level = s.quality_levels.get(ql).ok_or_else(missing)?;
        let base = match location {
            0 => &self.manifest,
            n => self.mirrors.get(n - 1).ok_or_else(missing)?,
        };
        let url = fragment_url(base, s, level, start)?;
        Ok(self.fetcher.fetch(&url, limit, progress).await?)
    }

    /// Reads a fragment of a local single-file presentation by its byte range.
    async fn read_from_file(
        &self,
        file: &FileIndex,
        stream: usize,
        start: u64,
        limit: usize,
    ) -> Result<Download, Error> {
        let started = std::time::Instant::now();
        let missing = || {
            Error::Net(NetError::Status {
                url: format!("{} at {start}", file.path.display()),
                status: 404,
            })
        };
        let s = file.streams.get(stream).ok_or_else(missing)?;
        let &(offset, len) = s.ranges.get(&start).ok_or_else(missing)?;
        let body = super::local_file::read_range(&file.path, offset, len, limit).await?;
        let total = started.elapsed();
        Ok(Download {
            body,
            url: self.manifest.clone(),
            ttfb: total,
            total,
            attempts: 1,
            pragma: None,
        })
    }
}

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
