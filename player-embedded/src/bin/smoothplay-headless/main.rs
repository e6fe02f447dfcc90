//! `smoothplay-headless`: plays or probes Smooth Streaming presentations without a window.

use clap::{Parser, Subcommand};
use player_embedded::headless::{PlayArgs, run_play};

/// Headless Smooth Streaming player and probe.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Play a presentation with null or file sinks; prints a QoE summary at the end.
    Play(PlayArgs),
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SMOOTHPLAY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let code = match cli.command {
        Cmd::Play(args) => run_play(&args),
    };
    std::process::exit(code);
}
