//! Protection scheme information of an encrypted `.ismv` / CENC track: `sinf` with `frma`
//! (original format), `schm` (scheme type) and `schi` holding a CENC `tenc` or a PIFF track
//! encryption `uuid` (ISO/IEC 14496-12 §8.12, ISO/IEC 23001-7 §8.2, PIFF 1.1 §5.3.1).

use super::piff_tenc::{PIFF_TRACK_ENCRYPTION_UUID, TrackEncryption, parse_piff_tenc};
use super::sample_encryption::Algorithm;
use super::{BoxError, BoxIter, FourCc, Reader};
use crate::base::Uuid;

/// A CENC Track Encryption box (`tenc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tenc {
    /// default_isProtected.
    pub is_protected: bool,
    /// default_Per_Sample_IV_Size (0 means a constant IV).
    pub iv_size: u8,
    /// default_KID.
    pub kid: Uuid,
    /// default_crypt_byte_block (version 1, pattern schemes).
    pub crypt_byte_block: u8,
    /// default_skip_byte_block (version 1, pattern schemes).
    pub skip_byte_block: u8,
    /// default_constant_IV (16 bytes, zero-padded), when `iv_size` is 0.
    pub constant_iv: Option<[u8; 16]>,
}

/// What a `sinf` box says about an encrypted track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectionSchemeInfo {
    /// The sample entry's original format from `frma` (e.g. `avc1`, `mp4a`).
    pub original_format: Option<FourCc>,
    /// `schm` scheme_type (`piff`, `cenc`, `cbc1`, …).
    pub scheme_type: Option<FourCc>,
    /// `schm` scheme_version.
    pub scheme_version: Option<u32>,
    /// The CENC `tenc`, when present.
    pub tenc: Option<Tenc>,
    /// The track's resolved default algorithm, IV size and KID.
    pub track: TrackEncryption,
}

/// Parses a `tenc` payload (the bytes after the 8-byte header) at absolute `offset`.
pub fn parse_tenc(payload: &[u8], offset: u64, path: &str) -> Result<Tenc, BoxError> {
    let mut r = Reader::new(payload, offset, path);
    let (version, _) = r.version_flags()?;
    r.skip(1)?;
    let pattern = r.u8()?;
    let (crypt_byte_block, skip_byte_block) = if version >= 1 {
        (pattern >> 4, pattern & 0x0f)
    } else {
        (0, 0)
    };
    let is_protected = r.u8()? != 0;
    let at = r.offset();
    let iv_size = r.u8()?;
    if !matches!(iv_size, 0 | 8 | 16) {
        return Err(BoxError::BadIvSize {
            path: path.to_string(),
            offset: at,
            iv_size,
        });
    }
    let kid = Uuid(r.array()?);
    let constant_iv = if is_protected && iv_size == 0 {
        let at = r.offset();
        let n = r.u8()?;
        if !matches!(n, 8 | 16) {
            return Err(BoxError::BadIvSize {
                path: path.to_string(),
                offset: at,
                iv_size: n,
            });
        }
        let mut iv = [0u8; 16];
        iv[..usize::from(n)].copy_from_slice(r.bytes(usize::from(n))?);
        Some(iv)
    } else {
        None
    };
    Ok(Tenc {
        is_protected,
        iv_size,
        kid,
        crypt_byte_block,
        skip_byte_block,
        constant_iv,
    })
}

/// Parses a `sinf` payload (its child boxes) at absolute `offset`; `path` names the `sinf`.
///
/// Fails with `UnsupportedAlgorithm` for the pattern schemes `cens`/`cbcs` and unknown schemes,
/// and with `Missing` when no track encryption box gives the KID.
pub fn parse_sinf(
    payload: &[u8],
    offset: u64,
    path: &str,
) -> Result<ProtectionSchemeInfo, BoxError> {
    let boxes = SinfBoxes::read(payload, offset, path)?;
    let track = boxes.track_encryption(path)?;
    Ok(ProtectionSchemeInfo {
        original_format: boxes.original_format,
        scheme_type: boxes.scheme.map(|(t, _)| t),
        scheme_version: boxes.scheme.map(|(_, v)| v),
        tenc: boxes.tenc,
        track,
    })
}

/// The children of a `sinf`, and the track encryption boxes inside its `schi`.
struct SinfBoxes {
    original_format: Option<FourCc>,
    /// `schm` scheme type and version.
    scheme: Option<(FourCc, u32)>,
    /// Where the scheme type is (for errors about it).
    scheme_at: u64,
    tenc: Option<Tenc>,
    piff: Option<TrackEncryption>,
}

impl SinfBoxes {
    fn read(payload: &[u8], offset: u64, path: &str) -> Result<SinfBoxes, BoxError> {
        let mut boxes = SinfBoxes {
            original_format: None,
            scheme: None,
            scheme_at: offset,
            tenc: None,
            piff: None,
        };
        for item in BoxIter::new(payload, offset, path) {
            let (h, body) = item?;
            let body_at = h.offset + h.header_len as u64;
            match &h.kind.0 {
                b"frma" => {
                    let p = format!("{path}/frma");
                    boxes.original_format = Some(FourCc(Reader::new(body, body_at, &p).array()?));
                }
                b"schm" => {
                    let p = format!("{path}/schm");
                    let mut r = Reader::new(body, body_at, &p);
                    r.version_flags()?;
                    boxes.scheme_at = r.offset();
                    boxes.scheme = Some((FourCc(r.array()?), r.u32()?));
                }
                b"schi" => boxes.read_schi(body, body_at, &format!("{path}/schi"))?,
                _ => {}
            }
        }
        Ok(boxes)
    }

    /// Takes the CENC `tenc` and the PIFF track encryption box of a `schi`.
    fn read_schi(&mut self, body: &[u8], at: u64, path: &str) -> Result<(), BoxError> {
        for child in BoxIter::new(body, at, path) {
            let (c, cbody) = child?;
            let cat = c.offset + c.header_len as u64;
            if &c.kind.0 == b"tenc" {
                self.tenc = Some(parse_tenc(cbody, cat, &format!("{path}/tenc"))?);
            } else if c.user_type == Some(PIFF_TRACK_ENCRYPTION_UUID) {
                self.piff = Some(parse_piff_tenc(cbody, cat, &format!("{path}/uuid"))?);
            }
        }
        Ok(())
    }

    /// The track's default algorithm, IV size and KID under its scheme (`piff` when the
    /// `sinf` has no `schm`); `path` names the `sinf`.
    fn track_encryption(&self, path: &str) -> Result<TrackEncryption, BoxError> {
        let unsupported = |what: String| BoxError::UnsupportedAlgorithm {
            path: format!("{path}/schm"),
            offset: self.scheme_at,
            algorithm: what,
        };
        let missing = || BoxError::Missing {
            path: format!("{path}/schi"),
            what: "tenc".into(),
        };
        let from_tenc = |t: &Tenc, algorithm| from_tenc(t, algorithm).map_err(unsupported);
        let tenc = self.tenc.as_ref();
        match self.scheme.map(|(t, _)| t.0) {
            Some(ref t) if t == b"cenc" => from_tenc(tenc.ok_or_else(missing)?, Algorithm::AesCtr),
            Some(ref t) if t == b"cbc1" => from_tenc(tenc.ok_or_else(missing)?, Algorithm::AesCbc),
            Some(ref t) if t == b"piff" || t == b"pifv" => match (self.piff, tenc) {
                (Some(p), _) => Ok(p),
                (None, Some(t)) => from_tenc(t, Algorithm::AesCtr),
                (None, None) => Err(missing()),
            },
            Some(t) => Err(unsupported(format!(
                "scheme {}{}",
                FourCc(t),
                if &t == b"cens" || &t == b"cbcs" {
                    " (pattern encryption)"
                } else {
                    ""
                }
            ))),
            None => self.piff.ok_or_else(missing),
        }
    }
}

/// The track encryption a `tenc` gives under `algorithm`; the error says what is not
/// supported (constant IVs).
fn from_tenc(t: &Tenc, algorithm: Algorithm) -> Result<TrackEncryption, String> {
    if !t.is_protected {
        return Ok(TrackEncryption {
            algorithm: Algorithm::None,
            iv_size: 0,
            kid: t.kid,
        });
    }
    if t.iv_size == 0 {
        return Err("constant IVs (tenc per-sample IV size 0)".into());
    }
    Ok(TrackEncryption {
        algorithm,
        iv_size: t.iv_size,
        kid: t.kid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }

    fn tenc_body(version: u8, protected: u8, iv: u8) -> Vec<u8> {
        let mut b = vec![
            version,
            0,
            0,
            0,
            0,
            if version == 1 { 0x19 } else { 0 },
            protected,
            iv,
        ];
        b.extend_from_slice(&[0x42; 16]);
        if protected == 1 && iv == 0 {
            b.push(16);
            b.extend_from_slice(&[7; 16]);
        }
        b
    }

    fn sinf(scheme: &[u8; 4], schi: Vec<u8>) -> Vec<u8> {
        let mut v = bx(b"frma", b"avc1");
        let mut schm = vec![0, 0, 0, 0];
        schm.extend_from_slice(scheme);
        schm.extend_from_slice(&0x0001_0000u32.to_be_bytes());
        v.extend(bx(b"schm", &schm));
        v.extend(bx(b"schi", &schi));
        v
    }

    #[test]
    fn cenc_scheme_with_tenc() {
        let p = sinf(b"cenc", bx(b"tenc", &tenc_body(0, 1, 8)));
        let s = parse_sinf(&p, 0, "moov/trak/mdia/minf/stbl/stsd/encv/sinf").expect("sinf");
        assert_eq!(s.original_format, Some(FourCc(*b"avc1")));
        assert_eq!(s.scheme_type, Some(FourCc(*b"cenc")));
        assert_eq!(
            s.track,
            TrackEncryption {
                algorithm: Algorithm::AesCtr,
                iv_size: 8,
                kid: Uuid([0x42; 16])
            }
        );
        let p = sinf(b"cbc1", bx(b"tenc", &tenc_body(0, 1, 16)));
        assert_eq!(
            parse_sinf(&p, 0, "sinf").expect("cbc1").track.algorithm,
            Algorithm::AesCbc
        );
    }

    #[test]
    fn piff_scheme_with_uuid_tenc() {
        let mut body = vec![0, 0, 0, 0, 0, 0, 2, 16];
        body.extend_from_slice(&[0x24; 16]);
        let mut uuid_box = ((body.len() + 24) as u32).to_be_bytes().to_vec();
        uuid_box.extend_from_slice(b"uuid");
        uuid_box.extend_from_slice(&PIFF_TRACK_ENCRYPTION_UUID);
        uuid_box.extend_from_slice(&body);
        let s = parse_sinf(&sinf(b"piff", uuid_box), 0, "sinf").expect("piff");
        assert_eq!(s.track.algorithm, Algorithm::AesCbc);
        assert_eq!(s.track.iv_size, 16);
        assert_eq!(s.track.kid, Uuid([0x24; 16]));
    }

    #[test]
    fn pattern_schemes_and_missing_tenc_are_typed_errors() {
        let p = sinf(b"cbcs", bx(b"tenc", &tenc_body(1, 1, 0)));
        let e = parse_sinf(&p, 1000, "sinf").expect_err("cbcs");
        assert!(
            matches!(&e, BoxError::UnsupportedAlgorithm { algorithm, offset: 1024, .. }
            if algorithm == "scheme cbcs (pattern encryption)"),
            "{e:?}"
        );
        let p = sinf(b"cenc", Vec::new());
        assert!(matches!(
            parse_sinf(&p, 0, "sinf"),
            Err(BoxError::Missing { .. })
        ));
        let t = parse_tenc(&tenc_body(1, 1, 0)[..], 0, "tenc").expect("tenc v1");
        assert_eq!((t.crypt_byte_block, t.skip_byte_block), (1, 9));
        assert_eq!(t.constant_iv, Some([7; 16]));
    }
}
