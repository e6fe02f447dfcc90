//! `stsd` sample entries: `avc1`/`avc3` with avcC, `mp4a` with esds (AudioSpecificConfig),
//! and their PIFF-protected forms `encv`/`enca`.

use super::{AvcConfig, BoxError, BoxIter, FourCc, Reader};

/// What a track's first sample entry says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SampleEntry {
    /// H.264 video.
    Avc {
        /// Width from the sample entry.
        width: u16,
        /// Height from the sample entry.
        height: u16,
        /// The avcC record.
        config: AvcConfig,
        /// Whether the entry is `encv` (PIFF/CENC protected).
        protected: bool,
    },
    /// MPEG-4 audio.
    Mp4a {
        /// Channel count from the sample entry.
        channels: u16,
        /// Sample rate from the sample entry (Hz).
        sample_rate: u32,
        /// The AudioSpecificConfig from esds (empty if absent).
        asc: Vec<u8>,
        /// Whether the entry is `enca`.
        protected: bool,
    },
    /// Any other format (e.g. `vc-1`, `wma `, `ec-3`, `dfxp`): kept, not decoded.
    Other(FourCc),
}

const PATH: &str = "moov/trak/mdia/minf/stbl/stsd";

/// Parses an stsd payload; returns its first entry.
pub fn parse_stsd(body: &[u8], at: u64) -> Result<SampleEntry, BoxError> {
    let mut r = Reader::new(body, at, PATH);
    let _ = r.version_flags()?;
    let count = r.u32()?;
    let entries_at = r.offset();
    let Some(first) = BoxIter::new(r.rest(), entries_at, PATH).next() else {
        return Err(BoxError::Missing {
            path: PATH.into(),
            what: format!("sample entry (count {count})"),
        });
    };
    let (h, payload) = first?;
    let at = h.offset + h.header_len as u64;
    match &h.kind.0 {
        b"avc1" | b"avc3" | b"encv" => parse_visual(payload, at, &h.kind.0 == b"encv"),
        b"mp4a" | b"enca" => parse_audio(payload, at, &h.kind.0 == b"enca"),
        _ => Ok(SampleEntry::Other(h.kind)),
    }
}

fn parse_visual(payload: &[u8], at: u64, protected: bool) -> Result<SampleEntry, BoxError> {
    const VPATH: &str = "moov/trak/mdia/minf/stbl/stsd/avc1";
    let mut r = Reader::new(payload, at, VPATH);
    r.skip(8 + 16)?;
    let width = r.u16()?;
    let height = r.u16()?;
    r.skip(4 + 4 + 4 + 2 + 32 + 2 + 2)?;
    let children_at = r.offset();
    for item in BoxIter::new(r.rest(), children_at, VPATH) {
        let (h, body) = item?;
        if &h.kind.0 == b"avcC" {
            let mut c = Reader::new(
                body,
                h.offset + h.header_len as u64,
                "moov/trak/mdia/minf/stbl/stsd/avc1/avcC",
            );
            return Ok(SampleEntry::Avc {
                width,
                height,
                config: AvcConfig::parse(&mut c)?,
                protected,
            });
        }
    }
    Err(BoxError::Missing {
        path: VPATH.into(),
        what: "avcC".into(),
    })
}

fn parse_audio(payload: &[u8], at: u64, protected: bool) -> Result<SampleEntry, BoxError> {
    const APATH: &str = "moov/trak/mdia/minf/stbl/stsd/mp4a";
    let mut r = Reader::new(payload, at, APATH);
    r.skip(8)?;
    let version = r.u16()?;
    r.skip(6)?;
    let channels = r.u16()?;
    r.skip(2 + 2 + 2)?;
    let sample_rate = r.u32()? >> 16;
    // QuickTime sound description versions 1 and 2 append fields before the children.
    match version {
        0 => {}
        1 => r.skip(16)?,
        2 => r.skip(36)?,
        v => return Err(r.invalid(format!("unknown sound sample entry version {v}"))),
    }
    let children_at = r.offset();
    let mut asc = Vec::new();
    for item in BoxIter::new(r.rest(), children_at, APATH) {
        let (h, body) = item?;
        if &h.kind.0 == b"esds" {
            asc = parse_esds(body, h.offset + h.header_len as u64)?;
        }
    }
    Ok(SampleEntry::Mp4a {
        channels,
        sample_rate,
        asc,
        protected,
    })
}

/// The DecoderSpecificInfo (AudioSpecificConfig) of an esds payload, or empty if it has none.
pub fn parse_esds(body: &[u8], at: u64) -> Result<Vec<u8>, BoxError> {
    let mut r = Reader::new(body, at, "moov/trak/mdia/minf/stbl/stsd/mp4a/esds");
    let _ = r.version_flags()?;
    let (tag, _) = descriptor(&mut r)?;
    if tag != 0x03 {
        return Err(r.invalid(format!("expected ES_Descriptor (tag 3), found tag {tag}")));
    }
    let _es_id = r.u16()?;
    let flags = r.u8()?;
    if flags & 0x80 != 0 {
        r.skip(2)?;
    }
    if flags & 0x40 != 0 {
        let len = r.u8()?;
        r.skip(usize::from(len))?;
    }
    if flags & 0x20 != 0 {
        r.skip(2)?;
    }
    let (tag, _) = descriptor(&mut r)?;
    if tag != 0x04 {
        return Err(r.invalid(format!(
            "expected DecoderConfigDescriptor (tag 4), found tag {tag}"
        )));
    }
    r.skip(13)?;
    if r.remaining() == 0 {
        return Ok(Vec::new());
    }
    let (tag, len) = descriptor(&mut r)?;
    if tag != 0x05 {
        return Ok(Vec::new());
    }
    Ok(r.bytes(len)?.to_vec())
}

/// A descriptor tag and its expandable (1–4 byte, 7 bits each) length.
fn descriptor(r: &mut Reader<'_>) -> Result<(u8, usize), BoxError> {
    let tag = r.u8()?;
    let mut len = 0usize;
    for _ in 0..4 {
        let b = r.u8()?;
        len = (len << 7) | usize::from(b & 0x7f);
        if b & 0x80 == 0 {
            break;
        }
    }
    Ok((tag, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esds_yields_the_audio_specific_config() {
        // ES_Descriptor with 4-byte lengths as ffmpeg writes, objectType 0x40, ASC 1210.
        let mut p = vec![0, 0, 0, 0, 0x03, 0x80, 0x80, 0x80, 0x22, 0, 1, 0];
        p.extend_from_slice(&[
            0x04, 0x80, 0x80, 0x80, 0x14, 0x40, 0x15, 0, 0, 0, 0, 1, 0xf4, 0, 0, 1, 0xf4, 0,
        ]);
        p.extend_from_slice(&[0x05, 0x80, 0x80, 0x80, 0x02, 0x12, 0x10]);
        assert_eq!(parse_esds(&p, 0), Ok(vec![0x12, 0x10]));
        let cut = &p[..p.len() - 1];
        assert!(matches!(
            parse_esds(cut, 0),
            Err(BoxError::Truncated { .. })
        ));
        let mut wrong = p.clone();
        wrong[4] = 0x09;
        assert!(matches!(
            parse_esds(&wrong, 0),
            Err(BoxError::Invalid { offset: 9, .. })
        ));
    }
}
