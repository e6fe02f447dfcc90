//! What goes into a session and what comes out of it: the whole contract between the state
//! machine and the driver that runs it.

use std::sync::Arc;
use std::time::Duration;

use crate::captions::Cue;
use crate::demux::DecoderConfig;
use crate::error::Error;
use crate::manifest::{Chunk, Manifest, Uuid};

use super::command::Command;
use super::event::{Event, StreamKind};

/// Names one fetch the session asked for; results for a request it no longer waits for
/// (cancelled, or of an older generation) are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// Something that happened, fed to [`Session::handle`](super::Session::handle).
#[derive(Debug)]
pub enum Input {
    /// The host asked for something.
    Command(Command),
    /// Time passed; here is what the pipeline looks like now.
    Tick(Observed),
    /// A fetch the session asked for finished.
    Fetched {
        /// Which one.
        id: RequestId,
        /// How it went.
        outcome: FetchOutcome,
    },
    /// A fetch in flight made progress (video only: the ABR may abandon it).
    Progress {
        /// Which one.
        id: RequestId,
        /// How far it got.
        progress: Progress,
    },
    /// A manifest refresh the session asked for finished.
    Manifest(Result<Manifest, Error>),
    /// A decoder found that playback cannot go on (e.g. a wrong content key).
    DecoderFailed(Error),
}

/// What the pipeline's threads report, read by the driver at each tick.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    /// The presentation clock's media position.
    pub position: Duration,
    /// Bytes of compressed media and decoded pictures queued in the pipeline.
    pub queued_bytes: u64,
    /// Whether each output (video, audio) has played its last sample this generation.
    pub output_done: [bool; 2],
    /// Counters for stats and the ABR's CPU side.
    pub counters: Counters,
}

/// Decoder and presenter counters since the player opened.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    /// Video pictures decoded.
    pub frames_decoded: u64,
    /// Video pictures dropped (late, or skipped to catch up).
    pub frames_dropped: u64,
    /// Audio sample frames played since the last flush.
    pub audio_frames: u64,
    /// The level on screen: bitrate, width, height.
    pub shown: Option<(u64, u32, u32)>,
    /// Duration of the pictures being shown, seconds.
    pub frame_s: f64,
    /// Per level (by bitrate): pictures decoded, dropped, and wall time spent decoding.
    pub per_level: Vec<(u64, LevelCounters)>,
}

/// How the decoder did at one level.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LevelCounters {
    /// Pictures decoded.
    pub decoded: u64,
    /// Pictures dropped.
    pub dropped: u64,
    /// Wall time the decoder spent on them: with fragment-parallel decoding, each worker's
    /// time divided by the number of workers, so `decode_wall / decoded` is how long the
    /// pool as a whole takes per picture.
    pub decode_wall: Duration,
}

/// Progress of an in-flight download.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Bytes received so far.
    pub received: u64,
    /// Content-Length, when known.
    pub expected: Option<u64>,
    /// Wall time since the request was sent.
    pub elapsed: Duration,
    /// Wall time to the response headers.
    pub ttfb: Duration,
}

/// How one fetch ended, as far as the session's decisions go.
#[derive(Debug)]
pub enum FetchOutcome {
    /// The fragment, parsed (and decrypted).
    Got(Fetched),
    /// Not produced yet (HTTP 412 at a live edge).
    NotYet,
    /// Not there (HTTP 404 or 410): normal past a live edge, in a gap or outside the window.
    Gone(Error),
    /// Could not be fetched even after the network layer's retries.
    Failed(Error),
    /// Fetched, but the bytes cannot be used (a corrupt fragment is skipped).
    Corrupt {
        /// What is wrong.
        error: Error,
        /// Where it came from.
        url: String,
    },
    /// Playback cannot go on (the fragment cannot be decrypted).
    Fatal(Error),
    /// Cancelled at the session's request.
    Cancelled,
}

/// A fetched fragment and how it arrived.
#[derive(Debug)]
pub struct Fetched {
    /// Where it came from (after redirects).
    pub url: String,
    /// Bytes downloaded.
    pub bytes: usize,
    /// Wall time to the response headers.
    pub ttfb: Duration,
    /// Wall time to the last byte.
    pub total: Duration,
    /// The exact duration the fragment gives itself (tfxd), stream ticks.
    pub exact_duration: Option<u64>,
    /// Fragments that follow it (tfrf look-ahead), stream ticks.
    pub next: Vec<Chunk>,
    /// Sparse stream pointers sent with it: (stream Name, latest fragment start at or
    /// before this one).
    pub children: Vec<(String, u64)>,
    /// What it holds.
    pub payload: Payload,
}

/// What a fragment holds, ready for the next stage.
#[derive(Debug)]
pub enum Payload {
    /// Audio or video samples for a decoder.
    Samples {
        /// The samples, decrypted.
        units: Vec<crate::demux::MediaUnit>,
        /// The KID they were decrypted with (`None`: clear).
        kid: Option<Uuid>,
    },
    /// Caption cues (text streams).
    Cues(Vec<Cue>),
    /// Markers (sparse streams).
    Markers(Vec<crate::markers::Marker>),
}

/// What a fetch is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The selected video or audio stream.
    Media(StreamKind),
    /// The caption stream.
    Text,
    /// A marker stream (index among the session's marker streams).
    Marker(usize),
    /// A question about the live edge, asked with a fragment of this stream (its samples
    /// are not used).
    Edge(StreamKind),
}

/// A fragment to fetch.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchRequest {
    /// Names the result.
    pub id: RequestId,
    /// What it is for.
    pub target: Target,
    /// Index into `Manifest::streams`.
    pub stream: usize,
    /// Index into that stream's `quality_levels`.
    pub quality_level: usize,
    /// The fragment (stream ticks).
    pub chunk: Chunk,
    /// Where from: 0 is the primary origin, 1… the mirrors in order.
    pub location: usize,
    /// Largest body accepted, bytes.
    pub limit: usize,
    /// Whether to report progress (the ABR may abandon it).
    pub watch: bool,
}

/// The samples of one fragment of one stream, for its decoder.
#[derive(Debug, Clone)]
pub struct DecodeFragment {
    /// The generation they belong to.
    pub generation: u64,
    /// Which replacement of the stream's media they belong to (see [`Action::Replace`]).
    pub epoch: u32,
    /// Media time the fragment covers.
    pub span: std::ops::Range<Duration>,
    /// Bitrate of their level.
    pub bitrate: u64,
    /// Stream timescale.
    pub timescale: u64,
    /// Decoder set-up for their level.
    pub config: Arc<DecoderConfig>,
    /// The samples.
    pub units: Vec<crate::demux::MediaUnit>,
    /// The KID they were decrypted with; `None` when clear.
    pub kid: Option<Uuid>,
    /// Bytes they cost the memory budget.
    pub bytes: usize,
}

/// What the session wants done, polled with [`Session::poll_action`](super::Session::poll_action).
#[derive(Debug)]
pub enum Action {
    /// Fetch a fragment and report the outcome with the request's id.
    Fetch(FetchRequest),
    /// Stop a fetch in flight; its outcome is no longer wanted.
    Cancel(RequestId),
    /// Fetch the manifest again and report it.
    RefreshManifest,
    /// Start a new generation at media time `start`: drop everything queued, reset the clock
    /// there and present nothing before it (backwards: nothing after it).
    Flush {
        /// The new generation.
        generation: u64,
        /// Where it starts.
        start: Duration,
        /// Its trick-play rate: 1 plays every stream; any other rate plays video only, the
        /// clock running at that rate (backwards when negative) with the audio muted.
        rate: f64,
    },
    /// Hold the clock (startup, stall, pause) or let it run.
    Hold(bool),
    /// From media time `from` on, the stream's media is replaced by what comes with `epoch`
    /// (another level, another language or angle): everything of an older epoch at or after
    /// `from` is dropped wherever it is in the pipeline, and nothing of the new one before it
    /// is shown. Playback goes on without a break.
    Replace {
        /// Which stream.
        kind: StreamKind,
        /// Where the new media takes over.
        from: Duration,
        /// The new epoch.
        epoch: u32,
    },
    /// Play at this rate (1 = normal): media seconds per second of the clock.
    SetRate(f64),
    /// Hand samples to a decoder.
    Decode(StreamKind, DecodeFragment),
    /// The stream has no more fragments this generation.
    EndOfStream(StreamKind, u64),
    /// Tell the host.
    Emit(Event),
    /// The session is over (stopped): shut the pipeline down.
    Close,
}
