//! The decoder threads: one skeleton for video and audio. Compressed fragments come in
//! (bounded), stale generations are dropped, the budget is released as fragments are
//! consumed, and fragments that were decrypted but do not decode are watched for the sign
//! of a wrong key; what differs per kind is a [`Stage`].

use std::sync::Arc;

use crossbeam_channel::Sender;
use tokio::sync::mpsc::Receiver;

use crate::session::{DecodeFragment, StreamKind};

use super::messages::DecodeMsg;
use super::pipeline::Pipeline;
use crate::decrypt::WrongKeyWatch;

/// The output hung up: the thread ends.
#[derive(Debug)]
pub(crate) struct Closed;

/// How one fragment went through the decoder.
#[derive(Debug, Default)]
pub(crate) struct Fed {
    /// Access units given to the decoder.
    pub fed: usize,
    /// Of which it rejected this many.
    pub errors: usize,
    /// Its last complaint.
    pub last_error: Option<String>,
}

/// What differs between the video and the audio decoder thread.
pub(crate) trait Stage {
    /// What the stage sends on.
    type Out: Send;
    /// "video" or "audio", for errors.
    const STREAM: &'static str;
    /// Which stream it decodes.
    const KIND: StreamKind;
    /// Forgets all decoder state (a new generation begins).
    fn reset(&mut self);
    /// Decodes one fragment, sending what comes out.
    fn decode(
        &mut self,
        pipeline: &Pipeline,
        fragment: &DecodeFragment,
        tx: &Sender<Self::Out>,
    ) -> Result<Fed, Closed>;
    /// The stream ended: sends what the decoder still holds, then the end.
    fn end(
        &mut self,
        pipeline: &Pipeline,
        generation: u64,
        epoch: u32,
        tx: &Sender<Self::Out>,
    ) -> Result<(), Closed>;
}

/// Runs `stage` until its input closes, its output hangs up or the player shuts down.
pub(crate) fn run<S: Stage>(
    pipeline: Arc<Pipeline>,
    mut rx: Receiver<DecodeMsg>,
    tx: Sender<S::Out>,
    mut stage: S,
) {
    let mut current = 0u64;
    let mut watch = WrongKeyWatch::default();
    while let Some(msg) = rx.blocking_recv() {
        if pipeline.is_shutdown() {
            break;
        }
        match msg {
            DecodeMsg::Fragment(f) => {
                let replaced = pipeline.replaced(S::KIND, f.generation, f.epoch, &f.span);
                if f.generation != pipeline.generation() || replaced {
                    pipeline.release(f.bytes);
                    continue;
                }
                if f.generation != current {
                    stage.reset();
                    watch.reset();
                    current = f.generation;
                }
                let result = stage.decode(&pipeline, &f, &tx);
                pipeline.release(f.bytes);
                let Ok(fed) = result else {
                    return;
                };
                let last = fed.last_error.as_deref();
                if let Some(e) = watch.on_fragment(S::STREAM, f.kid, fed.fed, fed.errors, last) {
                    pipeline.report_fatal(e.into());
                }
            }
            DecodeMsg::End { generation, epoch } => {
                if generation == pipeline.generation()
                    && stage.end(&pipeline, generation, epoch, &tx).is_err()
                {
                    return;
                }
            }
        }
    }
}
