//! Injected faults: server errors, connection resets, stalls and truncated bodies, chosen
//! per request from a seeded hash so a test run is repeatable.

use std::time::Duration;

/// How often each fault happens (probabilities per fragment request).
#[derive(Debug, Clone, PartialEq)]
pub struct FaultConfig {
    /// Seed of the per-request choice.
    pub seed: u64,
    /// HTTP 503 answers.
    pub error: f64,
    /// Connections closed before any byte of the body.
    pub reset: f64,
    /// Bodies cut off halfway (Content-Length promises more).
    pub truncate: f64,
    /// Answers delayed by `stall_for` before the headers.
    pub stall: f64,
    /// How long a stall lasts.
    pub stall_for: Duration,
    /// Also fault manifest requests (off by default: a failed open tests nothing useful).
    pub manifests: bool,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            seed: 1,
            error: 0.0,
            reset: 0.0,
            truncate: 0.0,
            stall: 0.0,
            stall_for: Duration::from_secs(3),
            manifests: false,
        }
    }
}

/// What to do to one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Serve normally.
    None,
    /// Answer 503.
    Error,
    /// Close the connection without a body.
    Reset,
    /// Send half the body, then close.
    Truncate,
    /// Wait this long, then serve.
    Stall(Duration),
}

/// Parses `error=0.1,reset=0.05,truncate=0.05,stall=0.02,stall-for=3,seed=7,manifests`.
pub fn parse_faults(spec: &str) -> Result<FaultConfig, String> {
    let mut c = FaultConfig::default();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        let prob = || -> Result<f64, String> {
            value
                .parse::<f64>()
                .ok()
                .filter(|v| (0.0..=1.0).contains(v))
                .ok_or_else(|| format!("faults: {key} wants a probability 0..1, got {value:?}"))
        };
        match key {
            "error" => c.error = prob()?,
            "reset" => c.reset = prob()?,
            "truncate" => c.truncate = prob()?,
            "stall" => c.stall = prob()?,
            "stall-for" => {
                c.stall_for = value
                    .parse::<f64>()
                    .ok()
                    .and_then(|v| Duration::try_from_secs_f64(v).ok())
                    .ok_or_else(|| format!("faults: stall-for wants seconds, got {value:?}"))?
            }
            "seed" => {
                c.seed = value
                    .parse()
                    .map_err(|_| format!("faults: bad seed {value:?}"))?
            }
            "manifests" => c.manifests = true,
            other => return Err(format!("faults: unknown fault {other:?}")),
        }
    }
    Ok(c)
}

/// SplitMix64: a well-mixed hash of (seed, request number) → uniform in [0, 1).
fn uniform(seed: u64, n: u64) -> f64 {
    let mut z = seed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

impl FaultConfig {
    /// The fault for request number `n` (fragment or, if enabled, manifest).
    pub fn pick(&self, n: u64, is_manifest: bool) -> Fault {
        if is_manifest && !self.manifests {
            return Fault::None;
        }
        let mut u = uniform(self.seed, n);
        for (p, f) in [
            (self.error, Fault::Error),
            (self.reset, Fault::Reset),
            (self.truncate, Fault::Truncate),
            (self.stall, Fault::Stall(self.stall_for)),
        ] {
            if u < p {
                return f;
            }
            u -= p;
        }
        Fault::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_parses_and_rates_come_out_right() {
        let c = parse_faults("error=0.1,reset=0.05,truncate=0.05,stall=0.02,stall-for=1.5,seed=9")
            .expect("spec");
        assert_eq!(c.stall_for, Duration::from_millis(1500));
        let n = 20_000;
        let errors = (0..n).filter(|i| c.pick(*i, false) == Fault::Error).count();
        let none = (0..n).filter(|i| c.pick(*i, false) == Fault::None).count();
        assert!((errors as f64 / n as f64 - 0.1).abs() < 0.01, "{errors}");
        assert!((none as f64 / n as f64 - 0.78).abs() < 0.015, "{none}");
        assert_eq!(
            c.pick(3, true),
            Fault::None,
            "manifests are spared by default"
        );
        assert!(parse_faults("error=2").is_err());
        assert!(parse_faults("boom=0.1").is_err());
    }
}
