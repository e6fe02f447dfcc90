//! A bounded big-endian reader and box-header walker: nothing is read past the end it was given.

use super::BoxError;

/// A four-character box type.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FourCc(pub [u8; 4]);

impl FourCc {
    /// The type as text (non-ASCII bytes shown as `?`).
    pub fn as_string(&self) -> String {
        self.0
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '?'
                }
            })
            .collect()
    }
}

impl std::fmt::Debug for FourCc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.as_string())
    }
}

impl std::fmt::Display for FourCc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.as_string())
    }
}

/// A cursor over `buf` that knows its absolute offset in the enclosing file, for error messages.
#[derive(Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Absolute offset of `buf[0]` in the whole input.
    base: u64,
    /// Box path for errors, e.g. `moof/traf/trun`.
    path: &'a str,
}

impl<'a> Reader<'a> {
    /// A reader over all of `buf`, which starts at absolute offset `base`.
    pub fn new(buf: &'a [u8], base: u64, path: &'a str) -> Reader<'a> {
        Reader {
            buf,
            pos: 0,
            base,
            path,
        }
    }

    /// Absolute offset of the next byte.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Position relative to the start of this reader.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Box path this reader reports in errors.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// A `Truncated` error at the current offset, needing `need` bytes.
    pub fn truncated(&self, need: u64) -> BoxError {
        BoxError::Truncated {
            path: self.path.to_string(),
            offset: self.offset(),
            need,
            have: self.remaining() as u64,
        }
    }

    /// An `Invalid` error at the current offset.
    pub fn invalid(&self, what: impl Into<String>) -> BoxError {
        BoxError::Invalid {
            path: self.path.to_string(),
            offset: self.offset(),
            what: what.into(),
        }
    }

    /// Takes the next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], BoxError> {
        if n > self.remaining() {
            return Err(self.truncated(n as u64));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Takes the next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], BoxError> {
        let s = self.bytes(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    /// Skips `n` bytes.
    pub fn skip(&mut self, n: usize) -> Result<(), BoxError> {
        self.bytes(n).map(|_| ())
    }

    /// Reads a u8.
    pub fn u8(&mut self) -> Result<u8, BoxError> {
        Ok(self.array::<1>()?[0])
    }

    /// Reads a big-endian u16.
    pub fn u16(&mut self) -> Result<u16, BoxError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian 24-bit value.
    pub fn u24(&mut self) -> Result<u32, BoxError> {
        let b = self.array::<3>()?;
        Ok(u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }

    /// Reads a big-endian u32.
    pub fn u32(&mut self) -> Result<u32, BoxError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian i32.
    pub fn i32(&mut self) -> Result<i32, BoxError> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian u64.
    pub fn u64(&mut self) -> Result<u64, BoxError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// Reads a full-box version (u8) and flags (u24).
    pub fn version_flags(&mut self) -> Result<(u8, u32), BoxError> {
        let v = self.u32()?;
        Ok(((v >> 24) as u8, v & 0x00ff_ffff))
    }

    /// Checks that `count` items of `item_size` bytes fit in what remains, before allocating for them.
    pub fn ensure_items(&self, count: u64, item_size: u64) -> Result<(), BoxError> {
        let need = count.saturating_mul(item_size);
        if need > self.remaining() as u64 {
            return Err(self.truncated(need));
        }
        Ok(())
    }

    /// The unread rest.
    pub fn rest(&mut self) -> &'a [u8] {
        let s = &self.buf[self.pos..];
        self.pos = self.buf.len();
        s
    }
}

/// A box header and the bounds of its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoxHeader {
    /// Box type.
    pub kind: FourCc,
    /// For `uuid` boxes, the extended type.
    pub user_type: Option<[u8; 16]>,
    /// Absolute offset of the box start.
    pub offset: u64,
    /// Header length (8, 16, 24 or 32 bytes).
    pub header_len: usize,
    /// Total box length including the header.
    pub size: u64,
}

/// Iterates over the boxes that fill `buf` (a file or a parent box's payload).
pub struct BoxIter<'a> {
    reader: Reader<'a>,
    failed: bool,
}

impl<'a> BoxIter<'a> {
    /// Iterates the boxes in `buf`, which starts at absolute offset `base`; `path` names the parent.
    pub fn new(buf: &'a [u8], base: u64, path: &'a str) -> BoxIter<'a> {
        BoxIter {
            reader: Reader::new(buf, base, path),
            failed: false,
        }
    }

    fn next_box(&mut self) -> Result<(BoxHeader, &'a [u8]), BoxError> {
        let r = &mut self.reader;
        let offset = r.offset();
        let avail = r.remaining() as u64;
        let size32 = r.u32()?;
        let kind = FourCc(r.array()?);
        let mut header_len = 8usize;
        let size = match size32 {
            0 => avail, // box extends to the end of its parent
            1 => {
                header_len += 8;
                r.u64()?
            }
            n => u64::from(n),
        };
        let user_type = if &kind.0 == b"uuid" {
            header_len += 16;
            Some(r.array::<16>()?)
        } else {
            None
        };
        if size < header_len as u64 {
            return Err(BoxError::Invalid {
                path: format!("{}/{}", r.path(), kind),
                offset,
                what: format!("box size {size} smaller than its header"),
            });
        }
        if size > avail {
            return Err(BoxError::Oversized {
                path: format!("{}/{}", r.path(), kind),
                offset,
                size,
                available: avail,
            });
        }
        let payload = r.bytes((size - header_len as u64) as usize)?;
        Ok((
            BoxHeader {
                kind,
                user_type,
                offset,
                header_len,
                size,
            },
            payload,
        ))
    }
}

impl<'a> Iterator for BoxIter<'a> {
    /// A box header and its payload (the bytes after the header).
    type Item = Result<(BoxHeader, &'a [u8]), BoxError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.reader.remaining() == 0 {
            return None;
        }
        let item = self.next_box();
        self.failed = item.is_err();
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bounded_values() {
        let data = [0, 1, 2, 3, 4, 5, 6];
        let mut r = Reader::new(&data, 100, "x");
        assert_eq!(r.u16().expect("u16"), 1);
        assert_eq!(r.u24().expect("u24"), 0x020304);
        assert_eq!(r.offset(), 105);
        let e = r.u32().expect_err("past the end");
        assert!(matches!(
            e,
            BoxError::Truncated {
                offset: 105,
                need: 4,
                have: 2,
                ..
            }
        ));
    }

    #[test]
    fn walks_boxes_and_rejects_oversize() {
        let mut data = Vec::new();
        data.extend_from_slice(&[0, 0, 0, 12]);
        data.extend_from_slice(b"free");
        data.extend_from_slice(&[1, 2, 3, 4]);
        data.extend_from_slice(&[0, 0, 0, 99]);
        data.extend_from_slice(b"mdat");
        let mut it = BoxIter::new(&data, 0, "");
        let (h, p) = it.next().expect("one").expect("ok");
        assert_eq!(&h.kind.0, b"free");
        assert_eq!(p, &[1, 2, 3, 4]);
        let e = it.next().expect("two").expect_err("oversized");
        assert!(matches!(
            e,
            BoxError::Oversized {
                offset: 12,
                size: 99,
                ..
            }
        ));
        assert!(it.next().is_none());
    }
}
