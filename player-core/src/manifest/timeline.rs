//! `c` elements to an exact fragment timeline: start-time and duration coding, `r` runs.
//!
//! MS-SSTR allows two codings, mixed freely: start-time coding (every `c` has `t`, the
//! duration is the gap to the next `t`, and only the last `c` must carry `d`) and duration
//! coding (every `c` has `d`, the start is the previous end; the first start is 0 unless
//! written). `r` is the one-based total count of a run: `r="3"` is three chunks of `d`.
//! All arithmetic is exact and checked: a start time off by one tick names a fragment the
//! server does not have.

use super::{Chunk, ManifestError};
use crate::limits::MAX_CHUNKS_PER_STREAM;

/// One `c` element as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawChunk {
    /// `t`: start time.
    pub t: Option<u64>,
    /// `d`: duration.
    pub d: Option<u64>,
    /// `r`: total count of the run (1 when absent).
    pub r: u64,
    /// Byte offset of the element, turned into a line only for errors.
    pub pos: usize,
}

/// What the expansion needs to know about the stream.
pub(crate) struct TimelineContext<'a> {
    /// The stream, as named in errors.
    pub stream: &'a str,
    /// The presentation end in the stream's timescale, when Duration is known.
    pub presentation_end: Option<u64>,
    /// A sparse (text) stream: its last sample has no extent until the next one arrives,
    /// so a last `c` without `d` and without a presentation end lasts 0 instead of failing.
    pub sparse: bool,
    /// One-based line of a byte offset (counting lines is linear: done only for errors).
    pub line_of: &'a dyn Fn(usize) -> usize,
}

/// Expands the `c` elements of a stream into its chunks, ascending by start.
///
/// Also returns, for each `c` element, the index of its first chunk.
pub(crate) fn expand(
    raw: &[RawChunk],
    ctx: &TimelineContext<'_>,
) -> Result<(Vec<Chunk>, Vec<usize>), ManifestError> {
    let total = count(raw, ctx)?;
    let mut chunks: Vec<Chunk> = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    let mut first_of = Vec::with_capacity(raw.len());
    // Start of the next chunk when its `c` has no `t` (duration coding).
    let mut implicit_start = 0u64;
    for (i, c) in raw.iter().enumerate() {
        let start = match c.t {
            Some(t) => match chunks.last() {
                Some(prev) if t <= prev.start => {
                    return Err(ManifestError::TimeGoesBackwards {
                        stream: ctx.stream.to_owned(),
                        t,
                        previous_start: prev.start,
                        line: (ctx.line_of)(c.pos),
                    });
                }
                _ => t,
            },
            None => implicit_start,
        };
        let next = raw.get(i + 1);
        let duration = match c.d {
            Some(d) => d,
            None => derive_duration(c, start, next, ctx)?,
        };
        let mut s = start;
        for k in 0..c.r {
            if k > 0 {
                s = s
                    .checked_add(duration)
                    .ok_or_else(|| overflow(ctx, c, start, duration))?;
            }
            // A chunk of duration 0 names the same fragment as the one after it (same start,
            // same URL): the later one stands for both (found by fuzzing).
            if chunks.last().is_some_and(|p| p.start == s) {
                chunks.pop();
            }
            if k == 0 {
                first_of.push(chunks.len());
            }
            chunks.push(Chunk { start: s, duration });
        }
        implicit_start = s
            .checked_add(duration)
            .ok_or_else(|| overflow(ctx, c, s, duration))?;
    }
    Ok((chunks, first_of))
}

/// Total expanded count, refusing runs past the chunk limit before anything is allocated.
fn count(raw: &[RawChunk], ctx: &TimelineContext<'_>) -> Result<u64, ManifestError> {
    let mut total = 0u64;
    for c in raw {
        if c.r > 1 && c.d.is_none() {
            return Err(ManifestError::InvalidAttribute {
                element: "c",
                attribute: "r",
                value: c.r.to_string(),
                reason: "a run of more than one chunk needs d".into(),
                line: (ctx.line_of)(c.pos),
            });
        }
        total = total.saturating_add(c.r);
        if total > MAX_CHUNKS_PER_STREAM {
            return Err(ManifestError::TooManyChunks {
                stream: ctx.stream.to_owned(),
                limit: MAX_CHUNKS_PER_STREAM,
                line: (ctx.line_of)(c.pos),
            });
        }
    }
    Ok(total)
}

/// The duration of a single chunk written without `d`: up to the next `t`, or to the end.
fn derive_duration(
    c: &RawChunk,
    start: u64,
    next: Option<&RawChunk>,
    ctx: &TimelineContext<'_>,
) -> Result<u64, ManifestError> {
    let missing = || ManifestError::MissingChunkDuration {
        stream: ctx.stream.to_owned(),
        t: start,
        line: (ctx.line_of)(c.pos),
    };
    match next {
        Some(n) => match n.t {
            Some(nt) if nt > start => Ok(nt - start),
            Some(nt) => Err(ManifestError::TimeGoesBackwards {
                stream: ctx.stream.to_owned(),
                t: nt,
                previous_start: start,
                line: (ctx.line_of)(n.pos),
            }),
            None => Err(missing()),
        },
        None => match ctx.presentation_end {
            Some(end) if end > start => Ok(end - start),
            _ if ctx.sparse => Ok(0),
            _ => Err(missing()),
        },
    }
}

fn overflow(ctx: &TimelineContext<'_>, c: &RawChunk, start: u64, d: u64) -> ManifestError {
    ManifestError::TimeOverflow {
        stream: ctx.stream.to_owned(),
        what: format!("t={start} + d={d} (r={})", c.r),
        line: (ctx.line_of)(c.pos),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(t: Option<u64>, d: Option<u64>, r: u64) -> RawChunk {
        RawChunk { t, d, r, pos: 7 }
    }

    fn ctx(end: Option<u64>) -> TimelineContext<'static> {
        TimelineContext {
            stream: "video",
            presentation_end: end,
            sparse: false,
            line_of: &|pos| pos,
        }
    }

    fn starts(chunks: &[Chunk]) -> Vec<(u64, u64)> {
        chunks.iter().map(|c| (c.start, c.duration)).collect()
    }

    #[test]
    fn duration_coding_starts_at_zero() {
        let raw = [
            c(None, Some(20), 1),
            c(None, Some(19), 1),
            c(None, Some(21), 1),
        ];
        let (ch, first) = expand(&raw, &ctx(None)).expect("timeline");
        assert_eq!(starts(&ch), vec![(0, 20), (20, 19), (39, 21)]);
        assert_eq!(first, vec![0, 1, 2]);
    }

    #[test]
    fn start_time_coding_derives_durations_from_next_t() {
        let raw = [
            c(Some(100), None, 1),
            c(Some(130), None, 1),
            c(Some(170), Some(40), 1),
        ];
        let (ch, _) = expand(&raw, &ctx(None)).expect("timeline");
        assert_eq!(starts(&ch), vec![(100, 30), (130, 40), (170, 40)]);
    }

    #[test]
    fn last_chunk_without_d_ends_at_presentation_end() {
        let raw = [c(Some(0), None, 1), c(Some(20), None, 1)];
        let (ch, _) = expand(&raw, &ctx(Some(35))).expect("timeline");
        assert_eq!(starts(&ch), vec![(0, 20), (20, 15)]);
        assert!(matches!(
            expand(&raw, &ctx(None)),
            Err(ManifestError::MissingChunkDuration { t: 20, line: 7, .. })
        ));
        assert!(matches!(
            expand(&raw, &ctx(Some(20))),
            Err(ManifestError::MissingChunkDuration { t: 20, .. })
        ));
        let sparse = TimelineContext {
            sparse: true,
            ..ctx(None)
        };
        let (ch, _) = expand(&raw, &sparse).expect("sparse");
        assert_eq!(starts(&ch), vec![(0, 20), (20, 0)]);
    }

    #[test]
    fn r_is_the_total_count_of_a_run() {
        // r=3: the chunk appears three times, not four.
        let raw = [c(Some(1000), Some(10), 3), c(None, Some(5), 1)];
        let (ch, first) = expand(&raw, &ctx(None)).expect("timeline");
        assert_eq!(
            starts(&ch),
            vec![(1000, 10), (1010, 10), (1020, 10), (1030, 5)]
        );
        assert_eq!(first, vec![0, 3]);
    }

    #[test]
    fn mixed_coding_with_large_absolute_first_t() {
        let t0 = 17_000_000_000_000_000u64;
        let raw = [
            c(Some(t0), Some(20_000_000), 2),
            c(None, Some(20_000_000), 1),
            c(Some(t0 + 60_000_000), None, 1),
            c(Some(t0 + 80_000_000), Some(19_999_999), 1),
        ];
        let (ch, _) = expand(&raw, &ctx(None)).expect("timeline");
        let s: Vec<u64> = ch.iter().map(|c| c.start - t0).collect();
        assert_eq!(s, vec![0, 20_000_000, 40_000_000, 60_000_000, 80_000_000]);
        assert_eq!(ch[3].duration, 20_000_000);
        assert_eq!(ch[4].end(), t0 + 99_999_999);
    }

    /// Fuzzing regression (fuzz/ target `manifest`): `d="0"` gave two chunks of one start.
    #[test]
    fn a_zero_duration_chunk_gives_way_to_the_next_at_its_start() {
        let raw = [
            c(None, Some(20), 1),
            c(None, Some(0), 1),
            c(None, Some(40), 1),
        ];
        let (ch, first) = expand(&raw, &ctx(None)).expect("timeline");
        assert_eq!(starts(&ch), vec![(0, 20), (20, 40)]);
        assert!(first.iter().all(|i| *i < ch.len()));
        let run = [c(Some(5), Some(0), 3), c(None, Some(10), 2)];
        let (ch, _) = expand(&run, &ctx(None)).expect("timeline");
        assert_eq!(starts(&ch), vec![(5, 10), (15, 10)]);
    }

    #[test]
    fn t_going_backwards_or_repeating_is_an_error() {
        let raw = [c(Some(100), Some(10), 1), c(Some(90), Some(10), 1)];
        assert_eq!(
            expand(&raw, &ctx(None)),
            Err(ManifestError::TimeGoesBackwards {
                stream: "video".into(),
                t: 90,
                previous_start: 100,
                line: 7
            })
        );
        let same = [c(Some(100), Some(10), 1), c(Some(100), Some(10), 1)];
        assert!(matches!(
            expand(&same, &ctx(None)),
            Err(ManifestError::TimeGoesBackwards { t: 100, .. })
        ));
        let derived = [c(Some(100), None, 1), c(Some(50), Some(10), 1)];
        assert!(matches!(
            expand(&derived, &ctx(None)),
            Err(ManifestError::TimeGoesBackwards { t: 50, .. })
        ));
    }

    #[test]
    fn overflow_is_a_typed_error() {
        let raw = [c(Some(u64::MAX - 5), Some(10), 1)];
        assert!(matches!(
            expand(&raw, &ctx(None)),
            Err(ManifestError::TimeOverflow { .. })
        ));
        let run = [c(Some(u64::MAX - 25), Some(10), 3)];
        assert!(matches!(
            expand(&run, &ctx(None)),
            Err(ManifestError::TimeOverflow { .. })
        ));
    }

    #[test]
    fn huge_r_is_refused_before_allocating() {
        let raw = [c(Some(0), Some(1), u64::MAX)];
        assert_eq!(
            expand(&raw, &ctx(None)),
            Err(ManifestError::TooManyChunks {
                stream: "video".into(),
                limit: MAX_CHUNKS_PER_STREAM,
                line: 7
            })
        );
        let many: Vec<RawChunk> = (0..=MAX_CHUNKS_PER_STREAM / 1000)
            .map(|_| c(None, Some(1), 1000))
            .collect();
        assert!(matches!(
            expand(&many, &ctx(None)),
            Err(ManifestError::TooManyChunks { .. })
        ));
    }

    #[test]
    fn run_without_d_is_refused() {
        let raw = [c(Some(0), None, 2), c(Some(10), Some(1), 1)];
        assert!(matches!(
            expand(&raw, &ctx(None)),
            Err(ManifestError::InvalidAttribute {
                element: "c",
                attribute: "r",
                ..
            })
        ));
    }

    #[test]
    fn empty_timeline_is_empty() {
        let (ch, first) = expand(&[], &ctx(Some(10))).expect("empty");
        assert!(ch.is_empty() && first.is_empty());
    }
}
