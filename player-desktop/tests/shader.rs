//! The YUV → RGB shader on its own: known I420 planes rendered offscreen (lavapipe or any
//! adapter wgpu finds) and read back.

use player_core::decode::VideoFrame;
use player_desktop::colour::{Colour, Conversion, Matrix};
use player_desktop::gpu::{Gpu, instance};
use player_desktop::offscreen::render_rgba;

/// A 64x32 picture of four 16-pixel-wide vertical bands of the given Y'CbCr, with padded
/// strides whose padding is filled with 255 (never to be shown).
fn bands(colours: [[u8; 3]; 4]) -> VideoFrame {
    let (w, h, y_stride, uv_stride) = (64usize, 32usize, 80usize, 48usize);
    let mut y = vec![255u8; y_stride * h];
    let mut u = vec![255u8; uv_stride * h / 2];
    let mut v = vec![255u8; uv_stride * h / 2];
    for row in 0..h {
        for col in 0..w {
            y[row * y_stride + col] = colours[col / 16][0];
        }
    }
    for row in 0..h / 2 {
        for col in 0..w / 2 {
            u[row * uv_stride + col] = colours[col / 8][1];
            v[row * uv_stride + col] = colours[col / 8][2];
        }
    }
    VideoFrame {
        pts: 0,
        duration: 1,
        timescale: 25,
        width: w as u32,
        height: h as u32,
        y,
        u,
        v,
        y_stride,
        uv_stride,
    }
}

fn gpu() -> Gpu {
    Gpu::new(instance(), None).unwrap_or_else(|e| {
        panic!("{e}: install Mesa's software renderer with ./x deps (mesa-vulkan-drivers)")
    })
}

fn pixel(rgba: &[u8], width: usize, x: usize, y: usize) -> [u8; 3] {
    let i = (y * width + x) * 4;
    [rgba[i], rgba[i + 1], rgba[i + 2]]
}

fn assert_close(got: [u8; 3], want: [u8; 3], what: &str) {
    let off = got
        .iter()
        .zip(want)
        .map(|(g, w)| g.abs_diff(w))
        .max()
        .unwrap_or(0);
    assert!(off <= 2, "{what}: got {got:?}, expected {want:?} (±2)");
}

#[test]
fn bt709_limited_range_planes_become_the_expected_rgb() {
    let gpu = gpu();
    // The demo's patches: red, green, blue, and a mid grey.
    let colours = [
        [63, 102, 240],
        [173, 42, 26],
        [32, 240, 118],
        [126, 128, 128],
    ];
    let colour = Colour {
        matrix: Matrix::Bt709,
        full_range: false,
    };
    let rgba = render_rgba(&gpu, &bands(colours), colour, (64, 32)).expect("render");
    let cpu = Conversion::new(colour);
    let pure = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [128, 128, 128]];
    for (i, ycc) in colours.iter().enumerate() {
        for (x, y) in [(16 * i + 8, 4), (16 * i + 6, 20), (16 * i + 10, 28)] {
            let got = pixel(&rgba, 64, x, y);
            assert_close(got, cpu.apply(ycc[0], ycc[1], ycc[2]), "vs CPU reference");
            assert_close(got, pure[i], "vs nominal colour");
        }
    }
}

#[test]
fn bt601_is_used_when_asked_and_differs_from_bt709() {
    let gpu = gpu();
    // BT.601 red, green, blue, and white.
    let colours = [
        [81, 90, 240],
        [145, 54, 34],
        [41, 240, 110],
        [235, 128, 128],
    ];
    let sd = Colour::for_height(480);
    assert_eq!(sd.matrix, Matrix::Bt601);
    let rgba = render_rgba(&gpu, &bands(colours), sd, (64, 32)).expect("render");
    let cpu = Conversion::new(sd);
    for (i, ycc) in colours.iter().enumerate() {
        let got = pixel(&rgba, 64, 16 * i + 8, 16);
        assert_close(got, cpu.apply(ycc[0], ycc[1], ycc[2]), "BT.601");
    }
    assert_close(pixel(&rgba, 64, 8, 16), [255, 0, 0], "BT.601 red");
    let hd = Conversion::new(Colour::for_height(720)).apply(81, 90, 240);
    assert!(
        hd.iter()
            .zip([255u8, 0, 0])
            .any(|(g, w)| g.abs_diff(w) > 10),
        "BT.709 would give {hd:?}: the test cannot tell the matrices apart"
    );
}

#[test]
fn a_taller_target_gets_black_bars_and_the_picture_scaled_between_them() {
    let gpu = gpu();
    let colours = [[235, 128, 128]; 4];
    let colour = Colour::for_height(720);
    // 64x32 (2:1) into 128x128: scaled to 128x64, bars of 32 rows above and below.
    let rgba = render_rgba(&gpu, &bands(colours), colour, (128, 128)).expect("render");
    for y in [0, 16, 31, 96, 110, 127] {
        assert_eq!(pixel(&rgba, 128, 64, y), [0, 0, 0], "bar row {y}");
    }
    for y in [33, 64, 94] {
        assert_close(pixel(&rgba, 128, 64, y), [255, 255, 255], "picture");
        assert_close(
            pixel(&rgba, 128, 1, y),
            [255, 255, 255],
            "picture's left edge",
        );
    }
}
