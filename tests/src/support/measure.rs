//! Measurements on decoded media: frame index band, picture digests, tone frequency.

use md5::{Digest, Md5};
use player_core::decode::VideoFrame;

/// Reads the frame number drawn as 16 black/white blocks across the top of the picture
/// (most significant bit left; luma sampled at the block centres, threshold 128).
pub fn frame_index(f: &VideoFrame) -> u64 {
    let (w, h) = (f.width as usize, f.height as usize);
    let y = h / 18;
    (0..16).fold(0u64, |acc, i| {
        let x = (2 * i + 1) * w / 32;
        let luma = f.y.get(y * f.y_stride + x).copied().unwrap_or(0);
        (acc << 1) | u64::from(luma >= 128)
    })
}

/// MD5 of the packed I420 picture, lowercase hex.
pub fn md5_hex(f: &VideoFrame) -> String {
    let digest = Md5::digest(f.to_i420());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Estimates the frequency of a steady tone on the first channel from its rising zero
/// crossings (interpolated), skipping the first `skip` sample frames (encoder priming).
pub fn tone_hz(samples: &[f32], channels: usize, rate: u32, skip: usize) -> f64 {
    let ch: Vec<f32> = samples
        .iter()
        .step_by(channels.max(1))
        .skip(skip)
        .copied()
        .collect();
    let mut crossings = Vec::new();
    for i in 1..ch.len() {
        let (a, b) = (ch[i - 1], ch[i]);
        if a < 0.0 && b >= 0.0 {
            crossings.push((i - 1) as f64 + f64::from(-a / (b - a)));
        }
    }
    match (crossings.first(), crossings.last()) {
        (Some(first), Some(last)) if crossings.len() > 1 => {
            (crossings.len() - 1) as f64 * f64::from(rate) / (last - first)
        }
        _ => 0.0,
    }
}

/// Relative power of `hz` on channel `channel` (Goertzel over the whole signal after `skip`
/// sample frames, normalised by the signal's power): near 1 for a pure tone at `hz`, near 0
/// when the channel does not carry it.
pub fn tone_power(
    samples: &[f32],
    channels: usize,
    channel: usize,
    rate: u32,
    hz: f64,
    skip: usize,
) -> f64 {
    let x: Vec<f64> = samples
        .iter()
        .skip(channel)
        .step_by(channels.max(1))
        .skip(skip)
        .map(|s| f64::from(*s))
        .collect();
    let energy: f64 = x.iter().map(|v| v * v).sum();
    if x.is_empty() || energy == 0.0 {
        return 0.0;
    }
    let w = 2.0 * std::f64::consts::PI * hz / f64::from(rate);
    let (mut s1, mut s2) = (0.0, 0.0);
    for v in &x {
        let s0 = v + 2.0 * w.cos() * s1 - s2;
        (s2, s1) = (s1, s0);
    }
    let power = s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2;
    power / (energy * x.len() as f64 / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tone_estimate_is_accurate() {
        let rate = 48_000;
        let s: Vec<f32> = (0..rate)
            .map(|i| (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / rate as f32).sin())
            .collect();
        let f = tone_hz(&s, 1, rate, 0);
        assert!((f - 1000.0).abs() < 0.01, "{f}");
        let on = tone_power(&s, 1, 0, rate, 1000.0, 0);
        let off = tone_power(&s, 1, 0, rate, 1300.0, 0);
        assert!(on > 0.9 && off < 0.01, "{on} {off}");
    }
}
