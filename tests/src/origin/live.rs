//! Simulated live: an on-demand presentation replayed as a live stream whose edge advances
//! with a clock, optionally looping with increasing timestamps, with encoder gaps and an end.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use player_core::manifest::{Manifest, QualityLevel, StreamIndex, expand_template};

/// How the live simulation behaves.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// Media seconds produced per wall-clock second (a faster test clock above 1).
    pub speed: f64,
    /// DVR window (None = infinite: everything since the start stays available).
    pub dvr_window: Option<Duration>,
    /// Entries written into each fragment's tfrf (LookAheadFragmentCount); 0 = no tfrf.
    pub lookahead: u32,
    /// As IIS does: the manifest leaves out the newest `lookahead` fragments, so it lags the
    /// edge by the look-ahead (tfrf still names every fragment that exists).
    pub manifest_lags: bool,
    /// Added to every timestamp, in ticks (live streams use large absolute times).
    pub time_base: u64,
    /// Replay the content in a loop with increasing timestamps (else the event ends with it).
    pub loop_content: bool,
    /// Media that already exists when the origin starts.
    pub preroll: Duration,
    /// Encoder failures: spans of media time (since the live start) whose fragments never exist.
    pub gaps: Vec<Gap>,
    /// Media time (since the live start) at which the event ends and the manifest drops IsLive.
    pub end_at: Option<Duration>,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            speed: 1.0,
            dvr_window: Some(Duration::from_secs(120)),
            lookahead: 2,
            manifest_lags: false,
            time_base: 0,
            loop_content: true,
            preroll: Duration::from_secs(10),
            gaps: Vec::new(),
            end_at: None,
        }
    }
}

/// A span of media time whose fragments the encoder never produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    /// Start, media time since the live start.
    pub from: Duration,
    /// End.
    pub to: Duration,
    /// Only these bitrates miss their fragments (None = all levels).
    pub bitrates: Option<Vec<u64>>,
}

/// Parses `FROM..TO[@BITRATE,BITRATE…]` (seconds).
pub fn parse_gap(s: &str) -> Result<Gap, String> {
    let (span, levels) = match s.split_once('@') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let (a, b) = span
        .split_once("..")
        .ok_or_else(|| format!("gap {s:?}: use FROM..TO[@BITRATE,…] in seconds"))?;
    let secs = |v: &str| -> Result<Duration, String> {
        v.trim()
            .parse::<f64>()
            .ok()
            .and_then(|x| Duration::try_from_secs_f64(x).ok())
            .ok_or_else(|| format!("gap {s:?}: {v:?} is not a number of seconds"))
    };
    let (from, to) = (secs(a)?, secs(b)?);
    if to <= from {
        return Err(format!("gap {s:?}: TO must be after FROM"));
    }
    let bitrates = levels
        .map(|l| {
            l.split(',')
                .map(|b| {
                    b.trim()
                        .parse::<u64>()
                        .map_err(|_| format!("gap {s:?}: bad bitrate {b:?}"))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    Ok(Gap { from, to, bitrates })
}

/// One stream of the source presentation.
struct SourceStream {
    index: StreamIndex,
    /// Chunk starts relative to the presentation's first start, and durations.
    chunks: Vec<(u64, u64)>,
}

/// A presentation directory served live.
pub struct LivePresentation {
    dir: PathBuf,
    source: Manifest,
    streams: Vec<SourceStream>,
    timescale: u64,
    /// Loop period in ticks (the longest stream's span).
    period: u64,
    config: LiveConfig,
    started: Instant,
}

/// What a fragment request resolves to.
#[derive(Debug)]
pub enum FragmentAnswer {
    /// Serve this source file rewritten with these times and tfrf entries.
    Serve {
        /// Source fragment file.
        file: PathBuf,
        /// Live start time.
        time: u64,
        /// Duration.
        duration: u64,
        /// tfrf entries (None: no tfrf box).
        next: Option<Vec<(u64, u64)>>,
        /// For a caption (text) fragment: how far its TTML times move, ticks.
        ttml_shift: Option<i128>,
        /// For a media fragment: the latest made fragment of each sparse stream at or before
        /// it (name, absolute start), sent as `ChildTrack` pointers.
        children: Vec<(String, u64)>,
    },
    /// Not produced yet (HTTP 412, as IIS answers beyond the edge).
    NotYet,
    /// Fell out of the DVR window (HTTP 410).
    Gone,
    /// Never existed (HTTP 404).
    NotFound,
}

impl LivePresentation {
    /// Loads `dir`'s on-demand manifest; the live clock starts at `started`.
    pub fn load(
        dir: &Path,
        config: LiveConfig,
        started: Instant,
    ) -> Result<LivePresentation, String> {
        let bytes =
            std::fs::read(dir.join("Manifest")).map_err(|e| format!("{}: {e}", dir.display()))?;
        let source = player_core::manifest::parse(&bytes).map_err(|e| e.to_string())?;
        let timescale = source.timescale;
        let first = source
            .streams
            .iter()
            .filter_map(|s| s.chunks.first().map(|c| c.start))
            .min()
            .unwrap_or(0);
        let mut streams = Vec::new();
        for s in &source.streams {
            if s.timescale != timescale {
                return Err("streams with their own TimeScale are not supported live".into());
            }
            let chunks = s
                .chunks
                .iter()
                .map(|c| (c.start - first, c.duration))
                .collect();
            streams.push(SourceStream {
                index: s.clone(),
                chunks,
            });
        }
        let period = streams
            .iter()
            .filter_map(|s| s.chunks.last().map(|(t, d)| t + d))
            .max()
            .ok_or("the presentation has no chunks")?;
        Ok(LivePresentation {
            dir: dir.to_path_buf(),
            source,
            streams,
            timescale,
            period,
            config,
            started,
        })
    }

    /// Ticks per second of every stream.
    pub fn timescale(&self) -> u64 {
        self.timescale
    }

    fn ticks(&self, d: Duration) -> u64 {
        player_core::time::duration_to_ticks(d, self.timescale)
    }

    /// The live edge (ticks since the live start) at `now`: media up to here exists.
    pub fn edge(&self, now: Instant) -> u64 {
        let wall = now.saturating_duration_since(self.started).as_secs_f64();
        let produced = self.ticks(self.config.preroll) as f64
            + wall * self.config.speed * self.timescale as f64;
        let mut edge = produced as u64;
        if let Some(end) = self.config.end_at {
            edge = edge.min(self.ticks(end));
        }
        if !self.config.loop_content {
            edge = edge.min(self.period);
        }
        edge
    }

    /// Whether the event has ended at `now`.
    pub fn ended(&self, now: Instant) -> bool {
        let limit = match (self.config.end_at, self.config.loop_content) {
            (Some(end), _) => self.ticks(end),
            (None, false) => self.period,
            (None, true) => return false,
        };
        self.edge(now) >= limit
    }

    /// Chunk `k` of stream `s`: (start since the live start, duration, source chunk index).
    /// When looping, each stream's last chunk of a lap lasts until the next lap begins, so
    /// timestamps run on without a hole, as a real encoder's do.
    fn chunk(&self, s: usize, k: u64) -> Option<(u64, u64, usize)> {
        let st = self.streams.get(s)?;
        let n = st.chunks.len() as u64;
        if n == 0 || (!self.config.loop_content && k >= n) {
            return None;
        }
        let (lap, j) = (k / n, (k % n) as usize);
        let (t, mut d) = st.chunks[j];
        if self.config.loop_content && j + 1 == st.chunks.len() {
            d = self.period.saturating_sub(t).max(d);
        }
        Some((lap * self.period + t, d, j))
    }

    /// The index of the chunk of `s` starting at `rel` ticks since the live start.
    fn index_at(&self, s: usize, rel: u64) -> Option<u64> {
        let st = self.streams.get(s)?;
        let n = st.chunks.len() as u64;
        let lap = rel / self.period;
        let within = rel % self.period;
        let j = st.chunks.binary_search_by_key(&within, |c| c.0).ok()? as u64;
        let k = lap * n + j;
        self.chunk(s, k).map(|_| k)
    }

    /// Whether chunk `k` of `s` exists at this bitrate (`None` = on at least one level).
    fn exists(&self, s: usize, k: u64, bitrate: Option<u64>) -> bool {
        let Some((start, _, _)) = self.chunk(s, k) else {
            return false;
        };
        let t = player_core::time::ticks_to_duration(start, self.timescale);
        let levels: Vec<u64> = self.streams[s]
            .index
            .quality_levels
            .iter()
            .map(|q| q.bitrate)
            .collect();
        let missing = |b: u64| {
            self.config.gaps.iter().any(|g| {
                t >= g.from && t < g.to && g.bitrates.as_ref().is_none_or(|l| l.contains(&b))
            })
        };
        match bitrate {
            Some(b) => !missing(b),
            None => levels.iter().any(|b| !missing(*b)),
        }
    }

    /// Whether stream `s` is sparse: its fragments exist from their start (an encoder pushes
    /// a sparse sample when it happens), not from their end.
    fn sparse(&self, s: usize) -> bool {
        player_core::markers::is_marker_stream(&self.streams[s].index)
    }

    /// The edge at which a chunk of `s` at `start` lasting `d` exists.
    fn made_at(&self, s: usize, start: u64, d: u64) -> u64 {
        if self.sparse(s) { start } else { start + d }
    }

    /// Chunks of `s` in the DVR window at edge `edge` that exist on some level.
    fn window(&self, s: usize, edge: u64) -> Vec<(u64, u64)> {
        let floor = self
            .config
            .dvr_window
            .map_or(0, |w| edge.saturating_sub(self.ticks(w)));
        let mut out = Vec::new();
        let mut k = 0u64;
        // Laps before the window are skipped arithmetically.
        let n = self.streams[s].chunks.len() as u64;
        if n > 0 && self.config.loop_content {
            k = (floor / self.period).saturating_sub(1) * n;
        }
        while let Some((start, d, _)) = self.chunk(s, k) {
            if self.made_at(s, start, d) > edge {
                break;
            }
            if start >= floor && self.exists(s, k, None) {
                out.push((start, d));
            }
            k += 1;
        }
        out
    }

    /// The client manifest at `now`.
    pub fn manifest(&self, now: Instant) -> String {
        let edge = self.edge(now);
        let ended = self.ended(now);
        let base = self.config.time_base;
        let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        x += &format!(
            "<SmoothStreamingMedia MajorVersion=\"2\" MinorVersion=\"2\" TimeScale=\"{}\"",
            self.timescale
        );
        let lag = if self.config.manifest_lags && !ended {
            self.config.lookahead as usize
        } else {
            0
        };
        let windows: Vec<Vec<(u64, u64)>> = (0..self.streams.len())
            .map(|s| {
                let mut w = self.window(s, edge);
                // Sparse fragments are announced as they are pushed.
                if !self.sparse(s) {
                    w.truncate(w.len().saturating_sub(lag));
                }
                w
            })
            .collect();
        if ended {
            let first = windows
                .iter()
                .filter_map(|w| w.first().map(|c| c.0))
                .min()
                .unwrap_or(0);
            let last = windows
                .iter()
                .filter_map(|w| w.last().map(|c| c.0 + c.1))
                .max()
                .unwrap_or(0);
            x += &format!(" Duration=\"{}\">\n", last - first);
        } else {
            x += &format!(
                " Duration=\"0\" IsLive=\"TRUE\" LookAheadFragmentCount=\"{}\" DVRWindowLength=\"{}\" CanSeek=\"TRUE\" CanPause=\"TRUE\">\n",
                self.config.lookahead,
                self.config.dvr_window.map_or(0, |w| self.ticks(w))
            );
        }
        for (i, (s, window)) in self.streams.iter().zip(&windows).enumerate() {
            let carried: Vec<Option<&[u8]>> =
                window.iter().map(|(t, _)| self.carried(i, *t)).collect();
            x += &stream_xml(&s.index, window, &carried, base);
        }
        for p in &self.source.protection {
            x += &format!(
                "  <Protection><ProtectionHeader SystemID=\"{}\">{}</ProtectionHeader></Protection>\n",
                p.system_id,
                base64_encode(&p.data)
            );
        }
        x += "</SmoothStreamingMedia>\n";
        x
    }

    /// Resolves a fragment request for stream `name` at `bitrate` and absolute `time`.
    pub fn fragment(&self, name: &str, bitrate: u64, time: u64, now: Instant) -> FragmentAnswer {
        let Some(s) = self.stream_by_fragment_name(name) else {
            return FragmentAnswer::NotFound;
        };
        let Some(level) = self.streams[s]
            .index
            .quality_levels
            .iter()
            .find(|q| q.bitrate == bitrate)
        else {
            return FragmentAnswer::NotFound;
        };
        let Some(rel) = time.checked_sub(self.config.time_base) else {
            return FragmentAnswer::NotFound;
        };
        let edge = self.edge(now);
        let Some(k) = self.index_at(s, rel) else {
            // Not a chunk boundary: beyond the edge it is "not yet", before it "never".
            return if rel >= edge && !self.ended(now) {
                FragmentAnswer::NotYet
            } else {
                FragmentAnswer::NotFound
            };
        };
        let Some((start, duration, j)) = self.chunk(s, k) else {
            return FragmentAnswer::NotFound;
        };
        if self.made_at(s, start, duration) > edge {
            return if self.ended(now) {
                FragmentAnswer::NotFound
            } else {
                FragmentAnswer::NotYet
            };
        }
        if let Some(w) = self.config.dvr_window
            && start < edge.saturating_sub(self.ticks(w))
        {
            return FragmentAnswer::Gone;
        }
        if !self.exists(s, k, Some(bitrate)) {
            return FragmentAnswer::NotFound;
        }
        let src = &self.streams[s];
        let src_start = src.index.chunks[j].start;
        let file = self
            .dir
            .join(expand_template(&src.index.url_template, level, src_start));
        let next = (self.config.lookahead > 0).then(|| {
            let mut v = Vec::new();
            let mut n = k + 1;
            while v.len() < self.config.lookahead as usize {
                match self.chunk(s, n) {
                    Some((t, d, _)) if self.made_at(s, t, d) <= edge => {
                        if self.exists(s, n, Some(bitrate)) {
                            v.push((self.config.time_base + t, d));
                        }
                    }
                    _ => break,
                }
                n += 1;
            }
            v
        });
        let is_text = src.index.stream_type == player_core::manifest::StreamType::Text;
        let ttml_shift =
            (is_text && !self.sparse(s)).then(|| i128::from(time) - i128::from(src_start));
        let children = if is_text {
            Vec::new()
        } else {
            self.child_tracks(rel, edge)
        };
        FragmentAnswer::Serve {
            file,
            time,
            duration,
            next,
            ttml_shift,
            children,
        }
    }

    /// For a media fragment at `rel` ticks: the latest made fragment of each sparse stream
    /// starting at or before it.
    fn child_tracks(&self, rel: u64, edge: u64) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        for s in (0..self.streams.len()).filter(|s| self.sparse(*s)) {
            let n = self.streams[s].chunks.len() as u64;
            // Laps before this one hold nothing later than the lap's own chunks.
            let mut k = (rel / self.period).saturating_sub(1) * n;
            let mut latest = None;
            while let Some((start, _, _)) = self.chunk(s, k) {
                if start > rel || start > edge {
                    break;
                }
                latest = Some(start);
                k += 1;
            }
            if let (Some(t), Some(name)) = (latest, self.streams[s].index.name.clone()) {
                out.push((name, self.config.time_base + t));
            }
        }
        out
    }

    /// The sample the source manifest carries for the chunk of `s` at `rel` ticks
    /// (`ManifestOutput` streams).
    fn carried(&self, s: usize, rel: u64) -> Option<&[u8]> {
        let src = &self.streams[s].index;
        if src.embedded_samples.is_empty() {
            return None;
        }
        let k = self.index_at(s, rel)?;
        let (_, _, j) = self.chunk(s, k)?;
        let start = src.chunks.get(j)?.start;
        src.embedded_samples
            .iter()
            .find(|e| e.start == start)
            .map(|e| e.data.as_slice())
    }

    fn stream_by_fragment_name(&self, name: &str) -> Option<usize> {
        self.streams.iter().position(|s| {
            fragment_name(&s.index.url_template).is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }
}

/// The stream name inside `Fragments(name={start time})` of a URL template.
pub fn fragment_name(template: &str) -> Option<&str> {
    let at = template.find("Fragments(")? + "Fragments(".len();
    let rest = &template[at..];
    Some(&rest[..rest.find('=')?])
}

/// Parses `…QualityLevels(B[,…])/Fragments(name=T)` into (name, bitrate, time).
pub fn parse_fragment_path(path: &str) -> Option<(String, u64, u64)> {
    let q = path.find("QualityLevels(")? + "QualityLevels(".len();
    let digits: String = path[q..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let bitrate = digits.parse().ok()?;
    let f = path.find("Fragments(")? + "Fragments(".len();
    let inner = &path[f..f + path[f..].find(')')?];
    let (name, time) = inner.split_once('=')?;
    Some((name.to_string(), bitrate, time.parse().ok()?))
}

fn attr(out: &mut String, name: &str, v: Option<impl std::fmt::Display>) {
    if let Some(v) = v {
        out.push_str(&format!(" {name}=\"{v}\""));
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

fn stream_xml(
    s: &StreamIndex,
    window: &[(u64, u64)],
    carried: &[Option<&[u8]>],
    base: u64,
) -> String {
    let ty = match s.stream_type {
        player_core::manifest::StreamType::Video => "video",
        player_core::manifest::StreamType::Audio => "audio",
        player_core::manifest::StreamType::Text => "text",
    };
    let mut x = format!("  <StreamIndex Type=\"{ty}\"");
    attr(&mut x, "Name", s.name.as_deref().map(xml_escape));
    attr(&mut x, "Language", s.language.as_deref().map(xml_escape));
    attr(&mut x, "Subtype", s.subtype.as_deref().map(xml_escape));
    attr(&mut x, "MaxWidth", s.max_width);
    attr(&mut x, "MaxHeight", s.max_height);
    attr(&mut x, "DisplayWidth", s.display_width);
    attr(&mut x, "DisplayHeight", s.display_height);
    attr(
        &mut x,
        "ParentStreamIndex",
        s.parent_stream_index.as_deref().map(xml_escape),
    );
    attr(
        &mut x,
        "ManifestOutput",
        s.manifest_output.then_some("TRUE"),
    );
    x += &format!(
        " QualityLevels=\"{}\" Chunks=\"{}\" Url=\"{}\">\n",
        s.quality_levels.len(),
        window.len(),
        xml_escape(&s.url_template)
    );
    for q in &s.quality_levels {
        x += &level_xml(q);
    }
    for ((t, d), sample) in window.iter().zip(carried) {
        match sample {
            Some(data) => {
                x += &format!(
                    "    <c t=\"{}\" d=\"{d}\"><f i=\"0\">{}</f></c>\n",
                    base + t,
                    base64_encode(data)
                );
            }
            None => x += &format!("    <c t=\"{}\" d=\"{d}\"/>\n", base + t),
        }
    }
    x += "  </StreamIndex>\n";
    x
}

fn level_xml(q: &QualityLevel) -> String {
    let mut x = format!(
        "    <QualityLevel Index=\"{}\" Bitrate=\"{}\" FourCC=\"{}\"",
        q.index, q.bitrate, q.fourcc
    );
    attr(&mut x, "MaxWidth", q.max_width);
    attr(&mut x, "MaxHeight", q.max_height);
    attr(&mut x, "SamplingRate", q.sampling_rate);
    attr(&mut x, "Channels", q.channels);
    attr(&mut x, "BitsPerSample", q.bits_per_sample);
    attr(&mut x, "PacketSize", q.packet_size);
    attr(&mut x, "AudioTag", q.audio_tag);
    if q.nal_unit_length_field != 4 {
        attr(&mut x, "NALUnitLengthField", Some(q.nal_unit_length_field));
    }
    let cpd: String = q
        .codec_private_data
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    x += &format!(" CodecPrivateData=\"{cpd}\"/>\n");
    x
}

fn base64_encode(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo(config: LiveConfig) -> (LivePresentation, Instant) {
        let t0 = Instant::now();
        let dir = crate::support::assets_dir().join("demo");
        (LivePresentation::load(&dir, config, t0).expect("load"), t0)
    }

    #[test]
    fn manifest_lists_only_what_exists_inside_the_window() {
        let (live, t0) = demo(LiveConfig {
            preroll: Duration::from_secs(10),
            dvr_window: Some(Duration::from_secs(6)),
            time_base: 1_000_000_000_000,
            ..LiveConfig::default()
        });
        let m = player_core::manifest::parse(live.manifest(t0).as_bytes()).expect("parses");
        assert!(m.is_live);
        assert_eq!(m.lookahead_count, Some(2));
        let v = &m.streams[0];
        // Edge at 10 s, window 6 s: chunks starting at 4, 6 and 8 s.
        let starts: Vec<u64> = v
            .chunks
            .iter()
            .map(|c| c.start - 1_000_000_000_000)
            .collect();
        assert_eq!(starts, vec![40_000_000, 60_000_000, 80_000_000]);
    }

    #[test]
    fn fragments_beyond_the_edge_are_not_yet_before_the_window_gone_in_gaps_missing() {
        let (live, t0) = demo(LiveConfig {
            preroll: Duration::from_secs(30),
            dvr_window: Some(Duration::from_secs(10)),
            gaps: vec![parse_gap("24..26@300000").expect("gap")],
            ..LiveConfig::default()
        });
        // The loop period is the longest stream (audio ends at 200106666).
        let lap = 200_106_666u64;
        assert!(matches!(
            live.fragment("video", 300000, lap + 20_000_000, t0),
            FragmentAnswer::Serve { .. }
        ));
        assert!(matches!(
            live.fragment("video", 300000, lap + 100_000_000, t0),
            FragmentAnswer::NotYet
        ));
        assert!(matches!(
            live.fragment("video", 300000, 0, t0),
            FragmentAnswer::Gone
        ));
        assert!(matches!(
            live.fragment("video", 300000, lap + 40_000_000, t0),
            FragmentAnswer::NotFound
        ));
        assert!(matches!(
            live.fragment("video", 800000, lap + 40_000_000, t0),
            FragmentAnswer::Serve { .. }
        ));
        match live.fragment("video", 800000, lap + 20_000_000, t0) {
            FragmentAnswer::Serve {
                next: Some(next), ..
            } => {
                assert_eq!(
                    next,
                    vec![
                        (lap + 40_000_000, 20_000_000),
                        (lap + 60_000_000, 20_000_000)
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn paths_and_gaps_parse() {
        assert_eq!(
            parse_fragment_path("/demo/QualityLevels(300000)/Fragments(video=123)"),
            Some(("video".into(), 300000, 123))
        );
        assert_eq!(
            fragment_name("QualityLevels({bitrate})/Fragments(audio_eng={start time})"),
            Some("audio_eng")
        );
        assert!(parse_gap("5..3").is_err());
        assert_eq!(parse_gap("10..20").expect("gap").bitrates, None);
    }
}
