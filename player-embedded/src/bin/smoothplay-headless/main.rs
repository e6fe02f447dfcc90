//! `smoothplay-headless`: plays, probes or makes thumbnails of Smooth Streaming presentations
//! without a window.

use clap::{Parser, Subcommand};
use player_core::net::load_markers;
use player_embedded::headless::{PlayArgs, ThumbsArgs, run_play, run_thumbs};
use player_embedded::net_args::NetArgs;
use player_embedded::probe::{render_json, render_text, summarize_for, with_markers};

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
    Play(Box<PlayArgs>),
    /// Show what a manifest holds: streams, quality levels, codecs, duration, live/DVR, protection.
    Probe {
        /// Manifest URL (http/https), presentation directory, or manifest file.
        input: String,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
        /// Report what these decoders can play: auto, openh264 or libav.
        #[arg(long, default_value = "auto")]
        decoder: player_core::decode::Backend,
        /// Trusted roots and proxy.
        #[command(flatten)]
        net: NetArgs,
    },
    /// Write a PNG thumbnail every S seconds (on live, over the DVR window) and a contact sheet.
    Thumbs(Box<ThumbsArgs>),
}

fn probe(input: &str, json: bool, decoder: player_core::decode::Backend, net: &NetArgs) -> i32 {
    let Some(codecs) = decoder.support() else {
        eprintln!("smoothplay-headless: this build has no {decoder} decoder");
        return 2;
    };
    let (manifest, markers) = match load_markers(input, net.fetch_config()) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("smoothplay-headless: {e}");
            return 1;
        }
    };
    let report = with_markers(
        summarize_for(&manifest, input, &codecs),
        &manifest,
        &markers,
    );
    if json {
        match render_json(&report) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("smoothplay-headless: {e}");
                return 1;
            }
        }
    } else {
        print!("{}", render_text(&report));
    }
    0
}

fn main() {
    player_embedded::logging::init();
    let cli = Cli::parse();
    let code = match cli.command {
        Cmd::Play(args) => run_play(&args),
        Cmd::Probe {
            input,
            json,
            decoder,
            net,
        } => probe(&input, json, decoder, &net),
        Cmd::Thumbs(args) => run_thumbs(&args),
    };
    std::process::exit(code);
}
