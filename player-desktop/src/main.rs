//! `smoothplay [URL|PATH]`: plays a Smooth Streaming presentation (the bundled demo by default)
//! in a window, or headless when no display can be used.

use std::time::Instant;

use clap::Parser;
use player_desktop::app::{self, Outcome};
use player_desktop::args::Args;
use player_embedded::headless::{PlayArgs, run_play};

fn main() {
    let launched = Instant::now();
    player_embedded::logging::init();
    player_desktop::alsa_quiet::silence_unless_verbose();
    let args = Args::parse();
    let config = match args.config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("smoothplay: {e}");
            std::process::exit(2);
        }
    };
    let why = if args.headless {
        None
    } else if !player_desktop::display_available() {
        Some("no display (DISPLAY and WAYLAND_DISPLAY are not set)".to_string())
    } else {
        match app::run(args.clone(), config.clone(), launched) {
            Outcome::Exit(code) => std::process::exit(code),
            Outcome::Headless(why) => Some(why),
        }
    };
    if let Some(why) = why {
        eprintln!("smoothplay: {why}: playing headless");
    }
    let play = PlayArgs {
        input: args.input_or_demo(),
        start: args.start,
        max_bitrate: args.max_bitrate,
        events: args.events.clone(),
        keys: args.key_args.clone(),
        net: args.net.clone(),
        captions: args.captions,
        ..PlayArgs::default()
    };
    std::process::exit(run_play(&play));
}
