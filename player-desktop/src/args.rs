//! The `smoothplay` command line, and the player settings and keys it asks for.

use std::time::Duration;

use player_core::player::{Config, Keys};
use player_embedded::headless::parse_time;
use player_embedded::keys::{KeyArgs, KeysError, provider_from_args_with};
use player_embedded::net_args::NetArgs;

use crate::controls::KEY_HELP;

/// Smooth Streaming player. Without an argument, plays the bundled demo.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "smoothplay", version, about, after_help = KEY_HELP)]
pub struct Args {
    /// Manifest URL (http/https), presentation directory, or manifest file.
    pub input: Option<String>,
    /// Start position (seconds, or [hh:]mm:ss).
    #[arg(long, value_parser = parse_time)]
    pub start: Option<Duration>,
    /// Content keys for protected streams (--key, --key-seed, --license-url).
    #[command(flatten)]
    pub key_args: KeyArgs,
    /// Highest video bitrate to use, bits/s.
    #[arg(long, value_name = "BPS")]
    pub max_bitrate: Option<u64>,
    /// Start in fullscreen.
    #[arg(long)]
    pub fullscreen: bool,
    /// Initial volume, 0-100 (%).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub volume: u8,
    /// Show captions from the start (C toggles them).
    #[arg(long)]
    pub captions: bool,
    /// Play without a window, with a one-line status in the terminal.
    #[arg(long)]
    pub headless: bool,
    /// Write one JSON object per event per line to FILE, or to stdout with `-`.
    #[arg(long, value_name = "FILE")]
    pub events: Option<String>,
    /// Decoders: auto (hardware, then libav, then openh264), openh264 or libav.
    #[arg(long, default_value = "auto")]
    pub decoder: player_core::decode::Backend,
    /// Video decoding threads (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub decode_threads: Option<u16>,
    /// Trusted roots (--ca-file) and proxy (--proxy).
    #[command(flatten)]
    pub net: NetArgs,
}

impl Args {
    /// The input to play: the argument, or the bundled demo.
    pub fn input_or_demo(&self) -> String {
        self.input
            .clone()
            .unwrap_or_else(|| crate::demo_path().display().to_string())
    }

    /// The key providers asked for, in the order they are tried: `--key`s, the key seed, the
    /// license server. `None` when no key option was given.
    pub fn keys(&self) -> Result<Option<Keys>, KeysError> {
        provider_from_args_with(&self.key_args, &self.net.fetch_config())
    }

    /// The player settings these options ask for.
    pub fn config(&self) -> Result<Config, KeysError> {
        Ok(Config {
            start: self.start,
            max_bitrate: self.max_bitrate,
            keys: self.keys()?,
            captions: self.captions,
            decoder: self.decoder,
            decode_threads: self.decode_threads.map(usize::from),
            fetch: self.net.fetch_config(),
            ..Config::default()
        })
    }

    /// The initial volume as a gain (0.0-1.0).
    pub fn gain(&self) -> f32 {
        f32::from(self.volume) / 100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[test]
    fn help_lists_options_and_keys() {
        let help = Args::command().render_help().to_string();
        for opt in [
            "--start",
            "--key",
            "--key-seed",
            "--license-url",
            "--max-bitrate",
            "--fullscreen",
            "--volume",
            "--headless",
            "--events",
            "--captions",
            "--ca-file",
            "--proxy",
        ] {
            assert!(help.contains(opt), "{opt} missing from help");
        }
        for key in ["Space", "Left/Right", "Esc", "stats"] {
            assert!(help.contains(key), "{key} missing from help");
        }
    }

    #[test]
    fn keys_build_a_provider_chain_and_bad_keys_are_named() {
        let args = Args::try_parse_from([
            "smoothplay",
            "--key",
            "00112233445566778899aabbccddeeff:000102030405060708090a0b0c0d0e0f",
            "--key-seed",
            "XVBovsmzhP9gRIZxWfFta3VVRPzVEWmJsazEJ46I",
        ])
        .expect("args");
        assert!(args.keys().expect("keys").is_some());
        let none = Args::try_parse_from(["smoothplay"]).expect("args");
        assert!(none.keys().expect("keys").is_none());
        let bad =
            Args::try_parse_from(["smoothplay", "--key", "a:b", "--key", "nocolon"]).expect("args");
        let e = bad.keys().expect_err("bad key").to_string();
        assert!(e.starts_with("--key"), "{e}");
        let seed = Args::try_parse_from(["smoothplay", "--key-seed", "abcd"]).expect("args");
        assert!(seed.keys().is_err());
    }

    #[test]
    fn volume_is_a_percentage() {
        let a = Args::try_parse_from(["smoothplay", "--volume", "40"]).expect("args");
        assert!((a.gain() - 0.4).abs() < 1e-6);
        assert!(Args::try_parse_from(["smoothplay", "--volume", "140"]).is_err());
        let d = Args::try_parse_from(["smoothplay", "x", "--start", "1:30"]).expect("args");
        assert_eq!(d.start, Some(Duration::from_secs(90)));
        assert_eq!(d.input_or_demo(), "x");
    }
}
