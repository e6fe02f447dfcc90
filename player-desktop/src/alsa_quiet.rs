//! ALSA's C library prints its own errors straight to stderr (`ALSA lib confmisc.c:…
//! cannot find card '0'`) while cpal looks for a sound device, before smoothplay can say
//! anything. Unless `SMOOTHPLAY_LOG` asks for dependency logs, its error handler is replaced
//! by one that says nothing; smoothplay still reports a missing device in its own words.

/// Silences ALSA's error messages unless `SMOOTHPLAY_LOG` is set. Call before any audio
/// device is opened.
pub fn silence_unless_verbose() {
    if !player_embedded::logging::verbose() {
        imp::silence();
    }
}

#[cfg(target_os = "linux")]
mod imp {
    use std::ffi::{c_char, c_int};

    /// `snd_lib_error_handler_t` is variadic in C. A handler that reads only the fixed
    /// arguments is called correctly by the C calling conventions of Linux (x86-64 SysV,
    /// AAPCS64), and this one reads none of them.
    type Handler = unsafe extern "C" fn(*const c_char, c_int, *const c_char, c_int, *const c_char);

    #[link(name = "asound")]
    unsafe extern "C" {
        fn snd_lib_error_set_handler(handler: Option<Handler>) -> c_int;
    }

    unsafe extern "C" fn quiet(
        _file: *const c_char,
        _line: c_int,
        _function: *const c_char,
        _err: c_int,
        _fmt: *const c_char,
    ) {
    }

    pub fn silence() {
        // SAFETY: sets a process-wide function pointer in libasound; `quiet` lives for the
        // whole program and touches nothing.
        unsafe {
            snd_lib_error_set_handler(Some(quiet));
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    pub fn silence() {}
}
