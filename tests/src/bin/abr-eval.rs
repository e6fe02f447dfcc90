//! `abr-eval`: trace-driven comparison of ABR algorithms, and a JSON-lines driver for ours.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use player_core::abr::AbrConfig;
use player_tests::abrsim::eval::{self, EvalOptions};
use player_tests::abrsim::session::{Mode, SimConfig};
use player_tests::abrsim::trace::{Trace, TraceFormat};
use player_tests::abrsim::video::Video;
use player_tests::abrsim::{algos, optimal, stdio};

#[derive(Parser)]
#[command(name = "abr-eval", about = "Trace-driven ABR evaluation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct RunArgs {
    /// Video description: Sabre JSON, per-level JSON, or a folder of video_size_N files.
    #[arg(long)]
    video: PathBuf,
    /// Folder of trace files.
    #[arg(long)]
    traces: PathBuf,
    /// Comma-separated algorithms: ours, throughput, bba, bola, robustmpc, optimal.
    #[arg(
        long,
        default_value = "ours,throughput,bba,bola,robustmpc,optimal",
        value_delimiter = ','
    )]
    algo: Vec<String>,
    /// Simulation mode.
    #[arg(long, value_enum, default_value = "compat")]
    mode: Mode,
    /// Per-trace rows instead of the summary table.
    #[arg(long)]
    tsv: bool,
    /// Per-chunk rows (level, download, stall, buffer) instead of the summary table.
    #[arg(long)]
    chunks: bool,
    /// Only traces whose file name contains this text.
    #[arg(long)]
    only: Option<String>,
    /// Trace format.
    #[arg(long, value_enum, default_value = "auto")]
    trace_format: TraceFormat,
    /// Multiply every trace's bandwidth (e.g. 0.15 for the Belgium 4G logs).
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Seed of the realistic mode's ±10 % noise.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Buffer cap (seconds).
    #[arg(long, default_value_t = 60.0)]
    buffer_cap: f64,
    /// Bitrates for a folder of video_size_N files (kbit/s, comma-separated).
    #[arg(long, value_delimiter = ',')]
    bitrates_kbps: Vec<u64>,
    /// Chunk duration for a folder of video_size_N files (seconds).
    #[arg(long, default_value_t = 4.0)]
    chunk_s: f64,
    /// Buffer bin of the offline optimum (seconds).
    #[arg(long, default_value_t = optimal::DEFAULT_BIN_S)]
    optimal_bin: f64,
    /// Only every other trace: `even` (0, 2, …) or `odd` (1, 3, …), for cross-validation.
    #[arg(long)]
    half: Option<String>,
    /// Worker threads.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Override of our configuration, `key=value` (repeatable), e.g. buffer_value=0.8.
    #[arg(long)]
    ours: Vec<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Runs algorithms over every trace of a folder and prints the comparison table.
    Run(Box<RunArgs>),
    /// Drives our heuristic over stdin/stdout, one JSON object per line.
    Stdio,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Stdio => serve_stdio(),
        Command::Run(args) => match run(*args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        },
    }
}

/// `abr-eval stdio`.
fn serve_stdio() -> ExitCode {
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    match stdio::serve(stdin, stdout, std::io::stderr()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("abr-eval stdio: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints `message` and gives the exit code: 2 for bad options, 1 for unusable inputs.
fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("abr-eval: {message}");
    ExitCode::from(code)
}

/// `abr-eval run`: evaluates the algorithms over the traces and prints the results.
fn run(args: RunArgs) -> Result<(), ExitCode> {
    let ours = ours_config(&args.ours)?;
    check_algorithms(&args.algo)?;
    let bitrates: Vec<u64> = args.bitrates_kbps.iter().map(|k| k * 1000).collect();
    let video = Video::load(
        &args.video,
        (!bitrates.is_empty()).then_some(&bitrates[..]),
        args.chunk_s,
    )
    .map_err(|e| fail(1, e))?;
    let list = select_traces(&args)?;
    let list = eval::noisy(list, args.mode, args.seed);
    let opts = EvalOptions {
        sim: SimConfig {
            buffer_cap_s: args.buffer_cap,
            ..SimConfig::new(args.mode)
        },
        algos: args.algo.clone(),
        optimal_bin_s: args.optimal_bin,
        threads: args.threads,
        ours,
    };
    let results = eval::evaluate(&video, &list, &opts);
    if args.chunks {
        print!("{}", eval::chunk_tsv(&video, &results));
    } else if args.tsv {
        print!("{}", eval::tsv(&results));
    } else {
        println!(
            "mode {:?}, {} traces from {} (scale {}), video {} chunks x {} levels; vs_opt = mean QoE / optimum's mean QoE",
            args.mode,
            list.len(),
            args.traces.display(),
            args.scale,
            video.chunks(),
            video.levels()
        );
        print!("{}", eval::table(&eval::summarize(&results)));
    }
    Ok(())
}

/// Our configuration with the `--ours key=value` overrides applied.
fn ours_config(overrides: &[String]) -> Result<AbrConfig, ExitCode> {
    let mut cfg = AbrConfig::default();
    for spec in overrides {
        algos::apply_override(&mut cfg, spec).map_err(|e| fail(2, e))?;
    }
    Ok(cfg)
}

/// Refuses an unknown algorithm name.
fn check_algorithms(names: &[String]) -> Result<(), ExitCode> {
    match names
        .iter()
        .find(|a| *a != "optimal" && algos::by_name(a).is_none())
    {
        Some(a) => Err(fail(
            2,
            format!(
                "unknown algorithm {a:?} (known: {}, optimal)",
                algos::ONLINE.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

/// The traces of `--traces`, kept per `--half` and `--only`; an error when none is left.
fn select_traces(args: &RunArgs) -> Result<Vec<Trace>, ExitCode> {
    let mut list =
        eval::load_traces(&args.traces, args.trace_format, args.scale).map_err(|e| fail(1, e))?;
    match args.half.as_deref() {
        None => {}
        Some(h @ ("even" | "odd")) => {
            let keep = usize::from(h == "odd");
            list = list
                .into_iter()
                .enumerate()
                .filter(|(i, _)| i % 2 == keep)
                .map(|(_, t)| t)
                .collect();
        }
        Some(other) => return Err(fail(2, format!("--half takes even or odd, not {other:?}"))),
    }
    if let Some(o) = &args.only {
        list.retain(|t| t.name.contains(o.as_str()));
    }
    if list.is_empty() {
        return Err(fail(1, format!("no traces in {}", args.traces.display())));
    }
    Ok(list)
}
