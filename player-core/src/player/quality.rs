//! Video quality choice for the next fragment: manual, capped, or by measured throughput.

/// One rung of the ladder, as the chooser sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rung {
    pub bitrate: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// The ladder of a track plan.
pub(crate) fn rungs(plan: &super::selection::TrackPlan) -> Vec<Rung> {
    plan.levels
        .iter()
        .map(|l| Rung {
            bitrate: l.bitrate,
            width: l.width,
            height: l.height,
        })
        .collect()
}

/// Chooses levels: the highest whose bitrate stays under 0.8× the smoothed throughput,
/// starting from the lowest; a manual level or bitrate cap overrides.
#[derive(Debug, Clone)]
pub(crate) struct QualityChooser {
    ladder: Vec<Rung>,
    manual: Option<usize>,
    max_bitrate: Option<u64>,
    estimate_bps: Option<f64>,
    current: Option<usize>,
}

/// A level and why it was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Choice {
    pub level: usize,
    pub reason: &'static str,
}

impl QualityChooser {
    pub fn new(ladder: Vec<Rung>, manual: Option<usize>, max_bitrate: Option<u64>) -> Self {
        QualityChooser {
            ladder,
            manual,
            max_bitrate,
            estimate_bps: None,
            current: None,
        }
    }

    /// Replaces the ladder (another video stream was selected).
    pub fn set_ladder(&mut self, ladder: Vec<Rung>) {
        self.ladder = ladder;
        self.current = None;
    }

    /// Fixes the level (`None` = automatic).
    pub fn set_manual(&mut self, level: Option<usize>) {
        self.manual = level;
    }

    /// Caps the bitrate (`None` = no cap).
    pub fn set_max_bitrate(&mut self, cap: Option<u64>) {
        self.max_bitrate = cap;
    }

    /// Feeds one finished download.
    pub fn on_download(&mut self, bytes: u64, seconds: f64) {
        if seconds <= 0.0 || bytes == 0 {
            return;
        }
        let sample = bytes as f64 * 8.0 / seconds;
        self.estimate_bps = Some(match self.estimate_bps {
            Some(e) => 0.7 * e + 0.3 * sample,
            None => sample,
        });
    }

    /// The smoothed throughput, bits/s.
    pub fn bandwidth_bps(&self) -> u64 {
        self.estimate_bps.map_or(0, |e| e as u64)
    }

    /// The level for the next fragment.
    pub fn choose(&mut self) -> Choice {
        let top = self.ladder.len().saturating_sub(1);
        let capped_top = match self.max_bitrate {
            Some(cap) => self
                .ladder
                .iter()
                .rposition(|r| r.bitrate <= cap)
                .unwrap_or(0),
            None => top,
        };
        let choice = if let Some(m) = self.manual {
            Choice {
                level: m.min(top),
                reason: "manual",
            }
        } else {
            match self.estimate_bps {
                None => Choice {
                    level: 0,
                    reason: "startup",
                },
                Some(e) => {
                    let fit = self
                        .ladder
                        .iter()
                        .rposition(|r| (r.bitrate as f64) <= 0.8 * e)
                        .unwrap_or(0);
                    if fit > capped_top {
                        Choice {
                            level: capped_top,
                            reason: "manual",
                        }
                    } else {
                        Choice {
                            level: fit,
                            reason: "bandwidth",
                        }
                    }
                }
            }
        };
        self.current = Some(choice.level);
        choice
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ladder() -> Vec<Rung> {
        [300_000, 800_000, 2_500_000]
            .into_iter()
            .map(|b| Rung {
                bitrate: b,
                width: None,
                height: None,
            })
            .collect()
    }

    #[test]
    fn starts_low_then_follows_throughput_under_the_cap() {
        let mut q = QualityChooser::new(ladder(), None, None);
        assert_eq!(
            q.choose(),
            Choice {
                level: 0,
                reason: "startup"
            }
        );
        // 125 kB in 1 s = 1 Mbit/s: 0.8 Mbit/s fits the 800k level.
        q.on_download(125_000, 1.0);
        assert_eq!(q.choose().level, 1);
        q.on_download(100_000_000, 1.0);
        assert_eq!(q.choose().level, 2);
        q.set_max_bitrate(Some(1_000_000));
        assert_eq!(
            q.choose(),
            Choice {
                level: 1,
                reason: "manual"
            }
        );
        q.set_manual(Some(0));
        assert_eq!(
            q.choose(),
            Choice {
                level: 0,
                reason: "manual"
            }
        );
    }
}
