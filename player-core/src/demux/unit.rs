//! Decoder units: the samples of a track fragment as cheap views into the fragment body.

use bytes::Bytes;

use crate::isobmff::TrackFragment;

/// One compressed sample, ready for its decoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaUnit {
    /// The sample bytes (decrypted), a view into the fragment body.
    pub data: Bytes,
    /// Decode time, stream ticks.
    pub dts: u64,
    /// Presentation time, stream ticks.
    pub pts: u64,
    /// Duration, stream ticks.
    pub duration: u32,
    /// Whether decoding may start here.
    pub is_sync: bool,
}

/// The samples of `track` as decoder units. `body` is the buffer `track` was parsed from
/// (after decryption); units share it, so nothing is copied.
pub fn units(track: &TrackFragment, body: &Bytes) -> Vec<MediaUnit> {
    track
        .samples
        .iter()
        .map(|s| MediaUnit {
            data: body.slice(s.data.clone()),
            dts: s.dts,
            pts: s.pts,
            duration: s.duration,
            is_sync: s.is_sync,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isobmff::{Sample, SyncSource, TrackProtection};

    fn sample(dts: u64, data: std::ops::Range<usize>, is_sync: bool) -> Sample {
        Sample {
            dts,
            pts: dts + 5,
            duration: 10,
            size: data.len() as u32,
            is_sync,
            data,
        }
    }

    #[test]
    fn units_are_views_of_the_body_with_the_sample_times() {
        let body = Bytes::from_static(b"..abcdefg");
        let track = TrackFragment {
            track_id: 1,
            base_time: 100,
            tfdt: None,
            tfxd: None,
            tfrf: vec![],
            samples: vec![sample(100, 2..5, true), sample(110, 5..9, false)],
            sync_source: SyncSource::Flags,
            protection: TrackProtection::default(),
        };
        let got = units(&track, &body);
        assert_eq!(
            got,
            vec![
                MediaUnit {
                    data: Bytes::from_static(b"abc"),
                    dts: 100,
                    pts: 105,
                    duration: 10,
                    is_sync: true,
                },
                MediaUnit {
                    data: Bytes::from_static(b"defg"),
                    dts: 110,
                    pts: 115,
                    duration: 10,
                    is_sync: false,
                },
            ]
        );
        // A view, not a copy: the unit points into the body's buffer.
        assert_eq!(got[0].data.as_ptr(), body[2..].as_ptr());
    }
}
