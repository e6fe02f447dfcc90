//! What the controller and the fetch tasks of one playback session share: the presentation,
//! the selected streams and their timelines (which grow on live), quality and keys.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use url::Url;

use crate::error::Error;
use crate::live::Timeline;
use crate::manifest::{Chunk, Manifest, StreamIndex};
use crate::net::Fetcher;
use crate::time::{duration_to_ticks, ticks_to_duration};

use super::caption_track::CaptionTrack;
use super::config::Config;
use super::event::StreamKind;
use super::quality::QualityChooser;
use super::selection::{Selection, TrackPlan};
use super::shared::Shared;
use super::single_file::FileIndex;
use crate::decrypt::FragmentDecryptor;

/// What the presentation says about being live, updated by manifest refreshes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LiveInfo {
    /// More fragments keep coming.
    pub growing: bool,
    /// DVR window in ticks of the presentation timescale (None = infinite or on demand).
    pub dvr_window: Option<u64>,
    /// tfrf entries per fragment.
    pub lookahead: u32,
    /// Presentation timescale.
    pub timescale: u64,
}

/// Everything one session's tasks read (and the state they update together).
pub(crate) struct SessionCtx {
    pub shared: Arc<Shared>,
    pub fetcher: Fetcher,
    /// The manifest as first loaded (stream and level descriptions).
    pub manifest: Arc<Manifest>,
    pub base_url: Url,
    /// Mirrors' manifest URLs, tried in order when the primary fails.
    pub backup_urls: Vec<Url>,
    /// For a local single-file presentation: where its fragments lie.
    pub file: Option<FileIndex>,
    /// The caption stream, when the presentation has one.
    pub captions: Option<CaptionTrack>,
    pub selection: Mutex<Selection>,
    pub config: Config,
    pub quality: Mutex<QualityChooser>,
    pub protection: FragmentDecryptor,
    /// Known chunks of the selected video and audio streams.
    pub timelines: [Mutex<Timeline>; 2],
    pub live: Mutex<LiveInfo>,
    /// Media time of position 0: the first chunk when the presentation was opened.
    pub origin: Duration,
    /// When the manifest was last fetched (refreshes are rate-limited).
    last_refresh: tokio::sync::Mutex<Instant>,
}

/// Runs `f` on the value behind `m`, also after a panic elsewhere poisoned it.
pub(crate) fn lock<T, R>(m: &Mutex<T>, f: impl FnOnce(&mut T) -> R) -> R {
    match m.lock() {
        Ok(mut g) => f(&mut g),
        Err(p) => f(&mut p.into_inner()),
    }
}

impl SessionCtx {
    /// Builds the session state; timelines start from the manifest's chunks.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        shared: Arc<Shared>,
        fetcher: Fetcher,
        manifest: Manifest,
        base_url: Url,
        selection: Selection,
        config: Config,
        quality: QualityChooser,
        protection: FragmentDecryptor,
    ) -> SessionCtx {
        let timeline = |plan: Option<&TrackPlan>| {
            let s = plan.and_then(|p| manifest.streams.get(p.stream));
            Mutex::new(match s {
                Some(s) => Timeline::new(&s.chunks, s.timescale, manifest.is_live),
                None => Timeline::new(&[], manifest.timescale, false),
            })
        };
        let timelines = [
            timeline(selection.video.as_ref()),
            timeline(selection.audio.as_ref()),
        ];
        let live = LiveInfo {
            growing: manifest.is_live,
            dvr_window: manifest.dvr_window_length.filter(|_| manifest.is_live),
            lookahead: manifest.lookahead_count.unwrap_or(0),
            timescale: manifest.timescale,
        };
        let origin = origin_of(&manifest, &selection);
        let backup_urls = config
            .backup_urls
            .iter()
            .filter_map(|u| match crate::net::manifest_url(u) {
                Ok(url) => Some(url),
                Err(e) => {
                    tracing::warn!("backup URL ignored: {e}");
                    None
                }
            })
            .collect();
        SessionCtx {
            file: None,
            captions: None,
            backup_urls,
            shared,
            fetcher,
            manifest: Arc::new(manifest),
            base_url,
            selection: Mutex::new(selection),
            config,
            quality: Mutex::new(quality),
            protection,
            timelines,
            live: Mutex::new(live),
            origin,
            last_refresh: tokio::sync::Mutex::new(Instant::now()),
        }
    }

    /// The selected track of `kind`.
    pub fn plan(&self, kind: StreamKind) -> Option<TrackPlan> {
        self.with_selection(|s| match kind {
            StreamKind::Video => s.video.clone(),
            StreamKind::Audio => s.audio.clone(),
        })
    }

    /// Runs `f` on the current selection.
    pub fn with_selection<R>(&self, f: impl FnOnce(&mut Selection) -> R) -> R {
        lock(&self.selection, f)
    }

    /// The StreamIndex (as first loaded) of the selected track of `kind`.
    pub fn stream(&self, kind: StreamKind) -> Option<&StreamIndex> {
        self.plan(kind)
            .and_then(|p| self.manifest.streams.get(p.stream))
    }

    /// The selected kinds.
    pub fn kinds(&self) -> Vec<StreamKind> {
        [StreamKind::Video, StreamKind::Audio]
            .into_iter()
            .filter(|k| self.plan(*k).is_some())
            .collect()
    }

    /// The kind that decides where playback starts: video (keyframes), else audio.
    pub fn lead(&self) -> StreamKind {
        if self.plan(StreamKind::Video).is_some() {
            StreamKind::Video
        } else {
            StreamKind::Audio
        }
    }

    /// Runs `f` on the quality chooser.
    pub fn with_quality<R>(&self, f: impl FnOnce(&mut QualityChooser) -> R) -> R {
        lock(&self.quality, f)
    }

    /// Runs `f` on the timeline of `kind`.
    pub fn timeline<R>(&self, kind: StreamKind, f: impl FnOnce(&mut Timeline) -> R) -> R {
        lock(&self.timelines[kind.idx()], f)
    }

    /// Restarts the timeline of `kind` from the manifest (another stream was selected).
    pub fn reset_timeline(&self, kind: StreamKind) {
        let growing = self.live_info().growing;
        let fresh = match self.stream(kind) {
            Some(s) => Timeline::new(&s.chunks, s.timescale, growing),
            None => return,
        };
        self.timeline(kind, |t| *t = fresh);
    }

    /// What is known about the presentation being live.
    pub fn live_info(&self) -> LiveInfo {
        lock(&self.live, |l| *l)
    }

    /// Whether fragments keep coming (live, not ended).
    pub fn is_live(&self) -> bool {
        self.live_info().growing
    }

    fn times(&self, f: impl Fn(&Timeline) -> Option<Duration>) -> Vec<Duration> {
        self.kinds()
            .into_iter()
            .filter_map(|k| self.timeline(k, |t| f(t)))
            .collect()
    }

    /// Where the media all selected streams have ends: the presentation's end on demand, the
    /// known live edge on live.
    pub fn end(&self) -> Duration {
        let ends = self.times(|t| t.end().map(|e| ticks_to_duration(e, t.timescale)));
        if self.is_live() {
            ends.into_iter().min()
        } else {
            ends.into_iter().max()
        }
        .unwrap_or(self.origin)
    }

    /// The earliest media time every selected stream still has (the DVR window's start).
    pub fn window_start(&self) -> Duration {
        self.times(|t| t.first().map(|c| ticks_to_duration(c.start, t.timescale)))
            .into_iter()
            .max()
            .unwrap_or(self.origin)
    }

    /// The lead stream's fragment duration.
    pub fn fragment_duration(&self) -> Duration {
        self.timeline(self.lead(), |t| {
            t.fragment_duration()
                .map(|d| ticks_to_duration(d, t.timescale))
        })
        .unwrap_or(Duration::from_secs(2))
    }

    /// The chunk of `kind` containing media time `at` (the first one when `at` precedes all).
    pub fn chunk_at(&self, kind: StreamKind, at: Duration) -> Option<(Chunk, u64)> {
        self.timeline(kind, |t| {
            t.chunk_at(duration_to_ticks(at, t.timescale))
                .map(|c| (c, t.timescale))
        })
    }

    /// Drops timeline entries that left the DVR window (an infinite window keeps all).
    pub fn prune(&self, kind: StreamKind) {
        let info = self.live_info();
        let Some(window) = info.dvr_window else {
            return;
        };
        self.timeline(kind, |t| {
            if let Some(end) = t.end() {
                let w = crate::time::rescale(window, info.timescale, t.timescale);
                t.prune_before(end.saturating_sub(w));
            }
        });
    }

    /// Fetches the manifest again and merges what it lists into the timelines; waits so that
    /// refreshes are at least `min_interval` apart (both streams may ask at once).
    pub async fn refresh_manifest(&self, min_interval: Duration) -> Result<(), Error> {
        let mut last = self.last_refresh.lock().await;
        let since = last.elapsed();
        if since < min_interval {
            tokio::time::sleep(min_interval - since).await;
        }
        *last = Instant::now();
        let url = self.base_url.clone();
        let dl = self
            .fetcher
            .fetch(&url, crate::limits::MAX_MANIFEST_BYTES, &mut |_| {
                crate::net::Verdict::Continue
            })
            .await?;
        let fresh = crate::manifest::parse(&dl.body)?;
        lock(&self.live, |l| {
            l.growing = fresh.is_live;
            l.dvr_window = fresh.dvr_window_length.filter(|_| fresh.is_live);
            l.lookahead = fresh.lookahead_count.unwrap_or(0);
        });
        if let Some(track) = &self.captions
            && let Some(s) = fresh.streams.get(track.stream)
        {
            track.timeline(|t| {
                t.extend(s.chunks.iter().copied());
                t.growing = fresh.is_live;
            });
        }
        for kind in self.kinds() {
            let Some(plan) = self.plan(kind) else {
                continue;
            };
            // Streams keep their order in a refreshed manifest; check the type to be sure.
            let Some(s) = fresh.streams.get(plan.stream) else {
                continue;
            };
            if Some(&s.stream_type)
                != self
                    .manifest
                    .streams
                    .get(plan.stream)
                    .map(|o| &o.stream_type)
            {
                continue;
            }
            self.timeline(kind, |t| {
                t.extend(s.chunks.iter().copied());
                t.growing = fresh.is_live;
            });
            self.prune(kind);
        }
        Ok(())
    }
}

/// Media time of the presentation start: the earliest first chunk of the selected streams.
pub(crate) fn origin_of(m: &Manifest, sel: &Selection) -> Duration {
    [sel.video.as_ref(), sel.audio.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(|p| m.streams.get(p.stream))
        .filter_map(|s| {
            s.chunks
                .first()
                .map(|c| ticks_to_duration(c.start, s.timescale))
        })
        .min()
        .unwrap_or(Duration::ZERO)
}
