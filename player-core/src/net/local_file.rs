//! Random access to a local single-file presentation: its top-level boxes, and byte ranges.

use std::io::SeekFrom;
use std::path::Path;

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::NetError;
use crate::isobmff::{BoxHeader, FourCc};

/// Most top-level boxes followed in one file.
const MAX_BOXES: usize = 1_000_000;

fn file_error(path: &Path, e: std::io::Error) -> NetError {
    NetError::File {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Whether `input` names a local single-file presentation (it starts with an ftyp box).
pub fn is_single_file(input: &str) -> bool {
    let path = Path::new(input);
    if !path.is_file() {
        return false;
    }
    let mut head = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && matches!(&head[4..8], b"ftyp" | b"styp" | b"moov")
}

/// Lists the top-level boxes of `path` by reading only their headers.
pub async fn scan_boxes(path: &Path) -> Result<Vec<BoxHeader>, NetError> {
    let mut f = tokio::fs::File::open(path)
        .await
        .map_err(|e| file_error(path, e))?;
    let len = f.metadata().await.map_err(|e| file_error(path, e))?.len();
    let mut boxes = Vec::new();
    let mut at = 0u64;
    while at < len {
        if boxes.len() >= MAX_BOXES {
            return Err(bad(path, at, "too many boxes"));
        }
        let mut head = [0u8; 16];
        let want = (len - at).min(16) as usize;
        f.seek(SeekFrom::Start(at))
            .await
            .map_err(|e| file_error(path, e))?;
        f.read_exact(&mut head[..want])
            .await
            .map_err(|e| file_error(path, e))?;
        if want < 8 {
            return Err(bad(path, at, "truncated box header"));
        }
        let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let kind = FourCc([head[4], head[5], head[6], head[7]]);
        let (size, header_len) = match size32 {
            0 => (len - at, 8),
            1 if want == 16 => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&head[8..16]);
                (u64::from_be_bytes(b), 16)
            }
            1 => return Err(bad(path, at, "truncated 64-bit box size")),
            n => (u64::from(n), 8),
        };
        if size < header_len as u64 || size > len - at {
            return Err(bad(
                path,
                at,
                &format!("{kind} box of {size} bytes does not fit the file"),
            ));
        }
        boxes.push(BoxHeader {
            kind,
            user_type: None,
            offset: at,
            header_len,
            size,
        });
        at += size;
    }
    Ok(boxes)
}

/// Reads `len` bytes at `offset` of `path`; `len` must not exceed `limit`.
pub async fn read_range(
    path: &Path,
    offset: u64,
    len: u64,
    limit: usize,
) -> Result<Bytes, NetError> {
    if len > limit as u64 {
        return Err(NetError::TooLarge {
            url: path.display().to_string(),
            limit,
        });
    }
    let mut f = tokio::fs::File::open(path)
        .await
        .map_err(|e| file_error(path, e))?;
    f.seek(SeekFrom::Start(offset))
        .await
        .map_err(|e| file_error(path, e))?;
    let mut buf = vec![0u8; len as usize];
    f.read_exact(&mut buf)
        .await
        .map_err(|e| file_error(path, e))?;
    Ok(Bytes::from(buf))
}

fn bad(path: &Path, at: u64, what: &str) -> NetError {
    NetError::BadInput {
        input: path.display().to_string(),
        reason: format!("at byte {at}: {what}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_headers_and_reads_ranges() {
        let dir = std::env::temp_dir().join(format!("sp-local-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let p = dir.join("x.ismv");
        let mut data = Vec::new();
        data.extend_from_slice(&[0, 0, 0, 12]);
        data.extend_from_slice(b"ftyp");
        data.extend_from_slice(b"isml");
        data.extend_from_slice(&[0, 0, 0, 10]);
        data.extend_from_slice(b"mdat");
        data.extend_from_slice(&[7, 9]);
        std::fs::write(&p, &data).expect("write");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("rt");
        let boxes = rt.block_on(scan_boxes(&p)).expect("scan");
        assert_eq!(boxes.len(), 2);
        assert_eq!(&boxes[1].kind.0, b"mdat");
        let tail = rt.block_on(read_range(&p, 20, 2, 16)).expect("read");
        assert_eq!(&tail[..], &[7, 9]);
        assert!(rt.block_on(read_range(&p, 0, 100, 16)).is_err());
        std::fs::write(&p, [0, 0, 0, 99, b'm', b'o', b'o', b'v']).expect("write");
        assert!(
            rt.block_on(scan_boxes(&p)).is_err(),
            "a box larger than the file"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
