//! `avcC`: the AVC decoder configuration record of an `avc1` sample entry, and its
//! conversion to the Annex-B SPS/PPS form Smooth manifests carry as CodecPrivateData.

use super::{BoxError, Reader};

/// A parsed avcC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvcConfig {
    /// AVCProfileIndication.
    pub profile: u8,
    /// AVCLevelIndication.
    pub level: u8,
    /// Bytes in each NAL unit length prefix (1, 2 or 4).
    pub nal_length_size: u8,
    /// Sequence parameter sets (NAL units, header included).
    pub sps: Vec<Vec<u8>>,
    /// Picture parameter sets.
    pub pps: Vec<Vec<u8>>,
}

impl AvcConfig {
    /// Parses an avcC payload.
    pub fn parse(r: &mut Reader<'_>) -> Result<AvcConfig, BoxError> {
        let version = r.u8()?;
        if version != 1 {
            return Err(r.invalid(format!("avcC configurationVersion {version}, expected 1")));
        }
        let profile = r.u8()?;
        let _compat = r.u8()?;
        let level = r.u8()?;
        let nal_length_size = (r.u8()? & 0b11) + 1;
        if nal_length_size == 3 {
            return Err(r.invalid("avcC lengthSizeMinusOne of 2 (3-byte NAL lengths)"));
        }
        let sps_count = r.u8()? & 0x1f;
        let sps = read_sets(r, sps_count)?;
        let pps_count = r.u8()?;
        let pps = read_sets(r, pps_count)?;
        Ok(AvcConfig {
            profile,
            level,
            nal_length_size,
            sps,
            pps,
        })
    }

    /// The parameter sets as an Annex-B byte stream (SPS first), as in CodecPrivateData.
    pub fn annex_b(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for nal in self.sps.iter().chain(&self.pps) {
            out.extend_from_slice(&[0, 0, 0, 1]);
            out.extend_from_slice(nal);
        }
        out
    }
}

fn read_sets(r: &mut Reader<'_>, count: u8) -> Result<Vec<Vec<u8>>, BoxError> {
    // Each set takes at least its 2-byte length.
    r.ensure_items(u64::from(count), 2)?;
    let mut sets = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let len = r.u16()?;
        sets.push(r.bytes(usize::from(len))?.to_vec());
    }
    Ok(sets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_converts_to_annex_b() {
        let p = [
            1, 0x64, 0, 0x0d, 0xff, 0xe1, 0, 3, 0x67, 0x64, 0x0d, 1, 0, 2, 0x68, 0xe9,
        ];
        let c = AvcConfig::parse(&mut Reader::new(&p, 0, "avcC")).expect("avcC");
        assert_eq!((c.profile, c.level, c.nal_length_size), (0x64, 0x0d, 4));
        assert_eq!(
            c.annex_b(),
            vec![0, 0, 0, 1, 0x67, 0x64, 0x0d, 0, 0, 0, 1, 0x68, 0xe9]
        );
    }

    #[test]
    fn set_running_past_the_box_is_truncated() {
        let p = [1, 0x64, 0, 0x0d, 0xff, 0xe1, 0, 30, 0x67];
        assert_eq!(
            AvcConfig::parse(&mut Reader::new(
                &p,
                100,
                "moov/trak/mdia/minf/stbl/stsd/avc1/avcC"
            )),
            Err(BoxError::Truncated {
                path: "moov/trak/mdia/minf/stbl/stsd/avc1/avcC".into(),
                offset: 108,
                need: 30,
                have: 1
            })
        );
        let bad = [2, 0, 0, 0, 0xff, 0xe0, 0];
        assert!(matches!(
            AvcConfig::parse(&mut Reader::new(&bad, 0, "avcC")),
            Err(BoxError::Invalid { .. })
        ));
    }
}
