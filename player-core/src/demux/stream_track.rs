//! The one track fragment of a stream in a fetched fragment.
//!
//! A Smooth Streaming fragment carries one `traf`, whatever its track ID. A single-file
//! `.ismv` interleaves every track's fragments, and its `moov` knows what the `moof` does
//! not (trex defaults, whether every sample is a sync sample), so the caller passes that in.

use crate::isobmff::{BoxError, TrackDefaults, TrackFragment, parse_fragment, parse_fragment_with};

/// What a single file's `moov` says about the track of one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SingleFileTrack {
    /// The track's `tkhd` track_ID: only its `traf` is this stream's.
    pub track_id: u32,
    /// The track's `trex` sample defaults.
    pub defaults: TrackDefaults,
    /// Whether every sample is a sync sample (audio).
    pub all_sync: bool,
}

/// Parses `body` (a `moof` + `mdat` starting at manifest time `start`) and returns the
/// stream's track fragment: the first `traf`, or with `single_file` the one of that track.
///
/// A fragment without such a `traf` is `BoxError::Missing { path: "moof", what: "traf" }`.
pub fn stream_track(
    body: &[u8],
    start: u64,
    single_file: Option<&SingleFileTrack>,
) -> Result<TrackFragment, BoxError> {
    let tracks = match single_file {
        Some(t) => {
            let mut f = parse_fragment_with(body, start, t.defaults, t.all_sync)?;
            f.tracks.retain(|traf| traf.track_id == t.track_id);
            f.tracks
        }
        None => parse_fragment(body, start)?.tracks,
    };
    tracks.into_iter().next().ok_or_else(|| BoxError::Missing {
        path: "moof".into(),
        what: "traf".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isobmff::testutil::{bx, cat, full, words};

    /// tfhd flags: default-base-is-moof, default sample size.
    const TFHD_FLAGS: u32 = 0x02_0010;
    /// trun flags: data offset present.
    const TRUN_FLAGS: u32 = 0x00_0001;
    const SAMPLE_SIZE: u32 = 3;

    /// A `traf` for `track_id` with two samples of [`SAMPLE_SIZE`] at `data_offset` from the moof.
    fn traf(track_id: u32, data_offset: u32) -> Vec<u8> {
        let tfhd = full(b"tfhd", 0, TFHD_FLAGS, &words(&[track_id, SAMPLE_SIZE]));
        let trun = full(b"trun", 0, TRUN_FLAGS, &words(&[2, data_offset]));
        bx(b"traf", &cat(&[&tfhd, &trun]))
    }

    /// A fragment whose trafs (one per track ID, in order) each own two samples of the mdat;
    /// no durations are written, so they must come from the hint (or the tfxd rule).
    fn fragment(track_ids: &[u32]) -> Vec<u8> {
        let traf_len = traf(0, 0).len();
        let moof_len = 8 + 16 + traf_len * track_ids.len();
        let trafs: Vec<u8> = track_ids
            .iter()
            .enumerate()
            .flat_map(|(i, &id)| {
                let offset = moof_len + 8 + i * 2 * SAMPLE_SIZE as usize;
                traf(id, offset as u32)
            })
            .collect();
        let moof = bx(b"moof", &cat(&[&full(b"mfhd", 0, 0, &words(&[1])), &trafs]));
        let media: Vec<u8> = (0..track_ids.len() * 2 * SAMPLE_SIZE as usize)
            .map(|b| b as u8)
            .collect();
        cat(&[&moof, &bx(b"mdat", &media)])
    }

    fn hint(track_id: u32, all_sync: bool) -> SingleFileTrack {
        SingleFileTrack {
            track_id,
            defaults: TrackDefaults {
                duration: Some(1000),
                size: None,
                flags: None,
            },
            all_sync,
        }
    }

    #[test]
    fn single_file_picks_the_track_and_applies_its_defaults() {
        let body = fragment(&[1, 2]);
        let t = stream_track(&body, 500, Some(&hint(2, true))).expect("track 2");
        assert_eq!(t.track_id, 2);
        assert_eq!(t.base_time, 500);
        let times: Vec<_> = t.samples.iter().map(|s| (s.dts, s.duration)).collect();
        assert_eq!(times, vec![(500, 1000), (1500, 1000)]);
        assert!(t.samples.iter().all(|s| s.is_sync));
        let first = &t.samples[0].data;
        assert_eq!(&body[first.clone()], &[6, 7, 8]);

        let video = stream_track(&body, 0, Some(&hint(1, false))).expect("track 1");
        let sync: Vec<_> = video.samples.iter().map(|s| s.is_sync).collect();
        assert_eq!(sync, vec![true, false]);
    }

    #[test]
    fn a_missing_track_is_a_missing_traf() {
        let body = fragment(&[1, 2]);
        assert_eq!(
            stream_track(&body, 0, Some(&hint(7, false))),
            Err(BoxError::Missing {
                path: "moof".into(),
                what: "traf".into()
            })
        );
    }

    #[test]
    fn without_a_hint_the_first_traf_is_the_stream() {
        // Two samples without any duration: a Smooth fragment must say them itself.
        let body = fragment(&[9]);
        assert!(matches!(
            stream_track(&body, 0, None),
            Err(BoxError::Invalid { .. })
        ));
        let with_defaults = stream_track(&body, 0, Some(&hint(9, false))).expect("hinted");
        assert_eq!(with_defaults.track_id, 9);
    }
}
