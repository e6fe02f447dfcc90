//! `smoothplay [URL|PATH]`: plays a Smooth Streaming presentation (the bundled demo by default).

use clap::Parser;
use player_embedded::headless::{PlayArgs, parse_time, run_play};

/// Smooth Streaming player. Without an argument, plays the bundled demo.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Manifest URL (http/https), presentation directory, or manifest file.
    input: Option<String>,
    /// Start position (seconds, or [hh:]mm:ss).
    #[arg(long, value_parser = parse_time)]
    start: Option<std::time::Duration>,
    /// Highest video bitrate to use, bits/s.
    #[arg(long)]
    max_bitrate: Option<u64>,
    /// Play without a window, with a one-line status in the terminal.
    #[arg(long)]
    headless: bool,
    /// Write one JSON object per event per line to FILE, or to stdout with `-`.
    #[arg(long)]
    events: Option<String>,
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SMOOTHPLAY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let input = args
        .input
        .unwrap_or_else(|| player_desktop::demo_path().display().to_string());
    // The window arrives with the desktop shell; until then every run is headless.
    if !args.headless {
        eprintln!("smoothplay: no window support in this build: playing headless");
    }
    let play = PlayArgs {
        input,
        start: args.start,
        max_bitrate: args.max_bitrate,
        events: args.events,
        ..PlayArgs::default()
    };
    std::process::exit(run_play(&play));
}
