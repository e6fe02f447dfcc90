//! H.264 Annex-B byte streams: NAL units found between 3- or 4-byte start codes.
//!
//! The one start-code scanner of the crate: the manifest sniffs codecs with it, demux reads
//! parameter sets from CodecPrivateData, and the decoder spots a new SPS in an access unit.

/// The NAL units of an Annex-B byte stream (3- or 4-byte start codes), without start codes.
///
/// Zero bytes at the end of a unit belong to the next start code (or are
/// trailing_zero_8bits) and are left out; empty units are skipped. Bytes before the first
/// start code are not a NAL unit.
pub fn split_annex_b(data: &[u8]) -> NalUnits<'_> {
    NalUnits {
        data,
        next: find_start_code(data, 0),
    }
}

/// The nal_unit_type of a NAL unit (0 for an empty one).
pub fn nal_type(nal: &[u8]) -> u8 {
    nal.first().map_or(0, |h| h & 0x1f)
}

/// Iterator over the NAL units of an Annex-B byte stream; see [`split_annex_b`].
#[derive(Debug, Clone)]
pub struct NalUnits<'a> {
    data: &'a [u8],
    /// Where the next unit's start code begins, if there is one.
    next: Option<usize>,
}

impl<'a> Iterator for NalUnits<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        loop {
            let start = self.next? + 3;
            self.next = find_start_code(self.data, start);
            let end = self.next.unwrap_or(self.data.len());
            let nal = self.data.get(start..end).unwrap_or(&[]);
            let len = nal.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
            if len > 0 {
                return Some(&nal[..len]);
            }
        }
    }
}

/// The offset of the first `00 00 01` at or after `from`.
fn find_start_code(data: &[u8], from: usize) -> Option<usize> {
    data.get(from..)?
        .windows(3)
        .position(|w| w == [0, 0, 1])
        .map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_three_and_four_byte_start_codes() {
        let data = [
            0, 0, 0, 1, 0x67, 1, 0, 0, 1, 0x68, 2, 0, 0, 0, 0, 1, 0x65, 0, 0,
        ];
        let nals: Vec<_> = split_annex_b(&data).collect();
        assert_eq!(nals, vec![&[0x67, 1][..], &[0x68, 2][..], &[0x65][..]]);
        assert_eq!(split_annex_b(&[1, 2, 3]).count(), 0);
    }

    #[test]
    fn skips_empty_units_and_leading_garbage() {
        let data = [9, 9, 0, 0, 1, 0, 0, 1, 0x0f, 0xcb, 0, 0, 1];
        let nals: Vec<_> = split_annex_b(&data).collect();
        assert_eq!(nals, vec![&[0x0f, 0xcb][..]]);
        assert_eq!(split_annex_b(&[]).count(), 0);
        assert_eq!(nal_type(&[0x67, 1]), 7);
        assert_eq!(nal_type(&[]), 0);
    }
}
