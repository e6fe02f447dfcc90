//! The 16-byte UUID that names key IDs, protection systems and PIFF boxes.

/// A 16-byte UUID in canonical (big-endian) byte order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uuid(pub [u8; 16]);

impl Uuid {
    /// The PlayReady system ID 9a04f079-9840-4286-ab92-e65be0885f95.
    pub const PLAYREADY: Uuid = Uuid([
        0x9a, 0x04, 0xf0, 0x79, 0x98, 0x40, 0x42, 0x86, 0xab, 0x92, 0xe6, 0x5b, 0xe0, 0x88, 0x5f,
        0x95,
    ]);

    /// Builds a UUID from a Microsoft little-endian GUID (bytes 0-3, 4-5, 6-7 swapped).
    pub fn from_guid_le(b: [u8; 16]) -> Uuid {
        let mut u = b;
        u[0..4].reverse();
        u[4..6].reverse();
        u[6..8].reverse();
        Uuid(u)
    }

    /// The Microsoft little-endian GUID byte order of this UUID.
    pub fn to_guid_le(self) -> [u8; 16] {
        Uuid::from_guid_le(self.0).0
    }
}

impl std::fmt::Display for Uuid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let b = &self.0;
        for (i, byte) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for Uuid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Uuid({self})")
    }
}

impl std::str::FromStr for Uuid {
    type Err = ();

    /// Parses `xxxxxxxx-xxxx-…`, with or without braces and hyphens, any case.
    fn from_str(s: &str) -> Result<Uuid, ()> {
        let s = s.trim();
        let s = s
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .unwrap_or(s);
        let hex: String = s.chars().filter(|c| *c != '-').collect();
        if hex.len() != 32 {
            return Err(());
        }
        let mut out = [0u8; 16];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(hex.get(2 * i..2 * i + 2).ok_or(())?, 16).map_err(|_| ())?;
        }
        Ok(Uuid(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_parse_and_guid_swap() {
        let u: Uuid = "{9A04F079-9840-4286-AB92-E65BE0885F95}"
            .parse()
            .expect("uuid");
        assert_eq!(u, Uuid::PLAYREADY);
        assert_eq!(u.to_string(), "9a04f079-9840-4286-ab92-e65be0885f95");
        let le = u.to_guid_le();
        assert_eq!(&le[..4], &[0x79, 0xf0, 0x04, 0x9a]);
        assert_eq!(Uuid::from_guid_le(le), u);
        assert!("xyz".parse::<Uuid>().is_err());
    }
}
