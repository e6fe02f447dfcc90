//! Network traces: readers for the cooked, Sabre and Oboe formats, scaling and seeded noise.
//!
//! Every format becomes the cooked representation the Pensieve simulator replays: points
//! `(time_s, Mbit/s)` where the bandwidth of point `i` holds over `(time[i-1], time[i]]`.

use std::path::Path;

/// Most points a trace may expand to (bounds memory on hostile input).
pub const MAX_TRACE_POINTS: usize = 5_000_000;
/// Longest gap between two Oboe chunks that is interpolated in one step (seconds).
const OBOE_STEP_S: f64 = 0.5;

/// A trace that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// A line is not two numbers.
    #[error("{name} line {line}: expected two numbers, found {text:?}")]
    BadLine {
        /// Trace name.
        name: String,
        /// 1-based line number.
        line: usize,
        /// The offending text.
        text: String,
    },
    /// Time went backwards or a value is negative or not finite.
    #[error("{name} line {line}: {what}")]
    BadValue {
        /// Trace name.
        name: String,
        /// 1-based line (or JSON element) number.
        line: usize,
        /// What is wrong.
        what: String,
    },
    /// The Sabre JSON is malformed.
    #[error("{name}: invalid Sabre JSON trace: {source}")]
    Json {
        /// Trace name.
        name: String,
        /// Cause.
        source: serde_json::Error,
    },
    /// The trace delivers no bytes at all, or is too short or too long.
    #[error("{name}: {what}")]
    Unusable {
        /// Trace name.
        name: String,
        /// What is wrong.
        what: String,
    },
}

/// Trace file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TraceFormat {
    /// Guess from the content.
    Auto,
    /// `time_s Mbit/s` lines (Pensieve "cooked").
    Cooked,
    /// Sabre JSON `[{"duration_ms","bandwidth_kbps","latency_ms"}…]`.
    Sabre,
    /// Oboe pairs of `t_ms kbit/s` lines per chunk.
    Oboe,
}

/// A bandwidth trace in cooked form.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// Name (file name).
    pub name: String,
    /// Point times, seconds, non-decreasing.
    pub times_s: Vec<f64>,
    /// Bandwidth in Mbit/s over `(times_s[i-1], times_s[i]]`.
    pub mbps: Vec<f64>,
    /// Request latency per point (seconds), when the format carries it.
    pub latency_s: Option<Vec<f64>>,
}

#[derive(serde::Deserialize)]
struct SabrePeriod {
    duration_ms: f64,
    bandwidth_kbps: f64,
    #[serde(default)]
    latency_ms: Option<f64>,
}

impl Trace {
    /// Reads a trace file.
    pub fn load(path: &Path, format: TraceFormat) -> Result<Trace, TraceError> {
        let text = std::fs::read_to_string(path).map_err(|source| TraceError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Trace::parse(&name, &text, format)
    }

    /// Parses trace text in `format` (or guessed).
    pub fn parse(name: &str, text: &str, format: TraceFormat) -> Result<Trace, TraceError> {
        let format = match format {
            TraceFormat::Auto => guess_format(text),
            f => f,
        };
        let trace = match format {
            TraceFormat::Sabre => parse_sabre(name, text)?,
            TraceFormat::Oboe => parse_oboe(name, text)?,
            TraceFormat::Cooked | TraceFormat::Auto => parse_cooked(name, text)?,
        };
        trace.validate()
    }

    fn validate(self) -> Result<Trace, TraceError> {
        let unusable = |what: &str| TraceError::Unusable {
            name: self.name.clone(),
            what: what.to_string(),
        };
        if self.times_s.len() < 2 {
            return Err(unusable("fewer than two points"));
        }
        let capacity: f64 = self
            .times_s
            .windows(2)
            .zip(self.mbps.iter().skip(1))
            .map(|(w, b)| (w[1] - w[0]) * b)
            .sum();
        if capacity.is_nan() || capacity <= 0.0 {
            return Err(unusable(
                "delivers no data (zero bandwidth or zero duration)",
            ));
        }
        // The Pensieve loop restarts at time 0 with point 1: that span must also be usable.
        let first = self.times_s.get(1).copied().unwrap_or(0.0);
        if first <= 0.0 && self.times_s.iter().all(|t| *t <= 0.0) {
            return Err(unusable("all points at time 0"));
        }
        Ok(self)
    }

    /// Duration covered by the trace (seconds).
    pub fn duration_s(&self) -> f64 {
        match (self.times_s.first(), self.times_s.last()) {
            (Some(a), Some(b)) => b - a,
            _ => 0.0,
        }
    }

    /// Mean bandwidth over the trace (Mbit/s).
    pub fn mean_mbps(&self) -> f64 {
        let d = self.duration_s();
        if d <= 0.0 {
            return 0.0;
        }
        self.times_s
            .windows(2)
            .zip(self.mbps.iter().skip(1))
            .map(|(w, b)| (w[1] - w[0]) * b)
            .sum::<f64>()
            / d
    }

    /// The same trace with every bandwidth multiplied by `factor`.
    pub fn scaled(mut self, factor: f64) -> Trace {
        for b in &mut self.mbps {
            *b *= factor;
        }
        self
    }

    /// The same trace with each point's bandwidth multiplied by a seeded factor uniform in
    /// `[1 - amplitude, 1 + amplitude]` (deterministic: same seed, same trace).
    pub fn with_noise(mut self, amplitude: f64, seed: u64) -> Trace {
        let mut rng = SplitMix64(seed ^ fnv1a(self.name.as_bytes()));
        for b in &mut self.mbps {
            let u = rng.next_f64();
            *b *= 1.0 + amplitude * (2.0 * u - 1.0);
        }
        self
    }
}

/// SplitMix64: a tiny PRNG whose sequence never changes with a dependency upgrade, so noisy
/// runs stay reproducible across versions.
#[derive(Debug, Clone)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// FNV-1a hash, to derive a per-trace seed from its name.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn guess_format(text: &str) -> TraceFormat {
    if text.trim_start().starts_with('[') {
        return TraceFormat::Sabre;
    }
    // Oboe: pairs of lines sharing the bandwidth value, times in ms (pairs never regress),
    // and consecutive chunks mostly differ. A cooked step trace also repeats values, but in
    // runs that cross the pair boundaries.
    let rows: Vec<(f64, f64)> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(200)
        .filter_map(|l| two_numbers(l).ok())
        .collect();
    let pairs: Vec<&[(f64, f64)]> = rows.chunks(2).collect();
    let within = rows.len() >= 2
        && rows.len().is_multiple_of(2)
        && pairs
            .iter()
            .all(|p| p.len() == 2 && p[0].1 == p[1].1 && p[1].0 >= p[0].0);
    let across = pairs.windows(2).filter(|w| w[0][1].1 == w[1][0].1).count();
    let paired = within && across * 2 < pairs.len().saturating_sub(1).max(1);
    if paired {
        TraceFormat::Oboe
    } else {
        TraceFormat::Cooked
    }
}

fn two_numbers(line: &str) -> Result<(f64, f64), ()> {
    let mut it = line.split_whitespace();
    let a = it.next().and_then(|x| x.parse::<f64>().ok()).ok_or(())?;
    let b = it.next().and_then(|x| x.parse::<f64>().ok()).ok_or(())?;
    if it.next().is_some() {
        return Err(());
    }
    Ok((a, b))
}

fn numbered_rows(name: &str, text: &str) -> Result<Vec<(usize, f64, f64)>, TraceError> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (a, b) = two_numbers(line).map_err(|()| TraceError::BadLine {
            name: name.to_string(),
            line: i + 1,
            text: line.chars().take(80).collect(),
        })?;
        if !(a.is_finite() && b.is_finite() && b >= 0.0) {
            return Err(TraceError::BadValue {
                name: name.to_string(),
                line: i + 1,
                what: format!("time {a} / bandwidth {b} is not finite or negative"),
            });
        }
        if rows.len() >= MAX_TRACE_POINTS {
            return Err(too_long(name));
        }
        rows.push((i + 1, a, b));
    }
    Ok(rows)
}

fn too_long(name: &str) -> TraceError {
    TraceError::Unusable {
        name: name.to_string(),
        what: format!("more than {MAX_TRACE_POINTS} points"),
    }
}

fn parse_cooked(name: &str, text: &str) -> Result<Trace, TraceError> {
    let rows = numbered_rows(name, text)?;
    let mut times = Vec::with_capacity(rows.len());
    let mut mbps = Vec::with_capacity(rows.len());
    for (line, t, b) in rows {
        if times.last().is_some_and(|p| t < *p) {
            return Err(TraceError::BadValue {
                name: name.to_string(),
                line,
                what: format!("time {t} goes backwards"),
            });
        }
        times.push(t);
        mbps.push(b);
    }
    Ok(Trace {
        name: name.to_string(),
        times_s: times,
        mbps,
        latency_s: None,
    })
}

fn parse_sabre(name: &str, text: &str) -> Result<Trace, TraceError> {
    let periods: Vec<SabrePeriod> =
        serde_json::from_str(text).map_err(|source| TraceError::Json {
            name: name.to_string(),
            source,
        })?;
    if periods.len() >= MAX_TRACE_POINTS {
        return Err(too_long(name));
    }
    let first_bw = periods.first().map_or(0.0, |p| p.bandwidth_kbps / 1000.0);
    let first_lat = periods.first().and_then(|p| p.latency_ms).unwrap_or(0.0) / 1000.0;
    let mut times = vec![0.0];
    let mut mbps = vec![first_bw];
    let mut lat = vec![first_lat];
    let mut t = 0.0;
    for (i, p) in periods.iter().enumerate() {
        let ok = |x: f64| x.is_finite() && x >= 0.0;
        if !ok(p.duration_ms) || !ok(p.bandwidth_kbps) || !p.latency_ms.is_none_or(ok) {
            return Err(TraceError::BadValue {
                name: name.to_string(),
                line: i + 1,
                what: "duration_ms, bandwidth_kbps and latency_ms must be finite and ≥ 0".into(),
            });
        }
        t += p.duration_ms / 1000.0;
        times.push(t);
        mbps.push(p.bandwidth_kbps / 1000.0);
        lat.push(p.latency_ms.unwrap_or(0.0) / 1000.0);
    }
    Ok(Trace {
        name: name.to_string(),
        times_s: times,
        mbps,
        latency_s: Some(lat),
    })
}

fn parse_oboe(name: &str, text: &str) -> Result<Trace, TraceError> {
    let rows = numbered_rows(name, text)?;
    if !rows.len().is_multiple_of(2) {
        return Err(TraceError::BadValue {
            name: name.to_string(),
            line: rows.len(),
            what: "odd number of lines: Oboe traces hold pairs".into(),
        });
    }
    let mut chunks = Vec::with_capacity(rows.len() / 2);
    for pair in rows.chunks(2) {
        let (&(line, t1, b1), &(_, t2, b2)) = match pair {
            [a, b] => (a, b),
            _ => continue,
        };
        if t2 < t1 || (b1 - b2).abs() > 1e-9 || chunks.last().is_some_and(|&(_, e, _)| t1 < e) {
            return Err(TraceError::BadValue {
                name: name.to_string(),
                line,
                what: format!("chunk ({t1}, {t2}) is not a forward pair with one bandwidth"),
            });
        }
        chunks.push((t1 / 1000.0, t2 / 1000.0, b1 / 1000.0));
    }
    let mut times = vec![0.0];
    let mut mbps = vec![chunks.first().map_or(0.0, |c| c.2)];
    let push = |t: f64, b: f64, times: &mut Vec<f64>, mbps: &mut Vec<f64>| {
        if times.last().is_none_or(|p| t > *p) {
            times.push(t);
            mbps.push(b);
        }
    };
    let mut prev: Option<(f64, f64)> = None; // (end time, bandwidth)
    for &(t1, t2, b) in &chunks {
        match prev {
            None => push(t1, b, &mut times, &mut mbps),
            Some((end, pb)) => {
                // Idle gap: linear interpolation between the two chunks, in short steps.
                let gap = t1 - end;
                let steps = (gap / OBOE_STEP_S).ceil().clamp(1.0, 1e6) as usize;
                for s in 0..steps {
                    let mid = (s as f64 + 0.5) / steps as f64;
                    push(
                        end + gap * (s as f64 + 1.0) / steps as f64,
                        pb + (b - pb) * mid,
                        &mut times,
                        &mut mbps,
                    );
                }
            }
        }
        push(t2, b, &mut times, &mut mbps);
        if times.len() > MAX_TRACE_POINTS {
            return Err(too_long(name));
        }
        prev = Some((t2, b));
    }
    Ok(Trace {
        name: name.to_string(),
        times_s: times,
        mbps,
        latency_s: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cooked_is_read_as_is() {
        let t = Trace::parse("c", "0.0 1.5\n1.0 2.0\n\n2.5\t3.0\n", TraceFormat::Auto)
            .expect("must parse");
        assert_eq!(t.times_s, vec![0.0, 1.0, 2.5]);
        assert_eq!(t.mbps, vec![1.5, 2.0, 3.0]);
        assert!((t.mean_mbps() - (2.0 + 1.5 * 3.0) / 2.5).abs() < 1e-12);
    }

    #[test]
    fn a_cooked_step_trace_is_not_taken_for_oboe_pairs() {
        let text: String = (0..40)
            .map(|i| format!("{i} {}\n", if i < 20 { 3.0 } else { 0.8 }))
            .collect();
        let t = Trace::parse("steps", &text, TraceFormat::Auto).expect("must parse");
        assert_eq!(t.times_s.len(), 40);
        assert!((t.mean_mbps() - (19.0 * 3.0 + 20.0 * 0.8) / 39.0).abs() < 1e-9);
    }

    #[test]
    fn sabre_periods_become_points() {
        let j = r#"[{"duration_ms": 500, "bandwidth_kbps": 2000, "latency_ms": 20},
                    {"duration_ms": 1000, "bandwidth_kbps": 4000, "latency_ms": 30}]"#;
        let t = Trace::parse("s", j, TraceFormat::Auto).expect("must parse");
        assert_eq!(t.times_s, vec![0.0, 0.5, 1.5]);
        assert_eq!(t.mbps, vec![2.0, 2.0, 4.0]);
        assert_eq!(t.latency_s, Some(vec![0.02, 0.02, 0.03]));
    }

    #[test]
    fn oboe_pairs_interpolate_idle_gaps() {
        let text = "0 1000\n1000 1000\n2000 3000\n3000 3000\n";
        let t = Trace::parse("o", text, TraceFormat::Auto).expect("must parse");
        // chunk 1 over (0,1], gap (1,2] in two 0.5 s steps at 1.5 and 2.5, chunk 2 over (2,3].
        assert_eq!(t.times_s, vec![0.0, 1.0, 1.5, 2.0, 3.0]);
        assert_eq!(t.mbps, vec![1.0, 1.0, 1.5, 2.5, 3.0]);
    }

    #[test]
    fn bad_input_names_the_line() {
        let e =
            Trace::parse("x", "0 1\n1 abc\n", TraceFormat::Cooked).expect_err("must be rejected");
        assert!(e.to_string().contains("x line 2"), "{e}");
        let e = Trace::parse("x", "0 1\n2 1\n1 1\n", TraceFormat::Cooked)
            .expect_err("must be rejected");
        assert!(
            e.to_string().contains("line 3") && e.to_string().contains("backwards"),
            "{e}"
        );
        let e = Trace::parse("x", "0 0\n1 0\n", TraceFormat::Cooked).expect_err("must be rejected");
        assert!(e.to_string().contains("no data"), "{e}");
        let e =
            Trace::parse("x", "0 5\n10 5\n5 5\n", TraceFormat::Oboe).expect_err("must be rejected");
        assert!(e.to_string().contains("odd number"), "{e}");
        let e = Trace::parse(
            "x",
            "[{\"duration_ms\": -1, \"bandwidth_kbps\": 1}]",
            TraceFormat::Sabre,
        )
        .expect_err("must be rejected");
        assert!(e.to_string().contains("x line 1"), "{e}");
        assert!(Trace::parse("x", "[", TraceFormat::Sabre).is_err());
    }

    #[test]
    fn noise_is_seeded_and_bounded() {
        let t = Trace::parse("n", "0 1\n1 1\n2 1\n3 1\n", TraceFormat::Cooked).expect("must parse");
        let a = t.clone().with_noise(0.1, 7);
        let b = t.clone().with_noise(0.1, 7);
        let c = t.clone().with_noise(0.1, 8);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.mbps.iter().all(|m| (0.9..=1.1).contains(m)));
        assert_eq!(t.scaled(0.5).mbps, vec![0.5; 4]);
    }
}
