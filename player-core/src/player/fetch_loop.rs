//! One stream's fetch task: keeps its forward buffer full, one request at a time.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::Sender;

use crate::error::Error;
use crate::isobmff::parse_fragment;
use crate::limits::MAX_FRAGMENT_BYTES;
use crate::manifest::fragment_url;
use crate::net::Verdict;
use crate::time::ticks_to_duration;

use super::event::{Event, StreamKind};
use super::messages::{DecodeMsg, FragmentMsg, MediaUnit};
use super::session_ctx::SessionCtx;

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

/// Fetches `kind` from chunk `first` on, for generation `generation`.
pub(crate) async fn run(
    ctx: Arc<SessionCtx>,
    kind: StreamKind,
    generation: u64,
    first: usize,
    tx: Sender<DecodeMsg>,
) -> FetchEnd {
    let shared = &ctx.shared;
    let Some(plan) = ctx.plan(kind) else {
        return FetchEnd::Done;
    };
    let Some(stream) = ctx.stream(kind) else {
        return FetchEnd::Done;
    };
    let mut index = first;
    let mut last_level: Option<usize> = None;
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
        if ahead >= ctx.config.buffer_ahead || (over_budget && !starving) {
            tokio::time::sleep(IDLE).await;
            continue;
        }
        let Some(chunk) = stream.chunks.get(index).copied() else {
            shared.set_fetch_done(kind);
            let _ = tx.send(DecodeMsg::End { generation }).await;
            return FetchEnd::Done;
        };
        let (mut level, reason) = match kind {
            StreamKind::Video => {
                let c = ctx.with_quality(|q| q.choose());
                (c.level, c.reason)
            }
            // Audio is cheap next to video: always its best level.
            StreamKind::Audio => (plan.levels.len().saturating_sub(1), "startup"),
        };
        // Try the chosen level, then each lower one, before giving up on this fragment.
        let mut outcome = Err(Error::NoPlayableStream);
        while let Some(lp) = plan.levels.get(level) {
            let Some(ql) = stream.quality_levels.get(lp.ql) else {
                break;
            };
            let url = match fragment_url(&ctx.base_url, stream, ql, chunk.start) {
                Ok(u) => u,
                Err(e) => {
                    outcome = Err(Error::from(e));
                    break;
                }
            };
            let result = ctx
                .fetcher
                .fetch(&url, MAX_FRAGMENT_BYTES, &mut |_| Verdict::Continue)
                .await;
            match result {
                Ok(dl) => {
                    outcome = Ok((level, dl));
                    break;
                }
                Err(e) => {
                    if shared.generation() != generation {
                        return FetchEnd::Done;
                    }
                    let fatal_here = level == 0;
                    shared.emit(Event::Error {
                        kind: "network".into(),
                        message: e.to_string(),
                        fatal: false,
                    });
                    outcome = Err(Error::Net(e));
                    if fatal_here {
                        break;
                    }
                    level -= 1;
                }
            }
        }
        let (level, dl) = match outcome {
            Ok(v) => v,
            Err(e) => return FetchEnd::Fatal(e),
        };
        if shared.generation() != generation {
            return FetchEnd::Done;
        }
        let lp = &plan.levels[level];
        if last_level != Some(level) {
            let reason = if last_level.is_some() && reason == "startup" {
                "error"
            } else {
                reason
            };
            if last_level.is_some() && kind == StreamKind::Video {
                shared.with_stats(|s| s.switches += 1);
            }
            shared.emit(Event::Quality {
                stream: kind,
                from: last_level,
                to: level,
                bitrate: lp.bitrate,
                width: lp.width,
                height: lp.height,
                reason: reason.to_string(),
            });
            last_level = Some(level);
        }
        if kind == StreamKind::Video {
            let secs = dl.total.as_secs_f64();
            let bw = ctx.with_quality(|q| {
                q.on_download(dl.body.len() as u64, secs);
                q.bandwidth_bps()
            });
            shared.with_stats(|s| s.bandwidth_bps = bw);
        }
        let bytes = dl.body.len();
        let units = match demux(&ctx, dl.body.clone(), chunk.start).await {
            Ok(u) => u,
            Err(e @ Error::Decrypt(_)) => return FetchEnd::Fatal(e),
            Err(e) => {
                // A corrupt fragment is skipped: the stream goes on from the next one.
                shared.emit(Event::Error {
                    kind: e.kind().into(),
                    message: format!("{e} ({})", dl.url),
                    fatal: false,
                });
                index += 1;
                continue;
            }
        };
        shared.charge(bytes);
        let msg = DecodeMsg::Fragment(FragmentMsg {
            generation,
            bitrate: lp.bitrate,
            timescale: stream.timescale,
            config: lp.config.clone(),
            units,
            bytes,
        });
        if tx.send(msg).await.is_err() {
            shared.release(bytes);
            return FetchEnd::Done;
        }
        if shared.generation() == generation {
            shared.set_buffered_end(kind, ticks_to_duration(chunk.end(), stream.timescale));
        }
        index += 1;
    }
}

/// Decrypts a fragment if it is protected and splits it into decoder units (views into
/// the body, no copy).
async fn demux(ctx: &SessionCtx, body: bytes::Bytes, start: u64) -> Result<Vec<MediaUnit>, Error> {
    let fragment = parse_fragment(&body, start)?;
    let track = fragment.tracks.into_iter().next().ok_or_else(|| {
        Error::Box(crate::isobmff::BoxError::Missing {
            path: "moof".into(),
            what: "traf".into(),
        })
    })?;
    let body = ctx.protection.decrypt(body, &track).await?;
    Ok(track
        .samples
        .into_iter()
        .map(|s| MediaUnit {
            data: body.slice(s.data),
            dts: s.dts,
            pts: s.pts,
            duration: s.duration,
            is_sync: s.is_sync,
        })
        .collect())
}
