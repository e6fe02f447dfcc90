//! A bounded MSB-first bit reader with Exp-Golomb codes, for SPS and AudioSpecificConfig.

/// Reads bits from a byte slice; every read past the end is an error, never a panic.
pub(crate) struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
}

/// Read past the end of the data, or a malformed code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OutOfBits;

impl<'a> Bits<'a> {
    /// A reader at the first bit of `data`.
    pub(crate) fn new(data: &'a [u8]) -> Bits<'a> {
        Bits { data, pos: 0 }
    }

    /// One bit.
    pub(crate) fn bit(&mut self) -> Result<bool, OutOfBits> {
        let byte = self.data.get(self.pos / 8).ok_or(OutOfBits)?;
        let b = (byte >> (7 - self.pos % 8)) & 1;
        self.pos += 1;
        Ok(b == 1)
    }

    /// `n` ≤ 32 bits as an unsigned number.
    pub(crate) fn bits(&mut self, n: u32) -> Result<u32, OutOfBits> {
        let mut v = 0u32;
        for _ in 0..n.min(32) {
            v = (v << 1) | u32::from(self.bit()?);
        }
        Ok(v)
    }

    /// Unsigned Exp-Golomb `ue(v)`; codes longer than 32 bits are rejected.
    pub(crate) fn ue(&mut self) -> Result<u32, OutOfBits> {
        let mut zeros = 0;
        while !self.bit()? {
            zeros += 1;
            if zeros > 31 {
                return Err(OutOfBits);
            }
        }
        let rest = self.bits(zeros)?;
        Ok(((1u64 << zeros) - 1 + u64::from(rest)).min(u64::from(u32::MAX)) as u32)
    }

    /// Signed Exp-Golomb `se(v)`.
    pub(crate) fn se(&mut self) -> Result<i32, OutOfBits> {
        let k = self.ue()?;
        let mag = k.div_ceil(2) as i32;
        Ok(if k % 2 == 1 { mag } else { -mag })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bits_and_golomb_codes() {
        // 1 | 010 | 011 | 00100 | 00101 -> ue 0,1,2,3 then se(4) = -2
        let mut b = Bits::new(&[0b1010_0110, 0b0100_0010, 0b1000_0000]);
        assert_eq!(b.ue(), Ok(0));
        assert_eq!(b.ue(), Ok(1));
        assert_eq!(b.ue(), Ok(2));
        assert_eq!(b.ue(), Ok(3));
        assert_eq!(b.se(), Ok(-2));
        assert_eq!(b.bits(8), Err(OutOfBits));
        assert_eq!(Bits::new(&[0, 0, 0, 0, 0]).ue(), Err(OutOfBits));
    }
}
