//! Chapters in the desktop player: ticks at chapter starts and ad-break spans on the seek
//! bar, the hovered chapter's title, and the `N` / `P` keys that jump between chapters.
//!
//! The choices are pure functions of chapter starts and the position ([`next_chapter`],
//! [`previous_chapter`], [`JumpMemory`]); [`Chapters`] keeps them in step with
//! `Player::markers()`, which grows as sparse fragments arrive (on live the DVR window also
//! moves, so only what lies inside the seekable range is drawn or jumped to).

use std::sync::Arc;
use std::time::Duration;

use egui::{Color32, CornerRadius, Painter, Pos2, Rect, Vec2};
use player_core::markers::{Marker, MarkerKind};
use player_core::player::{Event, Player};

/// `P` within this many seconds of a chapter's start goes to the chapter before (as media
/// players do); later it goes back to the start of the current one.
pub const RESTART_WINDOW_S: f64 = 2.0;
/// A position this close before a chapter's start counts as in that chapter: a seek lands
/// on a frame boundary, and a position read a moment early must not jump to the same
/// chapter again.
const AT_START_S: f64 = 0.25;
/// Colour of the chapter ticks on the seek bar.
const TICK: Color32 = Color32::from_gray(235);
/// Colour of ad breaks on the seek bar.
const AD: Color32 = Color32::from_rgb(255, 193, 7);

/// A chapter, in positions from the presentation start.
#[derive(Debug, Clone, PartialEq)]
pub struct Chapter {
    /// Where it starts, seconds from the start (position 0 is `Player::origin()`).
    pub start_s: f64,
    /// Its title (the marker's text, or "Chapter N" when it has none).
    pub title: String,
}

/// The chapters and ad breaks of a presentation, sorted by start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChapterList {
    /// Chapters by start, one per start.
    pub chapters: Vec<Chapter>,
    /// Ad breaks: (start, end) seconds from the start.
    pub ad_breaks: Vec<(f64, f64)>,
}

impl ChapterList {
    /// The chapters and ad breaks among `markers` (media times), for positions counted from
    /// `origin`.
    pub fn from_markers(markers: &[Marker], origin: Duration) -> ChapterList {
        let from_start = |d: Duration| d.as_secs_f64() - origin.as_secs_f64();
        let mut list = ChapterList::default();
        for m in markers {
            let start_s = from_start(m.start);
            match m.kind {
                MarkerKind::Chapter => {
                    let title = m
                        .text
                        .as_deref()
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map_or_else(
                            || format!("Chapter {}", list.chapters.len() + 1),
                            Into::into,
                        );
                    list.chapters.push(Chapter { start_s, title });
                }
                MarkerKind::Ad => {
                    let length = m.duration.map_or(0.0, |d| d.as_secs_f64());
                    list.ad_breaks.push((start_s, start_s + length));
                }
                MarkerKind::Script => {}
            }
        }
        // Markers come by start, but two chapter streams may name the same moment: keep
        // the first title so that N never jumps to where it already is.
        list.chapters
            .sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        list.chapters
            .dedup_by(|b, a| (b.start_s - a.start_s).abs() < 1e-6);
        list
    }

    /// Chapter starts, in order.
    pub fn starts(&self) -> Vec<f64> {
        self.chapters.iter().map(|c| c.start_s).collect()
    }

    /// The chapter playing at `position_s`, if it is in one.
    pub fn at(&self, position_s: f64) -> Option<&Chapter> {
        self.chapters
            .iter()
            .take_while(|c| c.start_s <= position_s)
            .last()
    }

    /// Where ticks go for a seek bar spanning `range`: chapter starts inside it, but not
    /// at its very start (the bar's left end says that already).
    pub fn ticks(&self, range: (f64, f64)) -> impl Iterator<Item = f64> + '_ {
        self.chapters
            .iter()
            .map(|c| c.start_s)
            .filter(move |s| *s > range.0 + 1e-3 && *s <= range.1)
    }

    /// Ad breaks overlapping `range`, cut to it.
    pub fn ad_spans(&self, range: (f64, f64)) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.ad_breaks
            .iter()
            .filter(move |(s, e)| *e >= range.0 && *s <= range.1)
            .map(move |(s, e)| (s.max(range.0), e.min(range.1)))
    }
}

/// The index of the chapter `position_s` is in (a position just short of a start counts
/// as in that chapter).
fn current(starts: &[f64], position_s: f64) -> Option<usize> {
    starts.iter().rposition(|s| *s <= position_s + AT_START_S)
}

/// `N`: the start of the chapter after the one at `position_s`, if it lies in `range`
/// (the seekable range).
pub fn next_chapter(starts: &[f64], position_s: f64, range: (f64, f64)) -> Option<f64> {
    let next = current(starts, position_s).map_or(0, |i| i + 1);
    starts
        .get(next..)?
        .iter()
        .copied()
        .find(|s| *s >= range.0 && *s <= range.1)
}

/// `P`: the start of the chapter before when within [`RESTART_WINDOW_S`] of the current
/// chapter's start, else the current chapter's start; kept inside `range` (on live a
/// chapter may have begun before the DVR window). `None` before the first chapter.
pub fn previous_chapter(starts: &[f64], position_s: f64, range: (f64, f64)) -> Option<f64> {
    let i = current(starts, position_s)?;
    let target = if position_s - starts[i] < RESTART_WINDOW_S && i > 0 {
        starts[i - 1]
    } else {
        starts[i]
    };
    Some(target.clamp(range.0, range.1.max(range.0)))
}

/// The last chapter jump, so that pressing `N` or `P` again before playback has reached
/// the chapter counts from the chapter, not from the old position: the seek may still be
/// on its way, or have resumed from a key frame before the chapter's start.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct JumpMemory {
    /// Where the jump went.
    target_s: Option<f64>,
    /// Where playback resumed for it (from the player's seek event), once known.
    landed_s: Option<f64>,
}

impl JumpMemory {
    /// A jump to `target_s` was sent.
    pub fn jumped(&mut self, target_s: f64) {
        *self = JumpMemory {
            target_s: Some(target_s),
            landed_s: None,
        };
    }

    /// The player reported a seek: ours lands (at `position_s`), anyone else's makes ours
    /// stale.
    pub fn on_seek(&mut self, requested_s: f64, position_s: f64) {
        match self.target_s {
            Some(t) if (t - requested_s).abs() < 1e-3 => self.landed_s = Some(position_s),
            _ => *self = JumpMemory::default(),
        }
    }

    /// The position to count chapters from, given the player's.
    pub fn basis(&mut self, position_s: f64) -> f64 {
        let Some(target) = self.target_s else {
            return position_s;
        };
        let pending = match self.landed_s {
            None => true,
            // Between the key frame it resumed from and the chapter's start.
            Some(landed) => position_s >= landed - AT_START_S && position_s < target,
        };
        if pending {
            target
        } else {
            *self = JumpMemory::default();
            position_s
        }
    }
}

/// The player's chapters kept up to date, and the `N` / `P` jumps.
#[derive(Default)]
pub struct Chapters {
    /// The markers the list was made from (the player hands out a new list when it learns
    /// more, so an unchanged pointer means nothing to redo).
    markers: Option<Arc<[Marker]>>,
    list: ChapterList,
    memory: JumpMemory,
}

impl Chapters {
    /// Takes in what the player knows now.
    pub fn refresh(&mut self, player: &Player) {
        let markers = player.markers();
        if !self
            .markers
            .as_ref()
            .is_some_and(|m| Arc::ptr_eq(m, &markers))
        {
            self.list = ChapterList::from_markers(&markers, player.origin());
            self.markers = Some(markers);
        }
    }

    /// The chapters and ad breaks as of the last refresh.
    pub fn list(&self) -> &ChapterList {
        &self.list
    }

    /// Follows the player's seek reports (see [`JumpMemory`]).
    pub fn on_event(&mut self, event: &Event) {
        if let Event::Seek {
            requested_s,
            position_s,
            ..
        } = event
        {
            self.memory.on_seek(*requested_s, *position_s);
        }
    }

    /// `N` (`forward`) or `P`: seeks to the chapter; the notice to show.
    pub fn jump(&mut self, player: &Player, forward: bool) -> String {
        self.refresh(player);
        let (a, b) = player.seekable();
        let range = (a.as_secs_f64(), b.as_secs_f64());
        let position = self.memory.basis(player.position().as_secs_f64());
        let starts = self.list.starts();
        let target = if forward {
            next_chapter(&starts, position, range)
        } else {
            previous_chapter(&starts, position, range)
        };
        let Some(t) = target else {
            return match (starts.is_empty(), forward) {
                (true, _) => "no chapters".into(),
                (false, true) => "no next chapter".into(),
                (false, false) => "no previous chapter".into(),
            };
        };
        player.seek(Duration::from_secs_f64(t.max(0.0)));
        self.memory.jumped(t);
        match self.list.at(t + AT_START_S) {
            Some(c) => format!("chapter: {}", c.title),
            None => "chapter".into(),
        }
    }
}

/// Draws the chapter ticks and ad breaks on the seek bar `bar` spanning `range` (seconds
/// from the start); `x_of` maps a position to its x on the bar.
pub fn on_seek_bar(
    painter: &Painter,
    bar: Rect,
    range: (f64, f64),
    list: &ChapterList,
    x_of: impl Fn(f64) -> f32,
) {
    for (s, e) in list.ad_spans(range) {
        // At least a few pixels, so that a break without a duration still shows.
        let (x0, x1) = (x_of(s), x_of(e).max(x_of(s) + 3.0));
        let span = Rect::from_x_y_ranges(x0..=x1, bar.y_range());
        painter.rect_filled(span, CornerRadius::same(1), AD);
    }
    for s in list.ticks(range) {
        // Taller than the bar, so that a tick shows over any part of it.
        let centre = Pos2::new(x_of(s), bar.center().y);
        let tick = Rect::from_center_size(centre, Vec2::new(2.0, bar.height() + 8.0));
        painter.rect_filled(tick, CornerRadius::ZERO, TICK);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: [f64; 3] = [0.0, 8.0, 14.0];
    const ALL: (f64, f64) = (0.0, 20.0);

    fn marker(kind: MarkerKind, start_s: f64, duration_s: f64, text: Option<&str>) -> Marker {
        Marker {
            kind,
            stream: "s".into(),
            id: format!("s:{start_s}"),
            start: Duration::from_secs_f64(start_s),
            duration: Some(Duration::from_secs_f64(duration_s)),
            text: text.map(Into::into),
            data: None,
        }
    }

    #[test]
    fn next_goes_to_the_following_chapter() {
        assert_eq!(next_chapter(&DEMO, 0.0, ALL), Some(8.0));
        assert_eq!(next_chapter(&DEMO, 5.0, ALL), Some(8.0));
        assert_eq!(next_chapter(&DEMO, 8.0, ALL), Some(14.0));
        // Just short of a start is in that chapter already: not the same jump again.
        assert_eq!(next_chapter(&DEMO, 7.9, ALL), Some(14.0));
        assert_eq!(next_chapter(&DEMO, 14.0, ALL), None);
        // Before the first chapter, the first one.
        assert_eq!(next_chapter(&[3.0, 9.0], 1.0, ALL), Some(3.0));
        assert_eq!(next_chapter(&[], 1.0, ALL), None);
    }

    #[test]
    fn next_stays_inside_the_seekable_range() {
        // Live: the chapter at 14 s is not produced yet (the edge is at 12 s).
        assert_eq!(next_chapter(&DEMO, 9.0, (2.0, 12.0)), None);
        // Chapters that left the DVR window are skipped.
        assert_eq!(
            next_chapter(&[1.0, 3.0, 30.0], 0.0, (5.0, 40.0)),
            Some(30.0)
        );
    }

    #[test]
    fn previous_restarts_the_chapter_or_goes_back_one_near_its_start() {
        assert_eq!(previous_chapter(&DEMO, 11.0, ALL), Some(8.0));
        assert_eq!(previous_chapter(&DEMO, 9.0, ALL), Some(0.0));
        assert_eq!(previous_chapter(&DEMO, 8.0, ALL), Some(0.0));
        assert_eq!(previous_chapter(&DEMO, 14.0, ALL), Some(8.0));
        assert_eq!(previous_chapter(&DEMO, 16.5, ALL), Some(14.0));
        // The first chapter: its start either way.
        assert_eq!(previous_chapter(&DEMO, 1.0, ALL), Some(0.0));
        assert_eq!(previous_chapter(&DEMO, 5.0, ALL), Some(0.0));
        // Before any chapter: nothing to go back to.
        assert_eq!(previous_chapter(&[3.0], 1.0, ALL), None);
        // A chapter that began before the DVR window: its oldest point.
        assert_eq!(
            previous_chapter(&[0.0, 30.0], 20.0, (10.0, 40.0)),
            Some(10.0)
        );
    }

    #[test]
    fn a_jump_counts_from_its_chapter_until_playback_gets_there() {
        let mut m = JumpMemory::default();
        assert_eq!(m.basis(3.0), 3.0);
        m.jumped(9.0);
        // The seek is on its way: the old position does not count.
        assert_eq!(m.basis(0.4), 9.0);
        // It resumed from the key frame at 8 s.
        m.on_seek(9.0, 8.0);
        assert_eq!(m.basis(8.0), 9.0);
        assert_eq!(m.basis(8.7), 9.0);
        // Past the chapter's start: the position again, and the jump is forgotten.
        assert_eq!(m.basis(9.1), 9.1);
        assert_eq!(m.basis(8.5), 8.5);
        // Someone else's seek makes a jump stale.
        m.jumped(14.0);
        m.on_seek(30.0, 30.0);
        assert_eq!(m.basis(30.0), 30.0);
    }

    #[test]
    fn markers_make_chapters_and_ad_breaks_from_the_origin() {
        let origin = Duration::from_secs(100);
        let markers = [
            marker(MarkerKind::Chapter, 100.0, 8.0, Some("Opening")),
            marker(MarkerKind::Ad, 106.0, 4.0, Some("adbreak duration=4")),
            marker(MarkerKind::Chapter, 108.0, 6.0, Some(" ")),
            marker(MarkerKind::Chapter, 108.0, 6.0, Some("Again")),
            marker(MarkerKind::Script, 110.0, 1.0, Some("url x")),
        ];
        let list = ChapterList::from_markers(&markers, origin);
        assert_eq!(list.starts(), vec![0.0, 8.0]);
        assert_eq!(list.chapters[1].title, "Chapter 2");
        assert_eq!(list.ad_breaks, vec![(6.0, 10.0)]);
        assert_eq!(list.at(7.9).map(|c| c.title.as_str()), Some("Opening"));
        assert_eq!(list.at(8.0).map(|c| c.title.as_str()), Some("Chapter 2"));
        assert!(ChapterList::default().at(3.0).is_none());
    }

    #[test]
    fn only_what_is_in_the_seekable_range_is_drawn() {
        let list = ChapterList {
            chapters: [0.0, 8.0, 14.0, 30.0]
                .map(|s| Chapter {
                    start_s: s,
                    title: String::new(),
                })
                .to_vec(),
            ad_breaks: vec![(2.0, 6.0), (25.0, 28.0)],
        };
        assert_eq!(list.ticks((0.0, 20.0)).collect::<Vec<_>>(), vec![8.0, 14.0]);
        assert_eq!(
            list.ticks((8.0, 40.0)).collect::<Vec<_>>(),
            vec![14.0, 30.0]
        );
        assert_eq!(
            list.ad_spans((4.0, 26.0)).collect::<Vec<_>>(),
            vec![(4.0, 6.0), (25.0, 26.0)]
        );
    }
}
