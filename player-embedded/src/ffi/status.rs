//! Status codes returned by every fallible call, their texts, and the panic guard that turns
//! a panic into `SP_ERR_INTERNAL` (or another fallback) at every entry point.

use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

use player_core::Error;
use player_core::net::NetError;

/// What a call did. `SP_OK` is 0; every other value is an error, described further by
/// `sp_player_last_error` when the call was made on a handle.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum sp_status {
    /// Success.
    SP_OK = 0,
    /// A required pointer argument was NULL.
    SP_ERR_NULL_POINTER = 1,
    /// A string argument (or a string in `sp_config`) was not valid UTF-8.
    SP_ERR_INVALID_UTF8 = 2,
    /// An argument or `sp_config` field is out of range or malformed (e.g. a header without ':').
    SP_ERR_INVALID_ARGUMENT = 3,
    /// The handle has no presentation open (never opened, or the last open failed).
    SP_ERR_NOT_OPEN = 4,
    /// `sp_player_open` / `sp_player_free` was called from inside a smoothplay callback.
    SP_ERR_IN_CALLBACK = 5,
    /// The manifest could not be fetched (connection, HTTP status, timeout, file not found).
    SP_ERR_NETWORK = 6,
    /// The manifest could not be parsed.
    SP_ERR_MANIFEST = 7,
    /// Not supported: a codec the player cannot decode, or a call this build cannot honour
    /// (`sp_player_go_live`).
    SP_ERR_UNSUPPORTED = 8,
    /// No stream matches: no playable stream in the presentation, or no stream of that name.
    SP_ERR_NO_STREAM = 9,
    /// `sp_player_next_video_frame`: no picture became due within the timeout.
    SP_ERR_TIMEOUT = 10,
    /// `sp_player_next_video_frame`: playback has ended, stopped or failed and every picture
    /// has been handed out.
    SP_ERR_ENDED = 11,
    /// `sp_player_next_video_frame` on a player opened without `SP_FLAG_PULL_VIDEO`.
    SP_ERR_NOT_PULL_MODE = 12,
    /// An internal failure (a thread could not start, or a bug was caught).
    SP_ERR_INTERNAL = 13,
}

impl sp_status {
    /// The constant's name, as in the header.
    pub fn text(self) -> &'static std::ffi::CStr {
        match self {
            sp_status::SP_OK => c"SP_OK",
            sp_status::SP_ERR_NULL_POINTER => c"SP_ERR_NULL_POINTER",
            sp_status::SP_ERR_INVALID_UTF8 => c"SP_ERR_INVALID_UTF8",
            sp_status::SP_ERR_INVALID_ARGUMENT => c"SP_ERR_INVALID_ARGUMENT",
            sp_status::SP_ERR_NOT_OPEN => c"SP_ERR_NOT_OPEN",
            sp_status::SP_ERR_IN_CALLBACK => c"SP_ERR_IN_CALLBACK",
            sp_status::SP_ERR_NETWORK => c"SP_ERR_NETWORK",
            sp_status::SP_ERR_MANIFEST => c"SP_ERR_MANIFEST",
            sp_status::SP_ERR_UNSUPPORTED => c"SP_ERR_UNSUPPORTED",
            sp_status::SP_ERR_NO_STREAM => c"SP_ERR_NO_STREAM",
            sp_status::SP_ERR_TIMEOUT => c"SP_ERR_TIMEOUT",
            sp_status::SP_ERR_ENDED => c"SP_ERR_ENDED",
            sp_status::SP_ERR_NOT_PULL_MODE => c"SP_ERR_NOT_PULL_MODE",
            sp_status::SP_ERR_INTERNAL => c"SP_ERR_INTERNAL",
        }
    }

    /// The status for an engine error from `open`.
    pub(crate) fn of(e: &Error) -> sp_status {
        match e {
            Error::Net(NetError::BadInput { .. }) => sp_status::SP_ERR_INVALID_ARGUMENT,
            Error::Net(_) => sp_status::SP_ERR_NETWORK,
            Error::Manifest(_) => sp_status::SP_ERR_MANIFEST,
            Error::Unsupported { .. } => sp_status::SP_ERR_UNSUPPORTED,
            Error::NoPlayableStream | Error::NoSuchStream { .. } => sp_status::SP_ERR_NO_STREAM,
            _ => sp_status::SP_ERR_INTERNAL,
        }
    }
}

/// A failure with the message `sp_player_last_error` gives for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub status: sp_status,
    pub message: String,
}

impl Failure {
    pub fn new(status: sp_status, message: impl Into<String>) -> Failure {
        Failure {
            status,
            message: message.into(),
        }
    }
}

/// Runs an entry point's body; a panic becomes `fallback` instead of unwinding into C.
pub(crate) fn guard<R>(fallback: R, f: impl FnOnce() -> R) -> R {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// The name of a status code ("SP_ERR_TIMEOUT"…); "SP_ERR_UNKNOWN" for a value that is none.
/// The string is static: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn sp_status_str(status: i32) -> *const c_char {
    guard(c"SP_ERR_INTERNAL".as_ptr(), || {
        let all = [
            sp_status::SP_OK,
            sp_status::SP_ERR_NULL_POINTER,
            sp_status::SP_ERR_INVALID_UTF8,
            sp_status::SP_ERR_INVALID_ARGUMENT,
            sp_status::SP_ERR_NOT_OPEN,
            sp_status::SP_ERR_IN_CALLBACK,
            sp_status::SP_ERR_NETWORK,
            sp_status::SP_ERR_MANIFEST,
            sp_status::SP_ERR_UNSUPPORTED,
            sp_status::SP_ERR_NO_STREAM,
            sp_status::SP_ERR_TIMEOUT,
            sp_status::SP_ERR_ENDED,
            sp_status::SP_ERR_NOT_PULL_MODE,
            sp_status::SP_ERR_INTERNAL,
        ];
        all.iter()
            .find(|s| **s as i32 == status)
            .map_or(c"SP_ERR_UNKNOWN", |s| s.text())
            .as_ptr()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_status_has_its_name() {
        // SAFETY: sp_status_str returns static NUL-terminated strings.
        let name = |v| unsafe { CStr::from_ptr(sp_status_str(v)) }.to_str().ok();
        assert_eq!(name(0), Some("SP_OK"));
        assert_eq!(name(10), Some("SP_ERR_TIMEOUT"));
        assert_eq!(name(13), Some("SP_ERR_INTERNAL"));
        assert_eq!(name(14), Some("SP_ERR_UNKNOWN"));
        assert_eq!(name(-1), Some("SP_ERR_UNKNOWN"));
    }

    #[test]
    fn open_errors_map_to_statuses() {
        let e = Error::Net(NetError::Status {
            url: "http://x/Manifest".into(),
            status: 404,
        });
        assert_eq!(sp_status::of(&e), sp_status::SP_ERR_NETWORK);
        assert_eq!(
            sp_status::of(&Error::NoPlayableStream),
            sp_status::SP_ERR_NO_STREAM
        );
    }
}
