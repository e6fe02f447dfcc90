//! `smoothplay-origin DIR [--port P] [--clearkey KID:KEY]… [--clearkey-refuse STATUS]`: serves
//! a presentation directory on 127.0.0.1, with a ClearKey license endpoint at `POST /clearkey`.

use clap::Parser;
use player_core::decrypt::parse_key_arg;
use player_tests::origin::{ClearKeyConfig, Origin, OriginConfig};

/// Serves Smooth Streaming presentations over HTTP on 127.0.0.1 for testing smoothplay.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Directory to serve (its subdirectories are presentations: DIR/demo/Manifest …).
    dir: std::path::PathBuf,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// A key the ClearKey endpoint (POST /clearkey) hands out, KID:KEY; repeatable.
    #[arg(long = "clearkey", value_name = "KID:KEY")]
    clearkey: Vec<String>,
    /// Answer every ClearKey request with this HTTP status instead (e.g. 403).
    #[arg(long, value_name = "STATUS")]
    clearkey_refuse: Option<u16>,
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
    let mut clearkey = ClearKeyConfig::default();
    for arg in &args.clearkey {
        let (kid, key) = parse_key_arg(arg).map_err(|e| anyhow::anyhow!("--clearkey: {e}"))?;
        clearkey.keys.push((kid, *key.expose_secret()));
    }
    clearkey.refuse_with = args.clearkey_refuse;
    let config = OriginConfig {
        port: args.port,
        clearkey,
    };
    let origin = Origin::start(&args.dir, config)?;
    println!(
        "serving {} on http://{}/",
        args.dir.display(),
        origin.addr()
    );
    loop {
        std::thread::park();
    }
}
