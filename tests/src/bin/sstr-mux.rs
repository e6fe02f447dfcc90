//! sstr-mux: writes an on-demand Smooth Streaming presentation of one audio stream from an
//! AC-3 / E-AC-3 elementary stream or a WAV file of WMA packets (ffmpeg's smoothstreaming
//! muxer refuses these codecs).
//!
//! `sstr-mux --format ac3|eac3|wma INPUT OUT_DIR [--channels N] [--samples N] [--bitrate B]`
//! `sstr-mux markers DIR`: adds the demo's sparse SCMD and CHAP streams to the presentation
//! in DIR, and writes DIR/markers.json.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};
use player_tests::sstr_mux::{frames, sparse, write};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    /// AC-3 elementary stream (ffmpeg `-f ac3`).
    Ac3,
    /// E-AC-3 elementary stream (ffmpeg `-f eac3`).
    Eac3,
    /// WAV holding WMA packets (ffmpeg `-c:a wmav2 -f wav`).
    Wma,
}

/// Muxes encoded audio into a Smooth Streaming presentation, or adds sparse streams to one.
#[derive(Parser, Debug)]
#[command(name = "sstr-mux", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
    #[command(flatten)]
    audio: Option<Args>,
}

#[derive(Subcommand, Debug)]
enum Sub {
    /// Adds the demo's sparse SCMD (ad break, URL) and CHAP (chapters) streams to DIR.
    Markers { dir: PathBuf },
}

#[derive(ClapArgs, Debug)]
struct Args {
    #[arg(long, value_enum)]
    format: Format,
    /// Channels the manifest announces (AC-3 / E-AC-3).
    #[arg(long, default_value_t = 2)]
    channels: u16,
    /// Samples per WMA packet.
    #[arg(long, default_value_t = 2048)]
    samples: u32,
    /// The QualityLevel's bitrate (bits/s).
    #[arg(long)]
    bitrate: u64,
    /// Stream name (in the manifest and the fragment URLs).
    #[arg(long, default_value = "audio")]
    name: String,
    /// Fragment length in seconds.
    #[arg(long, default_value_t = 2)]
    fragment: u32,
    input: PathBuf,
    out: PathBuf,
}

fn main() -> Result<()> {
    let a = match Cli::parse() {
        Cli {
            command: Some(Sub::Markers { dir }),
            ..
        } => return sparse::add_markers(&dir),
        Cli { audio: Some(a), .. } => a,
        Cli { .. } => anyhow::bail!("sstr-mux: give --format … INPUT OUT, or `markers DIR`"),
    };
    let data = std::fs::read(&a.input)?;
    let track = match a.format {
        Format::Ac3 => frames::dolby(&data, false, a.channels)?,
        Format::Eac3 => frames::dolby(&data, true, a.channels)?,
        Format::Wma => frames::wma_wav(&data, a.samples)?,
    };
    write::presentation(&a.out, &track, &a.name, a.bitrate, a.fragment)
}
