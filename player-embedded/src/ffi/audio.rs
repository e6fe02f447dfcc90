//! Audio to the host's `on_audio`: sample format, control notices and the clock.

use std::ffi::c_void;
use std::sync::Arc;
use std::time::{Duration, Instant};

use player_core::sink::{AudioSink, SinkError};
use player_core::time::ticks_to_duration;

use super::callbacks::{Gate, UserData, in_callback, micros};

/// Sample format of `sp_audio.data`.
pub type sp_audio_format = u32;
/// Interleaved 32-bit float samples in [-1, 1] (the default).
pub const SP_AUDIO_F32: sp_audio_format = 0;
/// Interleaved signed 16-bit samples.
pub const SP_AUDIO_S16: sp_audio_format = 1;

/// What an `sp_audio` carries.
pub type sp_audio_kind = u32;
/// `frames` sample frames in `data`.
pub const SP_AUDIO_SAMPLES: sp_audio_kind = 0;
/// Drop everything queued (a seek, a stream switch, a format change): later samples follow
/// at `sample_rate` × `channels`, and the count `on_audio_played` reports restarts at 0.
pub const SP_AUDIO_FLUSH: sp_audio_kind = 1;
/// Pause output, keeping what is queued.
pub const SP_AUDIO_PAUSE: sp_audio_kind = 2;
/// Resume output.
pub const SP_AUDIO_RESUME: sp_audio_kind = 3;

/// Audio for the host, or a control notice.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct sp_audio {
    /// `SP_AUDIO_SAMPLES` or a notice (`SP_AUDIO_FLUSH`, `SP_AUDIO_PAUSE`, `SP_AUDIO_RESUME`).
    pub kind: sp_audio_kind,
    /// `SP_AUDIO_F32` (float) or `SP_AUDIO_S16` (int16_t), as asked in `sp_config`.
    pub format: sp_audio_format,
    /// `frames` × `channels` interleaved samples; NULL for notices.
    pub data: *const c_void,
    /// Sample frames (samples per channel) in `data`; 0 for notices.
    pub frames: u32,
    /// Samples per second per channel.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u32,
    /// Presentation time of the first sample, microseconds from the presentation start.
    pub pts_us: i64,
}

/// Receives audio, or a control notice (`audio->kind`). For `SP_AUDIO_SAMPLES`, return how
/// many sample frames were taken (0..=`audio->frames`); the rest is offered again later. The
/// return value of control notices is ignored. Runs on the audio thread; `audio->data` is
/// valid only until the callback returns.
pub type sp_audio_cb =
    Option<unsafe extern "C" fn(user_data: *mut c_void, audio: *const sp_audio) -> u32>;

/// Optional: sample frames actually heard since the last `SP_AUDIO_FLUSH` notice (what the
/// device has played out). When given, it drives the playback clock; runs on the audio thread.
pub type sp_audio_played_cb = Option<unsafe extern "C" fn(user_data: *mut c_void) -> u64>;

/// How much audio the library hands out ahead of what its clock says was heard, when the
/// host does not report playback itself (like a device buffer).
const AHEAD: Duration = Duration::from_millis(100);

/// The clock used when the host gives no `on_audio_played`: what was taken is heard in real
/// time (or at once in fast mode).
struct Pacer {
    fast: bool,
    rate: u32,
    written: u64,
    played: u64,
    paused: bool,
    last: Instant,
    /// Sub-frame remainder of elapsed time, so pacing does not drift.
    carry: u128,
}

impl Pacer {
    fn reset(&mut self, rate: u32) {
        self.rate = rate.max(1);
        self.written = 0;
        self.played = 0;
        self.carry = 0;
        self.last = Instant::now();
    }

    fn tick(&mut self) {
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(self.last);
        self.last = now;
        if self.fast {
            self.played = self.written;
            return;
        }
        if self.paused {
            return;
        }
        let nanos = elapsed.as_nanos() * u128::from(self.rate) + self.carry;
        self.carry = nanos % 1_000_000_000;
        let frames = u64::try_from(nanos / 1_000_000_000).unwrap_or(u64::MAX);
        self.played = self.played.saturating_add(frames).min(self.written);
        if self.played == self.written {
            // Ran dry: silence is not heard media.
            self.carry = 0;
        }
    }

    /// Frames that may be handed out now.
    fn room(&mut self) -> u64 {
        self.tick();
        if self.fast {
            return u64::MAX;
        }
        let cap = player_core::time::duration_to_ticks(AHEAD, u64::from(self.rate));
        cap.saturating_sub(self.written - self.played)
    }
}

type AudioCb = unsafe extern "C" fn(*mut c_void, *const sp_audio) -> u32;
type PlayedCb = unsafe extern "C" fn(*mut c_void) -> u64;

/// The `AudioSink` behind `on_audio`.
pub(crate) struct CallbackAudioSink {
    cb: AudioCb,
    played_cb: Option<PlayedCb>,
    user: UserData,
    origin: Duration,
    format: sp_audio_format,
    rate: u32,
    channels: u16,
    /// Media time of the first frame after the last `next_pts`, and frames taken since.
    base: Duration,
    since_base: u64,
    pacer: Pacer,
    s16: Vec<i16>,
    gate: Arc<Gate>,
}

/// Where a `CallbackAudioSink` sends audio.
pub(crate) struct AudioTarget {
    pub cb: AudioCb,
    pub played_cb: Option<PlayedCb>,
    pub user: UserData,
    pub gate: Arc<Gate>,
}

impl CallbackAudioSink {
    pub fn new(
        target: AudioTarget,
        origin: Duration,
        format: sp_audio_format,
        fast: bool,
    ) -> CallbackAudioSink {
        let AudioTarget {
            cb,
            played_cb,
            user,
            gate,
        } = target;
        CallbackAudioSink {
            gate,
            cb,
            played_cb,
            user,
            origin,
            format,
            rate: 48_000,
            channels: 2,
            base: origin,
            since_base: 0,
            pacer: Pacer {
                fast,
                rate: 48_000,
                written: 0,
                played: 0,
                paused: false,
                last: Instant::now(),
                carry: 0,
            },
            s16: Vec::new(),
        }
    }

    fn call(&self, msg: &sp_audio) -> u32 {
        self.gate.wait();
        let (cb, user) = (self.cb, self.user.0);
        // SAFETY: the host registered `cb` for this; `msg` and its data outlive the call.
        in_callback(|| unsafe { cb(user, msg) })
    }

    fn notice(&self, kind: sp_audio_kind) {
        self.call(&sp_audio {
            kind,
            format: self.format,
            data: std::ptr::null(),
            frames: 0,
            sample_rate: self.rate,
            channels: u32::from(self.channels),
            pts_us: 0,
        });
    }
}

/// f32 in [-1, 1] to s16, clamped.
fn to_s16(x: f32) -> i16 {
    (x.clamp(-1.0, 1.0) * 32767.0).round() as i16
}

impl AudioSink for CallbackAudioSink {
    fn start(&mut self, sample_rate: u32, channels: u16) -> Result<(), SinkError> {
        if sample_rate == 0 || channels == 0 {
            return Err(SinkError {
                sink: "on_audio".into(),
                message: format!("invalid format {sample_rate} Hz × {channels}"),
            });
        }
        self.rate = sample_rate;
        self.channels = channels;
        self.pacer.reset(sample_rate);
        self.since_base = 0;
        self.notice(SP_AUDIO_FLUSH);
        Ok(())
    }

    fn write(&mut self, samples: &[f32]) -> Result<usize, SinkError> {
        let channels = usize::from(self.channels);
        let frames = samples.len() / channels;
        if frames == 0 {
            return Ok(0);
        }
        let mut room = match self.played_cb {
            Some(_) => u64::MAX,
            None => self.pacer.room(),
        };
        if room == 0 {
            // Like a blocking device write, but short, so the caller stays responsive.
            std::thread::sleep(Duration::from_millis(5));
            room = self.pacer.room();
        }
        let offer = (frames as u64).min(room).min(u64::from(u32::MAX)) as usize;
        if offer == 0 {
            return Ok(0);
        }
        let slice = &samples[..offer * channels];
        let data: *const c_void = if self.format == SP_AUDIO_S16 {
            self.s16.clear();
            self.s16.extend(slice.iter().map(|x| to_s16(*x)));
            self.s16.as_ptr().cast()
        } else {
            slice.as_ptr().cast()
        };
        let pts = self.base + ticks_to_duration(self.since_base, u64::from(self.rate));
        let took = self.call(&sp_audio {
            kind: SP_AUDIO_SAMPLES,
            format: self.format,
            data,
            frames: offer as u32,
            sample_rate: self.rate,
            channels: u32::from(self.channels),
            pts_us: micros(pts.saturating_sub(self.origin)),
        });
        let took = (took as usize).min(offer);
        self.pacer.written += took as u64;
        self.since_base += took as u64;
        if took == 0 {
            // The host is full: wait a little rather than spin.
            std::thread::sleep(Duration::from_millis(2));
        }
        Ok(took)
    }

    fn played(&mut self) -> u64 {
        match self.played_cb {
            Some(cb) => {
                self.gate.wait();
                let user = self.user.0;
                // SAFETY: the host registered `cb` for this.
                let heard = in_callback(|| unsafe { cb(user) });
                heard.min(self.pacer.written)
            }
            None => {
                self.pacer.tick();
                self.pacer.played
            }
        }
    }

    fn set_paused(&mut self, paused: bool) {
        self.pacer.tick();
        self.pacer.paused = paused;
        self.notice(if paused {
            SP_AUDIO_PAUSE
        } else {
            SP_AUDIO_RESUME
        });
    }

    fn flush(&mut self) {
        self.pacer.reset(self.rate);
        self.since_base = 0;
        self.notice(SP_AUDIO_FLUSH);
    }

    fn next_pts(&mut self, pts: Duration) {
        self.base = pts;
        self.since_base = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// What the test callback saw: (kind, frames, first sample as f32, pts_us).
    static SEEN: Mutex<Vec<(u32, u32, f32, i64)>> = Mutex::new(Vec::new());

    unsafe extern "C" fn take_half(_user: *mut c_void, a: *const sp_audio) -> u32 {
        // SAFETY: the sink passes a valid sp_audio whose data holds frames × channels samples.
        let a = unsafe { &*a };
        let first = if a.data.is_null() {
            0.0
        } else if a.format == SP_AUDIO_S16 {
            // SAFETY: as above, S16 data.
            f32::from(unsafe { *a.data.cast::<i16>() })
        } else {
            // SAFETY: as above, F32 data.
            unsafe { *a.data.cast::<f32>() }
        };
        if let Ok(mut v) = SEEN.lock() {
            v.push((a.kind, a.frames, first, a.pts_us));
        }
        a.frames / 2
    }

    #[test]
    fn samples_carry_format_pts_and_backpressure() {
        let gate = Arc::new(Gate::default());
        gate.open();
        let target = AudioTarget {
            cb: take_half,
            played_cb: None,
            user: UserData(std::ptr::null_mut()),
            gate,
        };
        let mut sink = CallbackAudioSink::new(target, Duration::from_secs(10), SP_AUDIO_S16, true);
        sink.start(48_000, 2).expect("start");
        sink.next_pts(Duration::from_secs(12));
        let samples = vec![0.5f32; 2 * 480];
        assert_eq!(sink.write(&samples).expect("write"), 240);
        assert_eq!(sink.write(&samples[480..]).expect("write"), 120);
        assert_eq!(sink.played(), 360, "fast mode: taken = heard");
        sink.flush();
        let seen = SEEN.lock().expect("lock").clone();
        assert_eq!(seen[0].0, SP_AUDIO_FLUSH);
        assert_eq!(seen[1], (SP_AUDIO_SAMPLES, 480, 16384.0, 2_000_000));
        // 240 frames at 48 kHz = 5 ms after the first buffer.
        assert_eq!(seen[2], (SP_AUDIO_SAMPLES, 240, 16384.0, 2_005_000));
        assert_eq!(seen[3].0, SP_AUDIO_FLUSH);
        assert_eq!(sink.played(), 0);
    }

    #[test]
    fn paced_clock_never_runs_ahead_of_what_was_taken() {
        let mut p = Pacer {
            fast: false,
            rate: 48_000,
            written: 0,
            played: 0,
            paused: false,
            last: Instant::now(),
            carry: 0,
        };
        assert_eq!(p.room(), 4800, "100 ms ahead");
        p.written = 4800;
        assert_eq!(p.room() + (p.written - p.played), 4800);
        p.paused = true;
        let before = p.played;
        std::thread::sleep(Duration::from_millis(20));
        p.tick();
        assert_eq!(p.played, before, "paused: nothing heard");
        assert!(p.played <= p.written);
    }

    #[test]
    fn s16_conversion_clamps() {
        assert_eq!(to_s16(1.5), 32767);
        assert_eq!(to_s16(-1.0), -32767);
        assert_eq!(to_s16(0.0), 0);
    }
}
