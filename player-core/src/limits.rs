//! Size caps on everything read from the network, checked before allocating.

/// Largest client manifest accepted (bytes).
pub const MAX_MANIFEST_BYTES: usize = 64 * 1024 * 1024;
/// Most `c` chunks one StreamIndex may expand to (a 24 h DVR at 1 s fragments is 86 400).
pub const MAX_CHUNKS_PER_STREAM: u64 = 1_000_000;
/// Most `c` chunks all the StreamIndex elements of one manifest may expand to together.
pub const MAX_CHUNKS_PER_MANIFEST: u64 = 4_000_000;
/// Largest media fragment accepted (bytes).
pub const MAX_FRAGMENT_BYTES: usize = 64 * 1024 * 1024;
/// Most samples one track fragment may declare.
pub const MAX_SAMPLES_PER_FRAGMENT: u32 = 1_000_000;
/// Deepest box nesting followed.
pub const MAX_BOX_DEPTH: usize = 16;
