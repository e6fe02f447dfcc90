//! `sdtp`: independent and disposable samples — one dependency byte per sample.

use super::{BoxError, Reader};

/// A parsed `sdtp`: the dependency bytes, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sdtp<'a> {
    entries: &'a [u8],
}

impl<'a> Sdtp<'a> {
    /// Parses an sdtp payload; its sample count is implied by the box size.
    pub fn parse(r: &mut Reader<'a>) -> Result<Sdtp<'a>, BoxError> {
        let _ = r.version_flags()?;
        Ok(Sdtp { entries: r.rest() })
    }

    /// Number of samples described.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no samples are described.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `sample_depends_on` of sample `i` (0 unknown, 1 depends on others, 2 independent), if described.
    pub fn depends_on(&self, i: usize) -> Option<u8> {
        self.entries.get(i).map(|b| (b >> 4) & 0b11)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_depends_on_per_sample() {
        // IIS writes 0x24 for I pictures and 0x14 for the rest.
        let p = [0, 0, 0, 0, 0x24, 0x14, 0x00];
        let s = Sdtp::parse(&mut Reader::new(&p, 0, "sdtp")).expect("sdtp");
        assert_eq!(s.len(), 3);
        assert_eq!(s.depends_on(0), Some(2));
        assert_eq!(s.depends_on(1), Some(1));
        assert_eq!(s.depends_on(2), Some(0));
        assert_eq!(s.depends_on(3), None);
    }
}
