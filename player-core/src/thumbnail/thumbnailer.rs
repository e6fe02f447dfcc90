//! The I/O edge of thumbnails: the presentation opened through [`Source`] (HTTP with
//! mirrors, a local directory or a single `.ismv`), the planned fragment fetched, decrypted
//! with the host's keys, its key frame decoded and made small.
//!
//! Blocking: each call runs on the caller's thread with a current-thread runtime of its own,
//! so a host calls it from a worker (the desktop's hover thread, the headless CLI's main).

use std::sync::Arc;
use std::time::Duration;

use super::key_frame::{KeyFrameError, decode_key_frame};
use super::picture::{Colour, DEFAULT_WIDTH, to_thumbnail};
use super::plan::{PlanError, ThumbnailPlan, plan, span, video_stream};
use super::{Thumbnail, ThumbnailError};
use crate::decode::{Backend, DecoderFactory};
use crate::decrypt::FragmentDecryptor;
use crate::demux::{decoder_config, stream_track, units};
use crate::error::Error;
use crate::limits::MAX_FRAGMENT_BYTES;
use crate::manifest::{Manifest, fragment_url};
use crate::net::{Download, FetchConfig, Fetcher, Source, Verdict};
use crate::player::Keys;
use crate::time::ticks_to_secs;

/// How thumbnails are made.
#[derive(Debug, Clone)]
pub struct ThumbnailConfig {
    /// Network settings (trusted roots, proxy, user agent, retries).
    pub fetch: FetchConfig,
    /// Mirrors of the presentation (other manifest URLs), tried when the primary fails.
    pub backup_urls: Vec<String>,
    /// Content keys for protected presentations.
    pub keys: Option<Keys>,
    /// Which decoders make the pictures.
    pub decoder: Backend,
    /// The video stream, by Name or Language (the first playable one otherwise).
    pub video: Option<String>,
    /// Thumbnail width, pixels (the height keeps the aspect ratio).
    pub width: u32,
}

impl Default for ThumbnailConfig {
    fn default() -> Self {
        ThumbnailConfig {
            fetch: FetchConfig::default(),
            backup_urls: Vec::new(),
            keys: None,
            decoder: Backend::Auto,
            video: None,
            width: DEFAULT_WIDTH,
        }
    }
}

/// Makes thumbnails of one presentation.
pub struct Thumbnailer {
    runtime: tokio::runtime::Runtime,
    source: Source,
    manifest: Arc<Manifest>,
    decryptor: FragmentDecryptor,
    factory: DecoderFactory,
    stream: usize,
    width: u32,
}

impl std::fmt::Debug for Thumbnailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Thumbnailer")
            .field("source", &self.source)
            .field("stream", &self.stream)
            .field("width", &self.width)
            .finish_non_exhaustive()
    }
}

impl Thumbnailer {
    /// Opens `input` (a manifest URL, a directory, a manifest file or a single `.ismv`) and
    /// picks its video stream.
    pub fn open(input: &str, config: ThumbnailConfig) -> Result<Thumbnailer, ThumbnailError> {
        let open_error = |source: Error| ThumbnailError::Open {
            input: input.to_string(),
            source: Box::new(source),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| {
                open_error(Error::Spawn {
                    what: "thumbnail runtime".into(),
                    message: e.to_string(),
                })
            })?;
        let fetcher = Fetcher::new(config.fetch).map_err(|e| open_error(e.into()))?;
        let (source, manifest) = runtime
            .block_on(Source::open(input, fetcher, &config.backup_urls))
            .map_err(open_error)?;
        let factory = DecoderFactory::new(config.decoder, 1).map_err(|e| open_error(e.into()))?;
        let stream = video_stream(&manifest, config.video.as_deref(), &factory.support())?;
        Ok(Thumbnailer {
            runtime,
            decryptor: crate::player::keys::decryptor(&manifest, config.keys.as_ref()),
            source,
            manifest: Arc::new(manifest),
            factory,
            stream,
            width: config.width.max(1),
        })
    }

    /// The manifest as last loaded.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The video stream thumbnails come from (index into the manifest's streams).
    pub fn stream(&self) -> usize {
        self.stream
    }

    /// The media times the video stream's listed fragments span (on live, the DVR window
    /// as of the last manifest).
    pub fn span(&self) -> Option<(Duration, Duration)> {
        span(&self.manifest, self.stream)
    }

    /// Loads the manifest again (live: the DVR window moves). A single file has nothing to
    /// reload and keeps its manifest.
    pub fn refresh(&mut self) -> Result<(), ThumbnailError> {
        if self.source.is_single_file() {
            return Ok(());
        }
        let manifest = self
            .runtime
            .block_on(self.source.manifest())
            .map_err(|source| ThumbnailError::Open {
                input: self.source.url().to_string(),
                source: Box::new(source),
            })?;
        self.manifest = Arc::new(manifest);
        Ok(())
    }

    /// Which fragment shows media time `at`.
    pub fn plan(&self, at: Duration) -> Result<ThumbnailPlan, PlanError> {
        plan(&self.manifest, self.stream, &self.factory.support(), at)
    }

    /// The thumbnail of media time `at`: the key frame of the lowest level's fragment
    /// covering it.
    pub fn thumbnail(&self, at: Duration) -> Result<Thumbnail, ThumbnailError> {
        let p = self.plan(at)?;
        self.fragment(&p)
    }

    /// The thumbnail of a planned fragment.
    pub fn fragment(&self, p: &ThumbnailPlan) -> Result<Thumbnail, ThumbnailError> {
        let fragment = self.describe(p);
        let fail = |source: Error| ThumbnailError::Fragment {
            fragment: fragment.clone(),
            source: Box::new(source),
        };
        let level = self
            .manifest
            .streams
            .get(p.key.stream)
            .and_then(|s| s.quality_levels.get(p.key.level))
            .ok_or(PlanError::NoVideo(None))?;
        let config = Arc::new(decoder_config(level).map_err(|e| fail(e.into()))?);
        let download = self.download(p).map_err(&fail)?;
        let file_track = self.source.file_track(p.key.stream);
        let track = stream_track(&download.body, p.chunk.start, file_track.as_ref())
            .map_err(|e| fail(e.into()))?;
        let (body, kid) = self
            .runtime
            .block_on(self.decryptor.decrypt(download.body, &track))
            .map_err(|e| fail(e.into()))?;
        let samples = units(&track, &body);
        let frame = match decode_key_frame(&self.factory, &config, &samples, p.timescale) {
            Ok(f) => f,
            // Decrypted bytes that do not decode: with no checksum to check the key against,
            // this is how a wrong key shows.
            Err(KeyFrameError::Decode(e)) => {
                return Err(match kid {
                    Some(kid) => ThumbnailError::WrongKey {
                        fragment,
                        kid,
                        reason: e.to_string(),
                    },
                    None => fail(e),
                });
            }
            Err(e) => {
                return Err(ThumbnailError::NoPicture {
                    fragment,
                    what: e.to_string(),
                });
            }
        };
        let colour = Colour::of(&config, frame.height);
        Ok(to_thumbnail(&frame, p.key, self.width, colour))
    }

    /// Fetches the planned fragment: the primary, then each mirror.
    fn download(&self, p: &ThumbnailPlan) -> Result<Download, Error> {
        let mut last = None;
        for location in 0..self.source.locations() {
            let fetched = self.runtime.block_on(self.source.fragment(
                &self.manifest,
                p.key.stream,
                p.key.level,
                p.chunk.start,
                location,
                MAX_FRAGMENT_BYTES,
                &mut |_| Verdict::Continue,
            ));
            match fetched {
                Ok(d) => return Ok(d),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or(Error::NoPlayableStream))
    }

    /// The fragment in words for errors: its URL, or the file and time of a single file.
    fn describe(&self, p: &ThumbnailPlan) -> String {
        let at = ticks_to_secs(p.chunk.start, p.timescale);
        let url = self.manifest.streams.get(p.key.stream).and_then(|s| {
            let level = s.quality_levels.get(p.key.level)?;
            fragment_url(self.source.url(), s, level, p.chunk.start).ok()
        });
        match url {
            Some(u) if !self.source.is_single_file() => format!("fragment {u}"),
            _ => format!("the fragment at {at:.3} s of {}", self.source.url()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_presentation_is_an_open_error_naming_it() {
        let e = Thumbnailer::open("/no/such/presentation", ThumbnailConfig::default())
            .expect_err("missing");
        let text = e.to_string();
        assert!(text.contains("/no/such/presentation"), "{text}");
        assert!(matches!(e, ThumbnailError::Open { .. }));
    }

    #[test]
    fn a_presentation_without_video_has_no_thumbnails() {
        let dir = std::env::temp_dir().join(format!("sp-thumb-audio-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let manifest = r#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="0" Duration="20000000">
  <StreamIndex Type="audio" Name="audio" QualityLevels="1" Url="a/{start time}">
    <QualityLevel Index="0" Bitrate="128000" FourCC="AACL" SamplingRate="48000" Channels="2"
      BitsPerSample="16" PacketSize="4" AudioTag="255" CodecPrivateData="1190" />
    <c t="0" d="20000000" />
  </StreamIndex>
</SmoothStreamingMedia>"#;
        std::fs::write(dir.join("Manifest"), manifest).expect("write");
        let e = Thumbnailer::open(dir.to_str().expect("utf8"), ThumbnailConfig::default())
            .expect_err("no video");
        assert!(
            matches!(e, ThumbnailError::Plan(PlanError::NoVideo(None))),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
