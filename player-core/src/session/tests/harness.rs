//! A scripted driver for the session: a fake clock, a pipeline whose position and outputs
//! the test sets, and helpers that answer fetches the way an origin would.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::manifest::{Chunk, Manifest};
use crate::net::NetError;
use crate::session::{
    Action, Command, Event, FetchOutcome, FetchRequest, Fetched, Input, Observed, Payload,
    Progress, Session, SessionConfig, State, StreamKind, Target,
};

/// Ticks per second of the test manifests.
pub const TS: u64 = 10_000_000;
/// Fragment duration of the test manifests, ticks (2 s).
pub const FRAG: u64 = 2 * TS;

/// What a test presentation holds.
#[derive(Debug, Clone)]
pub struct Pres {
    /// Fragments per stream.
    pub chunks: u64,
    /// Start time of the first fragment, ticks.
    pub first: u64,
    /// Live (`IsLive`), with this look-ahead and DVR window (seconds).
    pub live: Option<(u32, Option<u64>)>,
    /// With an audio stream (and a second language).
    pub audio: bool,
    /// With a caption stream.
    pub captions: bool,
    /// With a video stream of three levels.
    pub video: bool,
    /// More streams, as manifest XML (sparse streams).
    pub extra: String,
}

impl Default for Pres {
    fn default() -> Self {
        Pres {
            chunks: 10,
            first: 0,
            live: None,
            audio: true,
            captions: false,
            video: true,
            extra: String::new(),
        }
    }
}

const H264: [(u64, u32, u32, &str); 3] = [
    (
        300_000,
        320,
        180,
        "000000016764000cacb202833f3e02d4040405000003000100000300320f142a480000000168ebccb22c",
    ),
    (
        800_000,
        640,
        360,
        "000000016764001eacb201405ff2e02d4040405000000300100000030320f162e4800000000168ebccb22c",
    ),
    (
        2_500_000,
        1280,
        720,
        "000000016764001facb200a00b7602d4040405000003000100000300320f1832480000000168ebccb22c",
    ),
];

fn chunks_xml(p: &Pres) -> String {
    let mut s = format!(r#"<c t="{}" d="{FRAG}" />"#, p.first);
    for _ in 1..p.chunks {
        s.push_str(&format!(r#"<c d="{FRAG}" />"#));
    }
    s
}

fn audio_xml(name: &str, lang: &str, chunks: &str) -> String {
    format!(
        r#"<StreamIndex Type="audio" Name="{name}" Language="{lang}" QualityLevels="1" Url="QualityLevels({{bitrate}})/Fragments({name}={{start time}})">
<QualityLevel Index="0" Bitrate="128000" FourCC="AACL" SamplingRate="48000" Channels="2" BitsPerSample="16" PacketSize="4" AudioTag="255" CodecPrivateData="1190" />{chunks}</StreamIndex>"#
    )
}

/// The manifest of `p`.
pub fn manifest_xml(p: &Pres) -> String {
    let chunks = chunks_xml(p);
    let mut streams = String::new();
    if p.video {
        streams.push_str(r#"<StreamIndex Type="video" Name="video" QualityLevels="3" Url="QualityLevels({bitrate})/Fragments(video={start time})">"#);
        for (i, (b, w, h, cpd)) in H264.iter().enumerate() {
            streams.push_str(&format!(
                r#"<QualityLevel Index="{i}" Bitrate="{b}" FourCC="H264" MaxWidth="{w}" MaxHeight="{h}" CodecPrivateData="{cpd}" />"#
            ));
        }
        streams.push_str(&chunks);
        streams.push_str("</StreamIndex>");
    }
    if p.audio {
        streams.push_str(&audio_xml("audio_eng", "eng", &chunks));
        streams.push_str(&audio_xml("audio_fra", "fra", &chunks));
    }
    if p.captions {
        streams.push_str(&format!(
            r#"<StreamIndex Type="text" Subtype="CAPT" Name="captions" Language="eng" QualityLevels="1" Url="QualityLevels({{bitrate}})/Fragments(captions={{start time}})"><QualityLevel Index="0" Bitrate="1000" FourCC="TTML" />{chunks}</StreamIndex>"#
        ));
    }
    streams.push_str(&p.extra);
    let live = match p.live {
        Some((lookahead, dvr)) => format!(
            r#" IsLive="TRUE" LookaheadCount="{lookahead}" DVRWindowLength="{}" Duration="0""#,
            dvr.map_or(0, |s| s * TS)
        ),
        None => format!(r#" Duration="{}""#, p.chunks * FRAG),
    };
    format!(
        r#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="0" TimeScale="{TS}"{live}>{streams}</SmoothStreamingMedia>"#
    )
}

/// Parses the manifest of `p`.
pub fn manifest(p: &Pres) -> Manifest {
    crate::manifest::parse(manifest_xml(p).as_bytes()).expect("test manifest parses")
}

/// A session run by hand.
pub struct Script {
    pub s: Session,
    pub t0: Instant,
    pub now: Instant,
    /// What the pipeline reports at the next tick.
    pub obs: Observed,
    /// Every action polled so far, in order.
    pub log: Vec<Action>,
    /// The playback rate the session last asked for.
    pub rate: f64,
    /// The trick-play rate of the generation (negative: the clock runs backwards).
    pub trick: f64,
}

/// Seconds as a duration.
pub fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

impl Script {
    /// Opens `p` with `cfg`.
    pub fn open(p: &Pres, cfg: SessionConfig) -> Script {
        let t0 = Instant::now();
        let s = Session::new(Arc::new(manifest(p)), cfg, t0).expect("session opens");
        let mut script = Script {
            s,
            t0,
            now: t0,
            obs: Observed::default(),
            log: Vec::new(),
            rate: 1.0,
            trick: 1.0,
        };
        let first = script.drain();
        if let Some(start) = first.iter().find_map(|a| match a {
            Action::Flush { start, .. } => Some(*start),
            _ => None,
        }) {
            script.obs.position = start;
        }
        script
    }

    /// Opens `p` with the default configuration.
    pub fn vod(p: &Pres) -> Script {
        Script::open(p, SessionConfig::default())
    }

    /// Polls every action the session has, logging them.
    pub fn drain(&mut self) -> Vec<Action> {
        let mut out = Vec::new();
        while let Some(a) = self.s.poll_action() {
            out.push(a);
        }
        for a in &out {
            match a {
                Action::SetRate(r) => self.rate = *r,
                Action::Flush { rate, .. } => self.trick = *rate,
                _ => {}
            }
            self.log.push(clone_action(a));
        }
        out
    }

    /// Feeds `input` now and returns what the session asked for.
    pub fn input(&mut self, input: Input) -> Vec<Action> {
        self.s.handle(input, self.now);
        self.drain()
    }

    /// A tick with the pipeline as `obs` says.
    pub fn tick(&mut self) -> Vec<Action> {
        let obs = self.obs.clone();
        self.input(Input::Tick(obs))
    }

    /// Lets `d` of wall time pass, the clock advancing at the playback rate when `playing`
    /// (going back in rewind, never below zero).
    pub fn wait(&mut self, d: Duration, playing: bool) -> Vec<Action> {
        self.now += d;
        if playing {
            let moved = d.mul_f64((self.rate * self.trick).abs());
            self.obs.position = if self.trick < 0.0 {
                self.obs.position.saturating_sub(moved)
            } else {
                self.obs.position + moved
            };
        }
        self.tick()
    }

    /// A host command.
    pub fn command(&mut self, c: Command) -> Vec<Action> {
        self.input(Input::Command(c))
    }

    /// Answers `req` with `outcome`.
    pub fn answer(&mut self, req: &FetchRequest, outcome: FetchOutcome) -> Vec<Action> {
        self.input(Input::Fetched {
            id: req.id,
            outcome,
        })
    }

    /// Answers `req` with its fragment, naming `next` fragments.
    pub fn deliver(&mut self, req: &FetchRequest, next: &[Chunk]) -> Vec<Action> {
        self.answer(req, got(req, None, next))
    }

    /// Answers every fetch in `first` (and those the answers lead to) with what `origin`
    /// says (`None`: left unanswered); returns every action seen.
    pub fn serve(
        &mut self,
        first: Vec<Action>,
        mut origin: impl FnMut(&FetchRequest) -> Option<FetchOutcome>,
    ) -> Vec<Action> {
        let mut all = Vec::new();
        let mut queue: std::collections::VecDeque<Action> = first.into();
        let mut answered = 0;
        while let Some(a) = queue.pop_front() {
            if let Action::Fetch(r) = &a
                && let Some(outcome) = origin(r)
            {
                answered += 1;
                assert!(answered < 1000, "the session keeps fetching");
                queue.extend(self.answer(r, outcome));
            }
            all.push(a);
        }
        all
    }

    /// A tick, then every fetch answered with its fragment until the buffers are full.
    pub fn fill(&mut self) -> Vec<Action> {
        let first = self.tick();
        self.serve(first, |r| Some(got(r, None, &[])))
    }
}

/// A fetched fragment for `req` (100 kB in 40 ms), with its `exact` duration.
pub fn got(req: &FetchRequest, exact: Option<u64>, next: &[Chunk]) -> FetchOutcome {
    let payload = match req.target {
        Target::Text => Payload::Cues(Vec::new()),
        Target::Marker(_) => Payload::Markers(Vec::new()),
        Target::Media(_) | Target::Edge(_) => Payload::Samples {
            units: Vec::new(),
            kid: None,
        },
    };
    FetchOutcome::Got(Fetched {
        url: format!("http://origin/{}/{}", req.stream, req.chunk.start),
        bytes: 100_000,
        ttfb: Duration::from_millis(10),
        total: Duration::from_millis(40),
        exact_duration: exact,
        next: next.to_vec(),
        children: Vec::new(),
        payload,
    })
}

/// An HTTP status error for `req`.
pub fn status(req: &FetchRequest, status: u16) -> Error {
    Error::Net(NetError::Status {
        url: format!("http://origin/{}/{}", req.stream, req.chunk.start),
        status,
    })
}

/// The fetch requests among `actions`.
pub fn fetches(actions: &[Action]) -> Vec<FetchRequest> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Fetch(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

/// The fetch request of `kind` among `actions`.
pub fn fetch_of(actions: &[Action], kind: StreamKind) -> Option<FetchRequest> {
    fetches(actions)
        .into_iter()
        .find(|r| r.target == Target::Media(kind))
}

/// The events among `actions`.
pub fn events(actions: &[Action]) -> Vec<Event> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Emit(e) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

/// The states entered among `actions`.
pub fn states(actions: &[Action]) -> Vec<State> {
    events(actions)
        .into_iter()
        .filter_map(|e| match e {
            Event::State { state, .. } => Some(state),
            _ => None,
        })
        .collect()
}

/// The error events among `actions`: (kind, fatal).
pub fn errors(actions: &[Action]) -> Vec<(String, bool)> {
    events(actions)
        .into_iter()
        .filter_map(|e| match e {
            Event::Error { kind, fatal, .. } => Some((kind, fatal)),
            _ => None,
        })
        .collect()
}

/// Whether `actions` hold a hold/release of the clock, and which was last.
pub fn last_hold(actions: &[Action]) -> Option<bool> {
    actions.iter().rev().find_map(|a| match a {
        Action::Hold(h) => Some(*h),
        _ => None,
    })
}

/// The new generation's start among `actions`.
pub fn flush(actions: &[Action]) -> Option<(u64, Duration)> {
    actions.iter().find_map(|a| match a {
        Action::Flush {
            generation, start, ..
        } => Some((*generation, *start)),
        _ => None,
    })
}

/// Progress of a download.
pub fn progress(received: u64, expected: u64, elapsed: f64) -> Progress {
    Progress {
        received,
        expected: Some(expected),
        elapsed: secs(elapsed),
        ttfb: secs(0.01),
    }
}

/// A copy of an action for the log (samples are not kept).
pub fn clone_action(a: &Action) -> Action {
    match a {
        Action::Fetch(r) => Action::Fetch(r.clone()),
        Action::Cancel(id) => Action::Cancel(*id),
        Action::RefreshManifest => Action::RefreshManifest,
        Action::Flush {
            generation,
            start,
            rate,
        } => Action::Flush {
            generation: *generation,
            start: *start,
            rate: *rate,
        },
        Action::Hold(h) => Action::Hold(*h),
        Action::SetRate(r) => Action::SetRate(*r),
        Action::Replace { kind, from, epoch } => Action::Replace {
            kind: *kind,
            from: *from,
            epoch: *epoch,
        },
        Action::Decode(k, f) => Action::Decode(*k, f.clone()),
        Action::EndOfStream(k, g) => Action::EndOfStream(*k, *g),
        Action::Emit(e) => Action::Emit(e.clone()),
        Action::Close => Action::Close,
    }
}
