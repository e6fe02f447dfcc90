//! Where log lines go: by default only smoothplay's own warnings and errors reach the
//! terminal; `SMOOTHPLAY_LOG` (an `EnvFilter` directive such as `debug` or
//! `rustls=trace,player_core=debug`) opens everything, dependencies included.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The environment variable that chooses what is logged.
pub const LOG_ENV: &str = "SMOOTHPLAY_LOG";

/// smoothplay's own crates at `warn`, every dependency (TLS verifier, window system…) off.
pub const DEFAULT_FILTER: &str = "off,player_core=warn,player_embedded=warn,player_desktop=warn,\
                                  smoothplay=warn,smoothplay_headless=warn";

/// The filter in force: `SMOOTHPLAY_LOG` when it is set and valid, else [`DEFAULT_FILTER`].
pub fn filter() -> EnvFilter {
    match std::env::var(LOG_ENV) {
        Ok(v) if !v.trim().is_empty() => {
            EnvFilter::try_new(&v).unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER))
        }
        _ => EnvFilter::new(DEFAULT_FILTER),
    }
}

/// Whether the user asked for logs (then dependencies may speak, ALSA included).
pub fn verbose() -> bool {
    std::env::var_os(LOG_ENV).is_some_and(|v| !v.is_empty())
}

/// Sends log lines to stderr (coloured only on a terminal) through [`filter`]; also takes
/// in the `log` records of dependencies. Call once, first thing in `main`.
pub fn init() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_filter_lets_only_our_crates_speak() {
        let f = DEFAULT_FILTER.to_string();
        assert!(f.starts_with("off,"), "{f}");
        for own in [
            "player_core=warn",
            "smoothplay_headless=warn",
            "player_desktop=warn",
        ] {
            assert!(f.contains(own), "{own} missing from {f}");
        }
        assert!(EnvFilter::try_new(DEFAULT_FILTER).is_ok());
    }
}
