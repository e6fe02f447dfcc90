//! The presentation as the session knows it: the manifest first loaded, the selected video
//! and audio streams, their timelines (which grow on live), and what the origin says about
//! being live. Answers the time questions: origin, end (the known edge), window, fragments.

use std::sync::Arc;
use std::time::Duration;

use crate::live::{Timeline, chunk_holding, prune_to_window};
use crate::manifest::{Chunk, Manifest};
use crate::time::{duration_to_ticks, ticks_to_duration};

use super::event::StreamKind;
use super::selection::{Selection, TrackPlan};

/// What the presentation says about being live, updated by manifest refreshes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

impl LiveInfo {
    fn of(m: &Manifest) -> LiveInfo {
        LiveInfo {
            growing: m.is_live,
            dvr_window: m.dvr_window_length.filter(|_| m.is_live),
            lookahead: m.lookahead_count.unwrap_or(0),
            timescale: m.timescale,
        }
    }
}

/// The selected streams of a presentation and their timelines.
#[derive(Debug)]
pub(crate) struct Presentation {
    /// The manifest as first loaded (stream and level descriptions).
    pub manifest: Arc<Manifest>,
    /// The selected video and audio tracks.
    plans: [Option<TrackPlan>; 2],
    timelines: [Timeline; 2],
    pub live: LiveInfo,
    /// Media time of position 0: the earliest first chunk when the presentation was opened.
    pub origin: Duration,
}

impl Presentation {
    /// The presentation of `manifest` playing `selection`.
    pub fn new(manifest: Arc<Manifest>, selection: Selection) -> Presentation {
        let live = LiveInfo::of(&manifest);
        let timeline = |plan: &Option<TrackPlan>| match plan
            .as_ref()
            .and_then(|p| manifest.streams.get(p.stream))
        {
            Some(s) => Timeline::new(&s.chunks, s.timescale, live.growing),
            None => Timeline::new(&[], manifest.timescale, false),
        };
        let timelines = [timeline(&selection.video), timeline(&selection.audio)];
        let mut p = Presentation {
            manifest,
            plans: [selection.video, selection.audio],
            timelines,
            live,
            origin: Duration::ZERO,
        };
        p.origin = p.window_start_or(Duration::ZERO, Iterator::min);
        p
    }

    /// The selected track of `kind`.
    pub fn plan(&self, kind: StreamKind) -> Option<&TrackPlan> {
        self.plans[kind.idx()].as_ref()
    }

    /// Selects another track of `kind`; its timeline restarts from the manifest.
    pub fn set_plan(&mut self, kind: StreamKind, plan: TrackPlan) {
        if let Some(s) = self.manifest.streams.get(plan.stream) {
            self.timelines[kind.idx()] = Timeline::new(&s.chunks, s.timescale, self.live.growing);
        }
        self.plans[kind.idx()] = Some(plan);
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

    /// The timeline of `kind`.
    pub fn timeline(&self, kind: StreamKind) -> &Timeline {
        &self.timelines[kind.idx()]
    }

    /// The timeline of `kind`, to extend or prune.
    pub fn timeline_mut(&mut self, kind: StreamKind) -> &mut Timeline {
        &mut self.timelines[kind.idx()]
    }

    /// Whether fragments keep coming (live, not ended).
    pub fn is_live(&self) -> bool {
        self.live.growing
    }

    fn times(&self, f: impl Fn(&Timeline) -> Option<Duration>) -> Vec<Duration> {
        self.kinds()
            .into_iter()
            .filter_map(|k| f(self.timeline(k)))
            .collect()
    }

    fn window_start_or(
        &self,
        default: Duration,
        pick: fn(std::vec::IntoIter<Duration>) -> Option<Duration>,
    ) -> Duration {
        let starts = self.times(|t| t.first().map(|c| ticks_to_duration(c.start, t.timescale)));
        pick(starts.into_iter()).unwrap_or(default)
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
        self.window_start_or(self.origin, Iterator::max)
    }

    /// The lead stream's fragment duration (two seconds when nothing is known).
    pub fn fragment_duration(&self) -> Duration {
        let t = self.timeline(self.lead());
        t.fragment_duration()
            .map(|d| ticks_to_duration(d, t.timescale))
            .filter(|d| !d.is_zero())
            .unwrap_or(Duration::from_secs(2))
    }

    /// The chunk of `kind` containing media time `at` (the first one when `at` precedes all;
    /// past the end of a live timeline, the one its cadence puts there).
    pub fn chunk_at(&self, kind: StreamKind, at: Duration) -> Option<Chunk> {
        let t = self.timeline(kind);
        chunk_holding(t, duration_to_ticks(at, t.timescale))
    }

    /// Where fetching `kind` from media time `at` begins: the known chunk holding it, or,
    /// past the known end of a live timeline, the chunk right after that end (its start is
    /// exact; guessing further on the cadence could miss when durations vary).
    pub fn cursor_at(&self, kind: StreamKind, at: Duration) -> u64 {
        let t = self.timeline(kind);
        let ticks = duration_to_ticks(at, t.timescale);
        match t.end() {
            Some(end) if t.growing && ticks >= end => end,
            _ => t.chunk_at(ticks).map_or(0, |c| c.start),
        }
    }

    /// Drops timeline entries of `kind` that left the DVR window.
    pub fn prune(&mut self, kind: StreamKind) {
        let LiveInfo {
            dvr_window,
            timescale,
            ..
        } = self.live;
        prune_to_window(self.timeline_mut(kind), dvr_window, timescale);
    }

    /// Merges a refreshed manifest: what it says about being live, and the chunks it lists
    /// for the selected streams (streams keep their order; the type is checked to be sure).
    pub fn merge(&mut self, fresh: &Manifest) {
        self.live.growing = fresh.is_live;
        self.live.dvr_window = fresh.dvr_window_length.filter(|_| fresh.is_live);
        self.live.lookahead = fresh.lookahead_count.unwrap_or(0);
        for kind in self.kinds() {
            let Some(si) = self.plan(kind).map(|p| p.stream) else {
                continue;
            };
            let (Some(s), Some(first)) = (fresh.streams.get(si), self.manifest.streams.get(si))
            else {
                continue;
            };
            if s.stream_type != first.stream_type {
                continue;
            }
            let t = self.timeline_mut(kind);
            t.extend(s.chunks.iter().copied());
            t.growing = fresh.is_live;
            self.prune(kind);
        }
    }
}
