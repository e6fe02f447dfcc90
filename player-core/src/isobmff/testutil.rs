//! Builders for hand-made boxes in tests.

/// A plain box.
pub fn bx(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(payload);
    v
}

/// A full box (version + flags, then payload).
pub fn full(kind: &[u8; 4], version: u8, flags: u32, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![version];
    p.extend_from_slice(&flags.to_be_bytes()[1..]);
    p.extend_from_slice(payload);
    bx(kind, &p)
}

/// A uuid full box.
pub fn uuid_full(user_type: &[u8; 16], version: u8, payload: &[u8]) -> Vec<u8> {
    let mut p = user_type.to_vec();
    p.extend_from_slice(&[version, 0, 0, 0]);
    p.extend_from_slice(payload);
    bx(b"uuid", &p)
}

/// Big-endian u32 words as bytes.
pub fn words(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

/// Concatenation.
pub fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}
