//! H.264 sample framing: length-prefixed NAL units (MP4/PIFF) to Annex B (what openh264
//! reads), with SPS/PPS put in front of every IDR picture.

use super::DemuxError;
use super::codec_config::H264Config;
use crate::base::nal_type;

const START_CODE: [u8; 4] = [0, 0, 0, 1];
const NAL_IDR: u8 = 5;
const NAL_SPS: u8 = 7;
const NAL_AUD: u8 = 9;

/// Converts length-prefixed samples to Annex B, reusing one output buffer.
#[derive(Debug, Clone)]
pub struct AnnexBConverter {
    nal_length_size: u8,
    parameter_sets: Vec<u8>,
    out: Vec<u8>,
}

impl AnnexBConverter {
    /// A converter for samples of the stream `config` describes.
    pub fn new(config: &H264Config) -> Result<AnnexBConverter, DemuxError> {
        let mut c = AnnexBConverter {
            nal_length_size: 4,
            parameter_sets: Vec::new(),
            out: Vec::new(),
        };
        c.set_config(config)?;
        Ok(c)
    }

    /// Switches to another quality level's parameter sets and NAL length size.
    pub fn set_config(&mut self, config: &H264Config) -> Result<(), DemuxError> {
        if !matches!(config.nal_length_size, 1 | 2 | 4) {
            return Err(DemuxError::NalLengthSize(config.nal_length_size));
        }
        self.nal_length_size = config.nal_length_size;
        self.parameter_sets.clear();
        for nal in config.sps.iter().chain(&config.pps) {
            self.parameter_sets.extend_from_slice(&START_CODE);
            self.parameter_sets.extend_from_slice(nal);
        }
        Ok(())
    }

    /// Converts one sample. An IDR access unit that carries no SPS of its own gets the
    /// configured SPS/PPS first (after an access unit delimiter, if there is one).
    pub fn convert(&mut self, sample: &[u8]) -> Result<&[u8], DemuxError> {
        let n = usize::from(self.nal_length_size);
        // First pass: validate framing and see what the access unit holds.
        let (mut has_idr, mut has_sps, mut first_is_aud) = (false, false, false);
        let mut pos = 0;
        let mut count = 0usize;
        while pos < sample.len() {
            let nal = next_nal(sample, pos, n)?;
            let t = nal_type(nal);
            has_idr |= t == NAL_IDR;
            has_sps |= t == NAL_SPS;
            if count == 0 {
                first_is_aud = t == NAL_AUD;
            }
            count += 1;
            pos += n + nal.len();
        }
        self.out.clear();
        self.out
            .reserve(sample.len() + count * 4 + self.parameter_sets.len());
        let insert = has_idr && !has_sps && !self.parameter_sets.is_empty();
        if insert && !first_is_aud {
            self.out.extend_from_slice(&self.parameter_sets);
        }
        let mut pos = 0;
        let mut index = 0;
        while pos < sample.len() {
            let nal = next_nal(sample, pos, n)?;
            pos += n + nal.len();
            if nal.is_empty() {
                continue;
            }
            self.out.extend_from_slice(&START_CODE);
            self.out.extend_from_slice(nal);
            if index == 0 && insert && first_is_aud {
                self.out.extend_from_slice(&self.parameter_sets);
            }
            index += 1;
        }
        Ok(&self.out)
    }
}

/// The NAL unit whose length prefix starts at `pos`.
fn next_nal(sample: &[u8], pos: usize, n: usize) -> Result<&[u8], DemuxError> {
    let err = |length: u64| DemuxError::NalLength {
        offset: pos,
        length,
        sample_len: sample.len(),
    };
    let prefix = sample.get(pos..pos + n).ok_or_else(|| err(n as u64))?;
    let length = prefix
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    let start = pos + n;
    let end = usize::try_from(length)
        .ok()
        .and_then(|l| start.checked_add(l))
        .filter(|&e| e <= sample.len());
    end.map(|e| &sample[start..e]).ok_or_else(|| err(length))
}

/// Whether the sample (length-prefixed) contains an IDR slice.
pub fn contains_idr(sample: &[u8], nal_length_size: u8) -> bool {
    let n = usize::from(nal_length_size);
    let mut pos = 0;
    while let Ok(nal) = next_nal(sample, pos, n) {
        if nal_type(nal) == NAL_IDR {
            return true;
        }
        pos += n + nal.len();
        if pos >= sample.len() {
            break;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(n: u8) -> H264Config {
        H264Config {
            sps: vec![vec![0x67, 1, 2]],
            pps: vec![vec![0x68, 3]],
            nal_length_size: n,
            width: 0,
            height: 0,
        }
    }

    fn prefixed(n: usize, nals: &[&[u8]]) -> Vec<u8> {
        let mut v = Vec::new();
        for nal in nals {
            v.extend_from_slice(&(nal.len() as u32).to_be_bytes()[4 - n..]);
            v.extend_from_slice(nal);
        }
        v
    }

    #[test]
    fn idr_gets_parameter_sets_for_every_length_size() {
        for n in [1u8, 2, 4] {
            let mut c = AnnexBConverter::new(&config(n)).expect("config");
            let idr = prefixed(n.into(), &[&[0x06, 9], &[0x65, 7, 7]]);
            assert_eq!(
                c.convert(&idr).expect("idr"),
                &[
                    0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x06, 9, 0, 0, 0, 1,
                    0x65, 7, 7
                ][..]
            );
            let p = prefixed(n.into(), &[&[0x41, 5]]);
            assert_eq!(c.convert(&p).expect("p"), &[0, 0, 0, 1, 0x41, 5][..]);
        }
    }

    #[test]
    fn parameter_sets_go_after_an_aud_and_not_twice() {
        let mut c = AnnexBConverter::new(&config(4)).expect("config");
        let idr = prefixed(4, &[&[0x09, 0xf0], &[0x65, 1]]);
        assert_eq!(
            c.convert(&idr).expect("idr"),
            &[
                0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 1, 0x68, 3, 0, 0, 0, 1,
                0x65, 1
            ][..]
        );
        let inband = prefixed(4, &[&[0x67, 9], &[0x68, 9], &[0x65, 1]]);
        assert_eq!(
            c.convert(&inband).expect("in-band"),
            &[
                0, 0, 0, 1, 0x67, 9, 0, 0, 0, 1, 0x68, 9, 0, 0, 0, 1, 0x65, 1
            ][..]
        );
    }

    #[test]
    fn switching_config_changes_the_prepended_sets() {
        let mut c = AnnexBConverter::new(&config(4)).expect("config");
        let mut other = config(2);
        other.sps = vec![vec![0x67, 0xaa]];
        other.pps = vec![vec![0x68, 0xbb]];
        c.set_config(&other).expect("switch");
        let idr = prefixed(2, &[&[0x65, 1]]);
        assert_eq!(
            c.convert(&idr).expect("idr"),
            &[
                0, 0, 0, 1, 0x67, 0xaa, 0, 0, 0, 1, 0x68, 0xbb, 0, 0, 0, 1, 0x65, 1
            ][..]
        );
        assert!(contains_idr(&idr, 2));
        assert!(!contains_idr(&prefixed(2, &[&[0x41, 1]]), 2));
    }

    #[test]
    fn lengths_past_the_sample_are_typed_errors() {
        let mut c = AnnexBConverter::new(&config(4)).expect("config");
        let bad = [0, 0, 0, 9, 0x65, 1];
        assert_eq!(
            c.convert(&bad),
            Err(DemuxError::NalLength {
                offset: 0,
                length: 9,
                sample_len: 6
            })
        );
        let cut_prefix = [0, 0, 0, 1, 0x65, 0, 0];
        assert_eq!(
            c.convert(&cut_prefix),
            Err(DemuxError::NalLength {
                offset: 5,
                length: 4,
                sample_len: 7
            })
        );
        let huge = [0xff, 0xff, 0xff, 0xff, 0x65];
        assert!(matches!(
            c.convert(&huge),
            Err(DemuxError::NalLength {
                length: 0xffff_ffff,
                ..
            })
        ));
        let mut bad_cfg = config(3);
        assert_eq!(
            AnnexBConverter::new(&bad_cfg).err(),
            Some(DemuxError::NalLengthSize(3))
        );
        bad_cfg.nal_length_size = 4;
        assert!(c.set_config(&bad_cfg).is_ok());
    }
}
