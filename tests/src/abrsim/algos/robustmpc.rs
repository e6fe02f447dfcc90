//! RobustMPC (Yin et al., SIGCOMM 2015).
//!
//! Throughput prediction: harmonic mean of the last 5 downloads divided by (1 + the largest
//! relative error of the last 5 predictions). Over a horizon of 5 chunks (fewer at the end)
//! every level sequence is scored with the linear QoE (bitrate − 4.3 × stall − |Δbitrate|)
//! using the chunks' real sizes; the first level of the best sequence is chosen. The search
//! is exhaustive in effect: branch and bound only skips subtrees that provably cannot beat
//! the best sequence found so far.

use std::collections::VecDeque;

use super::throughput::harmonic_mean;
use crate::abrsim::session::{Algorithm, Observation};
use crate::abrsim::video::Video;

const HORIZON: usize = 5;
const WINDOW: usize = 5;
const REBUF_PENALTY: f64 = 4.3;

/// The model-predictive reference.
#[derive(Debug, Default)]
pub struct RobustMpc {
    bandwidths: VecDeque<f64>,
    errors: VecDeque<f64>,
    last_prediction: Option<f64>,
    last_level: Option<usize>,
}

struct Search<'a> {
    video: &'a Video,
    first_chunk: usize,
    depth: usize,
    bw: f64,
    q_max: f64,
    best: f64,
    best_first: usize,
}

impl Search<'_> {
    fn dfs(&mut self, step: usize, buffer: f64, prev: Option<usize>, value: f64, first: usize) {
        if step == self.depth {
            if value > self.best {
                self.best = value;
                self.best_first = first;
            }
            return;
        }
        if value + (self.depth - step) as f64 * self.q_max <= self.best {
            return;
        }
        let chunk = self.first_chunk + step;
        for level in (0..self.video.levels()).rev() {
            let download = self.video.size(chunk, level) as f64 * 8.0 / self.bw;
            let stall = (download - buffer).max(0.0);
            let next = (buffer - download).max(0.0) + self.video.duration(chunk);
            let q = self.video.mbps(level);
            let sw = prev.map_or(0.0, |p| (q - self.video.mbps(p)).abs());
            let v = value + q - REBUF_PENALTY * stall - sw;
            self.dfs(
                step + 1,
                next,
                Some(level),
                v,
                if step == 0 { level } else { first },
            );
        }
    }
}

impl Algorithm for RobustMpc {
    fn name(&self) -> &str {
        "robustmpc"
    }

    fn start(&mut self, _video: &Video, _buffer_cap_s: f64) {
        *self = RobustMpc::default();
    }

    fn choose(&mut self, obs: &Observation<'_>) -> usize {
        if let Some(l) = obs.last.filter(|l| l.download_s > 0.0) {
            let actual = l.bytes as f64 * 8.0 / l.download_s;
            if let Some(p) = self.last_prediction {
                push(&mut self.errors, (p - actual).abs() / actual);
            }
            push(&mut self.bandwidths, actual);
        }
        if self.bandwidths.is_empty() {
            self.last_level = Some(0);
            return 0;
        }
        let harmonic = harmonic_mean(&self.bandwidths);
        self.last_prediction = Some(harmonic);
        let max_err = self.errors.iter().copied().fold(0.0, f64::max);
        let bw = (harmonic / (1.0 + max_err)).max(1.0);
        let depth = HORIZON.min(obs.video.chunks().saturating_sub(obs.chunk_index));
        if depth == 0 {
            return 0;
        }
        let mut s = Search {
            video: obs.video,
            first_chunk: obs.chunk_index,
            depth,
            bw,
            q_max: obs.video.mbps(obs.video.levels().saturating_sub(1)),
            best: f64::NEG_INFINITY,
            best_first: 0,
        };
        s.dfs(
            0,
            obs.buffer_s,
            self.last_level.or(obs.last.map(|l| l.level)),
            0.0,
            0,
        );
        self.last_level = Some(s.best_first);
        s.best_first
    }
}

fn push(q: &mut VecDeque<f64>, x: f64) {
    q.push_back(x);
    if q.len() > WINDOW {
        q.pop_front();
    }
}
