//! Every marker of a presentation at once, for tools (`probe` lists the chapters): the
//! samples the manifest carries and each sparse fragment fetched in turn.

use std::collections::HashSet;

use super::{FetchConfig, Fetcher, Source, Verdict};
use crate::demux::stream_track;
use crate::error::Result;
use crate::manifest::Manifest;
use crate::markers::{Marker, from_fragment, is_marker_stream};

/// Sparse fragments read per stream, at most.
const MAX_FRAGMENTS: usize = 512;
/// Largest sparse fragment read.
const MAX_BYTES: usize = 1024 * 1024;

/// Loads the manifest at `input` and every marker of its sparse streams, by start. A sparse
/// fragment that cannot be read is skipped with a warning (markers are extras).
pub fn load_markers(input: &str, network: FetchConfig) -> Result<(Manifest, Vec<Marker>)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| crate::error::Error::Spawn {
            what: "network runtime".into(),
            message: e.to_string(),
        })?;
    let fetcher = Fetcher::new(network)?;
    runtime.block_on(async {
        let (source, manifest) = Source::open(input, fetcher, &[]).await?;
        let markers = read_all(&source, &manifest).await;
        Ok((manifest, markers))
    })
}

async fn read_all(source: &Source, m: &Manifest) -> Vec<Marker> {
    let mut out = Vec::new();
    for (i, s) in m.streams.iter().enumerate() {
        if !is_marker_stream(s) {
            continue;
        }
        let carried: HashSet<u64> = s.embedded_samples.iter().map(|e| e.start).collect();
        out.extend(crate::markers::carried(s));
        for c in s
            .chunks
            .iter()
            .filter(|c| !carried.contains(&c.start))
            .take(MAX_FRAGMENTS)
        {
            let mut go_on = |_| Verdict::Continue;
            let read = async {
                let d = source
                    .fragment(m, i, 0, c.start, 0, MAX_BYTES, &mut go_on)
                    .await?;
                let track = stream_track(&d.body, c.start, source.file_track(i).as_ref())?;
                Ok::<_, crate::error::Error>(from_fragment(s, &track, &d.body))
            };
            match read.await {
                Ok(markers) => out.extend(markers),
                Err(e) => tracing::warn!("markers: {e}"),
            }
        }
    }
    out.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
    out
}
