//! Decoding one video fragment on a pool worker: samples in, pictures out in presentation
//! order, each attributed to the fragment's level. Late groups of pictures are skipped so a
//! slow decoder catches up at the next keyframe; pictures decoded ahead of the fragment on
//! screen wait for room in the memory budget.

use std::time::{Duration, Instant};

use crossbeam_channel::Sender;

use crate::base::VideoFrame;
use crate::demux::MediaUnit;
use crate::session::{DecodeFragment, Event, StreamKind};
use crate::time::ticks_to_duration;

use super::decode_thread::Fed;
use super::decoders::VideoDecoding;
use super::messages::ShownFrame;
use super::pipeline::Pipeline;
use super::pool_shared::{PoolShared, WorkerOut};

/// How many frame durations behind the clock a picture may be before the group is skipped.
const LATE_FRAMES: u32 = 4;
/// Pictures of the fragment on screen waiting for the presenter, per worker.
const HEAD_QUEUE: usize = 4;
/// How often a worker waiting for room looks again.
const WAIT: Duration = Duration::from_millis(1);

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

/// One pool worker's decoding state.
pub(crate) struct VideoStage {
    dec: VideoDecoding,
    catch_up: CatchUp,
    /// This worker's index in the pool.
    worker: usize,
    /// Bytes of the last picture (what the next one will cost the budget).
    last_size: usize,
}

/// The fragment being decoded and where its pictures go.
struct Job<'a> {
    p: &'a Pipeline,
    pool: &'a PoolShared,
    f: &'a DecodeFragment,
    seq: u64,
    tx: &'a Sender<WorkerOut>,
}

impl VideoStage {
    /// Worker `worker`'s stage, decoding with `dec`.
    pub fn new(dec: VideoDecoding, worker: usize) -> VideoStage {
        VideoStage {
            dec,
            catch_up: CatchUp::default(),
            worker,
            last_size: 0,
        }
    }

    /// Decodes fragment `seq` whole (its pictures, then what the decoder held back), sending
    /// the pictures to the merger. `Err` when the merger hung up.
    pub fn decode_fragment(
        &mut self,
        p: &Pipeline,
        pool: &PoolShared,
        f: &DecodeFragment,
        seq: u64,
        tx: &Sender<WorkerOut>,
    ) -> Result<Fed, ()> {
        let job = Job {
            p,
            pool,
            f,
            seq,
            tx,
        };
        let mut fed = Fed::default();
        for unit in &f.units {
            if f.generation != p.generation() || p.is_shutdown() {
                break;
            }
            // Refetched at another level from the splice on (the decoder could not keep up):
            // what this older media would still make there is not shown.
            let at = ticks_to_duration(unit.pts, f.timescale);
            let spliced = p.mark(StreamKind::Video, f.generation);
            if spliced.is_some_and(|m| f.epoch < m.epoch && at >= m.from) {
                break;
            }
            if self.catch_up.skip(p, unit, f.timescale) {
                p.with_stats(|s| s.on_dropped(f.bitrate));
                continue;
            }
            self.wait_for_room(&job);
            fed.fed += 1;
            if let Err(e) = self.unit(&job, unit)? {
                fed.errors += 1;
                fed.last_error = Some(e);
                // The rest of the fragment depends on what failed: skip to the next keyframe.
                self.dec.reset();
                break;
            }
        }
        // Every fragment starts with a keyframe: what the decoder holds belongs to this one.
        for frame in self.dec.flush() {
            p.with_stats(|s| s.on_decoded(f.bitrate, 1, Duration::ZERO, Duration::ZERO));
            self.send(&job, frame)?;
        }
        Ok(fed)
    }

    /// Waits until this fragment may add a picture: the fragment on screen may keep a few
    /// waiting for the presenter; fragments decoded ahead of it share the memory budget
    /// (half of it when playing in real time, so fetching keeps its share).
    fn wait_for_room(&self, job: &Job<'_>) {
        let (p, pool) = (job.p, job.pool);
        loop {
            if p.is_shutdown() || job.f.generation != p.generation() {
                return;
            }
            let room = if pool.head() == job.seq {
                pool.pending(self.worker) < HEAD_QUEUE
            } else {
                let cap = if p.fast { p.budget } else { p.budget / 2 };
                let next = self.last_size as u64;
                pool.ahead_bytes() + next <= cap && p.queued_bytes() + next <= p.budget
            };
            if room {
                return;
            }
            std::thread::sleep(WAIT);
        }
    }

    /// Decodes one unit, sending the pictures that became ready; the inner `Err` is a
    /// decoder complaint.
    fn unit(&mut self, job: &Job<'_>, unit: &MediaUnit) -> Result<Result<(), String>, ()> {
        let (p, f) = (job.p, job.f);
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
        // The pool decodes on all its workers at once: each one's wall time counts for its
        // share, so the per-level decode time says how fast the pool as a whole keeps up.
        let wall = wall.elapsed() / job.pool.workers() as u32;
        let n = frames.len() as u64;
        p.with_stats(|s| s.on_decoded(f.bitrate, n, cpu, wall));
        for frame in frames {
            self.send(job, frame)?;
        }
        Ok(Ok(()))
    }

    /// Charges the picture to the budget and hands it to the merger.
    fn send(&mut self, job: &Job<'_>, frame: VideoFrame) -> Result<(), ()> {
        let size = frame.byte_size();
        self.last_size = size;
        job.p.charge(size);
        job.pool.on_sent(self.worker, size);
        let msg = WorkerOut::Frame(ShownFrame {
            generation: job.f.generation,
            epoch: job.f.epoch,
            frame,
            bitrate: job.f.bitrate,
        });
        job.tx.send(msg).map_err(|e| {
            if let WorkerOut::Frame(f) = e.0 {
                job.p.release(f.frame.byte_size());
                job.pool.on_forwarded(self.worker, size);
            }
        })
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
