//! `smoothplay-headless thumbs URL --every S --out DIR`: one PNG thumbnail per S seconds of
//! the presentation (on live, of the DVR window) and a contact sheet of them all.

use std::path::{Path, PathBuf};
use std::time::Duration;

use player_core::thumbnail::{
    Thumbnail, ThumbnailConfig, ThumbnailError, Thumbnailer, contact_sheet, default_columns,
    times_every,
};

use super::args::parse_interval;
use crate::keys::{KeyArgs, KeysError, provider_from_args_with};
use crate::net_args::NetArgs;

/// The contact sheet's file name in the output directory.
pub const CONTACT_SHEET: &str = "contact-sheet.png";

/// Options of `thumbs`.
#[derive(Debug, Clone, clap::Args)]
pub struct ThumbsArgs {
    /// Manifest URL (http/https), presentation directory, manifest file or single .ismv.
    pub input: String,
    /// One thumbnail every SECONDS of the presentation.
    #[arg(long, value_name = "SECONDS", value_parser = parse_interval)]
    pub every: Duration,
    /// Directory to write thumb-0000.png… and contact-sheet.png into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Thumbnail width in pixels (the height keeps the aspect ratio).
    #[arg(long, default_value_t = player_core::thumbnail::DEFAULT_WIDTH,
          value_parser = clap::value_parser!(u32).range(8..=1920))]
    pub width: u32,
    /// Columns of the contact sheet (default: a near-square grid).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub columns: Option<u32>,
    /// Video stream, by name (the first playable one otherwise).
    #[arg(long)]
    pub video: Option<String>,
    /// Decoders: auto (hardware, then libav, then openh264), openh264 or libav.
    #[arg(long, default_value = "auto")]
    pub decoder: player_core::decode::Backend,
    /// Content keys for protected presentations.
    #[command(flatten)]
    pub keys: KeyArgs,
    /// Trusted roots and proxy.
    #[command(flatten)]
    pub net: NetArgs,
}

/// What can end a `thumbs` run, each naming what failed.
#[derive(Debug, thiserror::Error)]
pub enum ThumbsError {
    /// The key options cannot be used.
    #[error(transparent)]
    Keys(#[from] KeysError),
    /// A thumbnail could not be made.
    #[error(transparent)]
    Thumbnail(#[from] ThumbnailError),
    /// The presentation lists no video fragments.
    #[error("{input}: the video stream lists no fragments")]
    Empty {
        /// The input.
        input: String,
    },
    /// An output file or directory could not be written.
    #[error("cannot write {path}: {reason}")]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// Runs `thumbs`; the exit code (0: every file written).
pub fn run_thumbs(args: &ThumbsArgs) -> i32 {
    match thumbs(args) {
        Ok(_) => 0,
        Err(e) => {
            eprintln!("smoothplay-headless: {e}");
            1
        }
    }
}

/// Writes the thumbnails and the contact sheet; returns the paths of the thumbnails.
pub fn thumbs(args: &ThumbsArgs) -> Result<Vec<PathBuf>, ThumbsError> {
    let fetch = args.net.fetch_config();
    let config = ThumbnailConfig {
        keys: provider_from_args_with(&args.keys, &fetch)?,
        fetch,
        decoder: args.decoder,
        video: args.video.clone(),
        width: args.width,
        ..ThumbnailConfig::default()
    };
    let thumbnailer = Thumbnailer::open(&args.input, config)?;
    let (start, end) = thumbnailer.span().ok_or_else(|| ThumbsError::Empty {
        input: args.input.clone(),
    })?;
    std::fs::create_dir_all(&args.out).map_err(|e| write_error(&args.out, &e))?;
    let mut pictures = Vec::new();
    let mut paths = Vec::new();
    for (i, at) in times_every(start, end, args.every).into_iter().enumerate() {
        let thumb = thumbnailer.thumbnail(at)?;
        let path = args.out.join(format!("thumb-{i:04}.png"));
        save(&path, thumb.width, thumb.height, &thumb.rgba)?;
        println!(
            "{}  {:>9.3} s  (key frame at {:.3} s)",
            path.display(),
            (at - start).as_secs_f64(),
            thumb.time().saturating_sub(start).as_secs_f64()
        );
        paths.push(path);
        pictures.push(thumb);
    }
    write_sheet(args, &pictures)?;
    Ok(paths)
}

fn write_sheet(args: &ThumbsArgs, pictures: &[Thumbnail]) -> Result<(), ThumbsError> {
    let columns = args
        .columns
        .unwrap_or_else(|| default_columns(pictures.len()));
    let sheet = contact_sheet(pictures, columns);
    let path = args.out.join(CONTACT_SHEET);
    save(&path, sheet.width, sheet.height, &sheet.rgba)?;
    println!(
        "{}  {}x{} grid of {} thumbnails",
        path.display(),
        sheet.columns,
        sheet.rows,
        pictures.len()
    );
    Ok(())
}

/// Writes an RGBA picture as PNG.
fn save(path: &Path, width: u32, height: u32, rgba: &[u8]) -> Result<(), ThumbsError> {
    image::save_buffer(path, rgba, width, height, image::ExtendedColorType::Rgba8)
        .map_err(|e| write_error(path, &e))
}

fn write_error(path: &Path, e: &dyn std::fmt::Display) -> ThumbsError {
    ThumbsError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}
