//! `smoothplay-origin DIR [--port P]`: serves a presentation directory on 127.0.0.1.

use clap::Parser;
use player_tests::origin::{Origin, OriginConfig};

/// Serves Smooth Streaming presentations over HTTP on 127.0.0.1 for testing smoothplay.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Directory to serve (its subdirectories are presentations: DIR/demo/Manifest …).
    dir: std::path::PathBuf,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    anyhow::ensure!(
        args.dir.is_dir(),
        "{} is not a directory",
        args.dir.display()
    );
    let origin = Origin::start(&args.dir, OriginConfig { port: args.port })?;
    println!(
        "serving {} on http://{}/",
        args.dir.display(),
        origin.addr()
    );
    loop {
        std::thread::park();
    }
}
