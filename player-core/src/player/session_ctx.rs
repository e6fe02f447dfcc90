//! What the controller and the fetch tasks of one playback session share.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use url::Url;

use crate::manifest::{Manifest, StreamIndex};
use crate::net::Fetcher;
use crate::time::ticks_to_duration;

use super::config::Config;
use super::event::StreamKind;
use super::protection::Protection;
use super::quality::QualityChooser;
use super::selection::{Selection, TrackPlan};
use super::shared::Shared;

/// Everything one session's tasks read (and the quality chooser they update).
pub(crate) struct SessionCtx {
    pub shared: Arc<Shared>,
    pub fetcher: Fetcher,
    pub manifest: Arc<Manifest>,
    pub base_url: Url,
    pub selection: Mutex<Selection>,
    pub config: Config,
    pub quality: Mutex<QualityChooser>,
    pub protection: Protection,
}

impl SessionCtx {
    /// The selected track of `kind`.
    pub fn plan(&self, kind: StreamKind) -> Option<TrackPlan> {
        self.with_selection(|s| match kind {
            StreamKind::Video => s.video.clone(),
            StreamKind::Audio => s.audio.clone(),
        })
    }

    /// Runs `f` on the current selection.
    pub fn with_selection<R>(&self, f: impl FnOnce(&mut Selection) -> R) -> R {
        match self.selection.lock() {
            Ok(mut s) => f(&mut s),
            Err(p) => f(&mut p.into_inner()),
        }
    }

    /// The StreamIndex of the selected track of `kind`.
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

    /// Runs `f` on the quality chooser.
    pub fn with_quality<R>(&self, f: impl FnOnce(&mut QualityChooser) -> R) -> R {
        match self.quality.lock() {
            Ok(mut q) => f(&mut q),
            Err(p) => f(&mut p.into_inner()),
        }
    }

    /// Media time of the presentation start.
    pub fn origin(&self) -> Duration {
        self.with_selection(|s| origin_of(&self.manifest, s))
    }

    /// Media time where the presentation ends (latest chunk end of the selected streams).
    pub fn end(&self) -> Duration {
        self.with_selection(|sel| {
            selected(&self.manifest, sel)
                .filter_map(|s| {
                    s.chunks
                        .last()
                        .map(|c| ticks_to_duration(c.end(), s.timescale))
                })
                .max()
                .unwrap_or(Duration::ZERO)
        })
    }

    /// Index of the chunk of `kind` that contains media time `t` (the last one starting at or
    /// before it; the first one when `t` precedes them all).
    pub fn chunk_at(&self, kind: StreamKind, t: Duration) -> usize {
        let Some(s) = self.stream(kind) else { return 0 };
        let ticks = crate::time::duration_to_ticks(t, s.timescale);
        s.chunks
            .partition_point(|c| c.start <= ticks)
            .saturating_sub(1)
    }
}

fn selected<'a>(m: &'a Manifest, sel: &'a Selection) -> impl Iterator<Item = &'a StreamIndex> {
    [sel.video.as_ref(), sel.audio.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(|p| m.streams.get(p.stream))
}

/// Media time of the presentation start: the earliest first chunk of the selected streams.
pub(crate) fn origin_of(m: &Manifest, sel: &Selection) -> Duration {
    selected(m, sel)
        .filter_map(|s| {
            s.chunks
                .first()
                .map(|c| ticks_to_duration(c.start, s.timescale))
        })
        .min()
        .unwrap_or(Duration::ZERO)
}
