//! Writes every presented picture to a YUV4MPEG2 file at one fixed size.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use player_core::decode::VideoFrame;
use player_core::sink::{SinkError, VideoSink};

use super::scale::scale_i420;

/// A `.y4m` writer; pictures of other sizes (other quality levels) are scaled to its size.
pub struct Y4mSink {
    out: BufWriter<File>,
    size: Option<(u32, u32)>,
    fps: (u64, u64),
    buf: Vec<u8>,
    frames: u64,
}

impl Y4mSink {
    /// Creates `path`; `size` fixes the output size (default: the first picture's size),
    /// `fps` is the nominal rate written in the header as a fraction.
    pub fn create(path: &Path, size: Option<(u32, u32)>, fps: (u64, u64)) -> std::io::Result<Self> {
        Ok(Y4mSink {
            out: BufWriter::new(File::create(path)?),
            size,
            fps,
            buf: Vec::new(),
            frames: 0,
        })
    }

    /// Pictures written so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    fn err(e: std::io::Error) -> SinkError {
        SinkError {
            sink: "y4m".into(),
            message: e.to_string(),
        }
    }
}

impl VideoSink for Y4mSink {
    fn present(&mut self, frame: &VideoFrame) -> Result<(), SinkError> {
        if self.frames == 0 {
            let (w, h) = *self.size.get_or_insert((frame.width, frame.height));
            writeln!(
                self.out,
                "YUV4MPEG2 W{w} H{h} F{}:{} Ip A1:1 C420jpeg XCOLORRANGE=LIMITED",
                self.fps.0, self.fps.1
            )
            .map_err(Self::err)?;
        }
        let (w, h) = self.size.unwrap_or((frame.width, frame.height));
        self.buf.clear();
        scale_i420(frame, w, h, &mut self.buf);
        self.out.write_all(b"FRAME\n").map_err(Self::err)?;
        self.out.write_all(&self.buf).map_err(Self::err)?;
        self.frames += 1;
        Ok(())
    }
}

impl Drop for Y4mSink {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}
