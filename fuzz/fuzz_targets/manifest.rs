//! Manifest parsing: any bytes give a manifest or a typed error, never a panic; a manifest
//! that parses has timelines and fragment URLs that can be walked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use player_core::manifest::{fragment_url, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(m) = parse(data) else {
        return;
    };
    let Ok(base) = url::Url::parse("http://origin.test/p.ism/Manifest?token=1") else {
        return;
    };
    for s in &m.streams {
        // Chunks are sorted by start, each start once: a fragment has one name.
        for pair in s.chunks.windows(2) {
            assert!(
                pair[1].start > pair[0].start,
                "chunk starts repeat or go back: {pair:?}"
            );
        }
        for level in &s.quality_levels {
            for c in s.chunks.iter().take(3).chain(s.chunks.last()) {
                let _ = fragment_url(&base, s, level, c.start);
            }
        }
    }
});
