//! The driver: runs the session state machine on tokio. It owns the I/O — fetch tasks,
//! manifest refreshes, the ticks — and the channels to the decoder threads, feeds the
//! session what happened, and carries out what it asks. It decides nothing itself.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::{self, Sender, UnboundedReceiver, UnboundedSender};
use tokio::task::{AbortHandle, JoinSet};

use crate::base::locked;
use crate::error::Error;
use crate::manifest::Manifest;
use crate::session::{
    Action, Command, FetchOutcome, Input, Progress, RequestId, Session, StreamKind, View,
};

use super::fetch_task::{self, FetchContext};
use super::messages::DecodeMsg;
use super::pipeline::{Mark, Pipeline};

/// How often the pipeline is observed (position, buffers, outputs).
const TICK: Duration = Duration::from_millis(20);
/// Fragments queued towards one decoder (bytes are bounded by the session's budget).
const DECODER_QUEUE: usize = 64;

/// A decoder's input: the channel and what waits for room in it.
pub(crate) struct DecoderInput {
    tx: Sender<DecodeMsg>,
    waiting: VecDeque<DecodeMsg>,
}

impl DecoderInput {
    /// A bounded channel to a decoder thread.
    pub fn channel() -> (DecoderInput, mpsc::Receiver<DecodeMsg>) {
        let (tx, rx) = mpsc::channel(DECODER_QUEUE);
        let input = DecoderInput {
            tx,
            waiting: VecDeque::new(),
        };
        (input, rx)
    }

    /// Moves what fits into the channel.
    fn pump(&mut self, pipeline: &Pipeline) {
        while let Some(msg) = self.waiting.pop_front() {
            match self.tx.try_send(msg) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(msg)) => {
                    self.waiting.push_front(msg);
                    return;
                }
                Err(mpsc::error::TrySendError::Closed(msg)) => release(pipeline, &msg),
            }
        }
    }

    /// Drops what waits for the decoder that `mark` replaced.
    fn drop_replaced(&mut self, pipeline: &Pipeline, mark: &Mark) {
        self.waiting.retain(|msg| match msg {
            DecodeMsg::Fragment(f) if mark.drops(f.epoch, &f.span) => {
                pipeline.release(f.bytes);
                false
            }
            _ => true,
        });
    }

    /// Drops what has not reached the decoder yet (a new generation).
    fn clear(&mut self, pipeline: &Pipeline) {
        for msg in self.waiting.drain(..) {
            release(pipeline, &msg);
        }
    }
}

fn release(pipeline: &Pipeline, msg: &DecodeMsg) {
    if let DecodeMsg::Fragment(f) = msg {
        pipeline.release(f.bytes);
    }
}

/// Runs one session until it closes or the command channel does.
pub(crate) struct Driver {
    pub session: Session,
    pub pipeline: Arc<Pipeline>,
    pub fetch: Arc<FetchContext>,
    /// The decoders' inputs, video then audio.
    pub decoders: [Option<DecoderInput>; 2],
    /// Where the host's queries read the session.
    pub view: Arc<Mutex<View>>,
}

/// The driver's moving parts while it runs.
struct Running {
    fetches: JoinSet<(RequestId, FetchOutcome)>,
    aborts: HashMap<RequestId, AbortHandle>,
    refreshes: JoinSet<Result<Manifest, Error>>,
    progress_tx: UnboundedSender<(RequestId, Progress)>,
    closed: bool,
}

impl Driver {
    /// Runs until the session closes (stop) or the host drops the command channel.
    pub async fn run(mut self, mut commands: UnboundedReceiver<Command>) {
        let (progress_tx, mut progress_rx) = mpsc::unbounded_channel();
        let mut r = Running {
            fetches: JoinSet::new(),
            aborts: HashMap::new(),
            refreshes: JoinSet::new(),
            progress_tx,
            closed: false,
        };
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !r.closed {
            self.carry_out(&mut r);
            // Deadlines already passed are met by the next tick: never spin on them.
            let now = Instant::now();
            let wake = self
                .session
                .poll_timeout()
                .filter(|t| *t > now)
                .map(tokio::time::Instant::from_std);
            let input = tokio::select! {
                cmd = commands.recv() => Input::Command(cmd.unwrap_or(Command::Stop)),
                Some(done) = r.fetches.join_next(), if !r.fetches.is_empty() => {
                    let Ok((id, outcome)) = done else { continue };
                    r.aborts.remove(&id);
                    Input::Fetched { id, outcome }
                }
                Some((id, progress)) = progress_rx.recv() => Input::Progress { id, progress },
                Some(done) = r.refreshes.join_next(), if !r.refreshes.is_empty() => {
                    let Ok(result) = done else { continue };
                    Input::Manifest(result)
                }
                _ = tick.tick() => self.tick_input(),
                () = sleep_until(wake) => self.tick_input(),
            };
            self.session.handle(input, Instant::now());
            *locked(&self.view) = self.session.view();
        }
        r.fetches.abort_all();
        r.refreshes.abort_all();
        self.pipeline.shut_down();
    }

    /// A tick, or the decoder's fatal error when one was reported.
    fn tick_input(&self) -> Input {
        match self.pipeline.take_fatal() {
            Some(e) => Input::DecoderFailed(e),
            None => Input::Tick(self.pipeline.observe()),
        }
    }

    /// Carries out everything the session asked for, then moves queued samples on.
    fn carry_out(&mut self, r: &mut Running) {
        while let Some(action) = self.session.poll_action() {
            self.apply(action, r);
        }
        for input in self.decoders.iter_mut().flatten() {
            input.pump(&self.pipeline);
        }
    }

    fn apply(&mut self, action: Action, r: &mut Running) {
        let p = &self.pipeline;
        match action {
            Action::Fetch(req) => {
                let id = req.id;
                let task = fetch_task::run(self.fetch.clone(), req, r.progress_tx.clone());
                let handle = r.fetches.spawn(task);
                r.aborts.insert(id, handle);
            }
            Action::Cancel(id) => {
                if let Some(h) = r.aborts.remove(&id) {
                    h.abort();
                }
            }
            Action::RefreshManifest => {
                let fetch = self.fetch.clone();
                r.refreshes
                    .spawn(async move { fetch.source.manifest().await });
            }
            Action::Flush {
                generation,
                start,
                rate,
            } => {
                for input in self.decoders.iter_mut().flatten() {
                    input.clear(p);
                }
                p.new_generation(generation, start, rate);
                if p.is_active(StreamKind::Audio) && !p.fast {
                    // Trick play has no audio: the monotonic clock runs at the rate.
                    p.set_audio_master(rate == 1.0);
                }
            }
            Action::Hold(hold) => p.set_hold(hold),
            Action::SetRate(rate) => p.set_playback_rate(rate),
            Action::Replace { kind, from, epoch } => {
                p.replace(kind, from, epoch);
                if let (Some(input), Some(mark)) = (
                    self.decoders[kind.idx()].as_mut(),
                    p.mark(kind, p.generation()),
                ) {
                    input.drop_replaced(p, &mark);
                }
            }
            Action::Decode(kind, fragment) => {
                p.charge(fragment.bytes);
                if kind == StreamKind::Video {
                    p.note_video_span(fragment.generation, fragment.span.clone());
                }
                self.send(kind, DecodeMsg::Fragment(fragment));
            }
            Action::EndOfStream(kind, generation) => {
                // Ends the media of the latest replacement (a later one brings more).
                let epoch = p.mark(kind, generation).map_or(0, |m| m.epoch);
                self.send(kind, DecodeMsg::End { generation, epoch });
            }
            Action::Emit(event) => p.emit(event),
            Action::Close => r.closed = true,
        }
    }

    fn send(&mut self, kind: StreamKind, msg: DecodeMsg) {
        match &mut self.decoders[kind.idx()] {
            Some(input) => input.waiting.push_back(msg),
            None => release(&self.pipeline, &msg),
        }
    }
}

/// Sleeps until `at`, or forever when there is nothing to wait for.
async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
