//! Sinks that record what the player presented, for assertions.

use std::sync::{Arc, Mutex};

use player_core::decode::VideoFrame;
use player_core::sink::{AudioSink, NullAudioSink, SinkError, VideoSink};

use super::measure::{frame_index, md5_hex};

/// What a test keeps of one presented picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedFrame {
    /// Presentation time, ticks.
    pub pts: u64,
    /// Timescale of `pts`.
    pub timescale: u64,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Frame number read from the picture.
    pub index: u64,
    /// MD5 of the packed I420 picture.
    pub md5: String,
    /// Luma at the centre of the picture.
    pub center_luma: u8,
}

/// Records every presented picture; clone the handle to read it while the player runs.
#[derive(Clone, Default)]
pub struct CaptureVideo(pub Arc<Mutex<Vec<CapturedFrame>>>);

impl CaptureVideo {
    /// The pictures so far.
    pub fn frames(&self) -> Vec<CapturedFrame> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl VideoSink for CaptureVideo {
    fn present(&mut self, frame: &VideoFrame) -> Result<(), SinkError> {
        let c = CapturedFrame {
            pts: frame.pts,
            timescale: frame.timescale,
            width: frame.width,
            height: frame.height,
            index: frame_index(frame),
            md5: md5_hex(frame),
            center_luma: frame
                .y
                .get(frame.height as usize / 2 * frame.y_stride + frame.width as usize / 2)
                .copied()
                .unwrap_or(0),
        };
        if let Ok(mut v) = self.0.lock() {
            v.push(c);
        }
        Ok(())
    }
}

/// What the audio capture recorded.
#[derive(Debug, Clone, Default)]
pub struct CapturedAudio {
    /// Sample rate.
    pub rate: u32,
    /// Channels.
    pub channels: u16,
    /// Interleaved samples, as accepted by the sink.
    pub samples: Vec<f32>,
    /// Flushes seen (seeks).
    pub flushes: u32,
}

/// Records the audio the player output (through a paced or unpaced null sink).
#[derive(Clone)]
pub struct CaptureAudio {
    /// The recording.
    pub data: Arc<Mutex<CapturedAudio>>,
    inner: Arc<Mutex<NullAudioSink>>,
}

impl CaptureAudio {
    /// A capture paced in real time or not.
    pub fn new(paced: bool) -> CaptureAudio {
        CaptureAudio::with(if paced {
            NullAudioSink::paced()
        } else {
            NullAudioSink::unpaced()
        })
    }

    /// A capture paced at `speed` times real time (pair with `Config::speed`).
    pub fn paced_at(speed: f64) -> CaptureAudio {
        CaptureAudio::with(NullAudioSink::paced_at(speed))
    }

    fn with(sink: NullAudioSink) -> CaptureAudio {
        CaptureAudio {
            data: Arc::default(),
            inner: Arc::new(Mutex::new(sink)),
        }
    }

    /// The recording so far.
    pub fn captured(&self) -> CapturedAudio {
        self.data.lock().map(|v| v.clone()).unwrap_or_default()
    }

    fn with_inner<R>(&self, f: impl FnOnce(&mut NullAudioSink) -> R) -> R {
        match self.inner.lock() {
            Ok(mut s) => f(&mut s),
            Err(p) => f(&mut p.into_inner()),
        }
    }
}

impl AudioSink for CaptureAudio {
    fn start(&mut self, sample_rate: u32, channels: u16) -> Result<(), SinkError> {
        self.with_inner(|s| s.start(sample_rate, channels))?;
        if let Ok(mut d) = self.data.lock() {
            d.rate = sample_rate;
            d.channels = channels;
        }
        Ok(())
    }

    fn write(&mut self, samples: &[f32]) -> Result<usize, SinkError> {
        let frames = self.with_inner(|s| s.write(samples))?;
        if let Ok(mut d) = self.data.lock() {
            let ch = usize::from(d.channels.max(1));
            d.samples
                .extend_from_slice(&samples[..(frames * ch).min(samples.len())]);
        }
        Ok(frames)
    }

    fn played(&mut self) -> u64 {
        self.with_inner(|s| s.played())
    }

    fn set_paused(&mut self, paused: bool) {
        self.with_inner(|s| s.set_paused(paused));
    }

    fn flush(&mut self) {
        self.with_inner(|s| s.flush());
        if let Ok(mut d) = self.data.lock() {
            d.flushes += 1;
        }
    }
}
