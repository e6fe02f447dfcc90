//! `smoothplay-origin DIR [--port P] [--clearkey KID:KEY]… [--clearkey-refuse STATUS]`: serves
//! a presentation directory on 127.0.0.1, with a ClearKey license endpoint at `POST /clearkey`.

use clap::Parser;
use player_tests::abrsim::trace::{Trace, TraceFormat};
use player_tests::key_text::parse_key_arg;
use player_tests::origin::{ClearKeyConfig, LiveConfig, Origin, OriginConfig, TlsIdentity};

/// Serves Smooth Streaming presentations over HTTP on 127.0.0.1 for testing smoothplay.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Directory to serve (its subdirectories are presentations: DIR/demo/Manifest …).
    dir: std::path::PathBuf,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Serve every presentation as a simulated live stream.
    #[arg(long)]
    live: bool,
    /// Live: media seconds produced per second (a faster test clock above 1).
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// Live: DVR window in seconds (0 = infinite).
    #[arg(long, default_value_t = 120.0)]
    dvr: f64,
    /// Live: tfrf look-ahead fragments (LookAheadFragmentCount; 0 = no tfrf).
    #[arg(long, default_value_t = 2)]
    lookahead: u32,
    /// Live: behave as IIS does — the manifest leaves out the newest fragments, lagging the
    /// edge by the look-ahead count (the tfrf of each fragment still names what exists).
    #[arg(long)]
    iis_lookahead: bool,
    /// Live: timestamp base in ticks, or `wallclock` (now, in 100-ns units since 1970).
    #[arg(long, default_value = "0")]
    time_base: String,
    /// Live: media that already exists at start, seconds.
    #[arg(long, default_value_t = 10.0)]
    preroll: f64,
    /// Live: play the content once instead of looping it.
    #[arg(long)]
    no_loop: bool,
    /// Live: an encoder gap FROM..TO seconds, optionally on some levels only (@BITRATE,…).
    #[arg(long, value_parser = player_tests::origin::parse_gap)]
    gap: Vec<player_tests::origin::Gap>,
    /// Live: end the event at this media time (seconds); the manifest then drops IsLive.
    #[arg(long)]
    end_at: Option<f64>,
    /// Shape the bandwidth by a trace file (`time_s Mbit/s` lines, Sabre JSON or Oboe pairs), looped.
    #[arg(long)]
    rate_trace: Option<std::path::PathBuf>,
    /// Inject faults, e.g. `error=0.1,reset=0.05,truncate=0.05,stall=0.02,stall-for=3,seed=7`.
    #[arg(long, value_parser = player_tests::origin::parse_faults)]
    faults: Option<player_tests::origin::FaultConfig>,
    /// A key the ClearKey endpoint (POST /clearkey) hands out, KID:KEY; repeatable.
    #[arg(long = "clearkey", value_name = "KID:KEY")]
    clearkey: Vec<String>,
    /// Answer every ClearKey request with this HTTP status instead (e.g. 403).
    #[arg(long, value_name = "STATUS")]
    clearkey_refuse: Option<u16>,
    /// Send manifests gzip-compressed to clients that accept it, as IIS does.
    #[arg(long)]
    gzip: bool,
    /// Serve HTTPS with this certificate chain (PEM; needs --tls-key).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
}

fn tls_identity(a: &Args) -> anyhow::Result<Option<TlsIdentity>> {
    let (Some(cert), Some(key)) = (&a.tls_cert, &a.tls_key) else {
        return Ok(None);
    };
    Ok(Some(TlsIdentity {
        cert_chain_pem: std::fs::read_to_string(cert)?,
        key_pem: std::fs::read_to_string(key)?,
    }))
}

fn live_config(a: &Args) -> anyhow::Result<LiveConfig> {
    let secs = |v: f64| std::time::Duration::try_from_secs_f64(v);
    let time_base = if a.time_base == "wallclock" {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
        u64::try_from(since.as_nanos() / 100)?
    } else {
        a.time_base.parse()?
    };
    Ok(LiveConfig {
        speed: a.speed,
        dvr_window: if a.dvr > 0.0 {
            Some(secs(a.dvr)?)
        } else {
            None
        },
        lookahead: a.lookahead,
        manifest_lags: a.iis_lookahead,
        time_base,
        loop_content: !a.no_loop,
        preroll: secs(a.preroll)?,
        gaps: a.gap.clone(),
        end_at: a.end_at.map(secs).transpose()?,
    })
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
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
        clearkey.keys.push((kid, key));
    }
    clearkey.refuse_with = args.clearkey_refuse;
    let live = if args.live {
        Some(live_config(&args)?)
    } else {
        None
    };
    let config = OriginConfig {
        port: args.port,
        clearkey,
        live,
        faults: args.faults.clone(),
        rate_trace: args
            .rate_trace
            .as_ref()
            .map(|p| Trace::load(p, TraceFormat::Auto))
            .transpose()?,
        tls: tls_identity(&args)?,
        compress_manifests: args.gzip,
    };
    let origin = Origin::start(&args.dir, config)?;
    println!("serving {} on {}", args.dir.display(), origin.url(""));
    loop {
        std::thread::park();
    }
}
