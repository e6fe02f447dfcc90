//! Decoded pictures and audio, with their presentation times.

/// A decoded I420 picture.
///
/// Planes are copied from openh264 as they are, with their padded strides: the Y plane is
/// `height` rows of `y_stride` bytes, U and V are `height / 2` rows of `uv_stride` bytes
/// (H.264 4:2:0 sizes are even). Only the first `width` (or `width / 2`) bytes of a row are
/// picture; renderers upload with the stride as bytes-per-row.
#[derive(Clone, PartialEq, Eq)]
pub struct VideoFrame {
    /// Presentation time in `timescale` ticks.
    pub pts: u64,
    /// Display duration in `timescale` ticks (the sample's duration).
    pub duration: u64,
    /// Ticks per second of `pts` and `duration`.
    pub timescale: u64,
    /// Picture width in pixels.
    pub width: u32,
    /// Picture height in pixels.
    pub height: u32,
    /// Luma plane (`height` × `y_stride`).
    pub y: Vec<u8>,
    /// Cb plane (`height / 2` × `uv_stride`).
    pub u: Vec<u8>,
    /// Cr plane (`height / 2` × `uv_stride`).
    pub v: Vec<u8>,
    /// Bytes per luma row.
    pub y_stride: usize,
    /// Bytes per chroma row.
    pub uv_stride: usize,
}

impl VideoFrame {
    /// The visible luma row `row` (without stride padding), or an empty slice past the end.
    pub fn y_row(&self, row: usize) -> &[u8] {
        let start = row * self.y_stride;
        self.y
            .get(start..start + self.width as usize)
            .unwrap_or(&[])
    }

    /// Bytes the planes hold (what a queued frame costs the memory budget).
    pub fn byte_size(&self) -> usize {
        self.y.len() + self.u.len() + self.v.len()
    }

    /// The picture as tightly packed I420 (`width × height` Y, then U, then V), as in y4m.
    pub fn to_i420(&self) -> Vec<u8> {
        let (w, h) = (self.width as usize, self.height as usize);
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let mut out = Vec::with_capacity(w * h + 2 * cw * ch);
        copy_rows(&mut out, &self.y, self.y_stride, w, h);
        copy_rows(&mut out, &self.u, self.uv_stride, cw, ch);
        copy_rows(&mut out, &self.v, self.uv_stride, cw, ch);
        out
    }
}

fn copy_rows(out: &mut Vec<u8>, plane: &[u8], stride: usize, width: usize, rows: usize) {
    for r in 0..rows {
        let row = plane.get(r * stride..r * stride + width).unwrap_or(&[]);
        out.extend_from_slice(row);
        // A short plane (never produced by openh264) still yields a full-size picture.
        out.resize(out.len() + width - row.len(), 0);
    }
}

/// The planes go back to [`super::spare_planes`] for the next picture a decoder copies.
impl Drop for VideoFrame {
    fn drop(&mut self) {
        for plane in [&mut self.y, &mut self.u, &mut self.v] {
            super::spare_planes::give(std::mem::take(plane));
        }
    }
}

impl std::fmt::Debug for VideoFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoFrame")
            .field("pts", &self.pts)
            .field("duration", &self.duration)
            .field("timescale", &self.timescale)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("y_stride", &self.y_stride)
            .field("uv_stride", &self.uv_stride)
            .finish_non_exhaustive()
    }
}

/// Decoded audio: interleaved f32 samples in [-1, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct AudioFrame {
    /// Presentation time of the first sample, in `timescale` ticks.
    pub pts: u64,
    /// Ticks per second of `pts`.
    pub timescale: u64,
    /// Samples per second per channel.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u16,
    /// Interleaved samples (`frames() × channels`).
    pub samples: Vec<f32>,
}

impl AudioFrame {
    /// Sample frames (samples per channel).
    pub fn frames(&self) -> usize {
        self.samples.len() / usize::from(self.channels.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_padded_planes_tightly() {
        let f = VideoFrame {
            pts: 0,
            duration: 1,
            timescale: 1,
            width: 4,
            height: 2,
            y: vec![1, 2, 3, 4, 0, 0, 5, 6, 7, 8, 0, 0],
            u: vec![9, 9, 0, 0],
            v: vec![7, 7, 0, 0],
            y_stride: 6,
            uv_stride: 4,
        };
        assert_eq!(f.to_i420(), vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 7, 7]);
        assert_eq!(f.y_row(1), &[5, 6, 7, 8]);
        assert_eq!(f.y_row(2), &[] as &[u8]);
    }
}
