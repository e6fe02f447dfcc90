//! TTML caption documents: cues or a typed error, never a panic; cues stay inside the
//! sample they came from.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use player_core::captions::parse_ttml;

fuzz_target!(|data: &[u8]| {
    let sample = Duration::from_secs(10)..Duration::from_secs(12);
    if let Ok(cues) = parse_ttml(data, sample.clone()) {
        for c in &cues {
            assert!(c.start <= c.end, "cue ends before it starts: {c:?}");
        }
    }
    let _ = parse_ttml(data, Duration::ZERO..Duration::MAX);
});
