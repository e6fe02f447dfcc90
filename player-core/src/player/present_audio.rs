//! The audio output thread: feeds the sink and, from what it has played, drives the clock.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

use crate::decode::AudioFrame;
use crate::sink::AudioSink;
use crate::time::{duration_to_ticks, ticks_to_duration};

use super::messages::PcmMsg;
use super::pipeline::{Mark, Pipeline};
use crate::session::{Event, StreamKind};
use crate::sink::Varispeed;

const POLL: Duration = Duration::from_millis(5);
/// Timestamp gaps up to this are filled with silence; longer ones (encoder gaps, loops)
/// restart the clock there, so playback skips over them.
const MAX_SILENCE: Duration = Duration::from_secs(1);
/// Gaps and overlaps below this are ignored (AAC frame timing jitter).
const TOLERANCE: Duration = Duration::from_millis(15);

/// Audio being written: where it starts in media time and what is left of it.
struct Pending {
    samples: Vec<f32>,
    offset: usize,
}

struct Output {
    sink: Box<dyn AudioSink>,
    format: Option<(u32, u16)>,
    /// The playback rate, and the map from what was played back to media time.
    speed: Varispeed,
    /// Sample frames handed to the sink since the last flush.
    written: u64,
    paused: bool,
    /// The end of the stream was reached and what the rate control held was played.
    tail_taken: bool,
}

impl Output {
    /// Media time just after the last sample taken in.
    fn written_end(&self) -> Option<Duration> {
        self.speed.media_end()
    }

    fn flush(&mut self) {
        self.sink.flush();
        self.speed.reset();
        self.written = 0;
        self.tail_taken = false;
    }
}

/// Moves to the player's current generation: drops queued audio and restarts the clock.
fn sync_generation(
    pipeline: &Pipeline,
    current: &mut u64,
    out: &mut Output,
    pending: &mut Option<Pending>,
    ended: &mut bool,
) {
    let generation = pipeline.generation();
    if generation != *current {
        out.flush();
        *pending = None;
        *ended = false;
        *current = generation;
        // Trick play mutes the audio: the monotonic clock runs at the rate.
        if !pipeline.fast && !pipeline.in_trick() {
            pipeline.set_audio_master(true);
        }
    }
}

/// Runs until the decoder side hangs up or the player shuts down.
pub(crate) fn run(pipeline: Arc<Pipeline>, rx: Receiver<PcmMsg>, sink: Box<dyn AudioSink>) {
    let mut out = Output {
        sink,
        format: None,
        speed: Varispeed::new(48_000, 2),
        written: 0,
        paused: false,
        tail_taken: false,
    };
    let mut current = 0;
    let mut pending: Option<Pending> = None;
    let mut ended = false;
    // The replacement of the media the end marker closed.
    let mut ended_epoch = 0u32;
    loop {
        if pipeline.is_shutdown() {
            break;
        }
        sync_generation(&pipeline, &mut current, &mut out, &mut pending, &mut ended);
        if ended && pipeline.superseded(StreamKind::Audio, current, ended_epoch) {
            // Replaced after its end: the new media plays on.
            ended = false;
            out.tail_taken = false;
        }
        // Released, playback may still wait for the first picture.
        let hold = pipeline.hold() || pipeline.awaiting_picture();
        if !pipeline.fast {
            out.speed.set_rate(pipeline.playback_rate());
        }
        if hold != out.paused {
            out.sink.set_paused(hold);
            out.paused = hold;
        }
        if pending.is_none() && !ended {
            match rx.recv_timeout(POLL) {
                Ok(msg) => {
                    // The message may belong to a generation started since the check above.
                    sync_generation(&pipeline, &mut current, &mut out, &mut pending, &mut ended);
                    match msg {
                        PcmMsg::Frame {
                            generation,
                            epoch,
                            frame,
                        } if generation == current => {
                            let mark = pipeline.mark(StreamKind::Audio, current);
                            pending = splice(frame, epoch, mark)
                                .and_then(|frame| prepare(&pipeline, &mut out, frame));
                        }
                        PcmMsg::End { generation, epoch }
                            if generation == current
                                && !pipeline.superseded(StreamKind::Audio, current, epoch) =>
                        {
                            ended = true;
                            ended_epoch = epoch;
                        }
                        _ => {}
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        } else if hold || pending.is_none() {
            std::thread::sleep(POLL);
        }
        if ended && pending.is_none() && !out.tail_taken {
            pending = take_tail(&mut out);
        }
        if !hold {
            write_pending(&pipeline, &mut out, &mut pending);
        }
        report_position(
            &pipeline,
            &mut out,
            current,
            ended && pending.is_none(),
            hold,
        );
    }
}

/// At the end of the stream: what the rate control still holds.
fn take_tail(out: &mut Output) -> Option<Pending> {
    out.tail_taken = true;
    let mut tail = Vec::new();
    out.speed.finish(&mut tail);
    (!tail.is_empty()).then_some(Pending {
        samples: tail,
        offset: 0,
    })
}

/// Hands the sink what it takes of the pending audio.
fn write_pending(pipeline: &Pipeline, out: &mut Output, pending: &mut Option<Pending>) {
    let Some(p) = pending else {
        return;
    };
    match out.sink.write(&p.samples[p.offset..]) {
        Ok(frames) => {
            let channels = out.format.map_or(2, |f| usize::from(f.1));
            p.offset += frames * channels;
            out.written += frames as u64;
            if p.offset >= p.samples.len() {
                *pending = None;
            }
        }
        Err(e) => {
            pipeline.emit(Event::problem("sink", e.to_string(), false));
            *pending = None;
        }
    }
}

/// Drives the clock from what the sink has played, and says when the last sample was heard
/// (`all_written`: nothing more will be written this generation).
fn report_position(
    pipeline: &Pipeline,
    out: &mut Output,
    generation: u64,
    all_written: bool,
    hold: bool,
) {
    let played = out.sink.played();
    let draining = match out.speed.media_at(played) {
        Some(pos) => {
            pipeline.with_stats(|s| s.audio_frames_played_now(played));
            let draining = played < out.written;
            if pipeline.fast {
                pipeline.advance_fast(generation, StreamKind::Audio, pos);
            } else if pipeline.audio_master() {
                pipeline.with_clock_for(generation, |c| {
                    c.anchor(pos, Instant::now(), draining && !hold, true);
                });
            }
            draining
        }
        None => false,
    };
    if all_written && !draining && !pipeline.output_done(StreamKind::Audio) {
        pipeline.set_output_done(StreamKind::Audio);
        // Video may run on past the audio: hand the clock back to the monotonic clock.
        pipeline.set_audio_master(false);
    }
}

/// Keeps the part of `frame` (of `epoch`) that `mark` leaves to be played: an older epoch's
/// audio before the splice, a newer one's from it on.
fn splice(mut frame: AudioFrame, epoch: u32, mark: Option<Mark>) -> Option<AudioFrame> {
    let Some(mark) = mark else {
        return Some(frame);
    };
    let rate = u64::from(frame.sample_rate.max(1));
    let channels = usize::from(frame.channels.max(1));
    let start = ticks_to_duration(frame.pts, frame.timescale);
    let end = start + ticks_to_duration(frame.frames() as u64, rate);
    if mark.drops(epoch, &(start..end)) {
        return None;
    }
    if !(start..end).contains(&mark.from) || start == mark.from {
        return Some(frame);
    }
    let keep = duration_to_ticks(mark.from - start, rate) as usize * channels;
    if epoch < mark.epoch {
        frame.samples.truncate(keep);
    } else {
        frame.samples.drain(..keep.min(frame.samples.len()));
        frame.pts = duration_to_ticks(mark.from, frame.timescale);
    }
    (!frame.samples.is_empty()).then_some(frame)
}

/// Places a decoded frame on the output timeline: trims what lies before the seek target,
/// fills small timestamp gaps with silence, drops overlaps, restarts at large jumps.
fn prepare(pipeline: &Pipeline, out: &mut Output, frame: AudioFrame) -> Option<Pending> {
    let format = (frame.sample_rate, frame.channels);
    if frame.sample_rate == 0 || frame.channels == 0 {
        return None;
    }
    if out.format != Some(format) {
        if let Err(e) = out.sink.start(format.0, format.1) {
            pipeline.emit(Event::problem("sink", e.to_string(), false));
            return None;
        }
        out.format = Some(format);
        out.speed = Varispeed::new(format.0, format.1);
        out.written = 0;
        out.tail_taken = false;
        // A sink paused before its first start (the hold at startup) must not stay paused:
        // the loop re-applies the hold from this known state.
        out.sink.set_paused(false);
        out.paused = false;
    }
    let rate = u64::from(frame.sample_rate);
    let channels = usize::from(frame.channels);
    let mut samples = frame.samples;
    let mut start = ticks_to_duration(frame.pts, frame.timescale);
    // Cut off what lies before the seek target (or before what was already written).
    let not_before = match out.written_end() {
        Some(end) => end.saturating_sub(TOLERANCE),
        None => pipeline.floor(),
    };
    if start < not_before {
        let cut = duration_to_ticks(not_before - start, rate) as usize;
        let cut_samples = cut.saturating_mul(channels);
        if cut_samples >= samples.len() {
            return None;
        }
        samples.drain(..cut_samples);
        start += ticks_to_duration(cut as u64, rate);
    }
    // Where the samples go on the output timeline: continuing what was written (small
    // overlaps and gaps are jitter, or filled with silence), or starting afresh.
    let at = match out.written_end() {
        None => {
            out.sink.next_pts(start);
            start
        }
        Some(end) if start > end + TOLERANCE => {
            let gap = start - end;
            if gap > MAX_SILENCE {
                out.flush();
                out.sink.next_pts(start);
                start
            } else {
                let frames = duration_to_ticks(gap, rate) as usize;
                let mut with_silence = vec![0.0f32; frames * channels];
                with_silence.extend_from_slice(&samples);
                samples = with_silence;
                end
            }
        }
        Some(end) => end,
    };
    let mut played_out = Vec::with_capacity(samples.len());
    out.speed.push(at, &samples, &mut played_out);
    (!played_out.is_empty()).then_some(Pending {
        samples: played_out,
        offset: 0,
    })
}
