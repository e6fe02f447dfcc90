//! libavcodec video decoding: access units in, I420 pictures out, timed by the packets'
//! presentation times (libavcodec carries them through reordering and frame threads).

use std::collections::VecDeque;

use ffmpeg_sys_next as ff;

use super::{Codec, Received};
use crate::base::{VideoFrame, spare_planes};
use crate::decode::{DecodeError, VideoDecoder};

/// Durations of access units fed but not yet output, by PTS (bounded: a decoder holds few).
const MAX_PENDING: usize = 64;

/// A libavcodec video decoder.
pub(super) struct LibavVideo {
    codec: Codec,
    timescale: u64,
    name: &'static str,
    pending: VecDeque<(u64, u64)>,
    /// Set when a hardware frame is downloaded into it.
    download: Option<*mut ff::AVFrame>,
}

// SAFETY: `download` is an AVFrame owned by this decoder alone (see Codec's Send).
unsafe impl Send for LibavVideo {}

impl LibavVideo {
    pub fn new(codec: Codec, timescale: u64, name: &'static str) -> LibavVideo {
        LibavVideo {
            codec,
            timescale,
            name,
            pending: VecDeque::new(),
            download: None,
        }
    }

    /// Reads every picture the decoder has ready.
    fn drain(&mut self, pts: u64, out: &mut Vec<VideoFrame>) -> Result<bool, DecodeError> {
        loop {
            match self.codec.receive(pts)? {
                Received::Frame => {
                    if let Some(frame) = self.picture()? {
                        out.push(frame);
                    }
                }
                Received::Again => return Ok(false),
                Received::End => return Ok(true),
            }
        }
    }

    /// The received frame as a [`VideoFrame`] (hardware frames are downloaded first).
    fn picture(&mut self) -> Result<Option<VideoFrame>, DecodeError> {
        let f = self.codec.frame();
        let pts = if f.pts == ff::AV_NOPTS_VALUE {
            f.best_effort_timestamp
        } else {
            f.pts
        };
        let pts = u64::try_from(pts).unwrap_or(0);
        let duration = match self.pending.iter().position(|(p, _)| *p == pts) {
            Some(i) => self.pending.remove(i).map_or(0, |(_, d)| d),
            None => 0,
        };
        // libavcodec conceals damage (a wrong content key, a truncated sample) and marks the
        // picture: such a picture is an error, as openh264 reports it, and is not shown.
        if f.decode_error_flags != 0 || f.flags & ff::AV_FRAME_FLAG_CORRUPT != 0 {
            return Err(DecodeError::Libav {
                codec: self.codec.name,
                pts,
                what: format!("damaged picture (error flags {:#x})", f.decode_error_flags),
            });
        }
        let frame = if is_hardware(f) {
            let dl = self.download_frame()?;
            // SAFETY: `dl` is our frame; the source is the codec's current hardware frame.
            let rc = unsafe { ff::av_hwframe_transfer_data(dl, self.codec.frame_ptr(), 0) };
            if rc < 0 {
                return Err(DecodeError::Libav {
                    codec: self.codec.name,
                    pts,
                    what: format!("hardware frame download: {}", super::error_text(rc)),
                });
            }
            // SAFETY: transfer succeeded: `dl` holds a software picture.
            convert(unsafe { &*dl }, pts, duration, self.timescale)
        } else {
            convert(f, pts, duration, self.timescale)
        };
        frame.map(Some).map_err(|what| DecodeError::Libav {
            codec: self.codec.name,
            pts,
            what,
        })
    }

    fn download_frame(&mut self) -> Result<*mut ff::AVFrame, DecodeError> {
        if let Some(f) = self.download {
            // SAFETY: ours; unref makes it ready to receive a new picture.
            unsafe { ff::av_frame_unref(f) };
            return Ok(f);
        }
        // SAFETY: plain allocation, checked below, freed in Drop.
        let f = unsafe { ff::av_frame_alloc() };
        if f.is_null() {
            return Err(DecodeError::Unavailable("out of memory".into()));
        }
        self.download = Some(f);
        Ok(f)
    }
}

impl Drop for LibavVideo {
    fn drop(&mut self) {
        if let Some(mut f) = self.download.take() {
            // SAFETY: allocated by av_frame_alloc, freed once.
            unsafe { ff::av_frame_free(&mut f) };
        }
    }
}

impl VideoDecoder for LibavVideo {
    fn decode(
        &mut self,
        data: &[u8],
        pts: u64,
        duration: u64,
    ) -> Result<Vec<VideoFrame>, DecodeError> {
        if self.pending.len() >= MAX_PENDING {
            self.pending.pop_front();
        }
        self.pending.push_back((pts, duration));
        let mut out = Vec::new();
        while !self.codec.send(Some(data), pts)? {
            self.drain(pts, &mut out)?;
        }
        self.drain(pts, &mut out)?;
        Ok(out)
    }

    fn flush(&mut self) -> Vec<VideoFrame> {
        let mut out = Vec::new();
        let drained = self
            .codec
            .send(None, 0)
            .and_then(|_| self.drain(0, &mut out));
        if let Err(e) = drained {
            tracing::warn!(error = %e, "libav flush failed");
        }
        self.codec.reset();
        self.pending.clear();
        out
    }

    fn name(&self) -> &'static str {
        self.name
    }
}

/// Copies a decoded 8-bit 4:2:0 picture (planar, or NV12 from a hardware download).
fn convert(f: &ff::AVFrame, pts: u64, duration: u64, timescale: u64) -> Result<VideoFrame, String> {
    use ff::AVPixelFormat::*;
    let (w, h) = (
        usize::try_from(f.width).map_err(|_| "negative width")?,
        usize::try_from(f.height).map_err(|_| "negative height")?,
    );
    let ch = h.div_ceil(2);
    let plane = |i: usize, rows: usize| -> Result<(Vec<u8>, usize), String> {
        let stride = usize::try_from(f.linesize[i]).map_err(|_| "negative stride")?;
        if f.data[i].is_null() {
            return Err(format!("plane {i} missing"));
        }
        // SAFETY: libavcodec's plane i holds `rows` rows of `linesize[i]` bytes.
        let bytes = unsafe { std::slice::from_raw_parts(f.data[i], stride * rows) };
        Ok((spare_planes::copy_of(bytes), stride))
    };
    let format = f.format;
    let (y, y_stride, u, v, uv_stride) = match format {
        _ if format == AV_PIX_FMT_YUV420P as i32 || format == AV_PIX_FMT_YUVJ420P as i32 => {
            let (y, ys) = plane(0, h)?;
            let (u, us) = plane(1, ch)?;
            let (v, _) = plane(2, ch)?;
            (y, ys, u, v, us)
        }
        _ if format == AV_PIX_FMT_NV12 as i32 => {
            let (y, ys) = plane(0, h)?;
            let (uv, uvs) = plane(1, ch)?;
            let cw = w.div_ceil(2);
            let (mut u, mut v) = (spare_planes::take(cw * ch), spare_planes::take(cw * ch));
            for row in uv.chunks(uvs).take(ch) {
                for px in row.chunks_exact(2).take(cw) {
                    u.push(px[0]);
                    v.push(px[1]);
                }
            }
            spare_planes::give(uv);
            (y, ys, u, v, cw)
        }
        other => return Err(format!("pixel format {other} is not 8-bit 4:2:0")),
    };
    Ok(VideoFrame {
        pts,
        duration,
        timescale,
        width: u32::try_from(w).unwrap_or(0),
        height: u32::try_from(h).unwrap_or(0),
        y,
        u,
        v,
        y_stride,
        uv_stride,
    })
}

/// Whether a decoded frame lives in hardware memory (to be downloaded).
fn is_hardware(f: &ff::AVFrame) -> bool {
    f.format == ff::AVPixelFormat::AV_PIX_FMT_VAAPI as i32 || !f.hw_frames_ctx.is_null()
}
