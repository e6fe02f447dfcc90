//! A contact sheet: thumbnails laid out in a grid with small gaps, as one RGBA picture. Pure.

use super::Thumbnail;

/// Pixels between cells and around the grid.
pub const SHEET_GAP: u32 = 4;
/// The background between cells (dark grey, opaque).
const BACKGROUND: [u8; 4] = [24, 24, 24, 255];

/// An RGBA picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// Width, pixels.
    pub width: u32,
    /// Height, pixels.
    pub height: u32,
    /// Columns of the grid.
    pub columns: u32,
    /// Rows of the grid.
    pub rows: u32,
    /// Pixels row by row, 4 bytes each.
    pub rgba: Vec<u8>,
}

/// Columns for `count` pictures when none are asked for: a near-square grid.
pub fn default_columns(count: usize) -> u32 {
    let mut c = 1u32;
    while (c as usize) * (c as usize) < count {
        c += 1;
    }
    c
}

/// Lays `thumbs` out left to right, top to bottom, `columns` per row (at least one), each in
/// a cell as large as the largest picture, with [`SHEET_GAP`] around every cell.
pub fn contact_sheet(thumbs: &[Thumbnail], columns: u32) -> Sheet {
    let columns = columns.clamp(1, u32::try_from(thumbs.len()).unwrap_or(u32::MAX).max(1));
    let rows = u32::try_from(thumbs.len().div_ceil(columns as usize)).unwrap_or(u32::MAX);
    let cell_w = thumbs.iter().map(|t| t.width).max().unwrap_or(0);
    let cell_h = thumbs.iter().map(|t| t.height).max().unwrap_or(0);
    let width = columns * cell_w + (columns + 1) * SHEET_GAP;
    let height = rows * cell_h + (rows + 1) * SHEET_GAP;
    let mut rgba = BACKGROUND.repeat(width as usize * height as usize);
    for (i, t) in thumbs.iter().enumerate() {
        let (col, row) = (i as u32 % columns, i as u32 / columns);
        let x0 = (SHEET_GAP + col * (cell_w + SHEET_GAP)) as usize;
        let y0 = (SHEET_GAP + row * (cell_h + SHEET_GAP)) as usize;
        let row_bytes = t.width as usize * 4;
        for y in 0..t.height as usize {
            let src = t
                .rgba
                .get(y * row_bytes..(y + 1) * row_bytes)
                .unwrap_or(&[]);
            let at = ((y0 + y) * width as usize + x0) * 4;
            if let Some(dst) = rgba.get_mut(at..at + src.len()) {
                dst.copy_from_slice(src);
            }
        }
    }
    Sheet {
        width,
        height,
        columns,
        rows,
        rgba,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::thumbnail::FragmentKey;

    fn thumb(shade: u8) -> Thumbnail {
        Thumbnail {
            key: FragmentKey {
                stream: 0,
                level: 0,
                start: u64::from(shade),
            },
            pts: 0,
            timescale: 1,
            width: 3,
            height: 2,
            rgba: [shade, shade, shade, 255].repeat(6),
        }
    }

    fn pixel(s: &Sheet, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * s.width + x) * 4) as usize;
        [s.rgba[i], s.rgba[i + 1], s.rgba[i + 2], s.rgba[i + 3]]
    }

    #[test]
    fn cells_are_laid_out_in_rows_with_gaps() {
        let thumbs: Vec<_> = (1..=5).map(|i| thumb(i * 40)).collect();
        let s = contact_sheet(&thumbs, default_columns(thumbs.len()));
        assert_eq!((s.columns, s.rows), (3, 2));
        assert_eq!(
            (s.width, s.height),
            (3 * 3 + 4 * SHEET_GAP, 2 * 2 + 3 * SHEET_GAP)
        );
        assert_eq!(s.rgba.len(), (s.width * s.height * 4) as usize);
        assert_eq!(pixel(&s, 0, 0), BACKGROUND);
        assert_eq!(pixel(&s, SHEET_GAP, SHEET_GAP), [40, 40, 40, 255]);
        // Second row, second column: the fifth picture; the sixth cell stays empty.
        let (x, y) = (2 * SHEET_GAP + 3, 2 * SHEET_GAP + 2);
        assert_eq!(pixel(&s, x + 2, y + 1), [200, 200, 200, 255]);
        assert_eq!(pixel(&s, 3 * SHEET_GAP + 6, y), BACKGROUND);
    }

    #[test]
    fn columns_are_bounded_by_the_pictures() {
        assert_eq!(default_columns(0), 1);
        assert_eq!(default_columns(1), 1);
        assert_eq!(default_columns(10), 4);
        let s = contact_sheet(&[thumb(1), thumb(2)], 9);
        assert_eq!((s.columns, s.rows), (2, 1));
        let empty = contact_sheet(&[], 3);
        assert_eq!((empty.width, empty.height), (SHEET_GAP * 2, SHEET_GAP));
    }
}
