//! BBA-0 (Huang et al., SIGCOMM 2014): a rate map from buffer level, reservoir and cushion.
//!
//! Below the reservoir the lowest rate, above reservoir + cushion the highest, in between a
//! linear map f(B); the level changes only when f(B) crosses the neighbouring rates
//! (BBA-0's hysteresis). Reservoir 5 s and cushion 10 s, the values Pensieve's baseline uses
//! for a 60 s buffer.

use crate::abrsim::session::{Algorithm, Observation};
use crate::abrsim::video::Video;

/// Buffer-based reference.
#[derive(Debug)]
pub struct Bba {
    reservoir_s: f64,
    cushion_s: f64,
    prev: usize,
}

impl Default for Bba {
    fn default() -> Self {
        Bba {
            reservoir_s: 5.0,
            cushion_s: 10.0,
            prev: 0,
        }
    }
}

impl Algorithm for Bba {
    fn name(&self) -> &str {
        "bba"
    }

    fn start(&mut self, _video: &Video, _buffer_cap_s: f64) {
        self.prev = 0;
    }

    fn choose(&mut self, obs: &Observation<'_>) -> usize {
        let rates = &obs.video.bitrates_bps;
        let top = rates.len().saturating_sub(1);
        let r_min = rates.first().copied().unwrap_or(0) as f64;
        let r_max = rates.last().copied().unwrap_or(0) as f64;
        let b = obs.buffer_s;
        let prev = self.prev.min(top);
        let level = if b <= self.reservoir_s {
            0
        } else if b >= self.reservoir_s + self.cushion_s {
            top
        } else {
            let f = r_min + (r_max - r_min) * (b - self.reservoir_s) / self.cushion_s;
            let plus = rates.get(prev + 1).map_or(f64::INFINITY, |r| *r as f64);
            let minus = if prev == 0 {
                0.0
            } else {
                rates.get(prev - 1).map_or(0.0, |r| *r as f64)
            };
            if f >= plus {
                rates.iter().rposition(|r| (*r as f64) < f).unwrap_or(0)
            } else if f <= minus {
                rates.iter().position(|r| (*r as f64) > f).unwrap_or(top)
            } else {
                prev
            }
        };
        self.prev = level;
        level
    }
}
