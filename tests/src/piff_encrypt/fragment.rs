//! Rewrites one Smooth fragment (`moof` with one `traf`: `tfhd`, one `trun`, `tfxd`/`tfrf`…,
//! then `mdat`, as ffmpeg writes it) into an encrypted one: samples encrypted in place, a
//! sample encryption box (PIFF `uuid`, or CENC `senc` with `saiz`/`saio`) appended to the
//! `traf`, box sizes and the `trun` data_offset fixed up.

use super::cipher::{MapPastEnd, Mode, SampleEncryptor, derive_iv};
use super::manifest::Framing;
use super::nal::{NalError, avc_subsamples};
use player_core::decrypt::Subsample;
use player_core::isobmff::piff_senc::PIFF_SAMPLE_ENCRYPTION_UUID;
use player_core::isobmff::{BoxError, BoxIter, Reader};
use player_core::limits::MAX_SAMPLES_PER_FRAGMENT;
use player_core::manifest::Uuid;
use std::ops::Range;

/// The encrypted layouts the tool writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// PIFF 1.1 AES-CTR: `uuid` sample encryption box, 8-byte IVs, no override.
    PiffCtr,
    /// PIFF 1.1 AES-CBC: `uuid` sample encryption box overriding AlgorithmID 2, 16-byte IVs.
    PiffCbc,
    /// CENC `cenc`: `senc` with `saiz`/`saio`, 8-byte IVs.
    CencCtr,
}

impl Scheme {
    /// The sample cipher.
    pub fn mode(self) -> Mode {
        if self == Scheme::PiffCbc {
            Mode::Cbc
        } else {
            Mode::Ctr
        }
    }

    /// Per-sample IV size.
    pub fn iv_size(self) -> usize {
        if self == Scheme::PiffCbc { 16 } else { 8 }
    }
}

/// Why a fragment could not be encrypted.
#[derive(Debug, thiserror::Error)]
pub enum FragmentError {
    /// The boxes do not parse.
    #[error(transparent)]
    Box(#[from] BoxError),
    /// A layout the tool does not handle.
    #[error("unsupported fragment layout: {0}")]
    Unsupported(String),
    /// A sample's NAL units do not parse.
    #[error("sample {index}: {source}")]
    Nal {
        /// Sample index.
        index: usize,
        /// What is wrong.
        source: NalError,
    },
    /// A subsample map larger than its sample (an internal inconsistency).
    #[error("sample {index}: {source}")]
    Map {
        /// Sample index.
        index: usize,
        /// What is wrong.
        source: MapPastEnd,
    },
}

/// Where things are in a clear fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The `moof` box.
    pub moof: Range<usize>,
    /// The `traf` box.
    pub traf: Range<usize>,
    /// Absolute position of the `trun` data_offset field.
    pub data_offset_at: usize,
    /// The `trun` data_offset (relative to the `moof` start).
    pub data_offset: i32,
    /// Sample sizes in order.
    pub sample_sizes: Vec<u32>,
    /// Absolute position of the first sample's data.
    pub data_start: usize,
}

fn unsupported(what: impl Into<String>) -> FragmentError {
    FragmentError::Unsupported(what.into())
}

fn range(h: &player_core::isobmff::BoxHeader) -> Range<usize> {
    h.offset as usize..(h.offset + h.size) as usize
}

/// Finds the `moof`, its single `traf`, the `trun` and the sample sizes of a fragment.
pub fn layout(frag: &[u8]) -> Result<Layout, FragmentError> {
    let mut moof = None;
    let mut mdat = None;
    for item in BoxIter::new(frag, 0, "") {
        let (h, payload) = item?;
        match &h.kind.0 {
            b"moof" if moof.is_none() => moof = Some((h, payload)),
            b"mdat" if moof.is_some() && mdat.is_none() => mdat = Some(h),
            _ => {}
        }
    }
    let (moof_h, moof_payload) = moof.ok_or_else(|| unsupported("no moof box"))?;
    let mdat_h = mdat.ok_or_else(|| unsupported("no mdat box after the moof"))?;
    let mut traf = None;
    for item in BoxIter::new(
        moof_payload,
        moof_h.offset + moof_h.header_len as u64,
        "moof",
    ) {
        let (h, payload) = item?;
        if &h.kind.0 == b"traf" {
            if traf.is_some() {
                return Err(unsupported("more than one traf"));
            }
            traf = Some((h, payload));
        }
    }
    let (traf_h, traf_payload) = traf.ok_or_else(|| unsupported("no traf in the moof"))?;
    let mut default_size = None;
    let mut trun = None;
    for item in BoxIter::new(
        traf_payload,
        traf_h.offset + traf_h.header_len as u64,
        "moof/traf",
    ) {
        let (h, payload) = item?;
        let at = h.offset + h.header_len as u64;
        match (&h.kind.0, h.user_type) {
            (b"tfhd", _) => default_size = tfhd_default_size(payload, at)?,
            (b"trun", _) if trun.is_some() => return Err(unsupported("more than one trun")),
            (b"trun", _) => trun = Some((payload, at)),
            (b"senc" | b"saiz" | b"saio", _) => return Err(unsupported("already encrypted")),
            (_, Some(PIFF_SAMPLE_ENCRYPTION_UUID)) => return Err(unsupported("already encrypted")),
            _ => {}
        }
    }
    if moof_h.header_len != 8 || traf_h.header_len != 8 {
        return Err(unsupported("64-bit moof/traf box sizes"));
    }
    let (trun_payload, trun_at) = trun.ok_or_else(|| unsupported("no trun"))?;
    let (data_offset_at, data_offset, sample_sizes) =
        read_trun(trun_payload, trun_at, default_size)?;
    let data_start = usize::try_from(moof_h.offset as i64 + i64::from(data_offset))
        .map_err(|_| unsupported("negative sample data position"))?;
    let total: u64 = sample_sizes.iter().map(|&s| u64::from(s)).sum();
    let mdat_payload = range(&mdat_h).start + mdat_h.header_len..range(&mdat_h).end;
    if data_start < mdat_payload.start || data_start as u64 + total > mdat_payload.end as u64 {
        return Err(unsupported(format!(
            "samples at {data_start}..{} are not inside the mdat payload {mdat_payload:?}",
            data_start as u64 + total
        )));
    }
    Ok(Layout {
        moof: range(&moof_h),
        traf: range(&traf_h),
        data_offset_at,
        data_offset,
        sample_sizes,
        data_start,
    })
}

/// The tfhd default_sample_size, refusing an explicit base_data_offset.
fn tfhd_default_size(payload: &[u8], at: u64) -> Result<Option<u32>, FragmentError> {
    let mut r = Reader::new(payload, at, "moof/traf/tfhd");
    let (_, flags) = r.version_flags()?;
    r.u32()?; // track_ID
    if flags & 0x1 != 0 {
        return Err(unsupported("tfhd with an explicit base_data_offset"));
    }
    if flags & 0x2 != 0 {
        r.u32()?;
    }
    if flags & 0x8 != 0 {
        r.u32()?;
    }
    Ok(if flags & 0x10 != 0 {
        Some(r.u32()?)
    } else {
        None
    })
}

/// The data_offset field position and value, and the sample sizes of a `trun`.
fn read_trun(
    payload: &[u8],
    at: u64,
    default_size: Option<u32>,
) -> Result<(usize, i32, Vec<u32>), FragmentError> {
    let mut r = Reader::new(payload, at, "moof/traf/trun");
    let (_, flags) = r.version_flags()?;
    let count = r.u32()?;
    if count > MAX_SAMPLES_PER_FRAGMENT {
        return Err(unsupported(format!("{count} samples")));
    }
    if flags & 0x1 == 0 {
        return Err(unsupported("trun without data_offset"));
    }
    let data_offset_at = r.offset() as usize;
    let data_offset = r.i32()?;
    if flags & 0x4 != 0 {
        r.u32()?;
    }
    let fields = [0x100, 0x200, 0x400, 0x800]
        .iter()
        .filter(|&&f| flags & f != 0)
        .count();
    r.ensure_items(u64::from(count), 4 * fields as u64)?;
    let mut sizes = Vec::with_capacity(count as usize);
    for _ in 0..count {
        if flags & 0x100 != 0 {
            r.u32()?;
        }
        let size = if flags & 0x200 != 0 {
            Some(r.u32()?)
        } else {
            default_size
        };
        sizes.push(size.ok_or_else(|| unsupported("no sample sizes in trun or tfhd"))?);
        if flags & 0x400 != 0 {
            r.u32()?;
        }
        if flags & 0x800 != 0 {
            r.u32()?;
        }
    }
    Ok((data_offset_at, data_offset, sizes))
}

/// A box with a 32-bit size.
fn boxed(
    kind: &[u8; 4],
    user_type: Option<&[u8; 16]>,
    payload: &[u8],
) -> Result<Vec<u8>, FragmentError> {
    let len = 8 + user_type.map_or(0, |_| 16) + payload.len();
    let size = u32::try_from(len).map_err(|_| unsupported("box larger than 4 GiB"))?;
    let mut v = Vec::with_capacity(len);
    v.extend_from_slice(&size.to_be_bytes());
    v.extend_from_slice(kind);
    if let Some(u) = user_type {
        v.extend_from_slice(u);
    }
    v.extend_from_slice(payload);
    Ok(v)
}

/// `buf[r]`, or an error instead of a panic.
fn part(buf: &[u8], r: Range<usize>) -> Result<&[u8], FragmentError> {
    buf.get(r.clone())
        .ok_or_else(|| unsupported(format!("bytes {r:?} outside the fragment")))
}

/// Overwrites the big-endian u32 at `at`.
fn set_u32(buf: &mut [u8], at: usize, v: u32) -> Result<(), FragmentError> {
    buf.get_mut(at..at + 4)
        .ok_or_else(|| unsupported(format!("field at {at} outside the moof")))?
        .copy_from_slice(&v.to_be_bytes());
    Ok(())
}

/// One encrypted fragment.
#[derive(Debug, Clone)]
pub struct Encrypted {
    /// The whole fragment.
    pub bytes: Vec<u8>,
    /// The new `moof` box (what `FragmentInfo` files hold).
    pub moof: Range<usize>,
    /// Samples encrypted.
    pub samples: usize,
}

/// What identifies a fragment for IV derivation.
#[derive(Debug, Clone, Copy)]
pub struct FragmentId<'a> {
    /// The stream's URL key (`video`).
    pub stream: &'a str,
    /// The fragment's file name.
    pub name: &'a str,
}

/// Encrypts the fragment `frag` of a stream with `framing` under `scheme`, key and KID.
pub fn encrypt_fragment(
    frag: &[u8],
    id: FragmentId<'_>,
    framing: Framing,
    scheme: Scheme,
    key: &SampleEncryptor,
    kid: Uuid,
) -> Result<Encrypted, FragmentError> {
    let lay = layout(frag)?;
    let mut out = frag.to_vec();
    let cipher = SampleCipher {
        id,
        framing,
        scheme,
        key,
        kid,
    };
    let entries = cipher.encrypt_samples(&lay, &mut out)?;
    let subsampled = matches!(framing, Framing::Avc { .. });
    let senc = SencPayload::new(&entries, scheme, kid, subsampled)?;
    let added = AddedBoxes::new(scheme, &senc)?;
    let moof = grown_moof(frag, &lay, &added)?;
    let mut bytes = Vec::with_capacity(frag.len() + added.bytes.len());
    bytes.extend_from_slice(part(frag, 0..lay.moof.start)?);
    bytes.extend_from_slice(&moof);
    bytes.extend_from_slice(part(&out, lay.moof.end..out.len())?);
    Ok(Encrypted {
        bytes,
        moof: lay.moof.start..lay.moof.start + moof.len(),
        samples: entries.len(),
    })
}

/// How a fragment's samples are encrypted.
struct SampleCipher<'a> {
    id: FragmentId<'a>,
    framing: Framing,
    scheme: Scheme,
    key: &'a SampleEncryptor,
    kid: Uuid,
}

/// A sample's IV and subsample map (empty: the whole sample is encrypted).
type SampleEntry = (Vec<u8>, Vec<Subsample>);

impl SampleCipher<'_> {
    /// Encrypts every sample of the `mdat` in `out` in place; each sample's IV and map.
    fn encrypt_samples(
        &self,
        lay: &Layout,
        out: &mut [u8],
    ) -> Result<Vec<SampleEntry>, FragmentError> {
        let mut entries = Vec::with_capacity(lay.sample_sizes.len());
        let mut pos = lay.data_start;
        for (index, &size) in lay.sample_sizes.iter().enumerate() {
            let end = pos + size as usize;
            let sample = out
                .get_mut(pos..end)
                .ok_or_else(|| unsupported("sample outside the fragment"))?;
            let map = match self.framing {
                Framing::Avc { length_size } => {
                    avc_subsamples(sample, length_size, self.scheme.mode() == Mode::Cbc)
                        .map_err(|source| FragmentError::Nal { index, source })?
                }
                Framing::Whole => Vec::new(),
            };
            let iv = derive_iv(
                self.kid,
                self.id.stream,
                self.id.name,
                index,
                self.scheme.iv_size(),
            );
            self.key
                .encrypt(&iv, &map, sample)
                .map_err(|source| FragmentError::Map { index, source })?;
            entries.push((iv, map));
            pos = end;
        }
        Ok(entries)
    }
}

/// The sample encryption payload (`senc`, or PIFF's `uuid` box): flags, optional override,
/// count, entries.
struct SencPayload {
    bytes: Vec<u8>,
    /// Where the first IV starts in `bytes`.
    first_iv: usize,
    /// Each sample's auxiliary information size (IV and map), for `saiz`.
    info_sizes: Vec<usize>,
}

impl SencPayload {
    fn new(
        entries: &[SampleEntry],
        scheme: Scheme,
        kid: Uuid,
        subsampled: bool,
    ) -> Result<SencPayload, FragmentError> {
        let mut flags = if subsampled { 0x2 } else { 0 };
        if scheme == Scheme::PiffCbc {
            flags |= 0x1;
        }
        let mut senc = (flags as u32).to_be_bytes().to_vec();
        if scheme == Scheme::PiffCbc {
            senc.extend_from_slice(&[0, 0, 2, 16]); // AlgorithmID 2 (AES-CBC), IV_size 16
            senc.extend_from_slice(&kid.0);
        }
        senc.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        let first_iv = senc.len();
        let mut info_sizes = Vec::with_capacity(entries.len());
        for (iv, map) in entries {
            let start = senc.len();
            senc.extend_from_slice(iv);
            if subsampled {
                let n = u16::try_from(map.len())
                    .map_err(|_| unsupported("more than 65535 subsamples"))?;
                senc.extend_from_slice(&n.to_be_bytes());
                for Subsample { clear, encrypted } in map {
                    senc.extend_from_slice(&clear.to_be_bytes());
                    senc.extend_from_slice(&encrypted.to_be_bytes());
                }
            }
            info_sizes.push(senc.len() - start);
        }
        Ok(SencPayload {
            bytes: senc,
            first_iv,
            info_sizes,
        })
    }
}

/// The boxes appended to the `traf`: `saiz`, `saio` and `senc` (CENC), or PIFF's `uuid`.
struct AddedBoxes {
    bytes: Vec<u8>,
    /// Where `saio`'s offset field is in `bytes` (CENC only).
    saio_field: Option<usize>,
    /// Where the first IV is in `bytes`.
    first_iv: usize,
}

impl AddedBoxes {
    fn new(scheme: Scheme, senc: &SencPayload) -> Result<AddedBoxes, FragmentError> {
        let mut added = Vec::new();
        if scheme != Scheme::CencCtr {
            added.extend(boxed(
                b"uuid",
                Some(&PIFF_SAMPLE_ENCRYPTION_UUID),
                &senc.bytes,
            )?);
            return Ok(AddedBoxes {
                bytes: added,
                saio_field: None,
                first_iv: 24 + senc.first_iv,
            });
        }
        added.extend(boxed(b"saiz", None, &saiz_payload(&senc.info_sizes)?)?);
        let saio_at = added.len() + 8 + 4 + 4;
        added.extend(boxed(b"saio", None, &[0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0])?);
        let senc_at = added.len() + 8;
        added.extend(boxed(b"senc", None, &senc.bytes)?);
        Ok(AddedBoxes {
            bytes: added,
            saio_field: Some(saio_at),
            first_iv: senc_at + senc.first_iv,
        })
    }
}

/// The `saiz` payload: one default size when all samples' are equal, else each size.
fn saiz_payload(info_sizes: &[usize]) -> Result<Vec<u8>, FragmentError> {
    let mut saiz = vec![0, 0, 0, 0];
    let uniform = info_sizes.windows(2).all(|w| w[0] == w[1]);
    let sizes: Vec<u8> = info_sizes
        .iter()
        .map(|&s| u8::try_from(s))
        .collect::<Result<_, _>>()
        .map_err(|_| unsupported("a sample's aux info exceeds 255 bytes (too many NAL units)"))?;
    saiz.push(if uniform {
        sizes.first().copied().unwrap_or(0)
    } else {
        0
    });
    saiz.extend_from_slice(&(sizes.len() as u32).to_be_bytes());
    if !uniform {
        saiz.extend_from_slice(&sizes);
    }
    Ok(saiz)
}

/// The new `moof`: the old one with `added` at the end of its `traf`, box sizes, the
/// `trun` data offset and the `saio` offset updated.
fn grown_moof(frag: &[u8], lay: &Layout, added: &AddedBoxes) -> Result<Vec<u8>, FragmentError> {
    let grow = added.bytes.len();
    let mut moof = Vec::with_capacity(lay.moof.len() + grow);
    moof.extend_from_slice(part(frag, lay.moof.start..lay.traf.end)?);
    moof.extend_from_slice(&added.bytes);
    moof.extend_from_slice(part(frag, lay.traf.end..lay.moof.end)?);
    let size = |n: usize| u32::try_from(n).map_err(|_| unsupported("moof larger than 4 GiB"));
    set_u32(&mut moof, 0, size(lay.moof.len() + grow)?)?;
    let traf_at = lay.traf.start - lay.moof.start;
    set_u32(&mut moof, traf_at, size(lay.traf.len() + grow)?)?;
    let new_offset = i64::from(lay.data_offset) + grow as i64;
    let new_offset = i32::try_from(new_offset).map_err(|_| unsupported("data_offset overflow"))?;
    set_u32(
        &mut moof,
        lay.data_offset_at - lay.moof.start,
        new_offset as u32,
    )?;
    if let Some(saio_at) = added.saio_field {
        // saio offsets are relative to the moof start (the base of a traf without base_data_offset).
        let added_at = lay.traf.end - lay.moof.start;
        set_u32(
            &mut moof,
            added_at + saio_at,
            size(added_at + added.first_iv)?,
        )?;
    }
    Ok(moof)
}
