//! Batch evaluation: every algorithm over every trace, aggregated into the comparison table.

use std::fmt::Write as _;
use std::path::Path;

use super::algos;
use super::optimal::{PlanReplay, optimal_plan};
use super::session::{Algorithm, Mode, SessionResult, SimConfig, run_session};
use super::trace::{Trace, TraceError, TraceFormat};
use super::video::Video;

/// Options of a batch run.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// Simulation settings.
    pub sim: SimConfig,
    /// Algorithms, in table order (`optimal` included or not).
    pub algos: Vec<String>,
    /// Buffer bin of the optimum (seconds).
    pub optimal_bin_s: f64,
    /// Worker threads.
    pub threads: usize,
    /// Configuration of ours.
    pub ours: player_core::abr::AbrConfig,
}

/// Aggregated results of one algorithm.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Algorithm.
    pub algo: String,
    /// Mean QoE over sessions.
    pub mean_qoe: f64,
    /// Mean QoE over the optimum's mean QoE (None without the optimum).
    pub vs_optimal: Option<f64>,
    /// 10th percentile of session QoE.
    pub p10_qoe: f64,
    /// Total stall over total stall + media time.
    pub rebuffer_ratio: f64,
    /// Mean of the sessions' average bitrates.
    pub avg_bitrate_mbps: f64,
    /// Mean switches per session.
    pub switches: f64,
    /// Mean startup delay.
    pub startup_s: f64,
    /// Mean wall time per decision (µs).
    pub decision_us: f64,
}

/// Loads every trace file of a folder (sorted by name; `.md` files skipped).
pub fn load_traces(dir: &Path, format: TraceFormat, scale: f64) -> Result<Vec<Trace>, TraceError> {
    let io = |source| TraceError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| Trace::load(p, format).map(|t| t.scaled(scale)))
        .collect()
}

/// Runs one algorithm (or the optimum) on one trace.
pub fn run_one(
    name: &str,
    video: &Video,
    trace: &Trace,
    opts: &EvalOptions,
) -> Option<SessionResult> {
    let mut algo: Box<dyn Algorithm> = if name == "optimal" {
        Box::new(PlanReplay {
            plan: optimal_plan(video, trace, &opts.sim, opts.optimal_bin_s),
        })
    } else {
        algos::by_name_with(name, &opts.ours)?
    };
    Some(run_session(video, trace, &opts.sim, algo.as_mut()))
}

/// Runs `make()`'s algorithm over every trace on `threads` workers, results in trace order.
pub fn run_all<F>(traces: &[Trace], threads: usize, job: F) -> Vec<SessionResult>
where
    F: Fn(&Trace) -> Option<SessionResult> + Sync,
{
    let threads = threads.clamp(1, 64);
    let mut out: Vec<Option<SessionResult>> = vec![None; traces.len()];
    let chunk = traces.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        for (slots, part) in out.chunks_mut(chunk).zip(traces.chunks(chunk)) {
            let job = &job;
            s.spawn(move || {
                for (slot, t) in slots.iter_mut().zip(part) {
                    *slot = job(t);
                }
            });
        }
    });
    out.into_iter().flatten().collect()
}

/// Every requested algorithm over every trace (traces get ±10 % seeded noise in realistic
/// mode when `noise_seed` is set).
pub fn evaluate(
    video: &Video,
    traces: &[Trace],
    opts: &EvalOptions,
) -> Vec<(String, Vec<SessionResult>)> {
    opts.algos
        .iter()
        .map(|name| {
            let results = run_all(traces, opts.threads, |t| run_one(name, video, t, opts));
            (name.clone(), results)
        })
        .collect()
}

/// Applies the realistic mode's seeded noise.
pub fn noisy(traces: Vec<Trace>, mode: Mode, seed: u64) -> Vec<Trace> {
    match mode {
        Mode::Compat => traces,
        Mode::Realistic => traces
            .into_iter()
            .map(|t| t.with_noise(0.1, seed))
            .collect(),
    }
}

/// The `p`-quantile (0..1) of `values`, linear interpolation.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    let mut v: Vec<f64> = values.to_vec();
    v.sort_by(f64::total_cmp);
    let Some(last) = v.len().checked_sub(1) else {
        return 0.0;
    };
    let pos = p.clamp(0.0, 1.0) * last as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(last);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

/// Aggregates per-session results.
pub fn summarize(results: &[(String, Vec<SessionResult>)]) -> Vec<Summary> {
    let mean = |v: &[SessionResult], f: &dyn Fn(&SessionResult) -> f64| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().map(f).sum::<f64>() / v.len() as f64
        }
    };
    let opt_mean = results
        .iter()
        .find(|(n, _)| n == "optimal")
        .map(|(_, v)| mean(v, &|r| r.qoe));
    results
        .iter()
        .map(|(name, v)| {
            let qoes: Vec<f64> = v.iter().map(|r| r.qoe).collect();
            let mean_qoe = mean(v, &|r| r.qoe);
            let stall: f64 = v.iter().map(|r| r.rebuffer_s).sum();
            let media: f64 = v.iter().map(|r| r.media_s).sum();
            let decisions: usize = v.iter().map(|r| r.chunks.len()).sum();
            Summary {
                algo: name.clone(),
                mean_qoe,
                vs_optimal: opt_mean.filter(|o| o.abs() > 1e-12).map(|o| mean_qoe / o),
                p10_qoe: percentile(&qoes, 0.1),
                rebuffer_ratio: if stall + media > 0.0 {
                    stall / (stall + media)
                } else {
                    0.0
                },
                avg_bitrate_mbps: mean(v, &|r| r.avg_bitrate_mbps),
                switches: mean(v, &|r| r.switches as f64),
                startup_s: mean(v, &|r| r.startup_s),
                decision_us: if decisions > 0 {
                    v.iter().map(|r| r.decision_s).sum::<f64>() * 1e6 / decisions as f64
                } else {
                    0.0
                },
            }
        })
        .collect()
}

/// The human-readable table.
pub fn table(summaries: &[Summary]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<11} {:>9} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>11}",
        "algo",
        "mean_QoE",
        "vs_opt",
        "p10_QoE",
        "rebuf_%",
        "avg_Mbps",
        "switches",
        "startup_s",
        "decision_us"
    );
    for m in summaries {
        let vs = m
            .vs_optimal
            .map_or_else(|| "-".to_string(), |v| format!("{v:.3}"));
        let _ = writeln!(
            s,
            "{:<11} {:>9.2} {:>7} {:>9.2} {:>9.3} {:>9.3} {:>9.1} {:>9.2} {:>11.1}",
            m.algo,
            m.mean_qoe,
            vs,
            m.p10_qoe,
            m.rebuffer_ratio * 100.0,
            m.avg_bitrate_mbps,
            m.switches,
            m.startup_s,
            m.decision_us
        );
    }
    s
}

/// Per-trace rows, tab-separated, with a header.
pub fn tsv(results: &[(String, Vec<SessionResult>)]) -> String {
    let opt: Option<&Vec<SessionResult>> =
        results.iter().find(|(n, _)| n == "optimal").map(|(_, v)| v);
    let mut s =
        String::from("algo\ttrace\tqoe\tvs_opt\trebuffer_ratio\tavg_mbps\tswitches\tstartup_s\n");
    for (name, v) in results {
        for r in v {
            let vs = opt
                .and_then(|o| o.iter().find(|x| x.trace == r.trace))
                .filter(|o| o.qoe.abs() > 1e-12)
                .map_or_else(|| "-".to_string(), |o| format!("{:.4}", r.qoe / o.qoe));
            let _ = writeln!(
                s,
                "{name}\t{}\t{:.3}\t{vs}\t{:.5}\t{:.4}\t{}\t{:.3}",
                r.trace,
                r.qoe,
                r.rebuffer_ratio(),
                r.avg_bitrate_mbps,
                r.switches,
                r.startup_s
            );
        }
    }
    s
}

/// Per-chunk rows (algorithm, trace, chunk, level, Mbit/s, download, stall, sleep, buffer).
pub fn chunk_tsv(video: &Video, results: &[(String, Vec<SessionResult>)]) -> String {
    let mut s = String::from(
        "algo\ttrace\tchunk\tlevel\tmbps\tdownload_s\trebuffer_s\tsleep_s\tbuffer_s\tabandoned\n",
    );
    for (name, v) in results {
        for r in v {
            for (k, c) in r.chunks.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "{name}\t{}\t{k}\t{}\t{:.3}\t{:.3}\t{:.3}\t{:.3}\t{:.3}\t{}",
                    r.trace,
                    c.level,
                    video.mbps(c.level),
                    c.download_s,
                    c.rebuffer_s,
                    c.sleep_s,
                    c.buffer_s,
                    c.abandoned
                );
            }
        }
    }
    s
}
