//! The offline optimum: dynamic programming with perfect knowledge of the trace.
//!
//! States after each chunk are bucketed by (level, buffer bin, stall-total bin); each bucket
//! keeps the exact simulator state of its best path (highest QoE so far, then largest
//! buffer), so transitions are simulated exactly with the same `SimState::step` the online
//! algorithms run through and only the merging within a bin is approximate. The plan is then
//! replayed through the simulator, so its metrics are computed exactly like everyone else's. Abandonment is never
//! needed: with the trace known, the lower level is simply requested in the first place.

use super::session::{Algorithm, Observation, SimConfig, SimState, chunk_qoe};
use super::trace::Trace;
use super::video::Video;

/// Buffer bin width used by default (seconds).
pub const DEFAULT_BIN_S: f64 = 0.2;

#[derive(Clone, Copy)]
struct Node<'a> {
    state: SimState<'a>,
    qoe: f64,
    level: usize,
    back: u32,
}

/// Width of the stall-total bins (seconds): paths closer in time than this are merged.
const STALL_BIN_S: f64 = 0.5;

/// Most paths kept per (level, buffer bin), each at a different stall total.
const PER_CELL: usize = 3;

/// The best level sequence for the whole video over `trace`.
///
/// Two paths with the same level and buffer after chunk k are at the same trace position
/// only if they stalled equally long (time = media fetched − buffer + stall), and the trace
/// position decides the future. So a bucket keeps up to `PER_CELL` paths that differ in their
/// stall total (binned like the buffer), the best per stall bin.
pub fn optimal_plan(video: &Video, trace: &Trace, cfg: &SimConfig, bin_s: f64) -> Vec<usize> {
    let n = video.levels();
    let chunks = video.chunks();
    let max_dur = video.durations_s.iter().copied().fold(0.0, f64::max);
    let bin_s = bin_s.max(1e-3);
    let bins = ((cfg.buffer_cap_s + max_dur) / bin_s).ceil() as usize + 2;
    let mut frontier: Vec<Node<'_>> = vec![Node {
        state: SimState::new(trace, *cfg),
        qoe: 0.0,
        level: usize::MAX,
        back: 0,
    }];
    let mut backs: Vec<Vec<(u32, u8)>> = Vec::with_capacity(chunks);
    let mut table: Vec<Vec<(u64, Node<'_>)>> = vec![Vec::new(); n * bins];
    let mut media_s = 0.0;
    for k in 0..chunks {
        table.iter_mut().for_each(Vec::clear);
        media_s += video.duration(k);
        for (idx, node) in frontier.iter().enumerate() {
            let prev = (node.level != usize::MAX).then_some(node.level);
            for level in 0..n {
                let mut s = node.state;
                let rec = s.step(video, level, None);
                let q = node.qoe + chunk_qoe(cfg, video, &rec, prev, k == 0);
                let bin = ((s.buffer_s / bin_s) as usize).min(bins - 1);
                let stall = (s.now_s - (media_s - s.buffer_s)).max(0.0);
                let stall_bin = (stall / STALL_BIN_S) as u64;
                let candidate = Node {
                    state: s,
                    qoe: q,
                    level,
                    back: u32::try_from(idx).unwrap_or(u32::MAX),
                };
                let cell = &mut table[level * bins + bin];
                let better = |c: &Node<'_>| {
                    q > c.qoe + 1e-9 || ((q - c.qoe).abs() <= 1e-9 && s.buffer_s > c.state.buffer_s)
                };
                if let Some(slot) = cell.iter_mut().find(|(sb, _)| *sb == stall_bin) {
                    if better(&slot.1) {
                        slot.1 = candidate;
                    }
                } else if cell.len() < PER_CELL {
                    cell.push((stall_bin, candidate));
                } else if let Some(worst) = cell
                    .iter_mut()
                    .min_by(|a, b| a.1.qoe.total_cmp(&b.1.qoe))
                    .filter(|w| better(&w.1))
                {
                    *worst = (stall_bin, candidate);
                }
            }
        }
        frontier = table
            .iter()
            .flat_map(|c| c.iter().map(|(_, nd)| *nd))
            .collect();
        backs.push(
            frontier
                .iter()
                .map(|nd| (nd.back, u8::try_from(nd.level).unwrap_or(u8::MAX)))
                .collect(),
        );
    }
    let Some(mut idx) = frontier
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.qoe.total_cmp(&b.1.qoe))
        .map(|(i, _)| i)
    else {
        return Vec::new();
    };
    let mut plan = vec![0; chunks];
    for k in (0..chunks).rev() {
        let Some(&(back, level)) = backs.get(k).and_then(|b| b.get(idx)) else {
            break;
        };
        plan[k] = usize::from(level);
        idx = back as usize;
    }
    plan
}

/// Replays a precomputed plan.
#[derive(Debug, Default)]
pub struct PlanReplay {
    /// Level per chunk.
    pub plan: Vec<usize>,
}

impl Algorithm for PlanReplay {
    fn name(&self) -> &str {
        "optimal"
    }

    fn start(&mut self, _video: &Video, _buffer_cap_s: f64) {}

    fn choose(&mut self, obs: &Observation<'_>) -> usize {
        self.plan.get(obs.chunk_index).copied().unwrap_or(0)
    }
}
