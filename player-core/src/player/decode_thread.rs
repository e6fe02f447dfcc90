//! The decoder threads: compressed fragments in, pictures and PCM out, bounded both ways.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use tokio::sync::mpsc::Receiver;

use crate::time::ticks_to_duration;

use super::decoders::{AudioDecoding, VideoDecoding};
use super::event::Event;
use super::messages::{DecodeMsg, FrameMsg, PcmMsg, ShownFrame};
use super::shared::Shared;
use super::wrong_key::{WrongKeyWatch, suspicious};
use crate::demux::MediaUnit;

/// Remembers which bitrate each recent fragment's time range had, so pictures leaving the
/// reorder buffer can be attributed to their level.
struct LevelHistory(VecDeque<(u64, u64, u64)>);

impl LevelHistory {
    fn push(&mut self, start: u64, end: u64, bitrate: u64) {
        if self.0.len() >= 8 {
            self.0.pop_front();
        }
        self.0.push_back((start, end, bitrate));
    }

    fn bitrate_at(&self, pts: u64) -> u64 {
        self.0
            .iter()
            .rev()
            .find(|(s, e, _)| pts >= *s && pts < *e)
            .or(self.0.back())
            .map_or(0, |(_, _, b)| *b)
    }
}

/// When decoding falls behind the clock, pictures decoded late would only be dropped: skip
/// the rest of the group of pictures instead and start again at the next keyframe, so the
/// decoder catches up at once rather than staying late (what a slow CPU needs).
#[derive(Default)]
struct CatchUp {
    /// Skipping until the next sync sample.
    skipping: bool,
}

impl CatchUp {
    /// Whether to skip `unit` (it is late, or follows a skipped picture in its group).
    fn skip(&mut self, shared: &Shared, unit: &MediaUnit, timescale: u64) -> bool {
        if shared.fast || shared.hold() {
            self.skipping = false;
            return false;
        }
        if unit.is_sync {
            // A keyframe starts afresh (it is decoded even if late: it anchors the next ones).
            self.skipping = false;
            return false;
        }
        if self.skipping {
            return true;
        }
        let pts = ticks_to_duration(unit.pts, timescale);
        let frame = ticks_to_duration(u64::from(unit.duration), timescale);
        let late_by = shared.position().saturating_sub(pts);
        if late_by > frame * LATE_FRAMES {
            self.skipping = true;
        }
        self.skipping
    }
}

/// How many frame durations behind the clock a picture may be before the group is skipped.
const LATE_FRAMES: u32 = 4;

/// Runs the video decoder until its input closes or the player shuts down.
pub(crate) fn run_video(shared: Arc<Shared>, mut rx: Receiver<DecodeMsg>, tx: Sender<FrameMsg>) {
    let mut dec = VideoDecoding::new();
    let mut current = 0u64;
    let mut history = LevelHistory(VecDeque::new());
    let mut watch = WrongKeyWatch::default();
    let mut catch_up = CatchUp::default();
    while let Some(msg) = rx.blocking_recv() {
        if shared.is_shutdown() {
            break;
        }
        match msg {
            DecodeMsg::Fragment(f) => {
                if f.generation != shared.generation() {
                    shared.release(f.bytes);
                    continue;
                }
                if f.generation != current {
                    dec.reset();
                    history.0.clear();
                    watch.reset();
                    current = f.generation;
                }
                let (mut fed, mut errors, mut last_error) = (0, 0, None);
                if let (Some(first), Some(last)) = (f.units.first(), f.units.last()) {
                    let end = last.pts.max(last.dts) + u64::from(last.duration) + 1;
                    history.push(first.dts.min(first.pts), end, f.bitrate);
                }
                for unit in &f.units {
                    if f.generation != shared.generation() {
                        break;
                    }
                    if catch_up.skip(&shared, unit, f.timescale) {
                        shared.with_stats(|s| s.on_dropped(f.bitrate));
                        continue;
                    }
                    // CPU time is the decoder's cost whatever else the machine does; wall time
                    // is what the presentation deadlines see.
                    let (cpu, wall) = (cpu_time::ThreadTime::now(), Instant::now());
                    fed += 1;
                    match dec.decode(&f.config, unit, f.timescale) {
                        Ok(frames) => {
                            let cpu = cpu.elapsed();
                            if let Some(slow) = &shared.slow_decode {
                                let n = frames
                                    .iter()
                                    .filter(|f| f.height >= slow.min_height)
                                    .count();
                                std::thread::sleep(slow.per_frame * n as u32);
                            }
                            let n = frames.len() as u64;
                            let bitrate = f.bitrate;
                            shared.with_stats(|s| s.on_decoded(bitrate, n, cpu, wall.elapsed()));
                            for frame in frames {
                                let bitrate = history.bitrate_at(frame.pts);
                                if !send_frame(&shared, &tx, f.generation, frame, bitrate) {
                                    return;
                                }
                            }
                        }
                        Err(e) => {
                            shared.emit(Event::Error {
                                kind: e.kind().into(),
                                message: e.to_string(),
                                fatal: false,
                            });
                            errors += 1;
                            last_error = Some(e.to_string());
                            // The rest of the fragment depends on what failed: skip to the next keyframe.
                            dec.reset();
                            break;
                        }
                    }
                }
                shared.release(f.bytes);
                if let Some(e) =
                    watch.on_fragment("video", f.kid, fed, errors, last_error.as_deref())
                {
                    shared.report_fatal(e.into());
                }
            }
            DecodeMsg::End { generation } => {
                if generation != shared.generation() {
                    continue;
                }
                for frame in dec.flush() {
                    let bitrate = history.bitrate_at(frame.pts);
                    shared.with_stats(|s| s.on_decoded(bitrate, 1, Duration::ZERO, Duration::ZERO));
                    if !send_frame(&shared, &tx, generation, frame, bitrate) {
                        return;
                    }
                }
                if tx.send(FrameMsg::End { generation }).is_err() {
                    return;
                }
            }
        }
    }
}

fn send_frame(
    shared: &Shared,
    tx: &Sender<FrameMsg>,
    generation: u64,
    frame: crate::decode::VideoFrame,
    bitrate: u64,
) -> bool {
    shared.charge(frame.byte_size());
    let msg = FrameMsg::Frame(ShownFrame {
        generation,
        frame,
        bitrate,
    });
    match tx.send(msg) {
        Ok(()) => true,
        Err(crossbeam_channel::SendError(FrameMsg::Frame(f))) => {
            shared.release(f.frame.byte_size());
            false
        }
        Err(_) => false,
    }
}

/// Runs the audio decoder until its input closes or the player shuts down.
pub(crate) fn run_audio(shared: Arc<Shared>, mut rx: Receiver<DecodeMsg>, tx: Sender<PcmMsg>) {
    let mut dec = AudioDecoding::new();
    let mut current = 0u64;
    let mut watch = WrongKeyWatch::default();
    while let Some(msg) = rx.blocking_recv() {
        if shared.is_shutdown() {
            break;
        }
        match msg {
            DecodeMsg::Fragment(f) => {
                if f.generation != shared.generation() {
                    shared.release(f.bytes);
                    continue;
                }
                if f.generation != current {
                    dec.reset();
                    watch.reset();
                    current = f.generation;
                }
                let (mut fed, mut errors, mut last_error) = (0, 0, None);
                // Decrypted audio is played only once its fragment has decoded cleanly: with a
                // wrong key, the access units that do decode are noise.
                let mut held = Vec::new();
                for unit in &f.units {
                    if f.generation != shared.generation() {
                        break;
                    }
                    fed += 1;
                    match dec.decode(&f.config, unit, f.timescale) {
                        Ok(Some(frame)) if f.kid.is_some() => held.push(frame),
                        Ok(Some(frame)) => {
                            let msg = PcmMsg::Frame {
                                generation: f.generation,
                                frame,
                            };
                            if tx.send(msg).is_err() {
                                shared.release(f.bytes);
                                return;
                            }
                        }
                        Ok(None) => {}
                        Err(e) => {
                            shared.emit(Event::Error {
                                kind: e.kind().into(),
                                message: e.to_string(),
                                fatal: false,
                            });
                            errors += 1;
                            last_error = Some(e.to_string());
                            dec.reset();
                        }
                    }
                }
                shared.release(f.bytes);
                if let Some(e) =
                    watch.on_fragment("audio", f.kid, fed, errors, last_error.as_deref())
                {
                    shared.report_fatal(e.into());
                }
                if !suspicious(fed, errors) {
                    for frame in held {
                        let generation = f.generation;
                        if tx.send(PcmMsg::Frame { generation, frame }).is_err() {
                            return;
                        }
                    }
                }
            }
            DecodeMsg::End { generation } => {
                if generation == shared.generation() && tx.send(PcmMsg::End { generation }).is_err()
                {
                    return;
                }
            }
        }
    }
}
