//! Sound through cpal: the player's [`AudioSink`] on the default output device.
//!
//! The player's audio thread writes into a lock-free ring; the device callback takes from it
//! and counts what it took — that count is `played()`, the master clock. When the device
//! wants another rate or channel count the samples are converted on the writing side. With
//! no usable device (headless servers, CI) the sink falls back to a paced null sink after one
//! warning: no sound, but playback runs in real time.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};
use player_core::sink::{AudioSink, NullAudioSink, SinkError};
use ringbuf::HeapRb;
use ringbuf::traits::{Consumer, Observer, Producer, Split};

use crate::resample::Converter;

/// Audio queued between the writer and the device callback.
const RING: Duration = Duration::from_millis(200);
/// The device period asked for.
const PERIOD: Duration = Duration::from_millis(40);
/// Input frames converted per write.
const WRITE_CHUNK: usize = 1024;
/// How long a write may wait for room.
const WAIT: Duration = Duration::from_millis(5);

/// State shared with the device callback.
#[derive(Default)]
struct Shared {
    paused: AtomicBool,
    muted: AtomicBool,
    /// f32 bits of the gain.
    volume: AtomicU32,
    /// Bumped by `flush`; the callback empties the ring and acknowledges it.
    epoch: AtomicU64,
    acked: AtomicU64,
    /// Device frames the callback took since it acknowledged the current epoch.
    consumed: AtomicU64,
    /// Set by the stream's error callback when the device stops working.
    failed: AtomicBool,
}

/// The UI's handle on the sound: volume, mute, and what is playing it.
#[derive(Clone)]
pub struct AudioControl {
    shared: Arc<Shared>,
    output: Arc<Mutex<String>>,
}

impl AudioControl {
    /// Sets the volume (0.0-1.0).
    pub fn set_volume(&self, volume: f32) {
        let v = volume.clamp(0.0, 1.0);
        self.shared.volume.store(v.to_bits(), Ordering::Relaxed);
    }

    /// The volume (0.0-1.0).
    pub fn volume(&self) -> f32 {
        f32::from_bits(self.shared.volume.load(Ordering::Relaxed))
    }

    /// Mutes or unmutes.
    pub fn set_muted(&self, muted: bool) {
        self.shared.muted.store(muted, Ordering::Relaxed);
    }

    /// Whether muted.
    pub fn muted(&self) -> bool {
        self.shared.muted.load(Ordering::Relaxed)
    }

    /// What plays the sound: the device name, or why nothing does.
    pub fn output(&self) -> String {
        self.output
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    fn set_output(&self, text: String) {
        match self.output.lock() {
            Ok(mut s) => *s = text,
            Err(p) => *p.into_inner() = text,
        }
    }
}

/// An open device stream and the writing side of its ring.
struct DeviceOut {
    _stream: cpal::Stream,
    producer: ringbuf::HeapProd<f32>,
    input: (u32, u16),
    device_rate: u32,
    device_channels: usize,
    converter: Converter,
    /// Converted samples not yet in the ring (whole device frames).
    staged: Vec<f32>,
    /// Input frames accepted since start/flush.
    accepted: u64,
}

enum Backend {
    Idle,
    Device(Box<DeviceOut>),
    Null(NullAudioSink),
}

/// The desktop player's audio sink.
pub struct CpalAudioSink {
    control: AudioControl,
    backend: Backend,
    /// What `played()` reported before a switch to the null sink, so the clock never runs back.
    played_base: u64,
}

impl CpalAudioSink {
    /// A sink that opens the default device on `start`, at `volume`; and the UI's handle on it.
    pub fn new(volume: f32) -> (CpalAudioSink, AudioControl) {
        let control = AudioControl {
            shared: Arc::new(Shared::default()),
            output: Arc::new(Mutex::new("not started".into())),
        };
        control.set_volume(volume);
        let sink = CpalAudioSink {
            control: control.clone(),
            backend: Backend::Idle,
            played_base: 0,
        };
        (sink, control)
    }

    fn fall_back(&mut self, why: &str, format: (u32, u16)) -> Result<(), SinkError> {
        if !matches!(self.backend, Backend::Null(_)) {
            tracing::debug!("no usable audio output ({why}): playing without sound");
            eprintln!("smoothplay: no usable audio output ({why}): playing without sound");
        }
        self.played_base = self.played();
        self.control
            .set_output("none (silent, paced by the clock)".into());
        let mut null = NullAudioSink::paced();
        null.start(format.0, format.1)?;
        self.backend = Backend::Null(null);
        Ok(())
    }
}

impl AudioSink for CpalAudioSink {
    fn start(&mut self, sample_rate: u32, channels: u16) -> Result<(), SinkError> {
        if sample_rate == 0 || channels == 0 {
            return Err(SinkError {
                sink: "audio output".into(),
                message: format!("invalid format {sample_rate} Hz × {channels}"),
            });
        }
        self.played_base = 0;
        // A (re)started output plays: the player's audio thread assumes so after `start`.
        self.control.shared.paused.store(false, Ordering::Relaxed);
        if let Backend::Null(null) = &mut self.backend {
            // The device was unusable once: it stays the null sink for this session.
            return null.start(sample_rate, channels);
        }
        self.backend = Backend::Idle;
        match open_device(&self.control.shared, (sample_rate, channels)) {
            Ok((out, name)) => {
                tracing::info!(
                    "audio output: {name}, {} Hz × {} (stream {sample_rate} Hz × {channels})",
                    out.device_rate,
                    out.device_channels
                );
                self.control.set_output(name);
                self.backend = Backend::Device(Box::new(out));
                Ok(())
            }
            Err(why) => self.fall_back(&why, (sample_rate, channels)),
        }
    }

    fn write(&mut self, samples: &[f32]) -> Result<usize, SinkError> {
        if self.control.shared.failed.load(Ordering::Relaxed)
            && let Backend::Device(out) = &self.backend
        {
            let format = out.input;
            self.fall_back("the device stopped working", format)?;
        }
        match &mut self.backend {
            Backend::Idle => Err(SinkError {
                sink: "audio output".into(),
                message: "written before start".into(),
            }),
            Backend::Null(null) => null.write(samples),
            Backend::Device(out) => out.write(&self.control.shared, samples),
        }
    }

    fn played(&mut self) -> u64 {
        let now = match &mut self.backend {
            Backend::Idle => 0,
            Backend::Null(null) => null.played(),
            Backend::Device(out) => out.played(&self.control.shared),
        };
        self.played_base + now
    }

    fn set_paused(&mut self, paused: bool) {
        self.control.shared.paused.store(paused, Ordering::Relaxed);
        if let Backend::Null(null) = &mut self.backend {
            null.set_paused(paused);
        }
    }

    fn flush(&mut self) {
        self.played_base = 0;
        match &mut self.backend {
            Backend::Idle => {}
            Backend::Null(null) => null.flush(),
            Backend::Device(out) => {
                self.control.shared.epoch.fetch_add(1, Ordering::AcqRel);
                out.staged.clear();
                out.converter.reset();
                out.accepted = 0;
            }
        }
    }

    fn set_volume(&mut self, volume: f32) {
        self.control.set_volume(volume);
    }
}

impl DeviceOut {
    fn flush_acked(shared: &Shared) -> bool {
        shared.acked.load(Ordering::Acquire) == shared.epoch.load(Ordering::Acquire)
    }

    /// Moves staged samples into the ring, whole frames only; true when none are left.
    fn push_staged(&mut self) -> bool {
        let room = self.producer.vacant_len() / self.device_channels * self.device_channels;
        let n = room.min(self.staged.len());
        let pushed = self.producer.push_slice(&self.staged[..n]);
        self.staged.drain(..pushed);
        self.staged.is_empty()
    }

    fn write(&mut self, shared: &Shared, samples: &[f32]) -> Result<usize, SinkError> {
        // After a flush the callback empties the ring first; anything written before that
        // would be thrown away with the old samples.
        if !Self::flush_acked(shared) {
            std::thread::sleep(WAIT);
            if !Self::flush_acked(shared) {
                return Ok(0);
            }
        }
        if !self.push_staged() {
            std::thread::sleep(WAIT);
            if !self.push_staged() {
                return Ok(0);
            }
        }
        let channels = usize::from(self.input.1);
        let frames = (samples.len() / channels).min(WRITE_CHUNK);
        let chunk = &samples[..frames * channels];
        if self.converter.is_identity() {
            self.staged.extend_from_slice(chunk);
        } else {
            self.converter
                .process(chunk, &mut self.staged)
                .map_err(|message| SinkError {
                    sink: "audio output".into(),
                    message,
                })?;
        }
        self.accepted += frames as u64;
        self.push_staged();
        Ok(frames)
    }

    /// Input frames the callback has played since start/flush.
    fn played(&self, shared: &Shared) -> u64 {
        if !Self::flush_acked(shared) {
            return 0;
        }
        let device_frames = shared.consumed.load(Ordering::Acquire);
        let frames = if self.device_rate == self.input.0 {
            device_frames
        } else {
            (u128::from(device_frames) * u128::from(self.input.0) / u128::from(self.device_rate))
                as u64
        };
        frames.min(self.accepted)
    }
}

/// Opens the default output device for `input` (rate, channels): at that format when the
/// device supports it, else at the device's default with conversion. Returns why not.
fn open_device(shared: &Arc<Shared>, input: (u32, u16)) -> Result<(DeviceOut, String), String> {
    let host = cpal::default_host();
    let device = host
        .default_output_device()
        .ok_or_else(|| format!("no output device on {}", host.id().name()))?;
    let name = device
        .description()
        .map(|d| d.name().to_string())
        .unwrap_or_else(|_| "default device".into());
    let exact = device.supported_output_configs().ok().and_then(|configs| {
        let mut fits: Vec<_> = configs
            .filter(|c| c.channels() == input.1)
            .filter_map(|c| c.try_with_sample_rate(input.0))
            .collect();
        // f32 first: no conversion in the callback.
        fits.sort_by_key(|c| c.sample_format() != SampleFormat::F32);
        fits.into_iter().next()
    });
    let supported = match exact {
        Some(c) => c,
        None => device
            .default_output_config()
            .map_err(|e| format!("{name}: {e}"))?,
    };
    let format = supported.sample_format();
    let mut config: cpal::StreamConfig = supported.config();
    // A short device period: the clock advances in steps of one period, and some servers
    // (PulseAudio) otherwise ask for seconds at a time.
    let period = config.sample_rate / 1000 * PERIOD.as_millis() as u32;
    config.buffer_size = match supported.buffer_size() {
        cpal::SupportedBufferSize::Range { min, max } => {
            cpal::BufferSize::Fixed(period.clamp(*min, (*max).max(*min)))
        }
        cpal::SupportedBufferSize::Unknown => cpal::BufferSize::Fixed(period),
    };
    let (device_rate, device_channels) = (config.sample_rate, config.channels);
    let capacity = (u64::from(device_rate) * RING.as_millis() as u64 / 1000) as usize
        * usize::from(device_channels);
    let (producer, consumer) = HeapRb::<f32>::new(capacity.max(1024)).split();
    // Start from a clean slate: a new stream acknowledges the current epoch.
    shared.consumed.store(0, Ordering::Release);
    shared.failed.store(false, Ordering::Release);
    let stream = match format {
        SampleFormat::F32 => build::<f32>(&device, &config, consumer, shared.clone()),
        SampleFormat::I16 => build::<i16>(&device, &config, consumer, shared.clone()),
        SampleFormat::I32 => build::<i32>(&device, &config, consumer, shared.clone()),
        SampleFormat::U16 => build::<u16>(&device, &config, consumer, shared.clone()),
        SampleFormat::U8 => build::<u8>(&device, &config, consumer, shared.clone()),
        SampleFormat::F64 => build::<f64>(&device, &config, consumer, shared.clone()),
        other => return Err(format!("{name}: unsupported sample format {other}")),
    }
    .map_err(|e| format!("{name}: {e}"))?;
    stream.play().map_err(|e| format!("{name}: {e}"))?;
    let converter = Converter::new(input, (device_rate, device_channels))?;
    let out = DeviceOut {
        _stream: stream,
        producer,
        input,
        device_rate,
        device_channels: usize::from(device_channels),
        converter,
        staged: Vec::new(),
        accepted: 0,
    };
    Ok((out, name))
}

fn build<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    mut consumer: ringbuf::HeapCons<f32>,
    shared: Arc<Shared>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + FromSample<f32>,
{
    let channels = usize::from(config.channels).max(1);
    let mut seen_epoch = shared.epoch.load(Ordering::Acquire);
    shared.acked.store(seen_epoch, Ordering::Release);
    let errors = shared.clone();
    let mut scratch: Vec<f32> = Vec::new();
    device.build_output_stream::<T, _, _>(
        *config,
        move |data: &mut [T], _| {
            let epoch = shared.epoch.load(Ordering::Acquire);
            if epoch != seen_epoch {
                consumer.clear();
                shared.consumed.store(0, Ordering::Release);
                shared.acked.store(epoch, Ordering::Release);
                seen_epoch = epoch;
            }
            let silence = T::from_sample(0.0f32);
            if shared.paused.load(Ordering::Relaxed) {
                data.fill(silence);
                return;
            }
            if scratch.len() < data.len() {
                // Grows once to the device's period size, then never again.
                scratch.resize(data.len(), 0.0);
            }
            let want = data.len() / channels * channels;
            let got = consumer.pop_slice(&mut scratch[..want]);
            let gain = if shared.muted.load(Ordering::Relaxed) {
                0.0
            } else {
                f32::from_bits(shared.volume.load(Ordering::Relaxed))
            };
            for (d, s) in data.iter_mut().zip(&scratch[..got]) {
                *d = T::from_sample(s * gain);
            }
            data[got..].fill(silence);
            shared
                .consumed
                .fetch_add((got / channels) as u64, Ordering::AcqRel);
        },
        move |e| {
            tracing::warn!("audio output error: {e}");
            if matches!(
                e.kind(),
                cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::StreamInvalidated
            ) {
                errors.failed.store(true, Ordering::Release);
            }
        },
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sink_without_a_usable_device_still_plays_in_real_time() {
        // Whatever this machine has, start never fails and played() never runs ahead of
        // what was written.
        let (mut sink, control) = CpalAudioSink::new(0.5);
        sink.start(48_000, 2).expect("start");
        let mut written = 0u64;
        for _ in 0..20 {
            written += sink.write(&[0.0; 2048]).expect("write") as u64;
        }
        assert!(written > 0);
        assert!(sink.played() <= written);
        assert!(!control.output().is_empty());
        sink.flush();
        assert_eq!(sink.played(), 0);
        control.set_muted(true);
        assert!(control.muted());
        assert!((control.volume() - 0.5).abs() < 1e-6);
    }

    #[test]
    fn invalid_formats_are_errors() {
        let (mut sink, _) = CpalAudioSink::new(1.0);
        assert!(sink.start(0, 2).is_err());
        assert!(sink.write(&[0.0; 4]).is_err());
    }
}
