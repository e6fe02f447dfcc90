//! A decoded picture made small: area-averaged down to a width (aspect ratio kept) and
//! converted from Y'CbCr to RGBA with the stream's colour matrix. Pure.

use std::time::Duration;

use super::FragmentKey;
use crate::base::VideoFrame;
use crate::demux::DecoderConfig;
use crate::demux::sps::parse_sps;
use crate::time::ticks_to_duration;

/// The default thumbnail width, pixels.
pub const DEFAULT_WIDTH: u32 = 160;

/// A small RGBA picture of one fragment's key frame.
#[derive(Clone, PartialEq, Eq)]
pub struct Thumbnail {
    /// The fragment it was cut from.
    pub key: FragmentKey,
    /// Presentation time of the picture, `timescale` ticks.
    pub pts: u64,
    /// Ticks per second of `pts`.
    pub timescale: u64,
    /// Width, pixels.
    pub width: u32,
    /// Height, pixels.
    pub height: u32,
    /// Pixels row by row, 4 bytes each (R, G, B, A = 255), no padding.
    pub rgba: Vec<u8>,
}

impl std::fmt::Debug for Thumbnail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Thumbnail")
            .field("key", &self.key)
            .field("pts", &self.pts)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

impl Thumbnail {
    /// When the picture is presented (media time).
    pub fn time(&self) -> Duration {
        ticks_to_duration(self.pts, self.timescale)
    }

    /// Bytes the picture holds (what it costs a cache).
    pub fn byte_size(&self) -> usize {
        self.rgba.len()
    }

    /// The RGB of pixel (`x`, `y`), black outside the picture.
    pub fn rgb(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y as usize * self.width as usize + x as usize) * 4;
        match self.rgba.get(i..i + 3) {
            Some(p) if x < self.width => [p[0], p[1], p[2]],
            _ => [0; 3],
        }
    }
}

/// How a stream's Y'CbCr turns into RGB.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Colour {
    /// Luma weights (Kr, Kb): BT.709 (0.2126, 0.0722) or BT.601 (0.299, 0.114).
    pub weights: (f32, f32),
    /// Full range (0-255) instead of limited (16-235 / 16-240).
    pub full_range: bool,
}

impl Colour {
    /// ITU-R BT.709, limited range.
    pub const BT709: Colour = Colour {
        weights: (0.2126, 0.0722),
        full_range: false,
    };
    /// ITU-R BT.601, limited range.
    pub const BT601: Colour = Colour {
        weights: (0.299, 0.114),
        full_range: false,
    };

    /// What the stream's SPS signals; when it does not, BT.709 from 720 lines up and BT.601
    /// below (what players and broadcasters assume), limited range.
    pub fn of(config: &DecoderConfig, height: u32) -> Colour {
        let by_height = if height >= 720 {
            Colour::BT709
        } else {
            Colour::BT601
        };
        let DecoderConfig::H264(h) = config else {
            return by_height;
        };
        // Parameter sets only in band are not known here: the guess by height stands.
        let Some(sps) = h.sps.first().and_then(|s| parse_sps(s).ok()) else {
            return by_height;
        };
        let weights = match sps.matrix_coefficients {
            Some(1) => Colour::BT709.weights,
            Some(5 | 6) => Colour::BT601.weights,
            _ => by_height.weights,
        };
        Colour {
            weights,
            full_range: sps.full_range,
        }
    }

    /// R'G'B' of one Y'CbCr sample.
    pub fn rgb(&self, y: f32, cb: f32, cr: f32) -> [u8; 3] {
        let (kr, kb) = self.weights;
        let (y, cb, cr) = if self.full_range {
            (y / 255.0, (cb - 128.0) / 255.0, (cr - 128.0) / 255.0)
        } else {
            (
                (y - 16.0) / 219.0,
                (cb - 128.0) / 224.0,
                (cr - 128.0) / 224.0,
            )
        };
        let r = y + 2.0 * (1.0 - kr) * cr;
        let b = y + 2.0 * (1.0 - kb) * cb;
        let g = (y - kr * r - kb * b) / (1.0 - kr - kb);
        // as u8 saturates: out-of-gamut values clip to 0 or 255.
        [r, g, b].map(|v| (v * 255.0).round() as u8)
    }
}

/// The size a `width`×`height` picture is shown at when made `target` pixels wide (never
/// larger than it is), keeping its aspect ratio; at least 1×1.
pub fn thumbnail_size(width: u32, height: u32, target: u32) -> (u32, u32) {
    let w = target.min(width).max(1);
    let h =
        (u64::from(height) * u64::from(w) + u64::from(width.max(1)) / 2) / u64::from(width.max(1));
    (w, u32::try_from(h).unwrap_or(u32::MAX).max(1))
}

/// `frame` scaled to `target` pixels wide (area average) as RGBA with `colour`.
pub fn to_thumbnail(
    frame: &VideoFrame,
    key: FragmentKey,
    target: u32,
    colour: Colour,
) -> Thumbnail {
    let (sw, sh) = (frame.width as usize, frame.height as usize);
    let (tw, th) = thumbnail_size(frame.width, frame.height, target);
    let (dw, dh) = (tw as usize, th as usize);
    let mut rgba = Vec::with_capacity(dw * dh * 4);
    for dy in 0..dh {
        let rows = span(dy, dh, sh);
        for dx in 0..dw {
            let cols = span(dx, dw, sw);
            let y = mean(&frame.y, frame.y_stride, cols.clone(), rows.clone());
            // 4:2:0: the chroma sample under each luma pair.
            let (ccols, crows) = (
                cols.start / 2..cols.end.div_ceil(2),
                rows.start / 2..rows.end.div_ceil(2),
            );
            let cb = mean(&frame.u, frame.uv_stride, ccols.clone(), crows.clone());
            let cr = mean(&frame.v, frame.uv_stride, ccols, crows);
            rgba.extend_from_slice(&colour.rgb(y, cb, cr));
            rgba.push(255);
        }
    }
    Thumbnail {
        key,
        pts: frame.pts,
        timescale: frame.timescale,
        width: tw,
        height: th,
        rgba,
    }
}

/// The source pixels destination pixel `d` of `dn` covers out of `sn` (never empty).
fn span(d: usize, dn: usize, sn: usize) -> std::ops::Range<usize> {
    let start = d * sn / dn.max(1);
    let end = ((d + 1) * sn / dn.max(1)).max(start + 1).min(sn.max(1));
    start..end
}

/// Mean of a plane over `cols` × `rows` (missing samples count as 0).
fn mean(
    plane: &[u8],
    stride: usize,
    cols: std::ops::Range<usize>,
    rows: std::ops::Range<usize>,
) -> f32 {
    let n = (cols.len() * rows.len()).max(1);
    let sum: u32 = rows
        .flat_map(|r| {
            let start = r * stride;
            plane
                .get(start + cols.start..start + cols.end)
                .unwrap_or(&[])
                .iter()
                .map(|&v| u32::from(v))
        })
        .sum();
    sum as f32 / n as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: FragmentKey = FragmentKey {
        stream: 0,
        level: 0,
        start: 0,
    };

    /// A `w`×`h` frame whose luma is `luma(x, y)`, neutral chroma, padded strides.
    fn frame(w: u32, h: u32, luma: impl Fn(usize, usize) -> u8) -> VideoFrame {
        let (ys, cs) = (w as usize + 8, w as usize / 2 + 4);
        let mut y = vec![0; ys * h as usize];
        for r in 0..h as usize {
            for c in 0..w as usize {
                y[r * ys + c] = luma(c, r);
            }
        }
        VideoFrame {
            pts: 7,
            duration: 1,
            timescale: 10,
            width: w,
            height: h,
            y,
            u: vec![128; cs * h as usize / 2],
            v: vec![128; cs * h as usize / 2],
            y_stride: ys,
            uv_stride: cs,
        }
    }

    #[test]
    fn sizes_keep_the_aspect_ratio_and_never_grow() {
        assert_eq!(thumbnail_size(1280, 720, 160), (160, 90));
        assert_eq!(thumbnail_size(320, 180, 160), (160, 90));
        assert_eq!(thumbnail_size(100, 50, 160), (100, 50));
        assert_eq!(thumbnail_size(720, 576, 160), (160, 128));
        assert_eq!(thumbnail_size(4000, 1, 160), (160, 1));
    }

    #[test]
    fn scaling_averages_areas() {
        // Left half black (16), right half white (235), 4x downscale.
        let f = frame(64, 32, |x, _| if x < 32 { 16 } else { 235 });
        let t = to_thumbnail(&f, KEY, 16, Colour::BT709);
        assert_eq!((t.width, t.height, t.rgba.len()), (16, 8, 16 * 8 * 4));
        assert_eq!(t.rgb(0, 0), [0, 0, 0]);
        assert_eq!(t.rgb(15, 7), [255, 255, 255]);
        assert_eq!(t.rgba[3], 255);
        assert_eq!((t.pts, t.time()), (7, Duration::from_millis(700)));
        // A cell straddling the edge (3 px wide source spans) averages to grey.
        let t = to_thumbnail(&f, KEY, 3, Colour::BT709);
        let mid = t.rgb(1, 0)[0];
        assert!((100..160).contains(&mid), "{mid}");
        assert_eq!(t.rgb(99, 0), [0; 3]);
    }

    #[test]
    fn colours_follow_the_matrix() {
        // The demo's colour patches (BT.709 limited range, 8-bit nominal values: within 1).
        let c = Colour::BT709;
        let near = |got: [u8; 3], want: [u8; 3]| {
            assert!(
                got.iter().zip(want).all(|(g, w)| g.abs_diff(w) <= 1),
                "{got:?} vs {want:?}"
            );
        };
        near(c.rgb(63.0, 102.0, 240.0), [255, 0, 0]);
        near(c.rgb(173.0, 42.0, 26.0), [0, 255, 0]);
        near(c.rgb(32.0, 240.0, 118.0), [0, 0, 255]);
        assert_eq!(c.rgb(235.0, 128.0, 128.0), [255, 255, 255]);
        let full = Colour {
            full_range: true,
            ..Colour::BT601
        };
        assert_eq!(full.rgb(255.0, 128.0, 128.0), [255, 255, 255]);
    }

    #[test]
    fn the_sps_says_which_matrix() {
        let cpd = hex_cpd();
        let q = crate::manifest::QualityLevel {
            index: 0,
            bitrate: 1,
            fourcc: "H264".into(),
            codec: crate::manifest::Codec::H264,
            max_width: None,
            max_height: None,
            codec_private_data: cpd,
            sampling_rate: None,
            channels: None,
            bits_per_sample: None,
            packet_size: None,
            audio_tag: None,
            nal_unit_length_field: 4,
            wave_format_ex: None,
            custom_attributes: vec![],
        };
        let config = crate::demux::decoder_config(&q).expect("config");
        // The demo's 180-line level signals BT.709, which beats the guess by height.
        assert_eq!(Colour::of(&config, 180), Colour::BT709);
    }

    /// The demo's 320x180 CodecPrivateData.
    fn hex_cpd() -> Vec<u8> {
        let s =
            "000000016764000cacb202833f3e02d4040405000003000100000300320f142a480000000168ebccb22c";
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }
}
