//! BOLA-BASIC (Spiteri, Urgaonkar, Sitaraman, INFOCOM 2016).
//!
//! Utilities v_m = ln(S_m / S_1); the chosen level maximises (V·(v_m + γp) − Q) / S_m with Q
//! the buffer in seconds. V and γp follow from the buffer size: the top level's score reaches
//! zero one chunk below the buffer cap (so BOLA never overfills it), and the lowest level
//! gives way to the second at a minimum buffer of 10 s.

use crate::abrsim::session::{Algorithm, Observation};
use crate::abrsim::video::Video;

/// Buffer below which BOLA stays at the lowest level.
const MIN_BUFFER_S: f64 = 10.0;

/// Lyapunov buffer-based reference.
#[derive(Debug, Default)]
pub struct Bola {
    utilities: Vec<f64>,
    sizes: Vec<f64>,
    v: f64,
    gp: f64,
}

impl Algorithm for Bola {
    fn name(&self) -> &str {
        "bola"
    }

    fn start(&mut self, video: &Video, buffer_cap_s: f64) {
        // Mean chunk size per level stands for S_m.
        let n = video.levels();
        let chunks = video.chunks().max(1) as f64;
        self.sizes = (0..n)
            .map(|l| {
                (0..video.chunks())
                    .map(|c| video.size(c, l) as f64)
                    .sum::<f64>()
                    / chunks
            })
            .collect();
        let s1 = self.sizes.first().copied().unwrap_or(1.0).max(1.0);
        self.utilities = self.sizes.iter().map(|s| (s / s1).ln()).collect();
        let chunk_s = video.duration(0).max(1e-3);
        let v_top = self.utilities.last().copied().unwrap_or(0.0);
        // Crossing of levels 1 and 2 at MIN_BUFFER_S: V·γp = MIN_BUFFER_S + V·c.
        let c = match (self.utilities.get(1), self.sizes.get(1)) {
            (Some(v2), Some(s2)) if *s2 > s1 => v2 * s1 / (s2 - s1),
            _ => 0.0,
        };
        let room = (buffer_cap_s - chunk_s - MIN_BUFFER_S).max(chunk_s);
        self.v = room / (v_top + c).max(1e-9);
        self.gp = (MIN_BUFFER_S + self.v * c) / self.v.max(1e-9);
    }

    fn choose(&mut self, obs: &Observation<'_>) -> usize {
        let q = obs.buffer_s;
        let mut best = (0, f64::NEG_INFINITY);
        for (m, (v, s)) in self.utilities.iter().zip(&self.sizes).enumerate() {
            let score = (self.v * (v + self.gp) - q) / s.max(1.0);
            if score > best.1 {
                best = (m, score);
            }
        }
        best.0
    }
}
