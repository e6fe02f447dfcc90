//! Property tests: random and mutated manifests, fragments and caption documents never make
//! a parser panic, and never make it allocate beyond its limits. A counting allocator
//! measures the peak memory each parse takes on its thread: bounded by a small multiple of
//! the input plus what the size caps in `limits` allow, whatever counts and sizes the input
//! claims. Seeds are the presentations in `assets/` and the manifest fixtures; the random
//! sequence is fixed, so a run is repeatable.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use player_core::captions::parse_ttml;
use player_core::decrypt::sample_encryption;
use player_core::demux::{stream_track, units};
use player_core::isobmff::{IsmvFile, parse_fragment};
use player_core::limits::MAX_CHUNKS_PER_MANIFEST;
use player_core::manifest::parse;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// Counts the bytes each thread has allocated and not freed, and their peak.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    // `try_with`: the allocator also runs while thread locals are being torn down.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is passed to the system allocator unchanged; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns the most memory it held at once on this thread, in bytes.
fn peak_of<R>(f: impl FnOnce() -> R) -> usize {
    let start = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let r = f();
    let peak = PEAK.with(Cell::get);
    drop(r);
    usize::try_from(peak - start).unwrap_or(0)
}

/// What any parse may hold: a small multiple of the input, plus slack for fixed tables.
fn input_bound(len: usize) -> usize {
    64 * len + (1 << 20)
}

/// What a manifest parse may hold: the input bound plus every chunk the caps allow.
fn manifest_bound(len: usize) -> usize {
    input_bound(len) + 2 * 16 * MAX_CHUNKS_PER_MANIFEST as usize
}

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets")
}

fn files_under(dir: &Path, keep: &dyn Fn(&str) -> bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, keep, out);
        } else if p.file_name().and_then(|n| n.to_str()).is_some_and(keep) {
            out.push(p);
        }
    }
}

/// Real manifests: every presentation's in `assets/`, and the manifest fixtures.
fn manifests() -> &'static [Vec<u8>] {
    static M: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    M.get_or_init(|| {
        let mut paths = Vec::new();
        files_under(
            &assets(),
            &|n| n.eq_ignore_ascii_case("manifest"),
            &mut paths,
        );
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/manifests");
        files_under(&fixtures, &|n| n.ends_with(".ismc"), &mut paths);
        let m: Vec<Vec<u8>> = paths.iter().filter_map(|p| std::fs::read(p).ok()).collect();
        assert!(m.len() >= 10, "seed manifests missing: {paths:?}");
        m
    })
}

/// Real fragments (the small ones: audio, captions, the protected 320x180 set).
fn fragments() -> &'static [Vec<u8>] {
    static F: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    F.get_or_init(|| {
        let mut paths = Vec::new();
        files_under(&assets(), &|n| n.starts_with("Fragments("), &mut paths);
        let f: Vec<Vec<u8>> = paths
            .iter()
            .filter_map(|p| std::fs::read(p).ok())
            .filter(|b| b.len() <= 128 * 1024)
            .collect();
        assert!(f.len() >= 20, "seed fragments missing");
        f
    })
}

/// One way to damage an input.
#[derive(Debug, Clone)]
enum Mutation {
    /// Set the byte at (fraction of the length) to a value.
    Set(f64, u8),
    /// Remove a span.
    Cut(f64, usize),
    /// Copy a span elsewhere.
    Repeat(f64, usize, f64),
    /// Overwrite 4 bytes with a big-endian count or size (box sizes, sample counts).
    Count(f64, u32),
    /// Replace a run of ASCII digits with a huge or odd number (manifest attributes).
    Number(f64, &'static str),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0.0..1.0f64;
    prop_oneof![
        (at.clone(), any::<u8>()).prop_map(|(a, v)| Mutation::Set(a, v)),
        (at.clone(), 1..64usize).prop_map(|(a, n)| Mutation::Cut(a, n)),
        (at.clone(), 1..256usize, 0.0..1.0f64).prop_map(|(a, n, to)| Mutation::Repeat(a, n, to)),
        (
            at.clone(),
            prop_oneof![
                Just(0u32),
                Just(1),
                Just(0xffff_ffff),
                Just(0x7fff_ffff),
                any::<u32>()
            ]
        )
            .prop_map(|(a, v)| Mutation::Count(a, v)),
        (
            at,
            prop_oneof![
                Just("0"),
                Just("18446744073709551615"),
                Just("18446744073709551616"),
                Just("4000001"),
                Just("999999999999"),
                Just("-1"),
                Just("1e9"),
            ]
        )
            .prop_map(|(a, n)| Mutation::Number(a, n)),
    ]
}

fn apply(input: &mut Vec<u8>, m: &Mutation) {
    let at = |f: f64, len: usize| ((f * len as f64) as usize).min(len.saturating_sub(1));
    if input.is_empty() {
        return;
    }
    match *m {
        Mutation::Set(f, v) => {
            let i = at(f, input.len());
            input[i] = v;
        }
        Mutation::Cut(f, n) => {
            let i = at(f, input.len());
            let end = (i + n).min(input.len());
            input.drain(i..end);
        }
        Mutation::Repeat(f, n, to) => {
            let i = at(f, input.len());
            let span: Vec<u8> = input[i..(i + n).min(input.len())].to_vec();
            let j = at(to, input.len());
            input.splice(j..j, span);
        }
        Mutation::Count(f, v) => {
            let i = at(f, input.len());
            for (k, b) in v.to_be_bytes().iter().enumerate() {
                if let Some(slot) = input.get_mut(i + k) {
                    *slot = *b;
                }
            }
        }
        Mutation::Number(f, n) => {
            let from = at(f, input.len());
            if let Some(start) = input[from..].iter().position(u8::is_ascii_digit) {
                let start = from + start;
                let len = input[start..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                input.splice(start..start + len, n.bytes());
            }
        }
    }
}

fn config(seed: u64) -> Config {
    Config {
        cases: 256,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Every fragment reader over `data`: the Smooth parser, the demuxer, the sample
/// encryption boxes, and the single-file reader with its fragment walk.
fn read_fragment(data: &[u8]) {
    if let Ok(f) = parse_fragment(data, 0) {
        for t in &f.tracks {
            for s in &t.samples {
                assert!(s.data.end <= data.len(), "a sample outside the fragment");
            }
            let _ = sample_encryption(data, t);
        }
    }
    let body = Bytes::copy_from_slice(data);
    if let Ok(track) = stream_track(&body, 0, None) {
        let _ = units(&track, &body);
    }
    if let Ok(file) = IsmvFile::parse(data) {
        for f in file.fragments(data).take(32) {
            if f.is_err() {
                break;
            }
        }
    }
}

proptest! {
    #![proptest_config(config(1))]

    #[test]
    fn random_bytes_are_no_manifest_and_cost_little(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let peak = peak_of(|| parse(&data));
        prop_assert!(peak <= input_bound(data.len()), "{peak} bytes for {} input bytes", data.len());
    }

    #[test]
    fn mutated_manifests_never_panic_and_stay_within_their_caps(
        pick in any::<prop::sample::Index>(),
        edits in proptest::collection::vec(mutation(), 1..8),
    ) {
        let mut m = pick.get(manifests()).clone();
        for e in &edits {
            apply(&mut m, e);
        }
        let peak = peak_of(|| parse(&m));
        prop_assert!(peak <= manifest_bound(m.len()), "{peak} bytes for {} input bytes", m.len());
    }

    #[test]
    fn random_bytes_are_no_fragment_and_cost_little(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let peak = peak_of(|| read_fragment(&data));
        prop_assert!(peak <= input_bound(data.len()), "{peak} bytes for {} input bytes", data.len());
    }

    #[test]
    fn mutated_fragments_never_panic_and_cost_a_multiple_of_their_size(
        pick in any::<prop::sample::Index>(),
        edits in proptest::collection::vec(mutation(), 1..8),
    ) {
        let mut f = pick.get(fragments()).clone();
        for e in &edits {
            apply(&mut f, e);
        }
        let peak = peak_of(|| read_fragment(&f));
        prop_assert!(peak <= input_bound(f.len()), "{peak} bytes for {} input bytes", f.len());
    }

    #[test]
    fn random_caption_documents_never_panic(text in "[<>/a-z:=\" 0-9.tsbrpdiv&;#x]{0,400}") {
        let doc = format!("<tt xmlns=\"http://www.w3.org/ns/ttml\"><body><div>{text}</div></body></tt>");
        let sample = Duration::from_secs(10)..Duration::from_secs(12);
        let peak = peak_of(|| parse_ttml(doc.as_bytes(), sample.clone()));
        prop_assert!(peak <= input_bound(doc.len()), "{peak} bytes for {} input bytes", doc.len());
    }
}

/// A claim alone — a run of many chunks, a sample count of 2^32 − 1 — allocates nothing
/// beyond the caps: the claims are checked before anything is allocated for them.
#[test]
fn huge_claims_are_refused_before_allocating() {
    let runs = r#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="0" Duration="1">
<StreamIndex Type="video" Url="{start time}"><QualityLevel Bitrate="1" FourCC="H264"/>
<c t="0" d="1" r="18446744073709551615"/></StreamIndex></SmoothStreamingMedia>"#;
    let peak = peak_of(|| parse(runs.as_bytes()));
    assert!(peak < 1 << 20, "{peak} bytes for a run of 2^64 - 1 chunks");
    for f in fragments().iter().take(8) {
        let mut f = f.clone();
        // The trun sample count sits 4 bytes after its version/flags: find "trun".
        if let Some(i) = f.windows(4).position(|w| w == b"trun") {
            f[i + 8..i + 12].copy_from_slice(&u32::MAX.to_be_bytes());
            let peak = peak_of(|| read_fragment(&f));
            assert!(
                peak <= input_bound(f.len()),
                "{peak} bytes for 2^32 - 1 samples"
            );
        }
    }
}

#[test]
fn the_counting_allocator_sees_what_a_parse_holds() {
    assert!(peak_of(|| vec![0u8; 100_000]) >= 100_000);
    let demo = std::fs::read(assets().join("demo/Manifest")).expect("demo manifest");
    let peak = peak_of(|| parse(&demo).expect("the demo parses"));
    assert!(
        peak > demo.len() / 4,
        "a parsed manifest holds memory: {peak}"
    );
}
