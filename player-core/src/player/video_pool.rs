//! Fragment-parallel video decoding. Every Smooth Streaming video fragment starts with a
//! keyframe, so fragments are decoded by independent decoders on a pool of worker threads
//! (round robin: fragment `seq` goes to worker `seq % n`), and a merger thread passes their
//! pictures on in fragment order — every picture once, in presentation order.
//!
//! ```text
//! decoder thread (Stage: dispatch) ─► worker 0..n (decode whole fragments) ─► merger ─► presenter
//! ```
//! Memory: a worker decoding the fragment on screen keeps at most a few pictures waiting; the
//! others decode ahead only while their pictures fit the memory budget (half of it in real
//! time), so the budget still bounds decoded pictures and parallelism shrinks rather than
//! memory growing. A new generation (seek, switch of stream) is dropped everywhere: workers
//! stop at the next sample, the merger discards what is stale.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use crate::decode::DecoderFactory;
use crate::decrypt::WrongKeyWatch;
use crate::error::Result;
use crate::session::{DecodeFragment, StreamKind};

use super::decode_thread::{Closed, Fed, Stage};
use super::decoders::VideoDecoding;
use super::messages::FrameMsg;
use super::pipeline::Pipeline;
use super::pool_shared::{PoolShared, WorkerOut};
use super::video_stage::VideoStage;

/// How often the merger looks for a shutdown while waiting.
const POLL: Duration = Duration::from_millis(20);

/// Dispatcher → worker.
enum Job {
    Fragment {
        seq: u64,
        fragment: DecodeFragment,
    },
    End {
        seq: u64,
        generation: u64,
        epoch: u32,
    },
}

/// The decoder thread's stage: numbers fragments and deals them out to the workers.
pub(crate) struct VideoPool {
    jobs: Vec<Sender<Job>>,
    next_seq: u64,
}

impl VideoPool {
    /// Starts `workers` decoder threads and the merger, which sends to `tx`; returns the
    /// stage and the threads to join.
    pub fn start(
        pipeline: &Arc<Pipeline>,
        factory: &DecoderFactory,
        workers: usize,
        tx: Sender<FrameMsg>,
    ) -> Result<(VideoPool, Vec<JoinHandle<()>>)> {
        let workers = workers.max(1);
        let shared = Arc::new(PoolShared {
            head: AtomicU64::new(0),
            pending: (0..workers).map(|_| AtomicUsize::new(0)).collect(),
            ahead: AtomicU64::new(0),
        });
        let mut threads = Vec::new();
        let mut jobs = Vec::new();
        let mut outs = Vec::new();
        for w in 0..workers {
            // One fragment queued behind the one being decoded.
            let (job_tx, job_rx) = crossbeam_channel::bounded(1);
            let (out_tx, out_rx) = crossbeam_channel::unbounded();
            let (p, pool) = (pipeline.clone(), shared.clone());
            let stage = VideoStage::new(VideoDecoding::new(factory.clone()), w);
            threads.push(super::spawn(&format!("smoothplay-vdec{w}"), move || {
                work(&p, &pool, stage, &job_rx, &out_tx);
            })?);
            jobs.push(job_tx);
            outs.push(out_rx);
        }
        let (p, pool) = (pipeline.clone(), shared);
        threads.push(super::spawn("smoothplay-vmerge", move || {
            merge(&p, &pool, &outs, &tx);
        })?);
        Ok((VideoPool { jobs, next_seq: 0 }, threads))
    }

    fn dispatch(&mut self, job: impl FnOnce(u64) -> Job) -> std::result::Result<(), Closed> {
        let seq = self.next_seq;
        self.next_seq += 1;
        let w = (seq % self.jobs.len() as u64) as usize;
        self.jobs[w].send(job(seq)).map_err(|_| Closed)
    }
}

impl Stage for VideoPool {
    type Out = FrameMsg;
    const STREAM: &'static str = "video";
    const KIND: StreamKind = StreamKind::Video;

    fn reset(&mut self) {}

    fn decode(
        &mut self,
        p: &Pipeline,
        f: &DecodeFragment,
        _: &Sender<FrameMsg>,
    ) -> std::result::Result<Fed, Closed> {
        // The worker holds the fragment now: it is charged until the worker is done with it
        // (the caller releases the dispatcher's charge). Its decoding outcome reaches the
        // wrong-key watch through the merger, in order.
        p.charge(f.bytes);
        let fragment = f.clone();
        self.dispatch(|seq| Job::Fragment { seq, fragment })?;
        Ok(Fed::default())
    }

    fn end(
        &mut self,
        _: &Pipeline,
        generation: u64,
        epoch: u32,
        _: &Sender<FrameMsg>,
    ) -> std::result::Result<(), Closed> {
        self.dispatch(|seq| Job::End {
            seq,
            generation,
            epoch,
        })
    }
}

/// A worker: decodes the fragments dealt to it until the dispatcher hangs up.
fn work(
    p: &Pipeline,
    pool: &PoolShared,
    mut stage: VideoStage,
    jobs: &Receiver<Job>,
    out: &Sender<WorkerOut>,
) {
    while let Ok(job) = jobs.recv() {
        let done = match job {
            Job::Fragment { seq, fragment: f } => {
                let current = f.generation == p.generation()
                    && !p.replaced(StreamKind::Video, f.generation, f.epoch, &f.span);
                let fed = if current && !p.is_shutdown() {
                    stage.decode_fragment(p, pool, &f, seq, out)
                } else {
                    Ok(Fed::default())
                };
                p.release(f.bytes);
                let Ok(fed) = fed else { return };
                WorkerOut::Done {
                    seq,
                    fed,
                    kid: f.kid,
                    end: None,
                }
            }
            Job::End {
                seq,
                generation,
                epoch,
            } => WorkerOut::Done {
                seq,
                fed: Fed::default(),
                kid: None,
                end: Some((generation, epoch)),
            },
        };
        if out.send(done).is_err() {
            return;
        }
    }
}

/// The merger: passes on the pictures of fragment 0, 1, 2… in turn, each from its worker.
fn merge(p: &Pipeline, pool: &PoolShared, outs: &[Receiver<WorkerOut>], tx: &Sender<FrameMsg>) {
    let mut watch = WrongKeyWatch::default();
    let mut current = 0u64;
    let mut seq = 0u64;
    loop {
        let w = (seq % outs.len() as u64) as usize;
        let msg = match outs[w].recv_timeout(POLL) {
            Ok(msg) => msg,
            Err(RecvTimeoutError::Timeout) if p.is_shutdown() => return,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        match msg {
            WorkerOut::Frame(f) => {
                let size = f.frame.byte_size();
                pool.on_forwarded(w, size);
                if f.generation != p.generation() {
                    p.release(size);
                } else if tx.send(FrameMsg::Frame(f)).is_err() {
                    p.release(size);
                    return;
                }
            }
            WorkerOut::Done {
                seq: done,
                fed,
                kid,
                end,
            } => {
                debug_assert_eq!(done, seq, "fragments merge in order");
                seq += 1;
                pool.head.store(seq, Ordering::Release);
                let generation = p.generation();
                if generation != current {
                    watch.reset();
                    current = generation;
                }
                let last = fed.last_error.as_deref();
                if let Some(e) = watch.on_fragment("video", kid, fed.fed, fed.errors, last) {
                    p.report_fatal(e.into());
                }
                if let Some((g, epoch)) = end.filter(|e| e.0 == generation)
                    && tx
                        .send(FrameMsg::End {
                            generation: g,
                            epoch,
                        })
                        .is_err()
                {
                    return;
                }
            }
        }
    }
}
