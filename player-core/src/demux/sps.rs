//! The parts of an H.264 sequence parameter set a player needs: profile, level and the
//! cropped picture size.

use super::DemuxError;
use super::bits::{Bits, OutOfBits};

/// What an SPS says about the picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpsInfo {
    /// profile_idc.
    pub profile_idc: u8,
    /// level_idc.
    pub level_idc: u8,
    /// Displayed width after cropping, in pixels.
    pub width: u32,
    /// Displayed height after cropping, in pixels.
    pub height: u32,
    /// VUI matrix_coefficients (1 = BT.709, 5/6 = BT.601), when the SPS signals it.
    pub matrix_coefficients: Option<u8>,
    /// VUI video_full_range_flag (false when absent: limited range).
    pub full_range: bool,
}

/// Removes emulation-prevention bytes (`00 00 03` → `00 00`).
pub fn unescape_rbsp(nal: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(nal.len());
    let mut zeros = 0;
    for &b in nal {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
    out
}

/// Parses an SPS NAL unit (with its one-byte NAL header).
pub fn parse_sps(nal: &[u8]) -> Result<SpsInfo, DemuxError> {
    let rbsp = unescape_rbsp(nal);
    match rbsp.first() {
        Some(h) if h & 0x1f == 7 => {}
        _ => return Err(DemuxError::Sps("not an SPS NAL unit".into())),
    }
    read_sps(rbsp.get(1..).unwrap_or(&[]))
        .map_err(|_| DemuxError::Sps("truncated or malformed".into()))
}

fn read_sps(data: &[u8]) -> Result<SpsInfo, OutOfBits> {
    let mut b = Bits::new(data);
    let profile_idc = b.bits(8)? as u8;
    let _constraints = b.bits(8)?;
    let level_idc = b.bits(8)? as u8;
    let _sps_id = b.ue()?;
    let chroma = read_chroma_format(&mut b, profile_idc)?;
    let _log2_max_frame_num = b.ue()?;
    skip_pic_order_count(&mut b)?;
    let _max_num_ref_frames = b.ue()?;
    let _gaps = b.bit()?;
    let frame = FrameSize::read(&mut b)?;
    // Colour signalling is optional: a VUI cut short keeps the picture size.
    let (matrix_coefficients, full_range) = if b.bit().unwrap_or(false) {
        read_vui_colour(&mut b).unwrap_or((None, false))
    } else {
        (None, false)
    };
    let (width, height) = frame.cropped(chroma);
    Ok(SpsInfo {
        profile_idc,
        level_idc,
        width: u32::try_from(width).map_err(|_| OutOfBits)?,
        height: u32::try_from(height).map_err(|_| OutOfBits)?,
        matrix_coefficients,
        full_range,
    })
}

/// chroma_format_idc and separate_colour_plane_flag. Only the high profiles write them
/// (with bit depths and scaling matrices, skipped here); the others are 4:2:0.
fn read_chroma_format(b: &mut Bits<'_>, profile_idc: u8) -> Result<(u32, bool), OutOfBits> {
    if !matches!(
        profile_idc,
        100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
    ) {
        return Ok((1, false));
    }
    let chroma_format_idc = b.ue()?;
    let separate_colour_plane = chroma_format_idc == 3 && b.bit()?;
    let _bit_depth_luma = b.ue()?;
    let _bit_depth_chroma = b.ue()?;
    let _qpprime_bypass = b.bit()?;
    if b.bit()? {
        let lists = if chroma_format_idc == 3 { 12 } else { 8 };
        for i in 0..lists {
            if b.bit()? {
                skip_scaling_list(b, if i < 6 { 16 } else { 64 })?;
            }
        }
    }
    Ok((chroma_format_idc, separate_colour_plane))
}

/// Skips pic_order_cnt_type and the fields that type brings.
fn skip_pic_order_count(b: &mut Bits<'_>) -> Result<(), OutOfBits> {
    match b.ue()? {
        0 => {
            let _log2_max_poc_lsb = b.ue()?;
        }
        1 => {
            let _delta_always_zero = b.bit()?;
            let _offset_for_non_ref = b.se()?;
            let _offset_top_to_bottom = b.se()?;
            let cycle = b.ue()?;
            if cycle > 255 {
                return Err(OutOfBits);
            }
            for _ in 0..cycle {
                let _ = b.se()?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The coded picture size in macroblocks, field coding and the cropping window.
struct FrameSize {
    width_mbs: u64,
    height_map_units: u64,
    frame_mbs_only: bool,
    /// Left, right, top and bottom crop offsets, in crop units.
    crop: [u64; 4],
}

impl FrameSize {
    fn read(b: &mut Bits<'_>) -> Result<FrameSize, OutOfBits> {
        let width_mbs = u64::from(b.ue()?) + 1;
        let height_map_units = u64::from(b.ue()?) + 1;
        let frame_mbs_only = b.bit()?;
        if !frame_mbs_only {
            let _mb_adaptive = b.bit()?;
        }
        let _direct_8x8 = b.bit()?;
        let mut crop = [0u64; 4];
        if b.bit()? {
            for c in &mut crop {
                *c = u64::from(b.ue()?);
            }
        }
        Ok(FrameSize {
            width_mbs,
            height_map_units,
            frame_mbs_only,
            crop,
        })
    }

    /// The displayed (width, height) in pixels, for this chroma format.
    fn cropped(&self, (chroma_format_idc, separate_colour_plane): (u32, bool)) -> (u64, u64) {
        let field_factor = if self.frame_mbs_only { 1 } else { 2 };
        let (sub_w, sub_h) = match (chroma_format_idc, separate_colour_plane) {
            (0, _) | (3, true) => (1, 1),
            (1, _) => (2, 2),
            (2, _) => (2, 1),
            _ => (1, 1),
        };
        let [crop_l, crop_r, crop_t, crop_b] = self.crop;
        let width = (self.width_mbs * 16).saturating_sub(sub_w * (crop_l + crop_r));
        let height = (self.height_map_units * 16 * field_factor)
            .saturating_sub(sub_h * field_factor * (crop_t + crop_b));
        (width, height)
    }
}

/// Reads the VUI up to the colour description (H.264 E.1.1): (matrix_coefficients, full range).
fn read_vui_colour(b: &mut Bits<'_>) -> Result<(Option<u8>, bool), OutOfBits> {
    if b.bit()? && b.bits(8)? == 255 {
        let _sar = b.bits(16)? << 16 | b.bits(16)?;
    }
    if b.bit()? {
        let _overscan_appropriate = b.bit()?;
    }
    if !b.bit()? {
        return Ok((None, false));
    }
    let _video_format = b.bits(3)?;
    let full_range = b.bit()?;
    if !b.bit()? {
        return Ok((None, full_range));
    }
    let _primaries = b.bits(8)?;
    let _transfer = b.bits(8)?;
    let matrix = b.bits(8)? as u8;
    Ok((Some(matrix), full_range))
}

fn skip_scaling_list(b: &mut Bits<'_>, size: usize) -> Result<(), OutOfBits> {
    let (mut last, mut next) = (8i32, 8i32);
    for _ in 0..size {
        if next != 0 {
            next = (last + b.se()? + 256) % 256;
        }
        if next != 0 {
            last = next;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }

    #[test]
    fn superspeedway_sps_is_224x128_high() {
        // The SPS from the IIS SuperSpeedway manifest's CodecPrivateData (High profile, VUI).
        let sps = hex(
            "6764000DAC2CA50E11BFF040003F0520C0C0C800001F480005DC0300001C1200038273F8C7180000E090001C139FC63876848945800000",
        );
        let info = parse_sps(&sps).expect("sps");
        assert_eq!((info.profile_idc, info.level_idc), (100, 13));
        assert_eq!((info.width, info.height), (224, 128));
    }

    #[test]
    fn x264_1080p_sps_is_cropped_to_1080() {
        // ffmpeg 5.1 / x264 1920x1080 baseline: 68 macroblock rows cropped by 8 lines.
        let sps = hex("6742c028d900780227e5c044000003000400000300c83c60c920");
        let info = parse_sps(&sps).expect("sps");
        assert_eq!((info.width, info.height), (1920, 1080));
        assert_eq!(info.matrix_coefficients, None);
    }

    #[test]
    fn demo_720p_sps_signals_bt709_limited_range() {
        // assets/demo 1280x720 CodecPrivateData: VUI with colour description (1, 1, 1).
        let sps = hex("6764001facb200a00b7602d4040405000003000100000300320f183248");
        let info = parse_sps(&sps).expect("sps");
        assert_eq!((info.width, info.height), (1280, 720));
        assert_eq!(info.matrix_coefficients, Some(1));
        assert!(!info.full_range);
    }

    #[test]
    fn unescapes_emulation_prevention() {
        assert_eq!(
            unescape_rbsp(&[0, 0, 3, 1, 0, 0, 3, 0, 3]),
            vec![0, 0, 1, 0, 0, 0, 3]
        );
    }

    #[test]
    fn truncated_sps_is_an_error() {
        let sps = hex("6764000DAC2CA5");
        assert!(matches!(parse_sps(&sps), Err(DemuxError::Sps(_))));
        assert!(matches!(parse_sps(&[0x68, 1, 2]), Err(DemuxError::Sps(_))));
        assert!(matches!(parse_sps(&[]), Err(DemuxError::Sps(_))));
    }
}
