//! `piff-encrypt`: makes an encrypted copy of an on-demand Smooth presentation directory
//! (Manifest + `QualityLevels(…)/Fragments(…)` files as ffmpeg writes them) — PIFF AES-CTR,
//! PIFF AES-CBC or CENC-boxed CTR — with a PlayReady ProtectionHeader in the manifest whose
//! KID, ALGID and CHECKSUM match the key. No Debian tool writes PIFF, hence this one.

pub mod cipher;
pub mod fragment;
pub mod manifest;
pub mod nal;
pub mod playready;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cipher::SampleEncryptor;
use fragment::{FragmentError, FragmentId, Scheme, encrypt_fragment};
use manifest::{ManifestEditError, Stream};
use player_core::manifest::Uuid;
use std::fs;
use std::path::{Path, PathBuf};

/// What to encrypt with.
#[derive(Debug, Clone)]
pub struct EncryptOptions {
    /// The layout and cipher.
    pub scheme: Scheme,
    /// Key ID (canonical UUID).
    pub kid: Uuid,
    /// Content key.
    pub key: [u8; 16],
    /// The PlayReady header's LA_URL.
    pub la_url: String,
}

/// Why a presentation could not be encrypted.
#[derive(Debug, thiserror::Error)]
pub enum EncryptError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The manifest cannot be used.
    #[error("{path}: {source}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        source: ManifestEditError,
    },
    /// A fragment belongs to no stream of the manifest.
    #[error("{path}: no StreamIndex has a Url with Fragments({key}=…)")]
    UnknownStream {
        /// The fragment file.
        path: PathBuf,
        /// The name in the file name.
        key: String,
    },
    /// A fragment could not be encrypted.
    #[error("{path}: {source}")]
    Fragment {
        /// The fragment file.
        path: PathBuf,
        /// What is wrong.
        source: FragmentError,
    },
    /// The destination is the source or inside it.
    #[error("the destination must not be the source directory or inside it")]
    DestinationInSource,
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Fragment files encrypted.
    pub fragments: usize,
    /// Samples encrypted.
    pub samples: usize,
    /// Other files copied as they are.
    pub copied: usize,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> EncryptError + '_ {
    move |source| EncryptError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The manifest's base64 PlayReady Object for `opts`.
pub fn protection_header(opts: &EncryptOptions) -> String {
    let cbc = opts.scheme == Scheme::PiffCbc;
    let key = SampleEncryptor::new(opts.key, opts.scheme.mode());
    let sum = (!cbc).then(|| playready::checksum(&key, opts.kid));
    let xml = playready::wrm_header(opts.kid, sum, cbc, &opts.la_url);
    STANDARD.encode(playready::playready_object(&xml))
}

/// `Fragments(video=123)` → `video`.
fn fragment_key(name: &str) -> Option<&str> {
    name.strip_prefix("Fragments(")?
        .split_once('=')
        .map(|(k, _)| k)
}

/// Encrypts the presentation in `src` into `dst` (created if needed).
pub fn encrypt_presentation(
    src: &Path,
    dst: &Path,
    opts: &EncryptOptions,
) -> Result<Summary, EncryptError> {
    let src_abs = fs::canonicalize(src).map_err(io(src))?;
    fs::create_dir_all(dst).map_err(io(dst))?;
    let dst_abs = fs::canonicalize(dst).map_err(io(dst))?;
    if dst_abs.starts_with(&src_abs) {
        return Err(EncryptError::DestinationInSource);
    }
    let manifest_path = src.join("Manifest");
    let xml = fs::read_to_string(&manifest_path).map_err(io(&manifest_path))?;
    let manifest_err = |source| EncryptError::Manifest {
        path: manifest_path.clone(),
        source,
    };
    let streams = manifest::streams(&xml).map_err(manifest_err)?;
    let protected = manifest::protect(&xml, &protection_header(opts)).map_err(manifest_err)?;
    let key = SampleEncryptor::new(opts.key, opts.scheme.mode());
    let mut summary = Summary::default();
    let job = Job {
        manifest: &manifest_path,
        streams: &streams,
        key: &key,
        opts,
    };
    copy_dir(&job, src, dst, &mut summary)?;
    let out = dst.join("Manifest");
    fs::write(&out, protected).map_err(io(&out))?;
    Ok(summary)
}

/// What every directory of the copy needs.
struct Job<'a> {
    manifest: &'a Path,
    streams: &'a [Stream],
    key: &'a SampleEncryptor,
    opts: &'a EncryptOptions,
}

fn copy_dir(
    job: &Job<'_>,
    src: &Path,
    dst: &Path,
    summary: &mut Summary,
) -> Result<(), EncryptError> {
    fs::create_dir_all(dst).map_err(io(dst))?;
    let mut entries: Vec<_> = fs::read_dir(src)
        .map_err(io(src))?
        .collect::<Result<_, _>>()
        .map_err(io(src))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let target = dst.join(&name);
        if path.is_dir() {
            copy_dir(job, &path, &target, summary)?;
        } else if path == job.manifest {
            // Written last, with the Protection element.
        } else if name.starts_with("FragmentInfo(") {
            // Rewritten with its Fragments file (it is that fragment's moof).
        } else if let Some(stream_key) = fragment_key(&name) {
            let stream = job
                .streams
                .iter()
                .find(|s| s.url_key == stream_key)
                .ok_or_else(|| EncryptError::UnknownStream {
                    path: path.clone(),
                    key: stream_key.to_string(),
                })?;
            let bytes = fs::read(&path).map_err(io(&path))?;
            let id = FragmentId {
                stream: &stream.url_key,
                name: &name,
            };
            let (scheme, kid) = (job.opts.scheme, job.opts.kid);
            let enc = encrypt_fragment(&bytes, id, stream.framing, scheme, job.key, kid).map_err(
                |source| EncryptError::Fragment {
                    path: path.clone(),
                    source,
                },
            )?;
            fs::write(&target, &enc.bytes).map_err(io(&target))?;
            let info_name = name.replacen("Fragments(", "FragmentInfo(", 1);
            if src.join(&info_name).is_file() {
                let info = dst.join(&info_name);
                let moof = enc.bytes.get(enc.moof.clone()).unwrap_or_default();
                fs::write(&info, moof).map_err(io(&info))?;
            }
            summary.fragments += 1;
            summary.samples += enc.samples;
        } else {
            fs::copy(&path, &target).map_err(io(&path))?;
            summary.copied += 1;
        }
    }
    Ok(())
}
