//! Rewrites a fragment for live serving: new tfxd time, a tfrf look-ahead, offsets kept right.
//!
//! The moof changes size, so the trun data offset (or tfhd base data offset) and a CENC
//! saio offset are moved by the same amount; the mdat is copied untouched.

use player_core::isobmff::{BoxIter, FourCc};

/// Smooth Streaming tfxd uuid.
pub const TFXD: [u8; 16] = [
    0x6d, 0x1d, 0x9b, 0x05, 0x42, 0xd5, 0x44, 0xe6, 0x80, 0xe2, 0x14, 0x1d, 0xaf, 0xf7, 0x57, 0xb2,
];
/// Smooth Streaming tfrf uuid.
pub const TFRF: [u8; 16] = [
    0xd4, 0x80, 0x7e, 0xf2, 0xca, 0x39, 0x46, 0x95, 0x8e, 0x54, 0x26, 0xcb, 0x9e, 0x46, 0xa7, 0x9f,
];

/// The fragment could not be rewritten.
#[derive(Debug, thiserror::Error)]
pub enum RewriteError {
    /// The source fragment does not parse.
    #[error("source fragment: {0}")]
    Box(#[from] player_core::isobmff::BoxError),
    /// The source has a shape this rewriter does not handle.
    #[error("source fragment: {0}")]
    Unsupported(String),
}

fn put_box(out: &mut Vec<u8>, kind: &[u8; 4], user_type: Option<&[u8; 16]>, payload: &[u8]) {
    let size = 8 + user_type.map_or(0, |_| 16) + payload.len();
    out.extend_from_slice(&(size as u32).to_be_bytes());
    out.extend_from_slice(kind);
    if let Some(u) = user_type {
        out.extend_from_slice(u);
    }
    out.extend_from_slice(payload);
}

fn full_box_payload(version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(4 + body.len());
    p.extend_from_slice(&((u32::from(version) << 24) | (flags & 0xff_ffff)).to_be_bytes());
    p.extend_from_slice(body);
    p
}

/// Where boxes that need patching ended up inside the new traf payload.
#[derive(Default)]
struct Marks {
    trun: Vec<usize>,
    tfhd: Option<usize>,
    saio: Option<usize>,
    senc_samples: Option<usize>,
}

/// Rewrites `src` (moof + mdat): the fragment's tfxd says (`time`, `duration`), its tfrf lists
/// `next` (time, duration) pairs (no tfrf when `next` is `None`), a tfdt is set to `time`.
pub fn rewrite_fragment(
    src: &[u8],
    time: u64,
    duration: u64,
    next: Option<&[(u64, u64)]>,
) -> Result<Vec<u8>, RewriteError> {
    let mut out = Vec::with_capacity(src.len() + 64);
    let mut moof_delta: Option<i64> = None;
    for item in BoxIter::new(src, 0, "") {
        let (h, payload) = item?;
        let whole = &src[h.offset as usize..(h.offset + h.size) as usize];
        if &h.kind.0 != b"moof" {
            out.extend_from_slice(whole);
            continue;
        }
        if moof_delta.is_some() {
            return Err(RewriteError::Unsupported("more than one moof".into()));
        }
        let moof_start = out.len();
        let mut children = Vec::new();
        let mut traf_marks = Vec::new();
        for child in BoxIter::new(payload, h.offset + h.header_len as u64, "moof") {
            let (ch, cp) = child?;
            if &ch.kind.0 == b"traf" {
                let (traf_payload, marks) = rebuild_traf(cp, time, duration, next)?;
                // Offsets inside moof: moof header (8) + children so far + traf header (8).
                traf_marks.push((children.len() + 8 + 8, marks));
                put_box(&mut children, b"traf", None, &traf_payload);
            } else {
                let s = (ch.offset - h.offset) as usize;
                children.extend_from_slice(
                    &payload[s - h.header_len..s - h.header_len + ch.size as usize],
                );
            }
        }
        put_box(&mut out, b"moof", None, &children);
        let delta = (out.len() - moof_start) as i64 - h.size as i64;
        moof_delta = Some(delta);
        for (base, marks) in traf_marks {
            patch(&mut out[moof_start..], base, &marks, delta)?;
        }
    }
    if moof_delta.is_none() {
        return Err(RewriteError::Unsupported("no moof".into()));
    }
    Ok(out)
}

fn rebuild_traf(
    payload: &[u8],
    time: u64,
    duration: u64,
    next: Option<&[(u64, u64)]>,
) -> Result<(Vec<u8>, Marks), RewriteError> {
    let mut out = Vec::with_capacity(payload.len() + 64);
    let mut marks = Marks::default();
    for item in BoxIter::new(payload, 0, "moof/traf") {
        let (h, _) = item?;
        let whole = &payload[h.offset as usize..(h.offset + h.size) as usize];
        match (&h.kind.0, h.user_type) {
            (b"uuid", Some(u)) if u == TFXD || u == TFRF => continue,
            (b"free", _) | (b"skip", _) => continue,
            (b"tfdt", _) => {
                put_box(
                    &mut out,
                    b"tfdt",
                    None,
                    &full_box_payload(1, 0, &time.to_be_bytes()),
                );
                continue;
            }
            (b"trun", _) => marks.trun.push(out.len() + h.header_len),
            (b"tfhd", _) => marks.tfhd = Some(out.len() + h.header_len),
            (b"saio", _) => marks.saio = Some(out.len() + h.header_len),
            (b"senc", _) => marks.senc_samples = Some(out.len() + h.header_len + 8),
            _ => {}
        }
        out.extend_from_slice(whole);
    }
    let mut tfxd = Vec::with_capacity(16);
    tfxd.extend_from_slice(&time.to_be_bytes());
    tfxd.extend_from_slice(&duration.to_be_bytes());
    put_box(
        &mut out,
        b"uuid",
        Some(&TFXD),
        &full_box_payload(1, 0, &tfxd),
    );
    if let Some(entries) = next {
        let count = entries.len().min(255);
        let mut body = vec![count as u8];
        for (t, d) in &entries[..count] {
            body.extend_from_slice(&t.to_be_bytes());
            body.extend_from_slice(&d.to_be_bytes());
        }
        put_box(
            &mut out,
            b"uuid",
            Some(&TFRF),
            &full_box_payload(1, 0, &body),
        );
    }
    Ok((out, marks))
}

fn read_u32(b: &[u8], at: usize) -> Result<u32, RewriteError> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| RewriteError::Unsupported("box shorter than its fields".into()))
}

fn write_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_be_bytes());
}

/// Moves data offsets by `delta` (the moof's growth); `base` is the traf payload's offset in the moof.
fn patch(moof: &mut [u8], base: usize, m: &Marks, delta: i64) -> Result<(), RewriteError> {
    let mut has_base_offset = false;
    if let Some(t) = m.tfhd {
        let flags = read_u32(moof, base + t)? & 0xff_ffff;
        if flags & 1 != 0 {
            // base_data_offset is absolute in the file: the mdat moved by `delta`.
            has_base_offset = true;
            let at = base + t + 8;
            let hi = u64::from(read_u32(moof, at)?);
            let lo = u64::from(read_u32(moof, at + 4)?);
            let v = ((hi << 32) | lo).wrapping_add_signed(delta);
            write_u32(moof, at, (v >> 32) as u32);
            write_u32(moof, at + 4, v as u32);
        }
    }
    if !has_base_offset {
        for &t in &m.trun {
            let flags = read_u32(moof, base + t)? & 0xff_ffff;
            if flags & 1 != 0 {
                let at = base + t + 8;
                let v = read_u32(moof, at)? as i32 as i64 + delta;
                let v = i32::try_from(v)
                    .map_err(|_| RewriteError::Unsupported("data offset overflow".into()))?;
                write_u32(moof, at, v as u32);
            }
        }
    }
    if let (Some(s), Some(senc)) = (m.saio, m.senc_samples) {
        let vf = read_u32(moof, base + s)?;
        let (version, flags) = (vf >> 24, vf & 0xff_ffff);
        let mut at = base + s + 4;
        if flags & 1 != 0 {
            at += 8;
        }
        let count = read_u32(moof, at)?;
        if count != 1 || version != 0 {
            return Err(RewriteError::Unsupported(
                "saio with several or 64-bit offsets".into(),
            ));
        }
        // The aux info (senc's per-sample data) is now at this offset from the moof start.
        write_u32(moof, at + 4, (base + senc) as u32);
    }
    Ok(())
}

/// Whether a top-level box of this type starts the buffer (cheap sanity check for callers).
pub fn starts_with_moof(buf: &[u8]) -> bool {
    buf.get(4..8) == Some(&FourCc(*b"moof").0[..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use player_core::isobmff::parse_fragment;

    fn demo_fragment() -> Vec<u8> {
        let p = crate::support::assets_dir()
            .join("demo/QualityLevels(300000)/Fragments(video=20000000)");
        std::fs::read(p).expect("demo fragment")
    }

    #[test]
    fn rewritten_fragment_keeps_samples_and_carries_new_times() {
        let src = demo_fragment();
        let before = parse_fragment(&src, 0).expect("source parses");
        let t = 17_000_000_000_000_000u64;
        let out = rewrite_fragment(&src, t, 20_000_000, Some(&[(t + 20_000_000, 20_000_000)]))
            .expect("rewrite");
        let after = parse_fragment(&out, 0).expect("rewritten parses");
        let (a, b) = (&after.tracks[0], &before.tracks[0]);
        assert_eq!(a.tfxd.map(|x| x.time), Some(t));
        assert_eq!(a.tfrf.len(), 1);
        assert_eq!(a.tfrf[0].time, t + 20_000_000);
        assert_eq!(a.samples.len(), b.samples.len());
        assert_eq!(a.samples[0].dts, t);
        for (x, y) in a.samples.iter().zip(&b.samples) {
            assert_eq!(
                &out[x.data.clone()],
                &src[y.data.clone()],
                "sample bytes unchanged"
            );
        }
        let none = rewrite_fragment(&src, t, 20_000_000, None).expect("rewrite");
        assert!(
            parse_fragment(&none, 0).expect("parses").tracks[0]
                .tfrf
                .is_empty()
        );
        assert!(starts_with_moof(&none));
    }
}
