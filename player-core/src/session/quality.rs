//! The video quality decisions of one session: the ABR controller, fed with what the
//! pipeline observes (downloads, stalls, errors, decoder health, viewport, caps). Time comes
//! in as an argument, measured from the session's epoch.

use std::time::Instant;

use crate::abr::{
    AbrConfig, Controller, DecisionContext, DecoderObservation, DownloadObservation, InFlight,
    Upcoming, UserCaps,
};

use super::selection::Level;

/// A level and why it was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Choice {
    pub level: usize,
    pub reason: &'static str,
}

/// What the next decision needs to know about the stream ahead.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outlook {
    /// Media buffered ahead of the playhead, seconds.
    pub buffer_s: f64,
    /// Durations of the next fragments, seconds.
    pub upcoming_s: Vec<f64>,
    /// Fragments left to the end (on demand).
    pub remaining: Option<usize>,
    /// Target latency behind the live edge, seconds (live).
    pub live_latency_s: Option<f64>,
}

/// One download as the ABR is told of it (times already in media seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Transfer {
    pub level: usize,
    pub bytes: u64,
    pub ttfb_s: f64,
    pub total_s: f64,
    pub duration_s: f64,
    pub abandoned: bool,
}

/// Decoder health since the last report, for one level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DecoderHealth {
    pub level: usize,
    pub decoded: u64,
    pub dropped: u64,
    pub decode_s_per_frame: Option<f64>,
    pub frame_s: f64,
}

/// The session's ABR: one controller for video, rebuilt when the ladder changes.
#[derive(Debug)]
pub(crate) struct QualityChooser {
    controller: Option<Controller>,
    config: AbrConfig,
    caps: UserCaps,
    manual: Option<usize>,
    viewport: Option<(u32, u32)>,
    epoch: Instant,
}

impl QualityChooser {
    /// An ABR for `ladder` (ascending bitrate), with a manual level or bitrate cap; times
    /// are measured from `epoch`.
    pub fn new(
        ladder: &[Level],
        manual: Option<usize>,
        max_bitrate: Option<u64>,
        buffer_capacity_s: f64,
        epoch: Instant,
    ) -> Self {
        let config = AbrConfig {
            buffer_capacity_s,
            ..AbrConfig::default()
        };
        let mut q = QualityChooser {
            controller: None,
            config,
            caps: UserCaps {
                max_bitrate_bps: max_bitrate,
                ..UserCaps::default()
            },
            manual,
            viewport: None,
            epoch,
        };
        q.set_ladder(ladder);
        q
    }

    fn secs(&self, now: Instant) -> f64 {
        now.saturating_duration_since(self.epoch).as_secs_f64()
    }

    /// Replaces the ladder (another video stream was selected).
    pub fn set_ladder(&mut self, ladder: &[Level]) {
        let levels = ladder.iter().map(Level::to_abr).collect();
        self.controller = Controller::new(levels, self.config.clone())
            .map_err(|e| tracing::warn!("no ABR for this ladder: {e}"))
            .ok();
        if let Some(c) = &mut self.controller {
            c.set_caps(self.caps);
            c.set_manual(self.manual);
            c.set_viewport(self.viewport);
        }
    }

    /// Fixes the level (`None` = automatic).
    pub fn set_manual(&mut self, level: Option<usize>) {
        self.manual = level;
        if let Some(c) = &mut self.controller {
            c.set_manual(level);
        }
    }

    /// Caps the bitrate (`None` = no cap).
    pub fn set_max_bitrate(&mut self, cap: Option<u64>) {
        self.caps.max_bitrate_bps = cap;
        if let Some(c) = &mut self.controller {
            c.set_caps(self.caps);
        }
    }

    /// The size the picture is shown at (levels far above it are not worth fetching).
    pub fn set_viewport(&mut self, size: Option<(u32, u32)>) {
        self.viewport = size;
        if let Some(c) = &mut self.controller {
            c.set_viewport(size);
        }
    }

    /// Feeds one finished (or abandoned) download.
    pub fn on_download(&mut self, t: &Transfer, now: Instant) {
        let now_s = self.secs(now);
        if let Some(c) = &mut self.controller {
            c.on_download(&DownloadObservation {
                level: t.level,
                bytes: t.bytes,
                ttfb_s: t.ttfb_s,
                total_s: t.total_s,
                duration_s: t.duration_s,
                abandoned: t.abandoned,
                now_s,
            });
        }
    }

    /// A level failed to download.
    pub fn on_error(&mut self, level: usize, now: Instant) {
        let now_s = self.secs(now);
        if let Some(c) = &mut self.controller {
            c.on_error(level, now_s);
        }
    }

    /// Playback stalled for `stall_s`.
    pub fn on_rebuffer(&mut self, stall_s: f64, now: Instant) {
        let now_s = self.secs(now);
        if let Some(c) = &mut self.controller {
            c.on_rebuffer(stall_s, now_s);
        }
    }

    /// Decoder health since the last report.
    pub fn on_decoder(&mut self, h: &DecoderHealth, now: Instant) {
        let now_s = self.secs(now);
        if let Some(c) = &mut self.controller {
            c.on_decoder(&DecoderObservation {
                level: h.level,
                frames_decoded: h.decoded,
                frames_dropped: h.dropped,
                decode_time_per_frame_s: h.decode_s_per_frame,
                frame_duration_s: h.frame_s,
                now_s,
            });
        }
    }

    /// The highest level the decoder keeps up with, when that caps the choice.
    pub fn cpu_ceiling(&self) -> Option<usize> {
        self.controller.as_ref()?.cpu_ceiling()
    }

    /// The smoothed throughput, bits/s.
    pub fn bandwidth_bps(&self) -> u64 {
        self.controller
            .as_ref()
            .map_or(0, |c| c.bandwidth_estimate_bps().max(0.0) as u64)
    }

    /// The level for the next fragment, and why.
    pub fn choose(&mut self, outlook: &Outlook, now: Instant) -> Choice {
        let now_s = self.secs(now);
        let Some(c) = &mut self.controller else {
            return Choice {
                level: self.manual.unwrap_or(0),
                reason: "manual",
            };
        };
        let upcoming: Vec<Upcoming<'_>> = outlook
            .upcoming_s
            .iter()
            .map(|&d| Upcoming {
                duration_s: d,
                sizes_bytes: None,
            })
            .collect();
        let d = c.next_level(&DecisionContext {
            now_s,
            buffer_s: outlook.buffer_s,
            upcoming: &upcoming,
            remaining_fragments: outlook.remaining,
            live_latency_target_s: outlook.live_latency_s,
        });
        Choice {
            level: d.level,
            reason: d.reason.as_str(),
        }
    }

    /// Whether the in-flight download should be dropped for a lower level (which one).
    pub fn should_abandon(&self, flight: &InFlight) -> Option<usize> {
        self.controller.as_ref()?.should_abandon(flight, None)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::demux::{AacConfig, DecoderConfig};

    fn ladder() -> Vec<Level> {
        [
            (300_000, 320, 180),
            (800_000, 640, 360),
            (2_500_000, 1280, 720),
        ]
        .into_iter()
        .map(|(b, w, h)| Level {
            bitrate: b,
            width: Some(w),
            height: Some(h),
            ql: 0,
            config: Arc::new(DecoderConfig::Aac(AacConfig {
                asc: vec![0x12, 0x10],
                full_asc: vec![0x12, 0x10],
                sample_rate: 44_100,
                output_rate: 44_100,
                channels: 2,
                sbr: false,
            })),
        })
        .collect()
    }

    fn outlook(buffer_s: f64) -> Outlook {
        Outlook {
            buffer_s,
            upcoming_s: vec![2.0; 8],
            remaining: Some(8),
            live_latency_s: None,
        }
    }

    #[test]
    fn climbs_with_throughput_and_obeys_caps_and_manual_levels() {
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut q = QualityChooser::new(&ladder(), None, None, 20.0, t0);
        assert_eq!(q.choose(&outlook(0.0), t0).level, 0, "conservative start");
        for i in 0..6 {
            // 2 s fragments arriving in 0.1 s at 2.5 Mbit/s: about 50 Mbit/s.
            let t = Transfer {
                level: 2,
                bytes: 625_000,
                ttfb_s: 0.01,
                total_s: 0.1,
                duration_s: 2.0,
                abandoned: false,
            };
            q.on_download(&t, at(i));
        }
        assert_eq!(q.choose(&outlook(12.0), at(6)).level, 2);
        q.set_max_bitrate(Some(1_000_000));
        assert_eq!(q.choose(&outlook(12.0), at(7)).level, 1);
        q.set_manual(Some(0));
        assert_eq!(
            q.choose(&outlook(12.0), at(8)),
            Choice {
                level: 0,
                reason: "manual"
            }
        );
        q.set_viewport(Some((320, 180)));
        q.set_manual(None);
        q.set_max_bitrate(None);
        assert!(
            q.choose(&outlook(12.0), at(9)).level <= 1,
            "a small window needs no 720p"
        );
    }
}
