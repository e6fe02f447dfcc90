//! Sample decryption with subsample maps: CTR and CBC over any sample, IV and map, and whole
//! fragments through their sample encryption box. Never a panic; a sample keeps its length;
//! the clear bytes of a subsample map are left as they are; CTR applied twice gives the
//! sample back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use player_core::base::ContentKey;
use player_core::decrypt::{DecryptError, SampleDecryptor, sample_encryption};
use player_core::isobmff::parse_fragment;
use player_core::isobmff::sample_encryption::{Algorithm, Iv, SampleAuxInfo, Subsample};

/// One input, read in this order so that seeds can be written by hand (`fuzz/seed.sh`):
/// key (16 bytes), flags (bit 0: CBC, bit 1: also read `data` as a fragment), IV length and
/// IV, subsample count and that many (clear u16 BE, encrypted u32 BE) pairs, then the data.
#[derive(Debug)]
struct Case {
    key: [u8; 16],
    cbc: bool,
    iv: Vec<u8>,
    subsamples: Vec<(u16, u32)>,
    data: Vec<u8>,
    as_fragment: bool,
}

impl Case {
    fn read(input: &[u8]) -> Option<Case> {
        let (key, rest) = input.split_at_checked(16)?;
        let (&flags, rest) = rest.split_first()?;
        let (&iv_len, rest) = rest.split_first()?;
        let (iv, rest) = rest.split_at_checked(usize::from(iv_len % 17))?;
        let (&count, mut rest) = rest.split_first()?;
        let mut subsamples = Vec::new();
        for _ in 0..count % 16 {
            let (entry, tail) = rest.split_at_checked(6)?;
            let clear = u16::from_be_bytes([entry[0], entry[1]]);
            let encrypted = u32::from_be_bytes([entry[2], entry[3], entry[4], entry[5]]);
            subsamples.push((clear, encrypted));
            rest = tail;
        }
        Some(Case {
            key: key.try_into().ok()?,
            cbc: flags & 1 != 0,
            iv: iv.to_vec(),
            subsamples,
            data: rest.to_vec(),
            as_fragment: flags & 2 != 0,
        })
    }
}

fn check_sample(c: &Case) {
    let Some(iv) = Iv::new(&c.iv) else {
        return;
    };
    let info = SampleAuxInfo {
        iv,
        subsamples: c
            .subsamples
            .iter()
            .map(|&(clear, encrypted)| Subsample { clear, encrypted })
            .collect(),
    };
    let algorithm = if c.cbc {
        Algorithm::AesCbc
    } else {
        Algorithm::AesCtr
    };
    let d = SampleDecryptor::new(&ContentKey::new(c.key));
    let mut once = c.data.clone();
    match d.decrypt_sample(algorithm, 0, &mut once, &info) {
        Ok(()) => {}
        Err(DecryptError::SubsampleMismatch { .. }) => {
            assert_eq!(
                once, c.data,
                "a sample whose map does not fit is left untouched"
            );
            return;
        }
        Err(_) => return,
    }
    assert_eq!(once.len(), c.data.len());
    if info.iv.is_empty() {
        // An empty IV marks a clear sample: nothing is touched, the map is not read.
        assert_eq!(once, c.data);
        return;
    }
    let mut at = 0usize;
    for s in &info.subsamples {
        let clear = usize::from(s.clear);
        assert_eq!(
            once[at..at + clear],
            c.data[at..at + clear],
            "clear bytes changed"
        );
        at += clear + s.encrypted as usize;
    }
    if algorithm == Algorithm::AesCtr {
        let mut twice = once.clone();
        d.decrypt_sample(algorithm, 0, &mut twice, &info)
            .expect("same map again");
        assert_eq!(twice, c.data, "CTR is its own inverse");
    }
}

fn check_fragment(c: &Case) {
    let Ok(f) = parse_fragment(&c.data, 0) else {
        return;
    };
    let d = SampleDecryptor::new(&ContentKey::new(c.key));
    for t in &f.tracks {
        let Ok(Some(enc)) = sample_encryption(&c.data, t) else {
            continue;
        };
        let Some(first) = t.samples.first() else {
            continue;
        };
        let sizes: Vec<u32> = t.samples.iter().map(|s| s.size).collect();
        let mut body = c.data[first.data.start..].to_vec();
        let len = body.len();
        let _ = d.decrypt_samples(Algorithm::AesCtr, &mut body, &sizes, &enc);
        assert_eq!(body.len(), len);
    }
}

fuzz_target!(|input: &[u8]| {
    let Some(c) = Case::read(input) else {
        return;
    };
    check_sample(&c);
    if c.as_fragment {
        check_fragment(&c);
    }
});
