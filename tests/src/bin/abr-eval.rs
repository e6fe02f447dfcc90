//! `abr-eval`: trace-driven comparison of ABR algorithms, and a JSON-lines driver for ours.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use player_tests::abrsim::eval::{self, EvalOptions};
use player_tests::abrsim::session::{Mode, SimConfig};
use player_tests::abrsim::trace::TraceFormat;
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
    let cli = Cli::parse();
    match cli.command {
        Command::Stdio => {
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
        Command::Run(args) => {
            let RunArgs {
                video,
                traces,
                algo,
                mode,
                tsv,
                chunks,
                only,
                trace_format,
                scale,
                seed,
                buffer_cap,
                bitrates_kbps,
                chunk_s,
                optimal_bin,
                half,
                threads,
                ours,
            } = *args;
            let mut ours_cfg = player_core::abr::AbrConfig::default();
            for spec in &ours {
                if let Err(e) = algos::apply_override(&mut ours_cfg, spec) {
                    eprintln!("abr-eval: {e}");
                    return ExitCode::from(2);
                }
            }
            for a in &algo {
                if a != "optimal" && algos::by_name(a).is_none() {
                    eprintln!(
                        "abr-eval: unknown algorithm {a:?} (known: {}, optimal)",
                        algos::ONLINE.join(", ")
                    );
                    return ExitCode::from(2);
                }
            }
            let bitrates: Vec<u64> = bitrates_kbps.iter().map(|k| k * 1000).collect();
            let video = match Video::load(
                &video,
                (!bitrates.is_empty()).then_some(&bitrates[..]),
                chunk_s,
            ) {
                Ok(v) => v,
                Err(e) => {
                    eprintln!("abr-eval: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let mut list = match eval::load_traces(&traces, trace_format, scale) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("abr-eval: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match half.as_deref() {
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
                Some(other) => {
                    eprintln!("abr-eval: --half takes even or odd, not {other:?}");
                    return ExitCode::from(2);
                }
            }
            if let Some(o) = &only {
                list.retain(|t| t.name.contains(o.as_str()));
            }
            if list.is_empty() {
                eprintln!("abr-eval: no traces in {}", traces.display());
                return ExitCode::FAILURE;
            }
            let list = eval::noisy(list, mode, seed);
            let opts = EvalOptions {
                sim: SimConfig {
                    buffer_cap_s: buffer_cap,
                    ..SimConfig::new(mode)
                },
                algos: algo,
                optimal_bin_s: optimal_bin,
                threads,
                ours: ours_cfg,
            };
            let results = eval::evaluate(&video, &list, &opts);
            if chunks {
                print!("{}", eval::chunk_tsv(&video, &results));
            } else if tsv {
                print!("{}", eval::tsv(&results));
            } else {
                println!(
                    "mode {mode:?}, {} traces from {} (scale {scale}), video {} chunks x {} levels; vs_opt = mean QoE / optimum's mean QoE",
                    list.len(),
                    traces.display(),
                    video.chunks(),
                    video.levels()
                );
                print!("{}", eval::table(&eval::summarize(&results)));
            }
            ExitCode::SUCCESS
        }
    }
}
