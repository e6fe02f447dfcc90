//! PlayReady header parsing: the PlayReady Object (records, UTF-16LE WRMHEADER) and the bare
//! WRMHEADER, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use player_core::manifest::parse_playready_object;
use player_core::manifest::playready::parse_wrm_header;

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = parse_playready_object(data) {
        // A header that parses names each KID at most once per KID entry it holds.
        assert!(h.kids.len() <= data.len());
    }
    let _ = parse_wrm_header(data);
});
