//! H.264 decoding with openh264, and presentation times for its output pictures.
//!
//! openh264 does not carry timestamps through its API (`timestamp()` is always 0), so the
//! decoder keeps its own: every access unit's PTS goes into a min-heap, and each picture
//! openh264 outputs takes the smallest PTS waiting. openh264 outputs pictures in display
//! (POC) order and only once every picture that precedes it has been fed, so the smallest
//! waiting PTS is always the output picture's own — with B-frames too (tested below and
//! against ffmpeg-made streams in `tests/decode_fixtures.rs`).
//!
//! Decoding runs with `Flush::NoFlush` (openh264's default flush loses most B-frame
//! pictures); [`H264Decoder::flush`] drains the reorder buffer at the end of a stream.
//! When an access unit brings an SPS that differs from the last one (a quality switch),
//! the pictures of the old sequence are drained first, so they keep their timestamps.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use openh264::OpenH264API;
use openh264::decoder::{DecodedYUV, Decoder, DecoderConfig, Flush};
use openh264::formats::YUVSource;

use super::DecodeError;
use crate::base::{VideoFrame, nal_type, spare_planes, split_annex_b};

/// More waiting timestamps than openh264 can hold pictures means some were lost.
const MAX_PENDING: usize = 40;

/// An H.264 decoder fed Annex-B access units in decode order.
pub struct H264Decoder {
    decoder: Decoder,
    timescale: u64,
    /// PTS and duration of access units fed but not yet output, smallest first.
    pending: BinaryHeap<Reverse<(u64, u64)>>,
    /// Pictures drained outside a `decode` call, returned by the next call.
    ready: Vec<VideoFrame>,
    last_time: Option<(u64, u64)>,
    last_sps: Vec<u8>,
}

impl H264Decoder {
    /// A decoder whose frames carry times in `timescale` ticks per second.
    pub fn new(timescale: u64) -> Result<H264Decoder, DecodeError> {
        Ok(H264Decoder {
            decoder: new_decoder()?,
            timescale,
            pending: BinaryHeap::new(),
            ready: Vec::new(),
            last_time: None,
            last_sps: Vec::new(),
        })
    }

    /// Decodes one access unit (Annex B, parameter sets included before IDRs) with its
    /// presentation time and duration; returns the pictures that became ready, in
    /// presentation order.
    ///
    /// On a decode error the pictures already buffered are drained (returned by the next
    /// call) and the timestamp queue restarts, so a lost picture cannot shift later times.
    pub fn decode(
        &mut self,
        annexb: &[u8],
        pts: u64,
        duration: u64,
    ) -> Result<Vec<VideoFrame>, DecodeError> {
        if let Some(sps) = leading_sps(annexb)
            && sps != self.last_sps.as_slice()
        {
            if !self.last_sps.is_empty() {
                self.drain();
            }
            self.last_sps = sps.to_vec();
        }
        let mut out = std::mem::take(&mut self.ready);
        self.pending.push(Reverse((pts, duration)));
        match self.decoder.decode(annexb) {
            Ok(Some(yuv)) => {
                let time = next_time(&mut self.pending, &mut self.last_time);
                out.push(copy_frame(&yuv, time, self.timescale));
            }
            Ok(None) => {}
            Err(e) => {
                self.ready = out;
                self.drain();
                return Err(DecodeError::H264 {
                    pts,
                    what: e.to_string(),
                });
            }
        }
        while self.pending.len() > MAX_PENDING {
            self.pending.pop();
        }
        Ok(out)
    }

    /// Returns every picture still buffered (end of stream, or before a discontinuity).
    pub fn flush(&mut self) -> Vec<VideoFrame> {
        self.drain();
        std::mem::take(&mut self.ready)
    }

    /// Drops all state and buffered pictures (after a seek), keeping the timescale.
    pub fn reset(&mut self) -> Result<(), DecodeError> {
        self.decoder = new_decoder()?;
        self.pending.clear();
        self.ready.clear();
        self.last_time = None;
        self.last_sps.clear();
        Ok(())
    }

    /// Moves all buffered pictures to `ready` and forgets any timestamps left over.
    fn drain(&mut self) {
        match self.decoder.flush_remaining() {
            Ok(pictures) => {
                for yuv in &pictures {
                    let time = next_time(&mut self.pending, &mut self.last_time);
                    self.ready.push(copy_frame(yuv, time, self.timescale));
                }
            }
            Err(e) => tracing::warn!(error = %e, "openh264 flush failed"),
        }
        self.pending.clear();
    }
}

fn new_decoder() -> Result<Decoder, DecodeError> {
    let config = DecoderConfig::new().flush_after_decode(Flush::NoFlush);
    Decoder::with_api_config(OpenH264API::from_source(), config).map_err(|e| DecodeError::Init {
        codec: "H.264",
        what: e.to_string(),
    })
}

/// The smallest waiting time, or (should openh264 ever output more pictures than it was
/// fed) the previous picture's end.
fn next_time(
    pending: &mut BinaryHeap<Reverse<(u64, u64)>>,
    last: &mut Option<(u64, u64)>,
) -> (u64, u64) {
    let t = match pending.pop() {
        Some(Reverse(t)) => t,
        None => last.map_or((0, 0), |(p, d)| (p.saturating_add(d), d)),
    };
    *last = Some(t);
    t
}

fn copy_frame(yuv: &DecodedYUV<'_>, (pts, duration): (u64, u64), timescale: u64) -> VideoFrame {
    let (width, height) = yuv.dimensions();
    let (y_stride, uv_stride, _) = yuv.strides();
    VideoFrame {
        pts,
        duration,
        timescale,
        width: u32::try_from(width).unwrap_or(0),
        height: u32::try_from(height).unwrap_or(0),
        y: spare_planes::copy_of(yuv.y()),
        u: spare_planes::copy_of(yuv.u()),
        v: spare_planes::copy_of(yuv.v()),
        y_stride,
        uv_stride,
    }
}

/// The first SPS of an Annex-B access unit, looking only at the NAL units before the
/// first slice.
fn leading_sps(data: &[u8]) -> Option<&[u8]> {
    split_annex_b(data)
        .map(|nal| (nal_type(nal), nal))
        .take_while(|(kind, _)| !(1..=5).contains(kind))
        .find_map(|(kind, nal)| (kind == 7).then_some(nal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_sps_before_the_first_slice_only() {
        let au = [
            0, 0, 0, 1, 9, 0xf0, 0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 1, 0x65, 4,
        ];
        assert_eq!(leading_sps(&au), Some(&[0x67, 1, 2][..]));
        let p = [0, 0, 1, 0x41, 0, 0, 1, 0x67, 1];
        assert_eq!(leading_sps(&p), None);
    }

    #[test]
    fn times_come_out_smallest_first() {
        let mut heap = BinaryHeap::new();
        let mut last = None;
        for t in [0u64, 3, 1, 2] {
            heap.push(Reverse((t * 10, 10)));
        }
        let got: Vec<_> = (0..5).map(|_| next_time(&mut heap, &mut last).0).collect();
        assert_eq!(got, vec![0, 10, 20, 30, 40]);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut d = H264Decoder::new(90_000).expect("decoder");
        let mut errors = 0;
        for i in 0..20u8 {
            let junk = [0, 0, 0, 1, 0x65, i, 0xff, 0x13, 0x37, i.wrapping_mul(7)];
            match d.decode(&junk, u64::from(i) * 3000, 3000) {
                Ok(frames) => assert!(frames.is_empty()),
                Err(DecodeError::H264 { pts, .. }) => {
                    assert_eq!(pts, u64::from(i) * 3000);
                    errors += 1;
                }
                Err(e) => panic!("unexpected {e}"),
            }
        }
        assert!(
            errors > 0,
            "openh264 accepted slices with no parameter sets"
        );
        assert!(d.flush().is_empty());
    }
}
