//! One stream's fetch task: keeps its forward buffer full, one request at a time, following
//! the timeline; on live it grows the timeline from tfrf look-ahead, probes the edge, and
//! refreshes the manifest only as a fallback.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc::Sender;

use crate::abr::InFlight;
use crate::demux::{SingleFileTrack, stream_track, units};
use crate::error::Error;
use crate::isobmff::TrackFragment;
use crate::limits::MAX_FRAGMENT_BYTES;
use crate::manifest::{Chunk, StreamIndex, Uuid, fragment_url};
use crate::net::local_file::read_range;
use crate::net::{Download, NetError, Progress, Verdict};
use crate::time::ticks_to_duration;

use super::event::{Event, StreamKind};
use super::messages::{DecodeMsg, FragmentMsg};
use super::quality::Outlook;
use super::selection::TrackPlan;
use super::session_ctx::SessionCtx;
use super::single_file::FileIndex;

/// How often a task with a full buffer looks again.
const IDLE: Duration = Duration::from_millis(20);

/// Why a fetch task stopped.
#[derive(Debug)]
pub(crate) enum FetchEnd {
    /// All fragments fetched (or the generation ended).
    Done,
    /// Nothing could be fetched: playback cannot go on.
    Fatal(Error),
}

/// What fetching one chunk came to.
enum Fetched {
    /// The fragment, at this level.
    Got(usize, Download),
    /// Not produced yet (HTTP 412): try again shortly.
    NotYet,
    /// No level has it (HTTP 404/410 everywhere): it never existed or left the window.
    Missing,
    /// A failure that more retries will not cure.
    Failed(Error),
    /// The generation ended meanwhile.
    Stale,
    /// Too slow to arrive in time: dropped, to be fetched again at this lower level.
    Abandoned(usize),
}

/// Fetches `kind` from the chunk starting at or after `from` (ticks), for `generation`.
pub(crate) async fn run(
    ctx: Arc<SessionCtx>,
    kind: StreamKind,
    generation: u64,
    from: u64,
    tx: Sender<DecodeMsg>,
) -> FetchEnd {
    let shared = ctx.shared.clone();
    let (Some(plan), Some(stream)) = (ctx.plan(kind), ctx.stream(kind)) else {
        return FetchEnd::Done;
    };
    let mut cursor = from;
    let mut last_level: Option<usize> = None;
    // A level forced for the next attempt (after abandoning a download that was too slow).
    let mut forced: Option<usize> = None;
    loop {
        if shared.is_shutdown() || shared.generation() != generation {
            return FetchEnd::Done;
        }
        let ahead = shared.buffered_end(kind).saturating_sub(shared.position());
        // One budget serves every stream: in real time a stream below the startup buffer
        // fetches even when the others have filled it, or playback could never start (or
        // resume) while they wait for the clock to consume what they hold.
        let starving = !shared.fast && ahead < ctx.config.startup_buffer;
        let over_budget = shared.queued_bytes() >= ctx.config.buffer_bytes as u64;
        if ahead >= buffer_target(&ctx) || (over_budget && !starving) {
            tokio::time::sleep(IDLE).await;
            continue;
        }
        let known = ctx.timeline(kind, |t| (t.at_or_after(cursor), t.last()));
        let (chunk, probe) = match known {
            (Some(c), _) => (c, false),
            (None, _) if !ctx.is_live() => {
                shared.set_fetch_done(kind);
                let _ = tx.send(DecodeMsg::End { generation }).await;
                return FetchEnd::Done;
            }
            // Past the known edge: the next fragment most likely follows the last one.
            (None, Some(last)) if ctx.live_info().lookahead > 0 && last.end() >= cursor => {
                let next = Chunk {
                    start: last.end(),
                    duration: last.duration,
                };
                (next, true)
            }
            (None, _) => {
                if let Err(e) = ctx.refresh_manifest(refresh_interval(&ctx)).await {
                    report(&ctx, &e);
                }
                continue;
            }
        };
        let (level, reason) = match forced.take() {
            Some(l) => (l, "bandwidth"),
            None => choose_level(&ctx, kind, &plan, cursor),
        };
        let attempt = Attempt {
            kind,
            generation,
            chunk,
            level,
            probe,
        };
        let (got_level, dl) = match fetch_chunk(&ctx, &plan, stream, &attempt).await {
            Fetched::Got(l, dl) => (l, dl),
            Fetched::Stale => return FetchEnd::Done,
            Fetched::Abandoned(lower) => {
                forced = Some(lower);
                continue;
            }
            Fetched::NotYet => {
                tokio::time::sleep(not_yet_wait(&ctx)).await;
                continue;
            }
            Fetched::Missing if probe => {
                // The guess was wrong (an encoder gap, or the event ended): ask the manifest.
                if let Err(e) = ctx.refresh_manifest(refresh_interval(&ctx)).await {
                    report(&ctx, &e);
                }
                continue;
            }
            Fetched::Missing if ctx.is_live() => {
                ctx.timeline(kind, |t| t.remove(chunk.start));
                cursor = chunk.start + 1;
                continue;
            }
            Fetched::Missing => {
                return FetchEnd::Fatal(Error::Net(NetError::Status {
                    url: format!("fragment at {} of the {kind:?} stream", chunk.start),
                    status: 404,
                }));
            }
            Fetched::Failed(e) => return FetchEnd::Fatal(e),
        };
        let lp = &plan.levels[got_level];
        if last_level != Some(got_level) {
            let reason = if got_level != level { "error" } else { reason };
            if last_level.is_some() && kind == StreamKind::Video {
                shared.with_stats(|s| s.switches += 1);
            }
            shared.emit(Event::Quality {
                stream: kind,
                from: last_level,
                to: got_level,
                bitrate: lp.bitrate,
                width: lp.width,
                height: lp.height,
                reason: reason.to_string(),
            });
            last_level = Some(got_level);
        }
        if kind == StreamKind::Video {
            let duration_s = crate::time::ticks_to_secs(chunk.duration, stream.timescale);
            let bw = ctx.with_quality(|q| {
                q.on_download(
                    got_level,
                    dl.body.len() as u64,
                    abr_secs(&ctx, dl.ttfb),
                    abr_secs(&ctx, dl.total),
                    duration_s,
                    false,
                );
                q.bandwidth_bps()
            });
            shared.with_stats(|s| s.bandwidth_bps = bw);
        }
        let bytes = dl.body.len();
        let (track, body, kid) = match demux(&ctx, dl.body, chunk.start, Some(plan.stream)).await {
            Ok(v) => v,
            Err(e @ Error::Decrypt(_)) => return FetchEnd::Fatal(e),
            Err(e) => {
                // A corrupt fragment is skipped: the stream goes on from the next one.
                shared.emit(Event::Error {
                    kind: e.kind().into(),
                    message: format!("{e} ({})", dl.url),
                    fatal: false,
                });
                cursor = chunk.start + 1;
                continue;
            }
        };
        // The fragment says exactly how long it is and, on live, what comes next.
        let exact = track.tfxd.map(|x| Chunk {
            start: chunk.start,
            duration: x.duration,
        });
        let look_ahead = track.tfrf.iter().map(|e| Chunk {
            start: e.time,
            duration: e.duration,
        });
        let chunk = exact.unwrap_or(chunk);
        // On demand the manifest is the whole truth: packagers (ffmpeg) write tfrf there too,
        // naming fragments a trimmed copy of the presentation does not have.
        let live = ctx.is_live();
        ctx.timeline(kind, |t| {
            t.extend(std::iter::once(chunk));
            if live {
                t.extend(look_ahead);
            }
        });
        ctx.prune(kind);
        let units = units(&track, &body);
        shared.charge(bytes);
        let msg = DecodeMsg::Fragment(FragmentMsg {
            generation,
            bitrate: lp.bitrate,
            timescale: stream.timescale,
            config: lp.config.clone(),
            units,
            kid,
            bytes,
        });
        if tx.send(msg).await.is_err() {
            shared.release(bytes);
            return FetchEnd::Done;
        }
        if shared.generation() == generation {
            shared.set_buffered_end(kind, ticks_to_duration(chunk.end(), stream.timescale));
        }
        cursor = chunk.start + 1;
    }
}

fn report(ctx: &SessionCtx, e: &Error) {
    ctx.shared.emit(Event::Error {
        kind: e.kind().into(),
        message: e.to_string(),
        fatal: false,
    });
}

/// How far ahead to buffer. On live, near the edge, stay a fragment and a half behind what
/// the edge has produced: then every fragment is fetched after it exists, and its tfrf
/// already names the next one — no polling of the edge, no manifest refresh. Far behind the
/// edge (paused, seeking in the DVR window) the normal target applies.
fn buffer_target(ctx: &SessionCtx) -> Duration {
    let target = ctx.config.buffer_ahead;
    if !ctx.is_live() {
        return target;
    }
    let fragment = ctx.fragment_duration();
    let latency = ctx.end().saturating_sub(ctx.shared.position());
    latency
        .saturating_sub(fragment.mul_f64(crate::live::MIN_DELAY_FRAGMENTS))
        .max(fragment)
        .min(target)
}

/// Wall time between manifest refreshes: half a fragment, at the playback speed.
fn refresh_interval(ctx: &SessionCtx) -> Duration {
    (ctx.fragment_duration() / 2)
        .div_f64(ctx.config.speed.max(0.01))
        .max(Duration::from_millis(50))
}

/// Wall time to wait after a 412 before asking again.
fn not_yet_wait(ctx: &SessionCtx) -> Duration {
    (ctx.fragment_duration() / 4)
        .div_f64(ctx.config.speed.max(0.01))
        .clamp(Duration::from_millis(20), Duration::from_millis(500))
}

fn choose_level(
    ctx: &SessionCtx,
    kind: StreamKind,
    plan: &TrackPlan,
    cursor: u64,
) -> (usize, &'static str) {
    let top = plan.levels.len().saturating_sub(1);
    match kind {
        StreamKind::Video => {
            let outlook = outlook(ctx, kind, cursor);
            let c = ctx.with_quality(|q| q.choose(&outlook));
            (c.level.min(top), c.reason)
        }
        // Audio is cheap next to video: always its best level.
        StreamKind::Audio => (top, "startup"),
    }
}

/// Media buffered ahead of the playhead for `kind`, seconds.
fn media_ahead_s(ctx: &SessionCtx, kind: StreamKind) -> f64 {
    let shared = &ctx.shared;
    shared
        .buffered_end(kind)
        .saturating_sub(shared.position())
        .as_secs_f64()
}

/// A wall-clock time as the ABR sees it: in media seconds at the playback speed, so that
/// throughput (bytes per second of it) compares with bitrates (bits per media second).
fn abr_secs(ctx: &SessionCtx, wall: Duration) -> f64 {
    wall.as_secs_f64() * ctx.config.speed
}

/// What the ABR needs to know about the stream ahead of `cursor`.
fn outlook(ctx: &SessionCtx, kind: StreamKind, cursor: u64) -> Outlook {
    const HORIZON: usize = 8;
    let live = ctx.is_live();
    let buffer_s = media_ahead_s(ctx, kind);
    let (upcoming_s, remaining) = ctx.timeline(kind, |t| {
        let ahead: Vec<Chunk> = t.iter_from(cursor).collect();
        let upcoming = ahead
            .iter()
            .take(HORIZON)
            .map(|c| crate::time::ticks_to_secs(c.duration, t.timescale))
            .collect();
        (upcoming, (!live).then_some(ahead.len()))
    });
    let live_latency_s = live.then(|| {
        let fragment = ctx.fragment_duration();
        ctx.config
            .live_delay
            .unwrap_or(fragment.mul_f64(crate::live::DEFAULT_DELAY_FRAGMENTS))
            .as_secs_f64()
    });
    Outlook {
        buffer_s,
        upcoming_s,
        remaining,
        live_latency_s,
    }
}

/// One attempt at one chunk.
struct Attempt {
    kind: StreamKind,
    generation: u64,
    chunk: Chunk,
    level: usize,
    /// A guess past the known live edge.
    probe: bool,
}

/// Fetches `chunk` at `level` (each attempt retried with backoff by the fetcher), failing
/// over to the mirrors, then to lower levels and then higher ones (e.g. an encoder gap on
/// that level only).
async fn fetch_chunk(
    ctx: &SessionCtx,
    plan: &TrackPlan,
    stream: &StreamIndex,
    attempt: &Attempt,
) -> Fetched {
    let &Attempt {
        kind,
        generation,
        chunk,
        level,
        probe,
    } = attempt;
    let order = (0..=level).rev().chain(level + 1..plan.levels.len());
    let mut last_error = None;
    let mut all_missing = true;
    for l in order {
        let Some(ql) = plan
            .levels
            .get(l)
            .and_then(|lp| stream.quality_levels.get(lp.ql))
        else {
            continue;
        };
        if let Some(file) = &ctx.file {
            return match fetch_from_file(ctx, file, plan, chunk).await {
                Ok(dl) => Fetched::Got(l, dl),
                Err(e) => Fetched::Failed(e),
            };
        }
        // The primary first, then each mirror, before another bitrate.
        for base in std::iter::once(&ctx.base_url).chain(&ctx.backup_urls) {
            let url = match fragment_url(base, stream, ql, chunk.start) {
                Ok(u) => u,
                Err(e) => return Fetched::Failed(e.into()),
            };
            let duration_s = crate::time::ticks_to_secs(chunk.duration, stream.timescale);
            let mut abandon_for = None;
            let mut progress = |p: Progress| {
                // Only video downloads are worth abandoning: audio is small and fixed.
                if kind != StreamKind::Video || l == 0 {
                    return Verdict::Continue;
                }
                let buffer_s = media_ahead_s(ctx, kind);
                let flight = InFlight {
                    level: l,
                    bytes_received: p.received,
                    bytes_expected: p.expected,
                    elapsed_s: abr_secs(ctx, p.elapsed),
                    duration_s,
                    buffer_s,
                };
                match ctx.with_quality(|q| q.should_abandon(&flight)) {
                    Some(lower) if lower < l => {
                        abandon_for = Some((lower, p));
                        Verdict::Abort
                    }
                    _ => Verdict::Continue,
                }
            };
            let result = ctx
                .fetcher
                .fetch(&url, MAX_FRAGMENT_BYTES, &mut progress)
                .await;
            if ctx.shared.generation() != generation {
                return Fetched::Stale;
            }
            if let (Err(NetError::Cancelled { .. }), Some((lower, p))) = (&result, abandon_for) {
                ctx.with_quality(|q| {
                    q.on_download(
                        l,
                        p.received,
                        abr_secs(ctx, p.ttfb),
                        abr_secs(ctx, p.elapsed),
                        duration_s,
                        true,
                    );
                });
                return Fetched::Abandoned(lower);
            }
            match result {
                Ok(dl) => return Fetched::Got(l, dl),
                Err(NetError::NotYetAvailable { .. }) => return Fetched::NotYet,
                Err(
                    e @ NetError::Status {
                        status: 404 | 410, ..
                    },
                ) if probe || ctx.is_live() => {
                    // Normal at a live edge, in a gap or past the end of an event: no error event.
                    last_error = Some(e);
                }
                Err(e) => {
                    all_missing = false;
                    if kind == StreamKind::Video {
                        ctx.with_quality(|q| q.on_error(l));
                    }
                    report(ctx, &Error::Net(e.clone()));
                    last_error = Some(e);
                }
            }
        }
    }
    match last_error {
        Some(_) if all_missing => Fetched::Missing,
        Some(e) => Fetched::Failed(Error::Net(e)),
        None => Fetched::Missing,
    }
}

/// Reads a fragment of a local single-file presentation by its byte range.
async fn fetch_from_file(
    ctx: &SessionCtx,
    file: &FileIndex,
    plan: &TrackPlan,
    chunk: Chunk,
) -> Result<Download, Error> {
    let started = std::time::Instant::now();
    let missing = || {
        Error::Net(NetError::Status {
            url: format!("{} at {}", file.path.display(), chunk.start),
            status: 404,
        })
    };
    let stream = file.streams.get(plan.stream).ok_or_else(missing)?;
    let &(offset, len) = stream.ranges.get(&chunk.start).ok_or_else(missing)?;
    let body = read_range(&file.path, offset, len, MAX_FRAGMENT_BYTES).await?;
    let total = started.elapsed();
    Ok(Download {
        body,
        url: ctx.base_url.clone(),
        ttfb: total,
        total,
        attempts: 1,
    })
}

/// Parses and, if protected, decrypts a fragment; also returns the KID it was decrypted with.
async fn demux(
    ctx: &SessionCtx,
    body: Bytes,
    start: u64,
    plan_stream: Option<usize>,
) -> Result<(TrackFragment, Bytes, Option<Uuid>), Error> {
    // One file holds every track: the traf's track ID says whose samples these are.
    let single_file = match (&ctx.file, plan_stream) {
        (Some(file), Some(si)) => file.streams.get(si).map(|fs| SingleFileTrack {
            track_id: fs.track_id,
            defaults: fs.defaults,
            all_sync: fs.all_sync,
        }),
        _ => None,
    };
    let track = stream_track(&body, start, single_file.as_ref())?;
    let (body, kid) = ctx.protection.decrypt(body, &track).await?;
    Ok((track, body, kid))
}
