//! Retry policy: how long to wait before the next attempt of a failed request — exponential
//! backoff with a cap, and jitter so that many players that failed together do not come
//! back together.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Exponential backoff with a cap, jitter and a bounded number of attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// Wait before the second attempt (before jitter).
    pub base: Duration,
    /// Longest wait between attempts (before jitter).
    pub max: Duration,
    /// Share of each wait drawn at random, percent (0-100): with 50, a wait of 400 ms becomes
    /// one between 200 and 400 ms.
    pub jitter_percent: u8,
    /// Seed of the jitter's random sequence; `None` seeds it from the clock and the process.
    /// Tests give one to get the same waits every run.
    pub seed: Option<u64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            base: Duration::from_millis(100),
            max: Duration::from_secs(2),
            jitter_percent: 50,
            seed: None,
        }
    }
}

impl RetryPolicy {
    /// The backoff after failed attempt number `attempt` (1-based) before jitter, or `None`
    /// when attempts are used up.
    pub fn delay_after(&self, attempt: u32) -> Option<Duration> {
        if attempt >= self.attempts {
            return None;
        }
        let factor = 1u32 << attempt.saturating_sub(1).min(16);
        Some(self.base.saturating_mul(factor).min(self.max))
    }

    /// The wait after failed attempt number `attempt`, with jitter drawn from `jitter`: the
    /// backoff less a random share of up to `jitter_percent`; `None` when attempts are used up.
    pub fn wait_after(&self, attempt: u32, jitter: &Jitter) -> Option<Duration> {
        let backoff = self.delay_after(attempt)?;
        let share = f64::from(self.jitter_percent.min(100)) / 100.0;
        Some(backoff.mul_f64(1.0 - share * jitter.next_unit()))
    }

    /// The jitter source this policy asks for: seeded, or from the clock and the process.
    pub fn jitter(&self) -> Jitter {
        Jitter::new(self.seed.unwrap_or_else(clock_seed))
    }
}

/// A small random sequence for jitter (SplitMix64), shared by clones of a fetcher without a
/// lock. Not for anything secret.
#[derive(Debug)]
pub struct Jitter {
    state: AtomicU64,
}

const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

impl Jitter {
    /// A sequence starting from `seed`.
    pub fn new(seed: u64) -> Jitter {
        Jitter {
            state: AtomicU64::new(seed),
        }
    }

    /// The next number, uniform in [0, 1).
    pub fn next_unit(&self) -> f64 {
        let mut z = self
            .state
            .fetch_add(GAMMA, Ordering::Relaxed)
            .wrapping_add(GAMMA);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        // The top 53 bits as a fraction: exactly representable, below 1.
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A seed that differs between processes and runs.
fn clock_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ u64::from(std::process::id()).rotate_left(32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(jitter_percent: u8) -> RetryPolicy {
        RetryPolicy {
            attempts: 5,
            base: Duration::from_millis(100),
            max: Duration::from_millis(300),
            jitter_percent,
            seed: Some(7),
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_then_gives_up() {
        let p = policy(0);
        assert_eq!(p.delay_after(1), Some(Duration::from_millis(100)));
        assert_eq!(p.delay_after(2), Some(Duration::from_millis(200)));
        assert_eq!(p.delay_after(3), Some(Duration::from_millis(300)));
        assert_eq!(p.delay_after(4), Some(Duration::from_millis(300)));
        assert_eq!(p.delay_after(5), None);
        let j = p.jitter();
        let waits: Vec<_> = (1..=5).map(|a| p.wait_after(a, &j)).collect();
        assert_eq!(
            waits[..4],
            [100, 200, 300, 300].map(|ms| Some(Duration::from_millis(ms)))
        );
        assert_eq!(waits[4], None);
    }

    #[test]
    fn jitter_takes_up_to_its_share_off_each_wait_the_same_way_for_the_same_seed() {
        let p = policy(50);
        let run = |p: &RetryPolicy| {
            let j = p.jitter();
            (0..200)
                .map(|i| p.wait_after(1 + i % 4, &j).expect("within attempts"))
                .collect::<Vec<_>>()
        };
        let waits = run(&p);
        assert_eq!(waits, run(&p), "same seed, same waits");
        for (i, w) in waits.iter().enumerate() {
            let backoff = p.delay_after(1 + i as u32 % 4).expect("backoff");
            assert!(*w <= backoff && *w >= backoff / 2, "{w:?} for {backoff:?}");
        }
        // The draws spread over the whole allowed range, not one corner of it.
        let firsts: Vec<_> = waits.iter().step_by(4).collect();
        assert!(firsts.iter().any(|w| **w < Duration::from_millis(60)));
        assert!(firsts.iter().any(|w| **w > Duration::from_millis(90)));
        let other = RetryPolicy { seed: Some(8), ..p };
        assert_ne!(waits, run(&other), "another seed, other waits");
    }

    #[test]
    fn unit_draws_stay_in_zero_to_one() {
        let j = Jitter::new(u64::MAX);
        for _ in 0..10_000 {
            let u = j.next_unit();
            assert!((0.0..1.0).contains(&u), "{u}");
        }
    }
}
