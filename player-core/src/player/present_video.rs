//! The video presentation thread: shows each picture when the clock reaches it, drops late ones.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

use crate::clock::{FrameAction, frame_action, frame_action_backwards};
use crate::sink::VideoSink;
use crate::time::ticks_to_duration;

use super::messages::{FrameMsg, ShownFrame};
use super::pipeline::Pipeline;
use crate::session::{Event, StreamKind};

/// A picture this far ahead of a free-running clock is past a timestamp jump.
const DISCONTINUITY: Duration = Duration::from_secs(1);
/// Longest single sleep, so seeks and shutdown are noticed promptly.
const POLL: Duration = Duration::from_millis(5);

/// Moves to the player's current generation, dropping what belonged to the previous one.
fn sync_generation(
    pipeline: &Pipeline,
    current: &mut u64,
    pending: &mut Option<ShownFrame>,
    sink: &mut dyn VideoSink,
) {
    let generation = pipeline.generation();
    if generation != *current {
        if let Some(p) = pending.take() {
            pipeline.release(p.frame.byte_size());
        }
        sink.flush();
        *current = generation;
    }
}

/// A message from the decoder: the picture to show next, if it is one of this generation;
/// an end marker (not superseded by a replacement) means the last picture was handed over.
fn take_in(pipeline: &Pipeline, current: u64, msg: FrameMsg) -> Option<ShownFrame> {
    match msg {
        FrameMsg::Frame(f) if f.generation == current => return Some(f),
        FrameMsg::Frame(f) => pipeline.release(f.frame.byte_size()),
        FrameMsg::End { generation, epoch }
            if generation == current && !pipeline.superseded(StreamKind::Video, current, epoch) =>
        {
            pipeline.set_output_done(StreamKind::Video);
        }
        FrameMsg::End { .. } => {}
    }
    None
}

/// What to do with a picture now: unpaced, show it; else by the clock, in its direction.
fn decide(pipeline: &Pipeline, pts: Duration, duration: Duration) -> FrameAction {
    if pipeline.fast {
        FrameAction::Present
    } else if pipeline.trick_rate() < 0.0 {
        frame_action_backwards(pts, duration, pipeline.position())
    } else {
        frame_action(pts, duration, pipeline.position())
    }
}

/// Runs until the decoder side hangs up or the player shuts down.
pub(crate) fn run(pipeline: Arc<Pipeline>, rx: Receiver<FrameMsg>, mut sink: Box<dyn VideoSink>) {
    let mut current = 0;
    let mut pending: Option<ShownFrame> = None;
    loop {
        if pipeline.is_shutdown() {
            break;
        }
        sync_generation(&pipeline, &mut current, &mut pending, sink.as_mut());
        if pending.is_none() {
            match rx.recv_timeout(POLL) {
                Ok(msg) => {
                    // The message may belong to a generation started since the check above.
                    sync_generation(&pipeline, &mut current, &mut pending, sink.as_mut());
                    pending = take_in(&pipeline, current, msg);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        pipeline.poll_first_picture();
        let Some(f) = pending.take() else { continue };
        let pts = ticks_to_duration(f.frame.pts, f.frame.timescale);
        let duration = ticks_to_duration(f.frame.duration, f.frame.timescale);
        let replaced =
            pipeline.replaced(StreamKind::Video, current, f.epoch, &(pts..pts + duration));
        // A new start (a seek, a new rate) may have come while the picture waited.
        let stale = f.generation != pipeline.generation();
        if stale || pts + duration <= pipeline.floor() || replaced {
            // Before the seek target (decoded only to reach it), or replaced by other media.
            pipeline.release(f.frame.byte_size());
            continue;
        }
        pipeline.picture_ready(current);
        let trick = pipeline.in_trick();
        let action = decide(&pipeline, pts, duration);
        match action {
            FrameAction::Present => {
                if let Err(e) = sink.present(&f.frame) {
                    pipeline.emit(Event::problem("sink", e.to_string(), false));
                }
                let now = Instant::now();
                let drift = if pipeline.fast {
                    pipeline.advance_fast(current, StreamKind::Video, pts);
                    None
                } else if trick {
                    // A keyframe stands for its whole fragment: no A/V drift to speak of.
                    None
                } else {
                    let clock = pipeline.position();
                    Some(clock.abs_diff(pts))
                };
                pipeline.with_stats(|s| {
                    s.on_presented(
                        f.bitrate,
                        f.frame.width,
                        f.frame.height,
                        duration,
                        drift,
                        now,
                    )
                });
                pipeline.release(f.frame.byte_size());
            }
            FrameAction::Wait(d) => {
                // In trick play the wait to the next keyframe is a fragment, not a jump.
                // Pictures skipped by a late decoder or replaced leave a gap that the clock
                // must play through: jumping over it would make every later picture late
                // again, and the skipping would run away with the clock.
                let jump = d > DISCONTINUITY
                    && !pipeline.audio_master()
                    && !trick
                    && !pipeline.video_covers(current, pipeline.position());
                if jump {
                    // A timestamp jump (encoder gap) with no audio to carry the clock over it.
                    pipeline.with_clock_for(current, |c| {
                        c.anchor(pts, Instant::now(), !pipeline.hold(), false);
                    });
                }
                std::thread::sleep(d.div_f64(pipeline.speed().abs()).min(POLL));
                pending = Some(f);
            }
            FrameAction::Drop => {
                pipeline.with_stats(|s| s.on_dropped(f.bitrate));
                pipeline.release(f.frame.byte_size());
            }
        }
    }
}
