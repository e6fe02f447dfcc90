//! Counters behind the periodic stats and the end-of-session QoE summary.

use std::time::{Duration, Instant};

use crate::session::{Counters, Event, LevelCounters, StreamKind, Summary};

/// Accumulates what the user experienced.
#[derive(Debug, Default, Clone)]
pub(crate) struct StatsAccum {
    pub frames_decoded: u64,
    /// CPU time spent in the video decoder.
    pub decode_time: Duration,
    /// Duration of the last picture shown, seconds.
    pub last_frame_s: f64,
    /// Decoder counters per level (bitrate).
    per_level: Vec<(u64, LevelCounters)>,
    pub frames_dropped: u64,
    pub frames_presented: u64,
    pub audio_frames_played: u64,
    pub first_frame_at: Option<Instant>,
    pub rebuffers: u64,
    pub rebuffer_time: Duration,
    pub stall_started: Option<Instant>,
    pub switches: u64,
    /// Level on screen: bitrate, width, height.
    pub shown: Option<(u64, u32, u32)>,
    /// Σ bitrate × seconds shown, and seconds shown.
    bitrate_seconds: f64,
    shown_seconds: f64,
    /// Media seconds played (video frames shown, or audio when there is no video).
    pub media_played: Duration,
    drift_sum_ms: f64,
    drift_max_ms: f64,
    drift_count: u64,
}

impl StatsAccum {
    /// Records `n` pictures of the level at `bitrate` out of the decoder, after `cpu` CPU time
    /// and `wall` elapsed.
    pub fn on_decoded(&mut self, bitrate: u64, n: u64, cpu: Duration, wall: Duration) {
        self.frames_decoded += n;
        self.decode_time += cpu;
        let l = self.level(bitrate);
        l.decoded += n;
        l.decode_wall += wall;
    }

    /// Records a picture of the level at `bitrate` that was not shown (late, or skipped to
    /// catch up).
    pub fn on_dropped(&mut self, bitrate: u64) {
        self.frames_dropped += 1;
        self.level(bitrate).dropped += 1;
    }

    fn level(&mut self, bitrate: u64) -> &mut LevelCounters {
        match self.per_level.iter().position(|(b, _)| *b == bitrate) {
            Some(i) => &mut self.per_level[i].1,
            None => {
                self.per_level.push((bitrate, LevelCounters::default()));
                let last = self.per_level.len() - 1;
                &mut self.per_level[last].1
            }
        }
    }

    /// What the session is told at each tick.
    pub fn counters(&self) -> Counters {
        Counters {
            frames_decoded: self.frames_decoded,
            frames_dropped: self.frames_dropped,
            audio_frames: self.audio_frames_played,
            shown: self.shown,
            frame_s: self.frame_s(),
            per_level: self.per_level.clone(),
        }
    }

    /// Counts what an event says the user went through: stalls and quality switches.
    pub fn on_event(&mut self, ev: &Event, at: Instant) {
        match ev {
            Event::Buffering { active: true } => self.stall_begin(at),
            Event::Buffering { active: false } => self.stall_end(at),
            Event::Quality {
                stream: StreamKind::Video,
                from: Some(_),
                ..
            } => self.switches += 1,
            _ => {}
        }
    }

    /// The duration of the pictures being shown, seconds.
    pub fn frame_s(&self) -> f64 {
        if self.last_frame_s > 0.0 {
            self.last_frame_s
        } else {
            0.04
        }
    }

    /// Records a picture shown for `duration` at `bitrate`, `drift` away from the clock.
    pub fn on_presented(
        &mut self,
        bitrate: u64,
        width: u32,
        height: u32,
        duration: Duration,
        drift: Option<Duration>,
        at: Instant,
    ) {
        self.frames_presented += 1;
        self.first_frame_at.get_or_insert(at);
        self.shown = Some((bitrate, width, height));
        let secs = duration.as_secs_f64();
        if secs > 0.0 {
            self.last_frame_s = secs;
        }
        self.bitrate_seconds += bitrate as f64 * secs;
        self.shown_seconds += secs;
        self.media_played += duration;
        if let Some(d) = drift {
            let ms = d.as_secs_f64() * 1000.0;
            self.drift_sum_ms += ms;
            self.drift_max_ms = self.drift_max_ms.max(ms);
            self.drift_count += 1;
        }
    }

    /// Records the audio output's played counter (sample frames since its last flush).
    pub fn audio_frames_played_now(&mut self, played: u64) {
        self.audio_frames_played = played;
    }

    /// Records the start of a stall (after playback has begun).
    pub fn stall_begin(&mut self, at: Instant) {
        if self.stall_started.is_none() {
            self.rebuffers += 1;
            self.stall_started = Some(at);
        }
    }

    /// Records the end of a stall.
    pub fn stall_end(&mut self, at: Instant) {
        if let Some(s) = self.stall_started.take() {
            self.rebuffer_time += at.saturating_duration_since(s);
        }
    }

    /// The QoE summary so far.
    pub fn summary(&self, opened_at: Instant, now: Instant) -> Summary {
        let mut rebuffer = self.rebuffer_time;
        if let Some(s) = self.stall_started {
            rebuffer += now.saturating_duration_since(s);
        }
        let avg = if self.shown_seconds > 0.0 {
            (self.bitrate_seconds / self.shown_seconds).round() as u64
        } else {
            0
        };
        let (drift, drift_max) = if self.drift_count > 0 {
            (
                Some(self.drift_sum_ms / self.drift_count as f64),
                Some(self.drift_max_ms),
            )
        } else {
            (None, None)
        };
        Summary {
            startup_s: self
                .first_frame_at
                .map(|t| t.saturating_duration_since(opened_at).as_secs_f64()),
            rebuffers: self.rebuffers,
            rebuffer_s: rebuffer.as_secs_f64(),
            avg_bitrate: avg,
            switches: self.switches,
            frames_decoded: self.frames_decoded,
            frames_dropped: self.frames_dropped,
            duration_played_s: self.media_played.as_secs_f64(),
            decode_s: self.decode_time.as_secs_f64(),
            av_drift_ms: drift,
            av_drift_max_ms: drift_max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_bitrate_is_time_weighted_and_stalls_accumulate() {
        let t0 = Instant::now();
        let mut s = StatsAccum::default();
        s.on_presented(1000, 320, 180, Duration::from_secs(3), None, t0);
        s.on_presented(4000, 1280, 720, Duration::from_secs(1), None, t0);
        s.stall_begin(t0);
        s.stall_begin(t0);
        s.stall_end(t0 + Duration::from_millis(500));
        let sum = s.summary(t0, t0);
        assert_eq!(sum.avg_bitrate, 1750);
        assert_eq!(sum.rebuffers, 1);
        assert!((sum.rebuffer_s - 0.5).abs() < 1e-9);
        assert_eq!(sum.startup_s, Some(0.0));
        assert_eq!(sum.duration_played_s, 4.0);
    }
}
