//! Throughput rule: the highest bitrate not above the harmonic mean of the last 5 downloads.

use std::collections::VecDeque;

use crate::abrsim::session::{Algorithm, Observation};
use crate::abrsim::video::Video;

/// Samples in the harmonic mean.
const WINDOW: usize = 5;

/// Harmonic mean (0 for an empty slice or any non-positive value).
pub fn harmonic_mean<'a>(values: impl IntoIterator<Item = &'a f64>) -> f64 {
    let (mut n, mut inv) = (0usize, 0.0);
    for v in values {
        if *v <= 0.0 {
            return 0.0;
        }
        n += 1;
        inv += 1.0 / v;
    }
    if n == 0 { 0.0 } else { n as f64 / inv }
}

/// The rate-based reference.
#[derive(Debug, Default)]
pub struct ThroughputRule {
    samples: VecDeque<f64>,
}

impl Algorithm for ThroughputRule {
    fn name(&self) -> &str {
        "throughput"
    }

    fn start(&mut self, _video: &Video, _buffer_cap_s: f64) {
        self.samples.clear();
    }

    fn choose(&mut self, obs: &Observation<'_>) -> usize {
        if let Some(l) = obs.last.filter(|l| l.download_s > 0.0) {
            self.samples.push_back(l.bytes as f64 * 8.0 / l.download_s);
            if self.samples.len() > WINDOW {
                self.samples.pop_front();
            }
        }
        let est = harmonic_mean(&self.samples);
        obs.video
            .bitrates_bps
            .iter()
            .rposition(|b| (*b as f64) <= est)
            .unwrap_or(0)
    }
}
