//! The video decoder stage: H.264 samples in, pictures out in presentation order, each
//! attributed to the level it came from; late groups of pictures are skipped so a slow
//! decoder catches up at the next keyframe.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;

use crate::base::VideoFrame;
use crate::demux::MediaUnit;
use crate::session::{DecodeFragment, Event};
use crate::time::ticks_to_duration;

use super::decode_thread::{Closed, Fed, Stage};
use super::decoders::VideoDecoding;
use super::messages::{FrameMsg, ShownFrame};
use super::pipeline::Pipeline;

/// How many frame durations behind the clock a picture may be before the group is skipped.
const LATE_FRAMES: u32 = 4;

/// Remembers which bitrate each recent fragment's time range had, so pictures leaving the
/// reorder buffer can be attributed to their level.
#[derive(Default)]
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
    fn skip(&mut self, pipeline: &Pipeline, unit: &MediaUnit, timescale: u64) -> bool {
        if pipeline.fast || pipeline.hold() || unit.is_sync {
            // A keyframe starts afresh (it is decoded even if late: it anchors the next ones).
            self.skipping = false;
            return false;
        }
        if self.skipping {
            return true;
        }
        let pts = ticks_to_duration(unit.pts, timescale);
        let frame = ticks_to_duration(u64::from(unit.duration), timescale);
        let late_by = pipeline.position().saturating_sub(pts);
        self.skipping = late_by > frame * LATE_FRAMES;
        self.skipping
    }
}

/// The video side of a decoder thread.
#[derive(Default)]
pub(crate) struct VideoStage {
    dec: VideoDecoding,
    history: LevelHistory,
    catch_up: CatchUp,
}

impl VideoStage {
    /// Decodes one unit, sending the pictures that became ready.
    fn unit(
        &mut self,
        p: &Pipeline,
        f: &DecodeFragment,
        unit: &MediaUnit,
        tx: &Sender<FrameMsg>,
    ) -> Result<Result<(), String>, Closed> {
        // CPU time is the decoder's cost whatever else the machine does; wall time is what
        // the presentation deadlines see.
        let (cpu, wall) = (cpu_time::ThreadTime::now(), Instant::now());
        let frames = match self.dec.decode(&f.config, unit, f.timescale) {
            Ok(frames) => frames,
            Err(e) => {
                p.emit(Event::error(&e, false));
                return Ok(Err(e.to_string()));
            }
        };
        let cpu = cpu.elapsed();
        slow_down(p, &frames);
        let n = frames.len() as u64;
        p.with_stats(|s| s.on_decoded(f.bitrate, n, cpu, wall.elapsed()));
        for frame in frames {
            let bitrate = self.history.bitrate_at(frame.pts);
            send_frame(p, tx, f.generation, frame, bitrate)?;
        }
        Ok(Ok(()))
    }
}

impl Stage for VideoStage {
    type Out = FrameMsg;
    const STREAM: &'static str = "video";

    fn reset(&mut self) {
        self.dec.reset();
        self.history.0.clear();
    }

    fn decode(
        &mut self,
        p: &Pipeline,
        f: &DecodeFragment,
        tx: &Sender<FrameMsg>,
    ) -> Result<Fed, Closed> {
        let mut fed = Fed::default();
        if let (Some(first), Some(last)) = (f.units.first(), f.units.last()) {
            let end = last.pts.max(last.dts) + u64::from(last.duration) + 1;
            self.history.push(first.dts.min(first.pts), end, f.bitrate);
        }
        for unit in &f.units {
            if f.generation != p.generation() {
                break;
            }
            if self.catch_up.skip(p, unit, f.timescale) {
                p.with_stats(|s| s.on_dropped(f.bitrate));
                continue;
            }
            fed.fed += 1;
            if let Err(e) = self.unit(p, f, unit, tx)? {
                fed.errors += 1;
                fed.last_error = Some(e);
                // The rest of the fragment depends on what failed: skip to the next keyframe.
                self.dec.reset();
                break;
            }
        }
        Ok(fed)
    }

    fn end(&mut self, p: &Pipeline, generation: u64, tx: &Sender<FrameMsg>) -> Result<(), Closed> {
        for frame in self.dec.flush() {
            let bitrate = self.history.bitrate_at(frame.pts);
            p.with_stats(|s| s.on_decoded(bitrate, 1, Duration::ZERO, Duration::ZERO));
            send_frame(p, tx, generation, frame, bitrate)?;
        }
        tx.send(FrameMsg::End { generation }).map_err(|_| Closed)
    }
}

/// Test hook: makes decoding slower for tall pictures.
#[cfg(feature = "test-hooks")]
fn slow_down(p: &Pipeline, frames: &[VideoFrame]) {
    if let Some(slow) = &p.slow_decode {
        let n = frames
            .iter()
            .filter(|f| f.height >= slow.min_height)
            .count();
        std::thread::sleep(slow.per_frame * n as u32);
    }
}

#[cfg(not(feature = "test-hooks"))]
fn slow_down(_: &Pipeline, _: &[VideoFrame]) {}

fn send_frame(
    p: &Pipeline,
    tx: &Sender<FrameMsg>,
    generation: u64,
    frame: VideoFrame,
    bitrate: u64,
) -> Result<(), Closed> {
    p.charge(frame.byte_size());
    let msg = FrameMsg::Frame(ShownFrame {
        generation,
        frame,
        bitrate,
    });
    match tx.send(msg) {
        Ok(()) => Ok(()),
        Err(crossbeam_channel::SendError(FrameMsg::Frame(f))) => {
            p.release(f.frame.byte_size());
            Err(Closed)
        }
        Err(_) => Err(Closed),
    }
}
