//! Which Y'CbCr → R'G'B' conversion a picture needs, and its coefficients.
//!
//! The coefficients are applied on the GPU to normalised texture values (0.0-1.0 = 0-255);
//! [`Conversion::apply`] is the same arithmetic on the CPU, the reference for tests.

use player_core::demux::split_annex_b;
use player_core::demux::sps::parse_sps;
use player_core::manifest::{Manifest, StreamType};

/// A Y'CbCr colour matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matrix {
    /// ITU-R BT.601 (SD).
    Bt601,
    /// ITU-R BT.709 (HD).
    Bt709,
}

impl Matrix {
    /// The default for a picture of this height when the stream does not say: BT.709 from
    /// 720 lines up, BT.601 below (what players and broadcasters assume).
    pub fn for_height(height: u32) -> Matrix {
        if height >= 720 {
            Matrix::Bt709
        } else {
            Matrix::Bt601
        }
    }

    /// The matrix an H.264 VUI `matrix_coefficients` value names, if it is one of these.
    pub fn from_h264(code: u8) -> Option<Matrix> {
        match code {
            1 => Some(Matrix::Bt709),
            5 | 6 => Some(Matrix::Bt601),
            _ => None,
        }
    }

    /// (Kr, Kb) luma weights.
    fn weights(self) -> (f32, f32) {
        match self {
            Matrix::Bt601 => (0.299, 0.114),
            Matrix::Bt709 => (0.2126, 0.0722),
        }
    }
}

/// How a stream's pictures are to be converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour {
    /// The matrix.
    pub matrix: Matrix,
    /// Full range (0-255) instead of limited (16-235 / 16-240).
    pub full_range: bool,
}

impl Colour {
    /// The default for a picture height: limited range, matrix by height.
    pub fn for_height(height: u32) -> Colour {
        Colour {
            matrix: Matrix::for_height(height),
            full_range: false,
        }
    }
}

/// The colour signalled in the SPS of each H.264 video level of `manifest`, keyed by the
/// level's picture size. Levels without colour signalling are left out.
pub fn signalled_colours(manifest: &Manifest) -> Vec<((u32, u32), Colour)> {
    let mut out = Vec::new();
    for stream in manifest
        .streams
        .iter()
        .filter(|s| s.stream_type == StreamType::Video)
    {
        for level in &stream.quality_levels {
            let Some(sps) = split_annex_b(&level.codec_private_data)
                .find(|nal| nal.first().is_some_and(|h| h & 0x1f == 7))
            else {
                continue;
            };
            let Ok(info) = parse_sps(sps) else { continue };
            if let Some(matrix) = info.matrix_coefficients.and_then(Matrix::from_h264) {
                let colour = Colour {
                    matrix,
                    full_range: info.full_range,
                };
                out.push(((info.width, info.height), colour));
            }
        }
    }
    out
}

/// The colour for a picture of this size: what its level signals, else the default.
pub fn colour_for(signalled: &[((u32, u32), Colour)], width: u32, height: u32) -> Colour {
    signalled
        .iter()
        .find(|(size, _)| *size == (width, height))
        .map_or_else(|| Colour::for_height(height), |(_, c)| *c)
}

/// A conversion as three rows `[cy, ccb, ccr, offset]`: `R = cy·Y + ccb·Cb + ccr·Cr + offset`
/// with Y, Cb, Cr the normalised (0.0-1.0) sample values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conversion {
    /// Rows for R, G and B.
    pub rows: [[f32; 4]; 3],
}

impl Conversion {
    /// The conversion for `colour`.
    pub fn new(colour: Colour) -> Conversion {
        let (kr, kb) = colour.matrix.weights();
        let kg = 1.0 - kr - kb;
        // Scale from code values to Y' in 0..1 and Cb/Cr in -0.5..0.5.
        let (y_scale, y_off, c_scale) = if colour.full_range {
            (1.0, 0.0, 1.0)
        } else {
            (255.0 / 219.0, 16.0 / 255.0, 255.0 / 224.0)
        };
        let r_cr = 2.0 * (1.0 - kr);
        let b_cb = 2.0 * (1.0 - kb);
        let g_cb = -2.0 * kb * (1.0 - kb) / kg;
        let g_cr = -2.0 * kr * (1.0 - kr) / kg;
        let half = 128.0 / 255.0;
        let row = |cb: f32, cr: f32| {
            let (ccb, ccr) = (cb * c_scale, cr * c_scale);
            [y_scale, ccb, ccr, -y_off * y_scale - (ccb + ccr) * half]
        };
        Conversion {
            rows: [row(0.0, r_cr), row(g_cb, g_cr), row(b_cb, 0.0)],
        }
    }

    /// Converts one sample (code values) to 8-bit R'G'B', rounding and clamping as the GPU does.
    pub fn apply(&self, y: u8, cb: u8, cr: u8) -> [u8; 3] {
        let v = [f32::from(y), f32::from(cb), f32::from(cr)].map(|x| x / 255.0);
        self.rows.map(|r| {
            let x = r[0] * v[0] + r[1] * v[1] + r[2] * v[2] + r[3];
            (x.clamp(0.0, 1.0) * 255.0).round() as u8
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bt709_patches_of_the_demo_become_pure_colours() {
        let c = Conversion::new(Colour {
            matrix: Matrix::Bt709,
            full_range: false,
        });
        let close =
            |got: [u8; 3], want: [u8; 3]| got.iter().zip(want).all(|(g, w)| g.abs_diff(w) <= 1);
        assert!(
            close(c.apply(63, 102, 240), [255, 0, 0]),
            "{:?}",
            c.apply(63, 102, 240)
        );
        assert!(
            close(c.apply(173, 42, 26), [0, 255, 0]),
            "{:?}",
            c.apply(173, 42, 26)
        );
        assert!(
            close(c.apply(32, 240, 118), [0, 0, 255]),
            "{:?}",
            c.apply(32, 240, 118)
        );
        assert_eq!(c.apply(235, 128, 128), [255, 255, 255]);
        assert_eq!(c.apply(16, 128, 128), [0, 0, 0]);
    }

    #[test]
    fn bt601_differs_from_bt709_on_colours_not_on_greys() {
        let sd = Conversion::new(Colour::for_height(480));
        let hd = Conversion::new(Colour::for_height(720));
        assert_eq!(sd.apply(126, 128, 128), hd.apply(126, 128, 128));
        // BT.601 red (81, 90, 240).
        let red = sd.apply(81, 90, 240);
        assert!(red[0] >= 253 && red[1] <= 2 && red[2] <= 2, "{red:?}");
        assert_ne!(hd.apply(81, 90, 240), red);
    }

    #[test]
    fn full_range_maps_0_and_255_to_black_and_white() {
        let c = Conversion::new(Colour {
            matrix: Matrix::Bt709,
            full_range: true,
        });
        assert_eq!(c.apply(0, 128, 128), [0, 0, 0]);
        assert_eq!(c.apply(255, 128, 128), [255, 255, 255]);
    }

    #[test]
    fn the_demo_signals_bt709_at_every_level() {
        let text = std::fs::read(crate::demo_path().join("Manifest")).expect("demo manifest");
        let manifest = player_core::manifest::parse(&text).expect("parse");
        let colours = signalled_colours(&manifest);
        assert_eq!(colours.len(), 3);
        let sd = colour_for(&colours, 320, 180);
        assert_eq!(sd.matrix, Matrix::Bt709, "signalled beats the SD default");
        assert_eq!(colour_for(&colours, 720, 576).matrix, Matrix::Bt601);
    }
}
