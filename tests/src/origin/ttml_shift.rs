//! Live captions: a caption fragment's TTML times lie on the media timeline, so a fragment
//! served at a new live time gets its `begin`/`end` clock times moved by the same amount
//! (the mdat and the trun sample size change with the text).

use player_core::isobmff::BoxIter;

use super::rewrite::RewriteError;

/// Moves every `begin`/`end` clock time (`hh:mm:ss[.fff]`) of the one-sample TTML fragment
/// `src` by `delta` ticks of `timescale`.
pub fn shift_ttml_fragment(
    src: &[u8],
    delta: i128,
    timescale: u64,
) -> Result<Vec<u8>, RewriteError> {
    let unsupported = |m: &str| RewriteError::Unsupported(format!("caption fragment: {m}"));
    let mut moof = None;
    let mut mdat = None;
    for item in BoxIter::new(src, 0, "") {
        let (h, _) = item?;
        let range = h.offset as usize..(h.offset + h.size) as usize;
        match &h.kind.0 {
            b"moof" => moof = Some(range),
            b"mdat" => mdat = Some((range, h.header_len)),
            _ => {}
        }
    }
    let (Some(moof), Some((mdat, mdat_header))) = (moof, mdat) else {
        return Err(unsupported("no moof or mdat"));
    };
    if moof.end != mdat.start || mdat.end != src.len() {
        return Err(unsupported("expected moof then mdat"));
    }
    let text = std::str::from_utf8(&src[mdat.start + mdat_header..mdat.end])
        .map_err(|_| unsupported("TTML not UTF-8"))?;
    let shifted = shift_times(text, delta, timescale);
    let mut out = src[moof.clone()].to_vec();
    let at = trun_size_field(&out)?;
    out[at..at + 4].copy_from_slice(&(shifted.len() as u32).to_be_bytes());
    out.extend_from_slice(&((8 + shifted.len()) as u32).to_be_bytes());
    out.extend_from_slice(b"mdat");
    out.extend_from_slice(shifted.as_bytes());
    Ok(out)
}

/// Offset in `moof` of the (single) trun sample's size field.
fn trun_size_field(moof: &[u8]) -> Result<usize, RewriteError> {
    let unsupported = |m: &str| RewriteError::Unsupported(format!("caption fragment: {m}"));
    let find = |buf: &[u8],
                base: u64,
                path: &str,
                kind: &[u8; 4]|
     -> Result<Option<(u64, usize)>, RewriteError> {
        for item in BoxIter::new(buf, base, path) {
            let (h, _) = item?;
            if &h.kind.0 == kind {
                return Ok(Some((h.offset, h.header_len)));
            }
        }
        Ok(None)
    };
    let (_, mh) = find(moof, 0, "", b"moof")?.ok_or_else(|| unsupported("no moof"))?;
    let (traf, th) =
        find(&moof[mh..], mh as u64, "moof", b"traf")?.ok_or_else(|| unsupported("no traf"))?;
    let traf_body = traf as usize + th;
    let (trun, rh) = find(&moof[traf_body..], traf_body as u64, "moof/traf", b"trun")?
        .ok_or_else(|| unsupported("no trun"))?;
    let p = trun as usize + rh;
    let word = |at: usize| {
        moof.get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let flags = word(p).ok_or_else(|| unsupported("short trun"))? & 0xff_ffff;
    if word(p + 4) != Some(1) || flags & 0x200 == 0 {
        return Err(unsupported("needs one sample with its size in the trun"));
    }
    let mut at = p + 8;
    for bit in [0x1, 0x4, 0x100] {
        if flags & bit != 0 {
            at += 4;
        }
    }
    Ok(at)
}

/// `text` with each `begin="…"`/`end="…"` clock time moved by `delta` ticks.
fn shift_times(text: &str, delta: i128, timescale: u64) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(i) = ["begin=\"", "end=\""]
        .iter()
        .filter_map(|k| rest.find(k).map(|i| i + k.len()))
        .min()
    {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let close = rest.find('"').unwrap_or(rest.len());
        let value = &rest[..close];
        match clock_ticks(value, timescale) {
            Some(t) => out.push_str(&clock_text((t + delta).max(0), timescale)),
            None => out.push_str(value),
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// Ticks of `hh:mm:ss[.fff]`.
fn clock_ticks(v: &str, timescale: u64) -> Option<i128> {
    let mut parts = v.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (s, ms) = match s.split_once('.') {
        Some((s, f)) if f.len() == 3 => (s, f.parse::<i128>().ok()?),
        Some(_) => return None,
        None => (s, 0),
    };
    let secs =
        h.parse::<i128>().ok()? * 3600 + m.parse::<i128>().ok()? * 60 + s.parse::<i128>().ok()?;
    let ts = i128::from(timescale);
    Some(secs * ts + ms * ts / 1000)
}

/// `hh:mm:ss.fff` of `ticks`.
fn clock_text(ticks: i128, timescale: u64) -> String {
    let ms = ticks * 1000 / i128::from(timescale);
    let (s, ms) = (ms / 1000, ms % 1000);
    format!("{:02}:{:02}:{:02}.{ms:03}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_move_by_the_delta() {
        let doc = r#"<p begin="00:00:02.000" end="00:00:03.500" dur="1s">x</p>"#;
        let ts = 10_000_000;
        assert_eq!(
            shift_times(doc, 3_600 * 10_000_000 + 5_000_000, ts),
            r#"<p begin="01:00:02.500" end="01:00:04.000" dur="1s">x</p>"#
        );
        // Wall-clock time bases give hours beyond two digits.
        let far = shift_times(r#"begin="00:00:00.000""#, 17_000_000_000_000_000, ts);
        assert_eq!(far, r#"begin="472222:13:20.000""#);
        assert_eq!(
            clock_ticks("472222:13:20.000", ts),
            Some(17_000_000_000_000_000)
        );
    }
}
