//! The session state machine fed random input sequences — commands, ticks, fetch answers of
//! every kind (also late, stale and unasked-for ones), progress, manifest refreshes, decoder
//! failures — against generated presentations (on demand and live, with and without audio,
//! video, captions and mirrors). After every step the invariants are checked:
//!
//! - never more than one fetch in flight per stream (video, audio, captions);
//! - every fetch names a stream, level and location that exist, with a limit;
//! - generations only grow, and samples and end-of-stream marks belong to the current one;
//! - nothing at all after `Close`, and no fetch after the session failed or stopped;
//! - `poll_timeout` does not stay in the past while time goes on (the driver would spin);
//! - positions in events are finite and not negative;
//! - and, implicitly, no panic.
#![no_main]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use player_core::error::Error;
use player_core::manifest::{Chunk, Manifest, StreamType, parse};
use player_core::net::NetError;
use player_core::session::{
    Action, Command, Event, FetchOutcome, FetchRequest, Fetched, Input, Observed, Payload,
    Progress, RequestId, Session, SessionConfig, State, StreamKind, Target,
};

const TS: u64 = 10_000_000;

#[derive(Arbitrary, Debug, Clone, Copy)]
struct PresSpec {
    chunks: u8,
    /// Fragment duration, tenths of a second (0 is taken as 1).
    frag_tenths: u8,
    first_t: u16,
    live: bool,
    lookahead: u8,
    dvr_s: Option<u8>,
    video: bool,
    audio: bool,
    captions: bool,
}

#[derive(Arbitrary, Debug)]
struct CfgSpec {
    fast: bool,
    speed: u8,
    start_s: Option<u8>,
    start_paused: bool,
    buffer_ahead_s: u8,
    budget_kib: Option<u16>,
    quality: Option<u8>,
    max_bitrate: Option<u32>,
    captions: bool,
    locations: u8,
    live_delay_s: Option<u8>,
}

#[derive(Arbitrary, Debug)]
enum CmdSpec {
    Play,
    Pause,
    Seek(u16),
    SeekBy(i16),
    Quality(Option<u8>),
    MaxBitrate(Option<u32>),
    Select(bool, u8),
    Captions(bool),
    GoLive,
    Viewport(Option<(u16, u16)>),
    Rate(i8),
    Stop,
}

#[derive(Arbitrary, Debug)]
enum OutcomeSpec {
    Got {
        exact: Option<u32>,
        next: u8,
        bytes: u32,
        total_ms: u16,
    },
    NotYet,
    Gone(bool),
    Failed(u16),
    Corrupt,
    Fatal,
    Cancelled,
}

#[derive(Arbitrary, Debug)]
enum Step {
    Tick {
        wall_ms: u16,
        queued_kib: u16,
        done: u8,
    },
    Command(CmdSpec),
    Answer(u8, OutcomeSpec),
    Progress {
        pick: u8,
        received: u32,
        expected: Option<u32>,
        elapsed_ms: u16,
    },
    Refresh {
        ok: bool,
        grow: u8,
    },
    DecoderFailed,
    Stale(u8, OutcomeSpec),
}

#[derive(Arbitrary, Debug)]
struct Case {
    pres: PresSpec,
    cfg: CfgSpec,
    steps: Vec<Step>,
}

fn chunks_xml(p: &PresSpec, extra: u64) -> (String, u64) {
    let frag = u64::from(p.frag_tenths.max(1)) * TS / 10;
    let n = u64::from(p.chunks % 40).max(1) + extra;
    let mut s = format!(
        r#"<c t="{}" d="{frag}" />"#,
        u64::from(p.first_t) * TS / 100
    );
    for _ in 1..n {
        s.push_str(&format!(r#"<c d="{frag}" />"#));
    }
    (s, n * frag)
}

/// The manifest of `p` with `extra` more fragments per stream (a live refresh).
fn manifest_xml(p: &PresSpec, extra: u64) -> String {
    let (chunks, total) = chunks_xml(p, extra);
    let mut streams = String::new();
    if p.video || !p.audio {
        streams.push_str(r#"<StreamIndex Type="video" Name="video" QualityLevels="2" Url="QualityLevels({bitrate})/Fragments(video={start time})">"#);
        streams.push_str(r#"<QualityLevel Index="0" Bitrate="300000" FourCC="H264" MaxWidth="320" MaxHeight="180" CodecPrivateData="000000016764000cacb202833f3e02d4040405000003000100000300320f142a480000000168ebccb22c" />"#);
        streams.push_str(r#"<QualityLevel Index="1" Bitrate="800000" FourCC="H264" MaxWidth="640" MaxHeight="360" CodecPrivateData="000000016764001eacb201405ff2e02d4040405000000300100000030320f162e4800000000168ebccb22c" />"#);
        streams.push_str(&chunks);
        streams.push_str("</StreamIndex>");
    }
    if p.audio {
        for (name, lang) in [("audio_eng", "eng"), ("audio_fra", "fra")] {
            streams.push_str(&format!(
                r#"<StreamIndex Type="audio" Name="{name}" Language="{lang}" QualityLevels="1" Url="QualityLevels({{bitrate}})/Fragments({name}={{start time}})"><QualityLevel Index="0" Bitrate="128000" FourCC="AACL" SamplingRate="48000" Channels="2" BitsPerSample="16" PacketSize="4" AudioTag="255" CodecPrivateData="1190" />{chunks}</StreamIndex>"#
            ));
        }
    }
    if p.captions {
        streams.push_str(&format!(
            r#"<StreamIndex Type="text" Subtype="CAPT" Name="captions" Language="eng" QualityLevels="1" Url="QualityLevels({{bitrate}})/Fragments(captions={{start time}})"><QualityLevel Index="0" Bitrate="1000" FourCC="TTML" />{chunks}</StreamIndex>"#
        ));
    }
    let timing = if p.live {
        format!(
            r#" IsLive="TRUE" LookaheadCount="{}" DVRWindowLength="{}" Duration="0""#,
            p.lookahead % 4,
            p.dvr_s.map_or(0, |s| u64::from(s) * TS)
        )
    } else {
        format!(r#" Duration="{total}""#)
    };
    format!(
        r#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="0" TimeScale="{TS}"{timing}>{streams}</SmoothStreamingMedia>"#
    )
}

fn config(c: &CfgSpec) -> SessionConfig {
    SessionConfig {
        fast: c.fast,
        speed: [0.5, 1.0, 2.0, 8.0][usize::from(c.speed % 4)],
        start: c.start_s.map(|s| Duration::from_secs(u64::from(s))),
        start_paused: c.start_paused,
        buffer_ahead: Duration::from_secs(u64::from(c.buffer_ahead_s % 40)),
        buffer_bytes: c.budget_kib.map_or(32 << 20, |k| u64::from(k) << 10),
        quality: c.quality.map(usize::from),
        max_bitrate: c.max_bitrate.map(u64::from),
        captions: c.captions,
        locations: usize::from(c.locations % 4).max(1),
        live_delay: c.live_delay_s.map(|s| Duration::from_secs(u64::from(s))),
        ..SessionConfig::default()
    }
}

fn command(c: &CmdSpec) -> Command {
    match c {
        CmdSpec::Play => Command::Play,
        CmdSpec::Pause => Command::Pause,
        CmdSpec::Seek(s) => Command::Seek(Duration::from_millis(u64::from(*s) * 10)),
        CmdSpec::SeekBy(s) => Command::SeekBy(f64::from(*s) / 10.0),
        CmdSpec::Quality(q) => Command::SetQuality(q.map(usize::from)),
        CmdSpec::MaxBitrate(b) => Command::SetMaxBitrate(b.map(u64::from)),
        CmdSpec::Select(video, n) => Command::SelectStream {
            kind: if *video {
                StreamKind::Video
            } else {
                StreamKind::Audio
            },
            name: ["video", "audio_eng", "audio_fra", "fra", "nope", ""][usize::from(n % 6)]
                .to_string(),
        },
        CmdSpec::Captions(on) => Command::SetCaptions(*on),
        CmdSpec::GoLive => Command::GoLive,
        CmdSpec::Viewport(v) => Command::SetViewport(v.map(|(w, h)| (u32::from(w), u32::from(h)))),
        // Offered rates and others (refused).
        CmdSpec::Rate(r) => Command::SetRate(f64::from(*r)),
        CmdSpec::Stop => Command::Stop,
    }
}

fn net(req_url: String, status: u16) -> Error {
    Error::Net(NetError::Status {
        url: req_url,
        status,
    })
}

fn outcome(o: &OutcomeSpec, req: Option<&FetchRequest>, frag: u64) -> FetchOutcome {
    let url = req.map_or_else(String::new, |r| {
        format!("http://o/{}/{}", r.stream, r.chunk.start)
    });
    match o {
        OutcomeSpec::Got {
            exact,
            next,
            bytes,
            total_ms,
        } => {
            let start = req.map_or(0, |r| r.chunk.end());
            let payload = match req.map(|r| r.target) {
                Some(Target::Text) => Payload::Cues(Vec::new()),
                _ => Payload::Samples {
                    units: Vec::new(),
                    kid: None,
                },
            };
            FetchOutcome::Got(Fetched {
                url,
                bytes: *bytes as usize,
                ttfb: Duration::from_millis(u64::from(*total_ms) / 4),
                total: Duration::from_millis(u64::from(*total_ms)),
                exact_duration: exact.map(u64::from),
                next: (0..u64::from(next % 4))
                    .map(|i| Chunk {
                        start: start + i * frag,
                        duration: frag,
                    })
                    .collect(),
                payload,
            })
        }
        OutcomeSpec::NotYet => FetchOutcome::NotYet,
        OutcomeSpec::Gone(gone) => FetchOutcome::Gone(net(url, if *gone { 410 } else { 404 })),
        OutcomeSpec::Failed(s) => FetchOutcome::Failed(net(url, 500 + s % 100)),
        OutcomeSpec::Corrupt => FetchOutcome::Corrupt {
            error: Error::Box(player_core::isobmff::BoxError::Missing {
                path: "moof".into(),
                what: "traf".into(),
            }),
            url,
        },
        OutcomeSpec::Fatal => FetchOutcome::Fatal(Error::Decrypt(
            player_core::decrypt::DecryptError::KeyUnavailable {
                kid: player_core::base::Uuid([1; 16]),
            },
        )),
        OutcomeSpec::Cancelled => FetchOutcome::Cancelled,
    }
}

/// What the checker knows of the session's past.
struct Model {
    manifest: Arc<Manifest>,
    locations: usize,
    in_flight: HashMap<RequestId, FetchRequest>,
    retired: Vec<FetchRequest>,
    generation: u64,
    closed: bool,
    over: bool,
    held: bool,
    position: Duration,
    /// A deadline in the past that ticks have not moved, and how many ticks saw it.
    stuck: Option<(Instant, u32)>,
    refresh_asked: bool,
}

impl Model {
    fn check_fetch(&mut self, r: &FetchRequest) {
        assert!(
            !self.over,
            "fetch after the session failed or stopped: {r:?}"
        );
        let s = self
            .manifest
            .streams
            .get(r.stream)
            .expect("fetch of a stream that exists");
        assert!(
            r.quality_level < s.quality_levels.len(),
            "level out of range: {r:?}"
        );
        assert!(r.location < self.locations, "location out of range: {r:?}");
        assert!(r.limit > 0, "fetch without a limit");
        let expected = match r.target {
            Target::Media(StreamKind::Video) => StreamType::Video,
            Target::Media(StreamKind::Audio) => StreamType::Audio,
            Target::Text => StreamType::Text,
        };
        assert_eq!(
            s.stream_type, expected,
            "fetch target and stream type differ"
        );
        let twin = self.in_flight.values().find(|o| o.target == r.target);
        assert!(
            twin.is_none(),
            "two fetches in flight for one stream: {twin:?} and {r:?}"
        );
        self.in_flight.insert(r.id, r.clone());
    }

    fn check_event(&mut self, e: &Event) {
        match e {
            Event::State { state, position_s } => {
                assert!(position_s.is_finite() && *position_s >= 0.0, "{e:?}");
                if matches!(state, State::Failed | State::Stopped) {
                    self.over = true;
                }
            }
            Event::Seek {
                requested_s,
                position_s,
                ..
            } => assert!(requested_s.is_finite() && position_s.is_finite(), "{e:?}"),
            Event::Ended { position_s } | Event::Caption { position_s, .. } => {
                assert!(position_s.is_finite(), "{e:?}");
            }
            // Only offered rates are ever in force.
            Event::Rate { rate, .. } => {
                assert!(player_core::session::RATES.contains(rate), "{e:?}");
            }
            _ => {}
        }
    }

    fn take(&mut self, a: &Action) {
        assert!(!self.closed, "an action after Close: {a:?}");
        match a {
            Action::Fetch(r) => self.check_fetch(r),
            Action::Cancel(id) => {
                if let Some(r) = self.in_flight.remove(id) {
                    self.retired.push(r);
                }
            }
            Action::RefreshManifest => self.refresh_asked = true,
            Action::Flush {
                generation, start, ..
            } => {
                assert!(*generation > self.generation, "generation went back: {a:?}");
                self.generation = *generation;
                self.position = *start;
            }
            Action::Hold(h) => self.held = *h,
            Action::Decode(_, f) => {
                assert_eq!(
                    f.generation, self.generation,
                    "samples of an old generation"
                )
            }
            Action::EndOfStream(_, g) => assert_eq!(*g, self.generation, "old end of stream"),
            Action::Emit(e) => self.check_event(e),
            Action::Close => self.closed = true,
        }
    }

    /// A deadline in the past that stays put while time goes by makes the driver spin.
    fn check_timeout(&mut self, timeout: Option<Instant>, now: Instant, advanced: bool) {
        match timeout.filter(|t| *t <= now) {
            Some(t) => {
                let seen = match self.stuck {
                    Some((s, n)) if s == t => n + u32::from(advanced),
                    _ => 1,
                };
                assert!(seen < 64, "poll_timeout stays at a past instant");
                self.stuck = Some((t, seen));
            }
            None => self.stuck = None,
        }
    }
}

fn pick(m: &Model, i: u8) -> Option<FetchRequest> {
    let mut ids: Vec<_> = m.in_flight.keys().copied().collect();
    ids.sort();
    let id = *ids.get(usize::from(i) % ids.len().max(1))?;
    m.in_flight.get(&id).cloned()
}

fn run(case: &Case) {
    let xml = manifest_xml(&case.pres, 0);
    let manifest = Arc::new(parse(xml.as_bytes()).expect("generated manifests parse"));
    let cfg = config(&case.cfg);
    let frag = u64::from(case.pres.frag_tenths.max(1)) * TS / 10;
    let t0 = Instant::now();
    let mut now = t0;
    let mut model = Model {
        manifest: manifest.clone(),
        locations: cfg.locations,
        in_flight: HashMap::new(),
        retired: Vec::new(),
        generation: 0,
        closed: false,
        over: false,
        held: true,
        position: Duration::ZERO,
        stuck: None,
        refresh_asked: false,
    };
    let Ok(mut session) = Session::new(manifest, cfg, t0) else {
        return;
    };
    let mut grown = 0u64;
    for step in case.steps.iter().take(400) {
        let before = now;
        let input = match step {
            Step::Tick {
                wall_ms,
                queued_kib,
                done,
            } => {
                let wall = Duration::from_millis(u64::from(*wall_ms % 5000));
                now += wall;
                if !model.held {
                    model.position += wall;
                }
                Input::Tick(Observed {
                    position: model.position,
                    queued_bytes: u64::from(*queued_kib) << 10,
                    output_done: [done & 1 != 0, done & 2 != 0],
                    ..Observed::default()
                })
            }
            Step::Command(c) => Input::Command(command(c)),
            Step::Answer(i, o) => {
                let Some(req) = pick(&model, *i) else {
                    continue;
                };
                model.in_flight.remove(&req.id);
                model.retired.push(req.clone());
                Input::Fetched {
                    id: req.id,
                    outcome: outcome(o, Some(&req), frag),
                }
            }
            Step::Stale(i, o) => {
                let req = model
                    .retired
                    .get(usize::from(*i) % model.retired.len().max(1))
                    .cloned();
                let id = req
                    .as_ref()
                    .map_or(RequestId(u64::from(*i) + 1000), |r| r.id);
                Input::Fetched {
                    id,
                    outcome: outcome(o, req.as_ref(), frag),
                }
            }
            Step::Progress {
                pick: i,
                received,
                expected,
                elapsed_ms,
            } => {
                let Some(req) = pick(&model, *i) else {
                    continue;
                };
                Input::Progress {
                    id: req.id,
                    progress: Progress {
                        received: u64::from(*received),
                        expected: expected.map(u64::from),
                        elapsed: Duration::from_millis(u64::from(*elapsed_ms)),
                        ttfb: Duration::from_millis(u64::from(*elapsed_ms) / 8),
                    },
                }
            }
            Step::Refresh { ok, grow } => {
                model.refresh_asked = false;
                if *ok {
                    grown += u64::from(grow % 4);
                    let xml = manifest_xml(&case.pres, grown);
                    Input::Manifest(Ok(parse(xml.as_bytes()).expect("refreshed manifest parses")))
                } else {
                    Input::Manifest(Err(net("http://o/Manifest".into(), 503)))
                }
            }
            Step::DecoderFailed => Input::DecoderFailed(Error::Decrypt(
                player_core::decrypt::DecryptError::KeyUnavailable {
                    kid: player_core::base::Uuid([2; 16]),
                },
            )),
        };
        let is_tick = matches!(input, Input::Tick(_));
        session.handle(input, now);
        while let Some(a) = session.poll_action() {
            model.take(&a);
        }
        if is_tick {
            model.check_timeout(session.poll_timeout(), now, now > before);
        }
        if model.closed {
            // Nothing more may come out, whatever goes in.
            session.handle(Input::Command(Command::Play), now);
            session.handle(
                Input::Tick(Observed::default()),
                now + Duration::from_secs(1),
            );
            let after = session.poll_action();
            assert!(after.is_none(), "an action after Close: {after:?}");
            return;
        }
    }
}

fuzz_target!(|case: Case| run(&case));
