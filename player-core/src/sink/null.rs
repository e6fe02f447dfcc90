//! Sinks that discard media: paced in real time like a device, or as fast as possible.

use std::time::{Duration, Instant};

use super::{AudioSink, SinkError, VideoSink};
use crate::base::VideoFrame;

/// Discards pictures.
#[derive(Debug, Default)]
pub struct NullVideoSink {
    presented: u64,
}

impl NullVideoSink {
    /// Pictures presented so far.
    pub fn presented(&self) -> u64 {
        self.presented
    }
}

impl VideoSink for NullVideoSink {
    fn present(&mut self, _frame: &VideoFrame) -> Result<(), SinkError> {
        self.presented += 1;
        Ok(())
    }
}

/// Discards audio. Paced, it behaves like a sound card with a 100 ms buffer playing in real
/// time; unpaced, everything written counts as heard at once (`--fast`).
#[derive(Debug)]
pub struct NullAudioSink {
    paced: bool,
    /// Media seconds played per wall second when paced.
    speed: f64,
    rate: u32,
    channels: u16,
    written: u64,
    played: u64,
    paused: bool,
    last_tick: Instant,
    /// Sub-frame remainder of elapsed time, so pacing does not drift.
    carry_nanos: u128,
}

/// How much audio a paced null sink holds, like a device buffer.
const DEVICE_BUFFER: Duration = Duration::from_millis(100);

impl NullAudioSink {
    /// A sink paced in real time.
    pub fn paced() -> NullAudioSink {
        NullAudioSink::new(true)
    }

    /// A sink paced at `speed` times real time (for a faster test clock).
    pub fn paced_at(speed: f64) -> NullAudioSink {
        let mut s = NullAudioSink::new(true);
        s.speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        s
    }

    /// A sink that takes everything at once.
    pub fn unpaced() -> NullAudioSink {
        NullAudioSink::new(false)
    }

    fn new(paced: bool) -> NullAudioSink {
        NullAudioSink {
            paced,
            speed: 1.0,
            rate: 48_000,
            channels: 2,
            written: 0,
            played: 0,
            paused: false,
            last_tick: Instant::now(),
            carry_nanos: 0,
        }
    }

    fn tick(&mut self) {
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(self.last_tick);
        self.last_tick = now;
        if !self.paced {
            self.played = self.written;
            return;
        }
        if self.paused {
            return;
        }
        let nanos =
            elapsed.mul_f64(self.speed).as_nanos() * u128::from(self.rate) + self.carry_nanos;
        let frames = nanos / 1_000_000_000;
        self.carry_nanos = nanos % 1_000_000_000;
        let frames = u64::try_from(frames).unwrap_or(u64::MAX);
        self.played = self.played.saturating_add(frames).min(self.written);
        if self.played == self.written {
            // An underrun: the device plays silence, which must not count as heard.
            self.carry_nanos = 0;
        }
    }

    fn capacity_frames(&self) -> u64 {
        crate::time::duration_to_ticks(DEVICE_BUFFER.mul_f64(self.speed), u64::from(self.rate))
    }
}

impl AudioSink for NullAudioSink {
    fn start(&mut self, sample_rate: u32, channels: u16) -> Result<(), SinkError> {
        if sample_rate == 0 || channels == 0 {
            return Err(SinkError {
                sink: "null audio".into(),
                message: format!("invalid format {sample_rate} Hz × {channels}"),
            });
        }
        self.rate = sample_rate;
        self.channels = channels;
        self.flush();
        Ok(())
    }

    fn write(&mut self, samples: &[f32]) -> Result<usize, SinkError> {
        let channels = usize::from(self.channels);
        let frames = samples.len() / channels;
        self.tick();
        if !self.paced {
            self.written += frames as u64;
            self.played = self.written;
            return Ok(frames);
        }
        let mut room = self
            .capacity_frames()
            .saturating_sub(self.written - self.played);
        if room == 0 {
            // Like a blocking device write, but short, so the caller stays responsive.
            std::thread::sleep(Duration::from_millis(5));
            self.tick();
            room = self
                .capacity_frames()
                .saturating_sub(self.written - self.played);
        }
        let take = (frames as u64).min(room);
        self.written += take;
        Ok(take as usize)
    }

    fn played(&mut self) -> u64 {
        self.tick();
        self.played
    }

    fn set_paused(&mut self, paused: bool) {
        self.tick();
        self.paused = paused;
    }

    fn flush(&mut self) {
        self.written = 0;
        self.played = 0;
        self.carry_nanos = 0;
        self.last_tick = Instant::now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpaced_sink_takes_everything_and_counts_it_played() {
        let mut s = NullAudioSink::unpaced();
        s.start(48_000, 2).expect("start");
        assert_eq!(s.write(&[0.0; 9600]).expect("write"), 4800);
        assert_eq!(s.played(), 4800);
        s.flush();
        assert_eq!(s.played(), 0);
    }

    #[test]
    fn paced_sink_accepts_only_a_device_buffer_and_never_plays_more_than_written() {
        let mut s = NullAudioSink::paced();
        s.start(48_000, 1).expect("start");
        let took = s.write(&[0.0; 48_000]).expect("write");
        assert!(took <= 4800 + 1, "took {took}");
        assert!(s.played() <= took as u64);
        s.set_paused(true);
        let p = s.played();
        assert_eq!(s.played(), p);
    }

    #[test]
    fn invalid_format_is_an_error() {
        let mut s = NullAudioSink::paced();
        assert!(s.start(0, 2).is_err());
    }
}
