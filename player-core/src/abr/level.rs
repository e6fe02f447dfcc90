//! One quality level of the adaptive stream, as the ABR sees it.

/// A selectable video quality level (ascending bitrate order is expected by the controller).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    /// Declared bitrate in bit/s.
    pub bitrate_bps: u64,
    /// Coded width in pixels (0 when unknown: never capped by viewport or CPU cost).
    pub width: u32,
    /// Coded height in pixels (0 when unknown).
    pub height: u32,
    /// Frame rate in frames/s (0 when unknown; 30 is assumed for the decode cost).
    pub fps: f64,
}

impl Level {
    /// A level known only by its bitrate (simulator, audio-less ladders).
    pub fn from_bitrate(bitrate_bps: u64) -> Self {
        Level {
            bitrate_bps,
            width: 0,
            height: 0,
            fps: 0.0,
        }
    }

    /// Decode cost in pixels per second (width × height × fps); 0 when the size is unknown.
    pub fn decode_cost(&self) -> f64 {
        let fps = if self.fps > 0.0 { self.fps } else { 30.0 };
        f64::from(self.width) * f64::from(self.height) * fps
    }

    /// Bitrate in Mbit/s, the utility unit of the linear QoE.
    pub fn mbps(&self) -> f64 {
        self.bitrate_bps as f64 / 1e6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_cost_assumes_30fps_when_unknown() {
        let l = Level {
            bitrate_bps: 1_000_000,
            width: 640,
            height: 360,
            fps: 0.0,
        };
        assert_eq!(l.decode_cost(), 640.0 * 360.0 * 30.0);
        assert_eq!(Level::from_bitrate(5).decode_cost(), 0.0);
        assert!((l.mbps() - 1.0).abs() < 1e-12);
    }
}
