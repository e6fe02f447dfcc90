//! One fetch the session asked for, run as a task: the bytes from the source, the stream's
//! track fragment parsed out of them, decrypted, and turned into decoder samples or caption
//! cues. Progress goes back to the session as it arrives (it may cancel the task).

use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc::UnboundedSender;

use crate::captions::{Cue, parse_ttml};
use crate::decrypt::FragmentDecryptor;
use crate::demux::{stream_track, units};
use crate::error::Error;
use crate::isobmff::TrackFragment;
use crate::manifest::{Chunk, Manifest};
use crate::markers::{Marker, from_fragment, parse_child_tracks};
use crate::net::{NetError, Source, Verdict};
use crate::session::{FetchOutcome, FetchRequest, Fetched, Payload, Progress, RequestId, Target};
use crate::time::ticks_to_duration;

/// What every fetch task reads.
pub(crate) struct FetchContext {
    pub source: Source,
    /// The manifest as first loaded: stream and level descriptions for URLs.
    pub manifest: Arc<Manifest>,
    pub decryptor: FragmentDecryptor,
}

/// Runs `req` to its outcome.
pub(crate) async fn run(
    ctx: Arc<FetchContext>,
    req: FetchRequest,
    progress: UnboundedSender<(RequestId, Progress)>,
) -> (RequestId, FetchOutcome) {
    let id = req.id;
    let mut on_progress = |p: crate::net::Progress| {
        if req.watch {
            let p = Progress {
                received: p.received,
                expected: p.expected,
                elapsed: p.elapsed,
                ttfb: p.ttfb,
            };
            let _ = progress.send((id, p));
        }
        Verdict::Continue
    };
    let download = ctx
        .source
        .fragment(
            &ctx.manifest,
            req.stream,
            req.quality_level,
            req.chunk.start,
            req.location,
            req.limit,
            &mut on_progress,
        )
        .await;
    let download = match download {
        Ok(d) => d,
        Err(e) => return (id, outcome_of(e, "")),
    };
    let url = download.url.to_string();
    let (bytes, ttfb, total) = (download.body.len(), download.ttfb, download.total);
    let outcome = match open(&ctx, &req, download.body).await {
        Ok((track, body)) => {
            let payload = match req.target {
                Target::Media(_) | Target::Edge(_) => Ok(Payload::Samples {
                    units: units(&track, &body.0),
                    kid: body.1,
                }),
                Target::Text => cues(&ctx, &req, &track, &body.0, &url).map(Payload::Cues),
                Target::Marker(_) => Ok(Payload::Markers(markers(&ctx, &req, &track, &body.0))),
            };
            payload.map(|payload| Fetched {
                url: url.clone(),
                bytes,
                ttfb,
                total,
                exact_duration: track.tfxd.map(|x| x.duration),
                next: track
                    .tfrf
                    .iter()
                    .map(|e| Chunk {
                        start: e.time,
                        duration: e.duration,
                    })
                    .collect(),
                children: download
                    .pragma
                    .as_deref()
                    .map(parse_child_tracks)
                    .unwrap_or_default(),
                payload,
            })
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(f) => (id, FetchOutcome::Got(f)),
        Err(e) => (id, outcome_of(e, &url)),
    }
}

/// The stream's track fragment in `body`, and the body decrypted (with the KID used).
async fn open(
    ctx: &FetchContext,
    req: &FetchRequest,
    body: Bytes,
) -> Result<(TrackFragment, (Bytes, Option<crate::base::Uuid>)), Error> {
    let file_track = ctx.source.file_track(req.stream);
    let track = stream_track(&body, req.chunk.start, file_track.as_ref())?;
    let decrypted = ctx.decryptor.decrypt(body, &track).await?;
    Ok((track, decrypted))
}

/// The caption cues of a text fragment: one TTML document per sample.
fn cues(
    ctx: &FetchContext,
    req: &FetchRequest,
    track: &TrackFragment,
    body: &Bytes,
    url: &str,
) -> Result<Vec<Cue>, Error> {
    let ts = ctx
        .manifest
        .streams
        .get(req.stream)
        .map_or(crate::time::DEFAULT_TIMESCALE, |s| s.timescale);
    let mut cues = Vec::new();
    for s in &track.samples {
        let start = ticks_to_duration(s.pts, ts);
        let end = ticks_to_duration(s.pts + u64::from(s.duration), ts);
        let doc = body.get(s.data.clone()).unwrap_or_default();
        cues.extend(parse_ttml(doc, start..end).map_err(|e| Error::Caption {
            url: url.to_string(),
            source: e,
        })?);
    }
    Ok(cues)
}

/// The markers of a sparse fragment: one per sample.
fn markers(
    ctx: &FetchContext,
    req: &FetchRequest,
    track: &TrackFragment,
    body: &Bytes,
) -> Vec<Marker> {
    ctx.manifest
        .streams
        .get(req.stream)
        .map(|s| from_fragment(s, track, body))
        .unwrap_or_default()
}

/// Sorts an error met while fetching, parsing or decrypting `url` into what the session
/// does about it.
fn outcome_of(e: Error, url: &str) -> FetchOutcome {
    match e {
        Error::Net(NetError::NotYetAvailable { .. }) => FetchOutcome::NotYet,
        Error::Net(NetError::Status {
            status: 404 | 410, ..
        }) => FetchOutcome::Gone(e),
        Error::Net(NetError::Cancelled { .. }) => FetchOutcome::Cancelled,
        Error::Decrypt(_) => FetchOutcome::Fatal(e),
        Error::Box(_) | Error::Demux(_) | Error::Caption { .. } => FetchOutcome::Corrupt {
            error: e,
            url: url.to_string(),
        },
        e => FetchOutcome::Failed(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_sorted_by_what_the_session_does_about_them() {
        let net = |e: NetError| outcome_of(Error::Net(e), "u");
        let url = || "http://o/f".to_string();
        assert!(matches!(
            net(NetError::NotYetAvailable { url: url() }),
            FetchOutcome::NotYet
        ));
        for status in [404, 410] {
            assert!(matches!(
                net(NetError::Status { url: url(), status }),
                FetchOutcome::Gone(_)
            ));
        }
        assert!(matches!(
            net(NetError::Status {
                url: url(),
                status: 500
            }),
            FetchOutcome::Failed(_)
        ));
        assert!(matches!(
            net(NetError::Cancelled { url: url() }),
            FetchOutcome::Cancelled
        ));
        let bad_box = Error::Box(crate::isobmff::BoxError::Missing {
            path: "moof".into(),
            what: "traf".into(),
        });
        match outcome_of(bad_box, "http://o/f") {
            FetchOutcome::Corrupt { url, .. } => assert_eq!(url, "http://o/f"),
            other => panic!("{other:?}"),
        }
        let key = Error::Decrypt(crate::decrypt::DecryptError::KeyUnavailable {
            kid: crate::base::Uuid([1; 16]),
        });
        assert!(matches!(outcome_of(key, "u"), FetchOutcome::Fatal(_)));
    }
}
