//! Multichannel to stereo, for outputs that take two channels: ITU-R BS.775 coefficients
//! (centre and surrounds at −3 dB, LFE left out), scaled so that no output can clip — the
//! same matrix FFmpeg's swresample uses by default.

/// Channel bits of a WAVE / FFmpeg channel mask, in their interleaving order.
pub mod ch {
    /// Front left.
    pub const FL: u64 = 0x1;
    /// Front right.
    pub const FR: u64 = 0x2;
    /// Front centre.
    pub const FC: u64 = 0x4;
    /// Low-frequency effects.
    pub const LFE: u64 = 0x8;
    /// Back left.
    pub const BL: u64 = 0x10;
    /// Back right.
    pub const BR: u64 = 0x20;
    /// Front left of centre.
    pub const FLC: u64 = 0x40;
    /// Front right of centre.
    pub const FRC: u64 = 0x80;
    /// Back centre.
    pub const BC: u64 = 0x100;
    /// Side left.
    pub const SL: u64 = 0x200;
    /// Side right.
    pub const SR: u64 = 0x400;
}

const MINUS_3DB: f32 = std::f32::consts::FRAC_1_SQRT_2;

/// The usual layout of `channels` channels when the stream names none (FFmpeg's defaults).
pub fn default_mask(channels: u16) -> u64 {
    use ch::*;
    match channels {
        1 => FC,
        2 => FL | FR,
        3 => FL | FR | FC,
        4 => FL | FR | FC | BC,
        5 => FL | FR | FC | BL | BR,
        6 => FL | FR | FC | LFE | BL | BR,
        7 => FL | FR | FC | LFE | BC | SL | SR,
        _ => FL | FR | FC | LFE | BL | BR | SL | SR,
    }
}

/// (left, right) weights of one channel.
fn weights(bit: u64) -> (f32, f32) {
    use ch::*;
    match bit {
        FL | FLC => (1.0, 0.0),
        FR | FRC => (0.0, 1.0),
        FC => (MINUS_3DB, MINUS_3DB),
        BL | SL => (MINUS_3DB, 0.0),
        BR | SR => (0.0, MINUS_3DB),
        BC => (0.5, 0.5),
        _ => (0.0, 0.0),
    }
}

/// The stereo matrix for the channels of `mask` in interleaving order (lowest bit first),
/// one (left, right) pair per channel, scaled so the louder output's weights add up to 1.
pub fn stereo_matrix(mask: u64, channels: u16) -> Vec<(f32, f32)> {
    let mask = if mask.count_ones() == u32::from(channels) {
        mask
    } else {
        default_mask(channels)
    };
    let mut m: Vec<(f32, f32)> = (0..64)
        .map(|i| 1u64 << i)
        .filter(|bit| mask & bit != 0)
        .map(weights)
        .collect();
    m.resize(usize::from(channels), (0.0, 0.0));
    let (l, r) = m.iter().fold((0.0, 0.0), |(l, r), (a, b)| (l + a, r + b));
    let scale = l.max(r);
    if scale > 0.0 {
        for w in &mut m {
            *w = (w.0 / scale, w.1 / scale);
        }
    }
    m
}

/// Downmixes interleaved `samples` of `channels` channels laid out as `mask` to stereo.
/// Mono and stereo pass through unchanged.
pub fn to_stereo(samples: &[f32], channels: u16, mask: u64) -> Vec<f32> {
    if channels <= 2 {
        return samples.to_vec();
    }
    let m = stereo_matrix(mask, channels);
    let mut out = Vec::with_capacity(samples.len() / usize::from(channels) * 2);
    for frame in samples.chunks_exact(usize::from(channels)) {
        let (l, r) = frame
            .iter()
            .zip(&m)
            .fold((0.0, 0.0), |(l, r), (s, (a, b))| (l + s * a, r + s * b));
        out.push(l);
        out.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_one_goes_left_right_centre_and_surrounds_without_lfe_or_clipping() {
        let mask = default_mask(6);
        // One frame per channel lit alone: FL FR FC LFE BL BR.
        let mut samples = Vec::new();
        for lit in 0..6 {
            samples.extend((0..6).map(|c| if c == lit { 1.0f32 } else { 0.0 }));
        }
        let out = to_stereo(&samples, 6, mask);
        let pairs: Vec<(f32, f32)> = out.chunks(2).map(|p| (p[0], p[1])).collect();
        let s = 1.0 / (1.0 + 2.0 * MINUS_3DB);
        let near = |a: f32, b: f32| (a - b).abs() < 1e-6;
        assert!(
            near(pairs[0].0, s) && near(pairs[0].1, 0.0),
            "FL {:?}",
            pairs[0]
        );
        assert!(near(pairs[1].0, 0.0) && near(pairs[1].1, s), "FR");
        assert!(
            near(pairs[2].0, s * MINUS_3DB) && near(pairs[2].1, s * MINUS_3DB),
            "FC"
        );
        assert_eq!(pairs[3], (0.0, 0.0), "LFE is left out");
        assert!(
            near(pairs[4].0, s * MINUS_3DB) && near(pairs[4].1, 0.0),
            "BL"
        );
        // Everything at full scale at once still fits.
        let full = to_stereo(&[1.0; 6], 6, mask);
        assert!(full.iter().all(|v| *v <= 1.0 + 1e-6), "{full:?}");
    }

    #[test]
    fn stereo_passes_through_and_an_unknown_mask_takes_the_default() {
        assert_eq!(to_stereo(&[0.1, 0.2], 2, 0), vec![0.1, 0.2]);
        assert_eq!(stereo_matrix(0, 6), stereo_matrix(default_mask(6), 6));
    }
}
