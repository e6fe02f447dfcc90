//! What the origin was asked for, kept for tests to inspect.

use std::sync::{Arc, Mutex};

/// One request the origin answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// The request path (percent-decoded).
    pub path: String,
    /// The status sent back.
    pub status: u16,
    /// Body bytes sent.
    pub bytes: u64,
    /// The fault injected into the answer.
    pub fault: super::Fault,
    /// The request's `Accept-Encoding`, when it had one.
    pub accept_encoding: Option<String>,
    /// The answer's `Content-Encoding` (`bytes` then counts the compressed body).
    pub content_encoding: Option<&'static str>,
}

impl RequestRecord {
    /// Whether this was a manifest request.
    pub fn is_manifest(&self) -> bool {
        self.path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.eq_ignore_ascii_case("manifest"))
    }
}

/// A shared, append-only log of requests.
#[derive(Debug, Clone, Default)]
pub struct RequestLog(Arc<Mutex<Vec<RequestRecord>>>);

impl RequestLog {
    /// Appends a record.
    pub fn push(&self, r: RequestRecord) {
        if let Ok(mut v) = self.0.lock() {
            v.push(r);
        }
    }

    /// A copy of all records so far.
    pub fn records(&self) -> Vec<RequestRecord> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// How many manifest requests were answered.
    pub fn manifest_requests(&self) -> usize {
        self.records().iter().filter(|r| r.is_manifest()).count()
    }
}
