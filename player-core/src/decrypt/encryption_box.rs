//! Which box of a track fragment describes its sample encryption, parsed.
//!
//! In a Smooth presentation there is no `moov`: the IV size is 8 unless the box itself
//! overrides it, or (CENC `senc`) a `saiz` gives the per-sample aux info sizes.

use crate::isobmff::piff_senc::{
    DEFAULT_PIFF_IV_SIZE, PIFF_SAMPLE_ENCRYPTION_UUID, parse_piff_senc,
};
use crate::isobmff::saiz_saio::parse_saiz;
use crate::isobmff::sample_encryption::SampleEncryption;
use crate::isobmff::senc::{iv_size_from_saiz, parse_senc};
use crate::isobmff::{BoxError, FourCc, RawBox, TrackFragment};

/// The sample encryption of `track` (parsed from `body`): a PIFF uuid box, else CENC `senc`
/// (IV size from `saiz` when it tells, else the PIFF default of 8); `None` when clear.
pub fn sample_encryption(
    body: &[u8],
    track: &TrackFragment,
) -> Result<Option<SampleEncryption>, BoxError> {
    let boxes = &track.protection.boxes;
    let payload = |r: &RawBox| body.get(r.payload.clone()).unwrap_or(&[]);
    if let Some(b) = boxes
        .iter()
        .find(|b| b.user_type == Some(PIFF_SAMPLE_ENCRYPTION_UUID))
    {
        let at = b.payload.start as u64;
        let senc = parse_piff_senc(payload(b), at, "moof/traf/uuid(senc)", DEFAULT_PIFF_IV_SIZE)?;
        return Ok(Some(senc));
    }
    if let Some(b) = boxes.iter().find(|b| b.kind == FourCc(*b"senc")) {
        let p = payload(b);
        let iv_size = boxes
            .iter()
            .find(|s| s.kind == FourCc(*b"saiz"))
            .and_then(|s| parse_saiz(payload(s), s.payload.start as u64, "moof/traf/saiz").ok())
            .and_then(|saiz| iv_size_from_saiz(p, &saiz))
            .unwrap_or(DEFAULT_PIFF_IV_SIZE);
        let at = b.payload.start as u64;
        return Ok(Some(parse_senc(p, at, "moof/traf/senc", iv_size)?));
    }
    Ok(None)
}
