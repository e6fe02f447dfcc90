//! Bilinear I420 scaling, so pictures of every quality level share one output size.

use player_core::decode::VideoFrame;

/// Scales `frame` to `width`×`height` tightly packed I420 (Y, U, V), appended to `out`.
pub fn scale_i420(frame: &VideoFrame, width: u32, height: u32, out: &mut Vec<u8>) {
    let (sw, sh) = (frame.width as usize, frame.height as usize);
    let (dw, dh) = (width as usize, height as usize);
    scale_plane(&frame.y, frame.y_stride, sw, sh, dw, dh, out);
    let (scw, sch) = (sw.div_ceil(2), sh.div_ceil(2));
    let (dcw, dch) = (dw.div_ceil(2), dh.div_ceil(2));
    scale_plane(&frame.u, frame.uv_stride, scw, sch, dcw, dch, out);
    scale_plane(&frame.v, frame.uv_stride, scw, sch, dcw, dch, out);
}

fn px(src: &[u8], stride: usize, x: usize, y: usize) -> u32 {
    u32::from(src.get(y * stride + x).copied().unwrap_or(0))
}

fn scale_plane(
    src: &[u8],
    stride: usize,
    sw: usize,
    sh: usize,
    dw: usize,
    dh: usize,
    out: &mut Vec<u8>,
) {
    if sw == 0 || sh == 0 {
        out.resize(out.len() + dw * dh, 0);
        return;
    }
    if sw == dw && sh == dh {
        for row in 0..sh {
            let start = row * stride;
            match src.get(start..start + sw) {
                Some(r) => out.extend_from_slice(r),
                None => out.resize(out.len() + sw, 0),
            }
        }
        return;
    }
    // Fixed point, 8 fractional bits; sample centres aligned as most scalers do.
    for y in 0..dh {
        let fy = ((2 * y + 1) * sh * 256 / (2 * dh)).saturating_sub(128);
        let y0 = (fy >> 8).min(sh - 1);
        let y1 = (y0 + 1).min(sh - 1);
        let wy = (fy & 255) as u32;
        for x in 0..dw {
            let fx = ((2 * x + 1) * sw * 256 / (2 * dw)).saturating_sub(128);
            let x0 = (fx >> 8).min(sw - 1);
            let x1 = (x0 + 1).min(sw - 1);
            let wx = (fx & 255) as u32;
            let top = px(src, stride, x0, y0) * (256 - wx) + px(src, stride, x1, y0) * wx;
            let bot = px(src, stride, x0, y1) * (256 - wx) + px(src, stride, x1, y1) * wx;
            let v = (top * (256 - wy) + bot * wy + (1 << 15)) >> 16;
            out.push(v.min(255) as u8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(w: u32, h: u32, luma: u8) -> VideoFrame {
        let (cw, ch) = (w.div_ceil(2) as usize, h.div_ceil(2) as usize);
        VideoFrame {
            pts: 0,
            duration: 1,
            timescale: 25,
            width: w,
            height: h,
            y: vec![luma; (w as usize + 16) * h as usize],
            u: vec![128; (cw + 8) * ch],
            v: vec![64; (cw + 8) * ch],
            y_stride: w as usize + 16,
            uv_stride: cw + 8,
        }
    }

    #[test]
    fn same_size_drops_padding_and_flat_pictures_stay_flat() {
        let f = frame(4, 2, 200);
        let mut out = Vec::new();
        scale_i420(&f, 4, 2, &mut out);
        assert_eq!(
            out,
            vec![200, 200, 200, 200, 200, 200, 200, 200, 128, 128, 64, 64]
        );
        let mut up = Vec::new();
        scale_i420(&frame(320, 180, 90), 1280, 720, &mut up);
        assert_eq!(up.len(), 1280 * 720 * 3 / 2);
        assert!(up[..1280 * 720].iter().all(|&v| v == 90));
        assert!(
            up[1280 * 720..1280 * 720 + 640 * 360]
                .iter()
                .all(|&v| v == 128)
        );
    }
}
