//! Decoded media: I420 pictures and interleaved f32 PCM, stamped with presentation times.

/// One decoded picture in I420 (planar Y, U, V; chroma at half resolution).
#[derive(Clone, PartialEq, Eq)]
pub struct VideoFrame {
    /// Presentation time in `timescale` ticks.
    pub pts: u64,
    /// Frame duration in `timescale` ticks.
    pub duration: u64,
    /// Ticks per second of `pts` and `duration`.
    pub timescale: u64,
    /// Picture width in pixels.
    pub width: u32,
    /// Picture height in pixels.
    pub height: u32,
    /// Luma plane, `y_stride` bytes per row, `height` rows.
    pub y: Vec<u8>,
    /// Cb plane, `uv_stride` bytes per row, `(height + 1) / 2` rows.
    pub u: Vec<u8>,
    /// Cr plane, `uv_stride` bytes per row, `(height + 1) / 2` rows.
    pub v: Vec<u8>,
    /// Bytes per luma row (at least `width`; decoders pad).
    pub y_stride: usize,
    /// Bytes per chroma row (at least `(width + 1) / 2`).
    pub uv_stride: usize,
}

impl std::fmt::Debug for VideoFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoFrame")
            .field("pts", &self.pts)
            .field("timescale", &self.timescale)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

impl VideoFrame {
    /// Bytes the planes hold (what a queue of frames costs).
    pub fn byte_size(&self) -> usize {
        self.y.len() + self.u.len() + self.v.len()
    }

    /// The picture as tightly packed I420 (no row padding): Y, then U, then V.
    pub fn to_packed_i420(&self) -> Vec<u8> {
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
        let start = r * stride;
        match plane.get(start..start + width) {
            Some(row) => out.extend_from_slice(row),
            None => out.resize(out.len() + width, 0),
        }
    }
}

/// A run of decoded audio.
#[derive(Clone, PartialEq)]
pub struct AudioFrame {
    /// Presentation time of the first sample, in `timescale` ticks.
    pub pts: u64,
    /// Ticks per second of `pts`.
    pub timescale: u64,
    /// Samples per second per channel.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u16,
    /// Interleaved samples, `channels` per frame.
    pub samples: Vec<f32>,
}

impl std::fmt::Debug for AudioFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioFrame")
            .field("pts", &self.pts)
            .field("sample_rate", &self.sample_rate)
            .field("channels", &self.channels)
            .field("frames", &self.frames())
            .finish()
    }
}

impl AudioFrame {
    /// Sample frames (samples per channel).
    pub fn frames(&self) -> usize {
        self.samples.len() / usize::from(self.channels.max(1))
    }
}
