//! Throughput estimation from completed downloads, robust to outliers and idle gaps.
//!
//! Samples are weighted by transfer time, never by wall-clock time, so the idle gaps between
//! requests (buffer full, paused) neither decay the estimate nor count as slow transfers.
//! Three views are kept: a dual EWMA (fast and slow half-lives, the minimum wins, so drops
//! are followed at once and rises only once confirmed), a harmonic mean of the last few
//! samples (one slow outlier cannot inflate it, one fast burst barely moves it), and the
//! distribution of the log-ratio between what was predicted and what happened, which the
//! planner uses as its model of prediction error.

use std::collections::VecDeque;

/// Tuning of the estimator.
#[derive(Debug, Clone, PartialEq)]
pub struct EstimatorConfig {
    /// Half-life of the fast EWMA, in seconds of transfer time.
    pub fast_half_life_s: f64,
    /// Half-life of the slow EWMA, in seconds of transfer time.
    pub slow_half_life_s: f64,
    /// Samples in the harmonic mean.
    pub harmonic_window: usize,
    /// Prediction errors remembered for the error model.
    pub error_window: usize,
    /// Standard deviation of the log error assumed before enough errors are seen.
    pub prior_log_sd: f64,
    /// Transfers shorter than this (seconds) only count with their (small) weight.
    pub min_transfer_s: f64,
    /// The lowest scenario is at most the worst error among this many most recent
    /// predictions (RobustMPC's max-error idea, applied to the tail only): right after a
    /// surprise the planner stays wary, and forgets once the surprise leaves the window.
    pub recent_worst: usize,
    /// Scenario quantiles span the whole range (worst and best errors seen) instead of the
    /// midpoints of equal-probability bins.
    pub extreme_quantiles: bool,
}

impl Default for EstimatorConfig {
    fn default() -> Self {
        EstimatorConfig {
            fast_half_life_s: 3.0,
            slow_half_life_s: 8.0,
            harmonic_window: 5,
            error_window: 50,
            prior_log_sd: 0.35,
            min_transfer_s: 0.02,
            extreme_quantiles: false,
            recent_worst: 5,
        }
    }
}

/// An exponentially weighted mean whose weight is the sample's transfer time.
#[derive(Debug, Clone, PartialEq)]
struct Ewma {
    half_life_s: f64,
    value: f64,
    total_weight: f64,
}

impl Ewma {
    fn new(half_life_s: f64) -> Self {
        Ewma {
            half_life_s: half_life_s.max(1e-3),
            value: 0.0,
            total_weight: 0.0,
        }
    }

    fn add(&mut self, weight_s: f64, x: f64) {
        let alpha = 0.5f64.powf(weight_s / self.half_life_s);
        self.value = alpha * self.value + (1.0 - alpha) * x;
        self.total_weight += weight_s;
    }

    /// Zero-bias-corrected estimate (the EWMA starts at 0).
    fn estimate(&self) -> Option<f64> {
        if self.total_weight <= 0.0 {
            return None;
        }
        let zero_factor = 1.0 - 0.5f64.powf(self.total_weight / self.half_life_s);
        (zero_factor > 0.0).then(|| self.value / zero_factor)
    }
}

/// Bandwidth and latency estimator fed with completed (or abandoned) downloads.
#[derive(Debug, Clone, PartialEq)]
pub struct BandwidthEstimator {
    cfg: EstimatorConfig,
    fast: Ewma,
    slow: Ewma,
    recent: VecDeque<f64>,
    log_errors: VecDeque<f64>,
    latency_s: Option<f64>,
    samples: u64,
}

impl BandwidthEstimator {
    /// An estimator with no samples.
    pub fn new(cfg: EstimatorConfig) -> Self {
        BandwidthEstimator {
            fast: Ewma::new(cfg.fast_half_life_s),
            slow: Ewma::new(cfg.slow_half_life_s),
            recent: VecDeque::with_capacity(cfg.harmonic_window + 1),
            log_errors: VecDeque::with_capacity(cfg.error_window + 1),
            latency_s: None,
            samples: 0,
            cfg,
        }
    }

    /// Adds one transfer: `bytes` delivered in `transfer_s` seconds after a first byte at
    /// `ttfb_s`. Non-finite or non-positive durations are ignored.
    pub fn add(&mut self, bytes: u64, ttfb_s: f64, transfer_s: f64) {
        if !(transfer_s.is_finite() && transfer_s > 0.0) || bytes == 0 {
            return;
        }
        let bps = bytes as f64 * 8.0 / transfer_s.max(self.cfg.min_transfer_s);
        if let Some(pred) = self.prediction_bps() {
            let err = (bps / pred).ln();
            if err.is_finite() {
                push_bounded(&mut self.log_errors, err, self.cfg.error_window);
            }
        }
        self.fast.add(transfer_s, bps);
        self.slow.add(transfer_s, bps);
        push_bounded(&mut self.recent, bps, self.cfg.harmonic_window);
        if ttfb_s.is_finite() && ttfb_s >= 0.0 {
            self.latency_s = Some(match self.latency_s {
                Some(l) => 0.7 * l + 0.3 * ttfb_s,
                None => ttfb_s,
            });
        }
        self.samples += 1;
    }

    /// Number of transfers seen.
    pub fn sample_count(&self) -> u64 {
        self.samples
    }

    /// Harmonic mean of the last few samples, in bit/s.
    pub fn harmonic_bps(&self) -> Option<f64> {
        if self.recent.is_empty() {
            return None;
        }
        let inv: f64 = self.recent.iter().map(|b| 1.0 / b.max(1.0)).sum();
        Some(self.recent.len() as f64 / inv)
    }

    /// Dual-EWMA estimate (minimum of fast and slow), in bit/s.
    pub fn ewma_bps(&self) -> Option<f64> {
        match (self.fast.estimate(), self.slow.estimate()) {
            (Some(f), Some(s)) => Some(f.min(s)),
            (f, s) => f.or(s),
        }
    }

    /// The point prediction used for planning: the smaller of the harmonic mean and the
    /// dual EWMA, so that both a recent drop and a run of slow samples are believed.
    pub fn prediction_bps(&self) -> Option<f64> {
        match (self.harmonic_bps(), self.ewma_bps()) {
            (Some(h), Some(e)) => Some(h.min(e)),
            (h, e) => h.or(e),
        }
    }

    /// Smoothed time to first byte in seconds (0 until a download reported one).
    pub fn latency_s(&self) -> f64 {
        self.latency_s.unwrap_or(0.0)
    }

    /// Fills `out` with `out.len()` equally likely multipliers of the prediction: quantiles
    /// of the recent log errors, padded with a log-normal prior while few were seen.
    pub fn error_quantiles(&self, out: &mut [f64]) {
        let n = out.len();
        if n == 0 {
            return;
        }
        let mut errs: Vec<f64> = self.log_errors.iter().copied().collect();
        let prior_points = [-1.2816, -0.5244, 0.0, 0.5244, 1.2816];
        let wanted = 8usize;
        if errs.len() < wanted {
            for (i, z) in prior_points.iter().cycle().enumerate() {
                if errs.len() >= wanted || i >= 64 {
                    break;
                }
                errs.push(z * self.cfg.prior_log_sd);
            }
        }
        errs.sort_by(f64::total_cmp);
        for (k, slot) in out.iter_mut().enumerate() {
            let p = if self.cfg.extreme_quantiles && n > 1 {
                k as f64 / (n - 1) as f64
            } else {
                (k as f64 + 0.5) / n as f64
            };
            *slot = quantile_sorted(&errs, p).exp();
        }
        let recent = self.cfg.recent_worst.min(self.log_errors.len());
        if recent > 0 {
            let worst = self
                .log_errors
                .iter()
                .rev()
                .take(recent)
                .copied()
                .fold(f64::INFINITY, f64::min);
            if let Some(first) = out.first_mut() {
                *first = first.min(worst.exp());
            }
        }
    }
}

fn push_bounded(q: &mut VecDeque<f64>, x: f64, cap: usize) {
    q.push_back(x);
    while q.len() > cap.max(1) {
        q.pop_front();
    }
}

/// Linear-interpolated quantile of a sorted, non-empty slice (0 when empty).
fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return 0.0;
    };
    let pos = p.clamp(0.0, 1.0) * last as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(last);
    let frac = pos - lo as f64;
    let a = sorted.get(lo).copied().unwrap_or(0.0);
    let b = sorted.get(hi).copied().unwrap_or(a);
    a + (b - a) * frac
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(e: &mut BandwidthEstimator, mbps: f64, secs: f64) {
        let bytes = (mbps * 1e6 * secs / 8.0) as u64;
        e.add(bytes, 0.05, secs);
    }

    #[test]
    fn steady_throughput_is_estimated_exactly() {
        let mut e = BandwidthEstimator::new(EstimatorConfig::default());
        assert_eq!(e.prediction_bps(), None);
        for _ in 0..10 {
            feed(&mut e, 4.0, 1.0);
        }
        let p = e.prediction_bps().unwrap_or(0.0);
        assert!((p - 4e6).abs() < 1e3, "{p}");
        assert!((e.latency_s() - 0.05).abs() < 1e-9);
    }

    #[test]
    fn one_fast_outlier_barely_moves_the_prediction() {
        let mut e = BandwidthEstimator::new(EstimatorConfig::default());
        for _ in 0..10 {
            feed(&mut e, 2.0, 2.0);
        }
        feed(&mut e, 50.0, 0.2);
        let p = e.prediction_bps().unwrap_or(0.0);
        assert!(p < 2.6e6, "outlier inflated estimate to {p}");
    }

    #[test]
    fn a_drop_is_followed_quickly() {
        let mut e = BandwidthEstimator::new(EstimatorConfig::default());
        for _ in 0..10 {
            feed(&mut e, 8.0, 1.0);
        }
        feed(&mut e, 1.0, 4.0);
        let p = e.prediction_bps().unwrap_or(f64::MAX);
        assert!(
            p < 4e6,
            "estimate {p} still near the old rate after a long slow transfer"
        );
    }

    #[test]
    fn idle_gaps_do_not_decay_the_estimate() {
        // Transfer-time weighting means the estimator has no notion of wall-clock gaps:
        // the same samples give the same estimate whatever idle time separated them.
        let mut a = BandwidthEstimator::new(EstimatorConfig::default());
        let mut b = BandwidthEstimator::new(EstimatorConfig::default());
        for _ in 0..5 {
            feed(&mut a, 3.0, 1.0);
            feed(&mut b, 3.0, 1.0);
        }
        assert_eq!(a.prediction_bps(), b.prediction_bps());
    }

    #[test]
    fn error_quantiles_follow_prior_then_data() {
        let mut e = BandwidthEstimator::new(EstimatorConfig::default());
        let mut q = [0.0; 5];
        e.error_quantiles(&mut q);
        assert!(
            q[0] < 1.0 && q[4] > 1.0 && (q[2] - 1.0).abs() < 0.2,
            "{q:?}"
        );
        for _ in 0..30 {
            feed(&mut e, 3.0, 1.0);
        }
        e.error_quantiles(&mut q);
        for m in q {
            assert!(
                (m - 1.0).abs() < 1e-6,
                "steady link must give no error spread: {q:?}"
            );
        }
    }

    #[test]
    fn a_recent_surprise_widens_the_tail_until_it_ages_out() {
        let mut e = BandwidthEstimator::new(EstimatorConfig::default());
        for _ in 0..40 {
            feed(&mut e, 4.0, 1.0);
        }
        feed(&mut e, 0.5, 8.0);
        let mut q = [0.0; 10];
        e.error_quantiles(&mut q);
        assert!(q[0] < 0.2, "surprise not in the tail: {q:?}");
        assert!(q[1] > 0.9, "one surprise must not move the body: {q:?}");
        // Once the predictor has caught up and five accurate predictions followed, the tail
        // is back to what the whole window says.
        for _ in 0..12 {
            feed(&mut e, 0.5, 8.0);
        }
        e.error_quantiles(&mut q);
        assert!(q[0] > 0.8, "surprise never aged out: {q:?}");
    }

    #[test]
    fn bad_samples_are_ignored() {
        let mut e = BandwidthEstimator::new(EstimatorConfig::default());
        e.add(1000, 0.0, 0.0);
        e.add(1000, 0.0, f64::NAN);
        e.add(0, 0.0, 1.0);
        assert_eq!(e.sample_count(), 0);
        assert_eq!(e.prediction_bps(), None);
    }

    #[test]
    fn quantile_interpolates() {
        assert_eq!(quantile_sorted(&[], 0.5), 0.0);
        assert_eq!(quantile_sorted(&[1.0, 3.0], 0.5), 2.0);
        assert_eq!(quantile_sorted(&[1.0, 3.0], 1.0), 3.0);
    }
}
