//! Writes the PCM the player outputs to a WAV file, paced like a device or not.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use player_core::sink::{AudioSink, NullAudioSink, SinkError};

/// A `.wav` writer (32-bit float) in front of a null sink that provides the pacing.
pub struct WavSink {
    path: PathBuf,
    inner: NullAudioSink,
    writer: Option<hound::WavWriter<BufWriter<File>>>,
    format: Option<(u32, u16)>,
}

impl WavSink {
    /// A sink writing to `path` (created at the first samples), paced at `speed` times real
    /// time, or not paced.
    pub fn new(path: &Path, paced: bool, speed: f64) -> WavSink {
        WavSink {
            path: path.to_path_buf(),
            inner: if paced {
                NullAudioSink::paced_at(speed)
            } else {
                NullAudioSink::unpaced()
            },
            writer: None,
            format: None,
        }
    }

    fn err(e: impl std::fmt::Display) -> SinkError {
        SinkError {
            sink: "wav".into(),
            message: e.to_string(),
        }
    }
}

impl AudioSink for WavSink {
    fn start(&mut self, sample_rate: u32, channels: u16) -> Result<(), SinkError> {
        self.inner.start(sample_rate, channels)?;
        match self.format {
            Some(f) if f != (sample_rate, channels) => {
                return Err(Self::err(format!(
                    "format changed from {} Hz × {} to {sample_rate} Hz × {channels}: one WAV holds one format",
                    f.0, f.1
                )));
            }
            Some(_) => {}
            None => {
                let spec = hound::WavSpec {
                    channels,
                    sample_rate,
                    bits_per_sample: 32,
                    sample_format: hound::SampleFormat::Float,
                };
                self.writer = Some(hound::WavWriter::create(&self.path, spec).map_err(Self::err)?);
                self.format = Some((sample_rate, channels));
            }
        }
        Ok(())
    }

    fn write(&mut self, samples: &[f32]) -> Result<usize, SinkError> {
        let frames = self.inner.write(samples)?;
        let channels = usize::from(self.format.map_or(2, |f| f.1));
        if let Some(w) = &mut self.writer {
            for s in samples.iter().take(frames * channels) {
                w.write_sample(*s).map_err(Self::err)?;
            }
        }
        Ok(frames)
    }

    fn played(&mut self) -> u64 {
        self.inner.played()
    }

    fn set_paused(&mut self, paused: bool) {
        self.inner.set_paused(paused);
    }

    fn flush(&mut self) {
        self.inner.flush();
    }
}

impl Drop for WavSink {
    fn drop(&mut self) {
        if let Some(w) = self.writer.take() {
            let _ = w.finalize();
        }
    }
}
