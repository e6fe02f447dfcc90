//! Live latency against the true edge of the loopback origin (what its simulated encoder has
//! produced), for several live delays, against an origin whose manifest lists every fragment
//! and one that lags the edge by its look-ahead as IIS does. Prints a table: latency at the
//! start, in steady state (median, p95), after go-live from the live point, after a seek
//! back then go-live, the worst error of the reported latency, and rebuffers.
//!
//! `cargo run --release -p player-tests --bin latency-bench [-- --speed 4 --steady 30]`

use std::time::Duration;

use clap::Parser;
use player_core::player::{Command, Config, Player, Sinks, State};
use player_tests::origin::{LiveConfig, Origin, OriginConfig};
use player_tests::support::{CaptureAudio, CaptureVideo, LiveWatch, assets_dir, median, p95};

const FRAGMENT_S: f64 = 2.0;

/// Live latency benchmark.
#[derive(Parser)]
struct Args {
    /// Clock rate of the origin and the player (1 = real time).
    #[arg(long, default_value_t = 4.0)]
    speed: f64,
    /// Media seconds of steady state measured per run.
    #[arg(long, default_value_t = 30.0)]
    steady: f64,
    /// Live delays to measure, in fragments (2 s each).
    #[arg(long, value_delimiter = ',', default_value = "1.5,2,3,4")]
    delays: Vec<f64>,
}

/// One run's figures, seconds.
struct Row {
    start: f64,
    median: f64,
    p95: f64,
    go_live: f64,
    back_then_live: f64,
    report_error: f64,
    rebuffers: u64,
}

fn origin(iis: bool, speed: f64) -> anyhow::Result<Origin> {
    let live = LiveConfig {
        speed,
        manifest_lags: iis,
        preroll: Duration::from_secs(30),
        dvr_window: Some(Duration::from_secs(120)),
        time_base: 17_000_000_000_000_000,
        ..LiveConfig::default()
    };
    let config = OriginConfig {
        live: Some(live),
        ..OriginConfig::default()
    };
    Ok(Origin::start(assets_dir(), config)?)
}

fn open(o: &Origin, delay_s: f64, speed: f64) -> anyhow::Result<Player> {
    let sinks = Sinks {
        video: Box::new(CaptureVideo::default()),
        audio: Box::new(CaptureAudio::paced_at(speed)),
    };
    let config = Config {
        speed,
        live_delay: Some(Duration::from_secs_f64(delay_s)),
        max_bitrate: Some(800_000),
        ..Config::default()
    };
    Ok(Player::open(&o.url("demo/Manifest"), config, sinks)?)
}

/// Starts, plays `steady` s, goes live, seeks 12 s back, plays 6 s and goes live again.
fn run(iis: bool, delay_s: f64, args: &Args) -> anyhow::Result<Row> {
    let o = origin(iis, args.speed)?;
    let p = open(&o, delay_s, args.speed)?;
    let mut w = LiveWatch::default();
    let start = w.until_state(&o, &p, State::Playing);
    w.play_for(&o, &p, 6.0);
    let settled = w.latency.len();
    w.play_for(&o, &p, args.steady);
    let steady: Vec<f64> = w.latency[settled..].iter().map(|l| l.0).collect();
    let report_error = w.latency[settled..]
        .iter()
        .map(|(t, r)| (t - r).abs())
        .fold(0.0, f64::max);
    let go_live = live_again(&mut w, &o, &p);
    p.send(Command::SeekBy(-12.0));
    w.until_state(&o, &p, State::Playing);
    w.play_for(&o, &p, 6.0);
    let back_then_live = live_again(&mut w, &o, &p);
    w.play_for(&o, &p, 4.0);
    Ok(Row {
        start,
        median: median(&steady),
        p95: p95(&steady),
        go_live,
        back_then_live,
        report_error,
        rebuffers: p.summary().rebuffers,
    })
}

/// Goes live; the true latency once playing again.
fn live_again(w: &mut LiveWatch, o: &Origin, p: &Player) -> f64 {
    p.go_live();
    w.until(o, p, |e, _| {
        matches!(e, player_core::player::Event::Seek { .. })
    });
    w.until_state(o, p, State::Playing)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    println!(
        "live latency vs the true edge, seconds (2 s fragments, look-ahead 2, clock x{}, {} s steady)",
        args.speed, args.steady
    );
    println!(
        "{:<8} {:>7} {:>6} {:>6} {:>7} {:>6} {:>8} {:>10} {:>10} {:>9}",
        "origin",
        "delay",
        "start",
        "median",
        "p95",
        "live",
        "back+live",
        "report_err",
        "rebuffers",
        "ok"
    );
    for iis in [false, true] {
        for &fragments in &args.delays {
            let delay = fragments * FRAGMENT_S;
            let r = run(iis, delay, &args)?;
            let ok = r.start <= delay + 1.0
                && r.p95 <= delay + 1.0
                && r.go_live <= delay + 1.0
                && r.back_then_live <= delay + 1.0;
            println!(
                "{:<8} {:>4.1} fr {:>6.2} {:>6.2} {:>7.2} {:>6.2} {:>8.2} {:>10.2} {:>10} {:>9}",
                if iis { "iis" } else { "eager" },
                fragments,
                r.start,
                r.median,
                r.p95,
                r.go_live,
                r.back_then_live,
                r.report_error,
                r.rebuffers,
                if ok { "yes" } else { "NO" }
            );
        }
    }
    Ok(())
}
