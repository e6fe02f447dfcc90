//! `tfdt`: track fragment decode time (v0 32-bit, v1 64-bit).

use super::{BoxError, Reader};

/// Parses a tfdt payload into `baseMediaDecodeTime`.
pub fn parse_tfdt(r: &mut Reader<'_>) -> Result<u64, BoxError> {
    let (version, _) = r.version_flags()?;
    match version {
        0 => r.u32().map(u64::from),
        1 => r.u64(),
        v => Err(r.invalid(format!("unknown tfdt version {v}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_versions() {
        let v0 = [0, 0, 0, 0, 0, 0, 1, 0];
        assert_eq!(parse_tfdt(&mut Reader::new(&v0, 0, "tfdt")), Ok(256));
        let mut v1 = vec![1, 0, 0, 0];
        v1.extend_from_slice(&0x1_2345_6789u64.to_be_bytes());
        assert_eq!(
            parse_tfdt(&mut Reader::new(&v1, 0, "tfdt")),
            Ok(0x1_2345_6789)
        );
        let bad = [3, 0, 0, 0, 0, 0, 0, 0];
        assert!(matches!(
            parse_tfdt(&mut Reader::new(&bad, 10, "tfdt")),
            Err(BoxError::Invalid { offset: 14, .. })
        ));
    }
}
