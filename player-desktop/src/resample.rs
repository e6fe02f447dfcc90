//! Sample-rate conversion (rubato's FFT resampler) and channel mapping for an audio device
//! that does not take the stream's format as it is.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

/// Input frames per resampler call.
const CHUNK: usize = 1024;

/// Converts interleaved f32 audio from one rate and channel count to another.
pub struct Converter {
    in_channels: usize,
    out_channels: usize,
    resampler: Option<Fft<f32>>,
    /// Input (already channel-mapped) waiting for a full resampler chunk.
    pending: Vec<f32>,
    scratch: Vec<f32>,
}

impl Converter {
    /// A converter from `input` (rate, channels) to `output` (rate, channels).
    pub fn new(input: (u32, u16), output: (u32, u16)) -> Result<Converter, String> {
        let (in_channels, out_channels) = (usize::from(input.1), usize::from(output.1));
        if in_channels == 0 || out_channels == 0 || input.0 == 0 || output.0 == 0 {
            return Err(format!("invalid audio format {input:?} -> {output:?}"));
        }
        let resampler = if input.0 == output.0 {
            None
        } else {
            Some(
                Fft::new(
                    input.0 as usize,
                    output.0 as usize,
                    CHUNK,
                    out_channels,
                    FixedSync::Input,
                )
                .map_err(|e| format!("cannot resample {} -> {} Hz: {e}", input.0, output.0))?,
            )
        };
        Ok(Converter {
            in_channels,
            out_channels,
            resampler,
            pending: Vec::new(),
            scratch: Vec::new(),
        })
    }

    /// Whether this converter changes anything.
    pub fn is_identity(&self) -> bool {
        self.resampler.is_none() && self.in_channels == self.out_channels
    }

    /// Converts `input` and appends the result to `out`. Resampled output lags the input by
    /// up to one chunk; [`Converter::reset`] drops what is held back.
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) -> Result<(), String> {
        let Some(resampler) = &mut self.resampler else {
            map_channels(input, self.in_channels, self.out_channels, out);
            return Ok(());
        };
        map_channels(
            input,
            self.in_channels,
            self.out_channels,
            &mut self.pending,
        );
        let ch = self.out_channels;
        while self.pending.len() >= CHUNK * ch {
            let frames_out = resampler.output_frames_next();
            self.scratch.resize(frames_out * ch, 0.0);
            let inp = InterleavedSlice::new(&self.pending[..CHUNK * ch], ch, CHUNK)
                .map_err(|e| e.to_string())?;
            let mut outp = InterleavedSlice::new_mut(&mut self.scratch, ch, frames_out)
                .map_err(|e| e.to_string())?;
            let (_, written) = resampler
                .process_into_buffer(&inp, &mut outp, None)
                .map_err(|e| e.to_string())?;
            out.extend_from_slice(&self.scratch[..written * ch]);
            self.pending.drain(..CHUNK * ch);
        }
        Ok(())
    }

    /// Forgets held-back input and the resampler's history (after a seek).
    pub fn reset(&mut self) {
        self.pending.clear();
        if let Some(r) = &mut self.resampler {
            r.reset();
        }
    }
}

/// Maps interleaved frames of `from` channels to `to` channels: mono is copied to every
/// output channel, extra input channels are dropped, missing output channels are silent.
fn map_channels(input: &[f32], from: usize, to: usize, out: &mut Vec<f32>) {
    if from == to {
        out.extend_from_slice(input);
        return;
    }
    for frame in input.chunks_exact(from) {
        for c in 0..to {
            let v = if from == 1 {
                frame[0]
            } else {
                frame.get(c).copied().unwrap_or(0.0)
            };
            out.push(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f32, rate: u32, frames: usize) -> Vec<f32> {
        (0..frames)
            .flat_map(|i| {
                let v = (i as f32 * freq * std::f32::consts::TAU / rate as f32).sin() * 0.5;
                [v, v]
            })
            .collect()
    }

    /// Frequency of a stereo sine from its upward zero crossings.
    fn measure_hz(samples: &[f32], rate: u32) -> f32 {
        let left: Vec<f32> = samples.iter().step_by(2).copied().collect();
        let crossings: Vec<usize> = (1..left.len())
            .filter(|&i| left[i - 1] < 0.0 && left[i] >= 0.0)
            .collect();
        let (first, last) = (crossings[0], crossings[crossings.len() - 1]);
        (crossings.len() - 1) as f32 * rate as f32 / (last - first) as f32
    }

    #[test]
    fn resampling_48k_to_44k1_keeps_pitch_and_length() {
        let mut c = Converter::new((48_000, 2), (44_100, 2)).expect("converter");
        assert!(!c.is_identity());
        let input = sine(1000.0, 48_000, 48_000);
        let mut out = Vec::new();
        for part in input.chunks(2 * 700) {
            c.process(part, &mut out).expect("process");
        }
        let frames = out.len() / 2;
        assert!((43_000..=44_100).contains(&frames), "{frames} frames");
        let hz = measure_hz(&out[2 * 4096..], 44_100);
        assert!((hz - 1000.0).abs() < 1.0, "{hz} Hz");
    }

    #[test]
    fn same_rate_maps_channels_only() {
        let mut c = Converter::new((48_000, 1), (48_000, 2)).expect("converter");
        let mut out = Vec::new();
        c.process(&[0.1, 0.2], &mut out).expect("process");
        assert_eq!(out, vec![0.1, 0.1, 0.2, 0.2]);
        let mut c = Converter::new((48_000, 6), (48_000, 2)).expect("converter");
        let mut out = Vec::new();
        c.process(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &mut out)
            .expect("process");
        assert_eq!(out, vec![1.0, 2.0]);
        assert!(
            Converter::new((48_000, 2), (48_000, 2))
                .expect("c")
                .is_identity()
        );
        assert!(Converter::new((0, 2), (48_000, 2)).is_err());
    }
}
