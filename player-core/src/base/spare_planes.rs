//! Plane buffers of dropped pictures, kept for the next pictures a decoder copies out.
//!
//! A 720p picture is 1.4 MB and a player makes 25–60 of them a second. Allocated fresh, each
//! one is mapped by the kernel and faulted in page by page, then given back on drop: that
//! was 15–20 % of the CPU time of `--fast` playback (perf: page faults in the plane copy).
//! Reusing the buffers of pictures already shown keeps their pages mapped. The store is
//! bounded in count and bytes, so it never holds more than a few pictures' worth.

use std::sync::Mutex;

use super::locked;

/// Most buffers kept (three planes a picture: two pictures). A picture is dropped about
/// when the next is made, so a few cover steady playback; more would only be memory that no
/// budget accounts for.
const MAX_BUFFERS: usize = 6;
/// Most bytes kept (four 1080p pictures).
const MAX_BYTES: usize = 4 * 1920 * 1088 * 3 / 2;

static SPARE: Mutex<Spare> = Mutex::new(Spare {
    buffers: Vec::new(),
    bytes: 0,
});

struct Spare {
    buffers: Vec<Vec<u8>>,
    bytes: usize,
}

/// An empty buffer that can hold `len` bytes, reused from a dropped picture when one fits.
pub fn take(len: usize) -> Vec<u8> {
    let mut spare = locked(&SPARE);
    // A buffer much larger than asked would sit idle (a small picture in a big buffer) while
    // a big picture allocated afresh: take only buffers that fit within a factor of two.
    let found = spare
        .buffers
        .iter()
        .position(|b| b.capacity() >= len && b.capacity() <= len.saturating_mul(2));
    match found {
        Some(i) => {
            let mut b = spare.buffers.swap_remove(i);
            spare.bytes -= b.capacity();
            b.clear();
            b
        }
        None => Vec::with_capacity(len),
    }
}

/// `bytes` copied into a buffer from [`take`].
pub fn copy_of(bytes: &[u8]) -> Vec<u8> {
    let mut b = take(bytes.len());
    b.extend_from_slice(bytes);
    b
}

/// Keeps `buffer` for a later [`take`]; a full store lets its oldest buffers go first
/// (after a change of picture size they are the ones that no longer fit).
pub fn give(buffer: Vec<u8>) {
    let size = buffer.capacity();
    if size == 0 || size > MAX_BYTES {
        return;
    }
    let mut spare = locked(&SPARE);
    while spare.buffers.len() >= MAX_BUFFERS || spare.bytes + size > MAX_BYTES {
        if spare.buffers.is_empty() {
            return;
        }
        let old = spare.buffers.remove(0);
        spare.bytes -= old.capacity();
    }
    spare.bytes += size;
    spare.buffers.push(buffer);
}

/// Lets every kept buffer go (a player that stops leaves no picture memory behind).
pub fn release() {
    let mut spare = locked(&SPARE);
    spare.buffers = Vec::new();
    spare.bytes = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    // One test touches the shared store, so parallel tests cannot disturb its counts.
    #[test]
    fn reuses_buffers_that_fit_and_stays_bounded() {
        // A size no picture of another test asks for, so they cannot take it in between.
        let b = copy_of(&vec![7u8; 5_000_003]);
        let ptr = b.as_ptr();
        give(b);
        let again = take(5_000_000);
        assert_eq!(again.as_ptr(), ptr, "a fitting buffer is reused");
        assert!(again.is_empty());
        give(again);
        // Too big for a small request: a fresh buffer instead.
        let small = take(100);
        assert_ne!(small.as_ptr(), ptr);
        assert!(small.capacity() >= 100);

        for _ in 0..MAX_BUFFERS * 2 {
            give(vec![0u8; 1024]);
        }
        let spare = locked(&SPARE);
        assert!(spare.buffers.len() <= MAX_BUFFERS);
        assert!(spare.bytes <= MAX_BYTES);
        assert_eq!(
            spare.bytes,
            spare.buffers.iter().map(Vec::capacity).sum::<usize>()
        );
    }
}
