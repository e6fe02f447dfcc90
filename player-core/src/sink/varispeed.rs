//! Playing audio a few percent faster or slower (live latency control) without clicks: the
//! PCM goes through rubato's variable-ratio resampler, whose ratio ramps smoothly from one
//! rate to the next, and every stretch of output is mapped back to the media time it came
//! from, so the samples the sink has played still tell the clock where playback is.
//!
//! Until a rate other than 1 is asked for, samples pass through untouched (on-demand audio
//! stays bit-exact); once the resampler is in, it stays, so its small delay never jumps.

use std::collections::VecDeque;
use std::time::Duration;

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Adjustable, Async, FixedAsync, PolynomialDegree, Resampler};

use crate::time::ticks_to_duration;

/// Input frames per resampler call (21 ms at 48 kHz: rate changes take effect that soon).
const CHUNK: usize = 1024;
/// The furthest the rate may go from 1, as the resampler is built for.
const MAX_RELATIVE: f64 = 1.25;

/// A stretch of output and the media it carries.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    /// First output frame, counted since the last reset.
    out_start: u64,
    out_frames: u64,
    /// Media time of its first input frame.
    media_start: Duration,
    media_frames: u64,
}

/// Rate-adjustable audio with a map from output frames to media time.
pub(crate) struct Varispeed {
    sample_rate: u32,
    channels: usize,
    resampler: Option<Async<f32>>,
    rate: f64,
    /// Input waiting for a whole resampler chunk, and the media time of its first frame.
    input: Vec<f32>,
    input_start: Option<Duration>,
    segments: VecDeque<Segment>,
    /// Output frames produced since the last reset.
    produced: u64,
    scratch: Vec<f32>,
}

impl Varispeed {
    /// Audio at `sample_rate` with `channels` interleaved, playing at rate 1.
    pub fn new(sample_rate: u32, channels: u16) -> Varispeed {
        Varispeed {
            sample_rate: sample_rate.max(1),
            channels: usize::from(channels.max(1)),
            resampler: None,
            rate: 1.0,
            input: Vec::new(),
            input_start: None,
            segments: VecDeque::new(),
            produced: 0,
            scratch: Vec::new(),
        }
    }

    /// Forgets everything (a flush, a seek, a jump in the timestamps).
    pub fn reset(&mut self) {
        if let Some(r) = &mut self.resampler {
            r.reset();
        }
        self.input.clear();
        self.input_start = None;
        self.segments.clear();
        self.produced = 0;
    }

    /// Plays at `rate` from the next chunk on (ramping smoothly to it).
    pub fn set_rate(&mut self, rate: f64) {
        let rate = rate.clamp(1.0 / MAX_RELATIVE, MAX_RELATIVE);
        if (rate - self.rate).abs() < 1e-9 {
            return;
        }
        self.rate = rate;
        if self.resampler.is_none() {
            let made = Async::new_poly(
                1.0,
                MAX_RELATIVE,
                PolynomialDegree::Septic,
                CHUNK,
                self.channels,
                FixedAsync::Input,
            );
            match made {
                Ok(r) => self.resampler = Some(r),
                Err(e) => tracing::warn!("no rate control for audio: {e}"),
            }
        }
        if let Some(r) = &mut self.resampler
            && let Err(e) = r.set_resample_ratio(1.0 / rate, true)
        {
            tracing::warn!("audio rate {rate}: {e}");
        }
    }

    /// The media time just after the last sample taken in.
    pub fn media_end(&self) -> Option<Duration> {
        let frames = (self.input.len() / self.channels) as u64;
        match self.input_start {
            Some(start) => Some(start + self.frames(frames)),
            None => self
                .segments
                .back()
                .map(|s| s.media_start + self.frames(s.media_frames)),
        }
    }

    /// Output frames produced since the last reset.
    #[cfg(test)]
    pub fn produced(&self) -> u64 {
        self.produced
    }

    fn frames(&self, n: u64) -> Duration {
        ticks_to_duration(n, u64::from(self.sample_rate))
    }

    /// Takes media samples starting at media time `start`; appends what is ready to play.
    pub fn push(&mut self, start: Duration, samples: &[f32], out: &mut Vec<f32>) {
        let frames = (samples.len() / self.channels) as u64;
        if self.resampler.is_none() {
            out.extend_from_slice(samples);
            self.record(start, frames, frames);
            return;
        }
        self.input_start.get_or_insert(start);
        self.input.extend_from_slice(samples);
        while self.input.len() >= CHUNK * self.channels {
            self.process_chunk(out);
        }
    }

    /// At the end of the stream: plays what waits for a whole chunk.
    pub fn finish(&mut self, out: &mut Vec<f32>) {
        let real = self.input.len() / self.channels;
        if self.resampler.is_none() || real == 0 {
            return;
        }
        self.input.resize(CHUNK * self.channels, 0.0);
        let before = out.len();
        let produced_before = self.produced;
        self.process_chunk(out);
        // Keep only the output that came from real input, not the padding.
        let keep = (out.len() - before) / self.channels * real / CHUNK;
        out.truncate(before + keep * self.channels);
        if let Some(s) = self.segments.back_mut() {
            s.out_frames = keep as u64;
            s.media_frames = real as u64;
        }
        self.produced = produced_before + keep as u64;
    }

    fn process_chunk(&mut self, out: &mut Vec<f32>) {
        let ch = self.channels;
        let Some(r) = &mut self.resampler else {
            return;
        };
        let frames_out = r.output_frames_next();
        self.scratch.resize(frames_out * ch, 0.0);
        let result = InterleavedSlice::new(&self.input[..CHUNK * ch], ch, CHUNK)
            .and_then(|inp| {
                InterleavedSlice::new_mut(&mut self.scratch, ch, frames_out).map(|o| (inp, o))
            })
            .map_err(|e| e.to_string())
            .and_then(|(inp, mut outp)| {
                r.process_into_buffer(&inp, &mut outp, None)
                    .map_err(|e| e.to_string())
            });
        let written = match result {
            Ok((_, written)) => written,
            Err(e) => {
                tracing::warn!("audio rate control: {e}");
                0
            }
        };
        out.extend_from_slice(&self.scratch[..written * ch]);
        let start = self.input_start.unwrap_or_default();
        self.input.drain(..CHUNK * ch);
        self.input_start = Some(start + self.frames(CHUNK as u64));
        self.record(start, CHUNK as u64, written as u64);
    }

    fn record(&mut self, media_start: Duration, media_frames: u64, out_frames: u64) {
        let out_start = self.produced;
        self.produced += out_frames;
        let sample_rate = u64::from(self.sample_rate);
        // Consecutive untouched stretches are one.
        if let Some(last) = self.segments.back_mut()
            && last.out_frames == last.media_frames
            && media_frames == out_frames
            && last.media_start + ticks_to_duration(last.media_frames, sample_rate) == media_start
        {
            last.out_frames += out_frames;
            last.media_frames += media_frames;
            return;
        }
        self.segments.push_back(Segment {
            out_start,
            out_frames,
            media_start,
            media_frames,
        });
    }

    /// The media time of output frame `played` (what the sink has played so far); segments
    /// wholly played are forgotten.
    pub fn media_at(&mut self, played: u64) -> Option<Duration> {
        while self
            .segments
            .front()
            .is_some_and(|s| s.out_start + s.out_frames < played && self.segments.len() > 1)
        {
            self.segments.pop_front();
        }
        let s = *self
            .segments
            .iter()
            .find(|s| played < s.out_start + s.out_frames)
            .or(self.segments.back())?;
        let into = played.saturating_sub(s.out_start).min(s.out_frames);
        let media = if s.out_frames == 0 {
            0
        } else {
            (u128::from(into) * u128::from(s.media_frames) / u128::from(s.out_frames)) as u64
        };
        Some(s.media_start + self.frames(media))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SR: u32 = 48_000;

    fn tone(frames: usize) -> Vec<f32> {
        (0..frames)
            .flat_map(|i| {
                let v = (i as f32 * 1000.0 * std::f32::consts::TAU / SR as f32).sin() * 0.5;
                [v, v]
            })
            .collect()
    }

    #[test]
    fn at_rate_one_samples_pass_untouched_and_map_one_to_one() {
        let mut v = Varispeed::new(SR, 2);
        let input = tone(4800);
        let mut out = Vec::new();
        v.push(Duration::from_secs(10), &input[..4800], &mut out);
        v.push(Duration::from_millis(10_050), &input[4800..], &mut out);
        assert_eq!(out, input);
        assert_eq!(v.produced(), 4800);
        assert_eq!(v.media_at(2400), Some(Duration::from_millis(10_050)));
        assert_eq!(v.media_end(), Some(Duration::from_millis(10_100)));
    }

    #[test]
    fn faster_playback_makes_less_output_that_still_maps_to_media_time() {
        let mut v = Varispeed::new(SR, 2);
        v.set_rate(1.05);
        let mut out = Vec::new();
        // Two seconds of media.
        let input = tone(96_000);
        for (i, chunk) in input.chunks(2048).enumerate() {
            let start = Duration::from_secs_f64((i * 1024) as f64 / f64::from(SR));
            v.push(start, chunk, &mut out);
        }
        v.finish(&mut out);
        let produced = out.len() / 2;
        let expected = 96_000.0 / 1.05;
        assert!((produced as f64 - expected).abs() < 600.0, "{produced}");
        assert_eq!(v.produced() as usize, produced);
        // Halfway through the output is halfway through the media.
        let mid = v.media_at(produced as u64 / 2).expect("mapped");
        assert!((mid.as_secs_f64() - 1.0).abs() < 0.02, "{mid:?}");
        // The output is the same tone, a little higher: no silence, no clicks (bounded
        // sample-to-sample steps).
        let steps = out
            .windows(4)
            .map(|w| (w[2] - w[0]).abs())
            .fold(0.0f32, f32::max);
        assert!(steps < 0.1, "{steps}");
        let rms = (out.iter().map(|s| s * s).sum::<f32>() / out.len() as f32).sqrt();
        assert!((rms - 0.354).abs() < 0.02, "{rms}");
    }

    #[test]
    fn a_reset_forgets_the_map() {
        let mut v = Varispeed::new(SR, 2);
        let mut out = Vec::new();
        v.push(Duration::ZERO, &tone(1000), &mut out);
        v.reset();
        assert_eq!(v.media_at(0), None);
        assert_eq!(v.media_end(), None);
        assert_eq!(v.produced(), 0);
    }
}
