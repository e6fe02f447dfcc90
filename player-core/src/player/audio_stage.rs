//! The audio decoder stage: AAC access units in, PCM out. Decrypted audio is passed on only
//! once its fragment has decoded cleanly: with a wrong key, the access units that do decode
//! are noise.

use crossbeam_channel::Sender;

use crate::session::{DecodeFragment, Event, StreamKind};

use super::decode_thread::{Closed, Fed, Stage};
use super::decoders::AudioDecoding;
use super::messages::PcmMsg;
use super::pipeline::Pipeline;
use crate::decrypt::suspicious;

/// The audio side of a decoder thread.
pub(crate) struct AudioStage {
    dec: AudioDecoding,
}

impl AudioStage {
    /// A stage decoding with `dec`.
    pub fn new(dec: AudioDecoding) -> AudioStage {
        AudioStage { dec }
    }
}

impl Stage for AudioStage {
    type Out = PcmMsg;
    const STREAM: &'static str = "audio";
    const KIND: StreamKind = StreamKind::Audio;

    fn reset(&mut self) {
        self.dec.reset();
    }

    fn decode(
        &mut self,
        p: &Pipeline,
        f: &DecodeFragment,
        tx: &Sender<PcmMsg>,
    ) -> Result<Fed, Closed> {
        let mut fed = Fed::default();
        let generation = f.generation;
        let mut held = Vec::new();
        for unit in &f.units {
            if generation != p.generation() {
                break;
            }
            fed.fed += 1;
            match self.dec.decode(&f.config, unit, f.timescale) {
                Ok(Some(frame)) if f.kid.is_some() => held.push(frame),
                Ok(Some(frame)) => tx
                    .send(PcmMsg::Frame {
                        generation,
                        epoch: f.epoch,
                        frame,
                    })
                    .map_err(|_| Closed)?,
                Ok(None) => {}
                Err(e) => {
                    p.emit(Event::error(&e, false));
                    fed.errors += 1;
                    fed.last_error = Some(e.to_string());
                    self.dec.reset();
                }
            }
        }
        if !suspicious(fed.fed, fed.errors) {
            for frame in held {
                tx.send(PcmMsg::Frame {
                    generation,
                    epoch: f.epoch,
                    frame,
                })
                .map_err(|_| Closed)?;
            }
        }
        Ok(fed)
    }

    fn end(
        &mut self,
        _: &Pipeline,
        generation: u64,
        epoch: u32,
        tx: &Sender<PcmMsg>,
    ) -> Result<(), Closed> {
        tx.send(PcmMsg::End { generation, epoch })
            .map_err(|_| Closed)
    }
}
