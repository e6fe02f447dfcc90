//! The caption fetch task: keeps the cues of the caption stream fetched a little ahead of the
//! position while captions are on. Captions never hold playback up: a fragment that cannot be
//! had is reported once and skipped.

use std::sync::Arc;
use std::time::Duration;

use crate::captions::parse_ttml;
use crate::error::Error;
use crate::isobmff::parse_fragment;
use crate::manifest::{Chunk, fragment_url};
use crate::net::{NetError, Verdict};
use crate::time::ticks_to_duration;

use super::caption_track::CaptionTrack;
use super::event::Event;
use super::session_ctx::SessionCtx;

/// Largest caption fragment accepted (TTML may embed images).
const MAX_CAPTION_FRAGMENT_BYTES: usize = 4 * 1024 * 1024;
/// How far ahead of the position captions are fetched, at most.
const AHEAD: Duration = Duration::from_secs(10);
/// How often to look again when there is nothing to fetch.
const IDLE: Duration = Duration::from_millis(50);

/// Runs until the session shuts down.
pub(crate) async fn run(ctx: Arc<SessionCtx>) {
    let Some(track) = ctx.captions.as_ref() else {
        return;
    };
    loop {
        if ctx.shared.is_shutdown() {
            return;
        }
        if !track.enabled() {
            tokio::time::sleep(IDLE).await;
            continue;
        }
        if ctx.is_live() && ctx.live_info().dvr_window.is_some() {
            track.prune_before(ctx.window_start());
        }
        let from = ctx.shared.position();
        let to = from + AHEAD.min(ctx.config.buffer_ahead);
        let (chunk, probe) = match track.next_to_fetch(from, to) {
            Some(c) => (c, false),
            None => match ctx.is_live().then(|| track.probe(to)).flatten() {
                Some(c) => (c, true),
                None => {
                    tokio::time::sleep(IDLE).await;
                    continue;
                }
            },
        };
        match fetch(&ctx, track, chunk).await {
            Ok(()) => track.mark_fetched(chunk.start),
            // Not produced yet at the live edge: ask again shortly.
            Err(Error::Net(NetError::NotYetAvailable { .. })) => {
                tokio::time::sleep(IDLE * 4).await;
            }
            Err(Error::Net(NetError::Status {
                status: 404 | 410, ..
            })) if probe => {
                // The guess was wrong (an encoder gap): the manifest knows what came next.
                track.mark_fetched(chunk.start);
                let interval = (ctx.fragment_duration() / 2).div_f64(ctx.config.speed.max(0.01));
                if let Err(e) = ctx.refresh_manifest(interval).await {
                    tracing::debug!("caption manifest refresh: {e}");
                }
            }
            Err(e) => {
                track.mark_fetched(chunk.start);
                let gone = matches!(
                    e,
                    Error::Net(NetError::Status {
                        status: 404 | 410,
                        ..
                    })
                );
                // Live fragments come and go (gaps, the DVR window): only real failures count.
                if !(gone && ctx.is_live()) {
                    ctx.shared.emit(Event::Error {
                        kind: "captions".into(),
                        message: e.to_string(),
                        fatal: false,
                    });
                }
            }
        }
    }
}

/// Fetches one caption fragment and adds its cues.
async fn fetch(ctx: &SessionCtx, track: &CaptionTrack, chunk: Chunk) -> Result<(), Error> {
    let stream = &ctx.manifest.streams[track.stream];
    let ql = &stream.quality_levels[track.ql];
    let url = fragment_url(&ctx.base_url, stream, ql, chunk.start)?;
    let dl = ctx
        .fetcher
        .fetch(&url, MAX_CAPTION_FRAGMENT_BYTES, &mut |_| Verdict::Continue)
        .await?;
    let fragment = parse_fragment(&dl.body, chunk.start)?;
    let Some(traf) = fragment.tracks.into_iter().next() else {
        return Ok(());
    };
    let (body, _) = ctx.protection.decrypt(dl.body, &traf).await?;
    let ts = stream.timescale;
    let mut cues = Vec::new();
    for s in &traf.samples {
        let start = ticks_to_duration(s.pts, ts);
        let end = ticks_to_duration(s.pts + u64::from(s.duration), ts);
        let doc = body.get(s.data.clone()).unwrap_or_default();
        cues.extend(parse_ttml(doc, start..end).map_err(|e| Error::Caption {
            url: dl.url.to_string(),
            source: e,
        })?);
    }
    track.add_cues(cues);
    // On live the fragment says exactly where it lies and names the ones after it.
    if ctx.is_live() {
        let this = traf.tfxd.map_or(chunk, |x| Chunk {
            start: chunk.start,
            duration: x.duration,
        });
        let next = traf.tfrf.iter().map(|e| Chunk {
            start: e.time,
            duration: e.duration,
        });
        track.timeline(|t| t.extend(std::iter::once(this).chain(next)));
    }
    Ok(())
}
