//! piff-encrypt: writes an encrypted copy of an on-demand Smooth presentation directory.
//!
//! `piff-encrypt --scheme piff-ctr --key KID:KEY [--la-url URL] SRC DST`
//! (or `--kid KID --key-seed SEED` to derive the key with the PlayReady key seed algorithm).

use clap::{Parser, ValueEnum};
use player_core::decrypt::derive_content_key;
use player_core::manifest::Uuid;
use player_tests::key_text::{parse_key_arg, parse_key_seed};
use player_tests::piff_encrypt::fragment::Scheme;
use player_tests::piff_encrypt::{EncryptOptions, encrypt_presentation};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum SchemeArg {
    /// PIFF uuid sample encryption box, AES-128-CTR, 8-byte IVs.
    PiffCtr,
    /// PIFF uuid sample encryption box, AES-128-CBC (AlgorithmID 2), 16-byte IVs.
    PiffCbc,
    /// CENC senc + saiz + saio boxes, AES-128-CTR, 8-byte IVs.
    CencCtr,
}

/// Encrypts a Smooth Streaming presentation (PIFF / CENC) with a PlayReady header.
#[derive(Parser, Debug)]
#[command(name = "piff-encrypt", version)]
struct Args {
    /// Encryption layout.
    #[arg(long, value_enum)]
    scheme: SchemeArg,
    /// KID:KEY (KID as a UUID or 32 hex digits, KEY as 32 hex digits or base64).
    #[arg(long, conflicts_with_all = ["kid", "key_seed"])]
    key: Option<String>,
    /// KID, with --key-seed.
    #[arg(long, requires = "key_seed")]
    kid: Option<String>,
    /// PlayReady key seed (hex or base64, at least 30 bytes), with --kid.
    #[arg(long, requires = "kid")]
    key_seed: Option<String>,
    /// LA_URL written into the PlayReady header.
    #[arg(long, default_value = "http://localhost/PlayReady/rightsmanager.asmx")]
    la_url: String,
    /// Source presentation directory (with a Manifest file).
    src: PathBuf,
    /// Destination directory.
    dst: PathBuf,
}

fn key_and_kid(args: &Args) -> Result<(Uuid, [u8; 16]), String> {
    if let Some(arg) = &args.key {
        return parse_key_arg(arg);
    }
    match (&args.kid, &args.key_seed) {
        (Some(kid), Some(seed)) => {
            let kid: Uuid = kid
                .parse()
                .map_err(|_| format!("KID {kid:?} is not a UUID"))?;
            let seed = parse_key_seed(seed)?;
            Ok((kid, *derive_content_key(&seed, kid).expose_secret()))
        }
        _ => Err("give --key KID:KEY, or --kid KID with --key-seed SEED".into()),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let (kid, key) = match key_and_kid(&args) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("piff-encrypt: {e}");
            return ExitCode::from(2);
        }
    };
    let scheme = match args.scheme {
        SchemeArg::PiffCtr => Scheme::PiffCtr,
        SchemeArg::PiffCbc => Scheme::PiffCbc,
        SchemeArg::CencCtr => Scheme::CencCtr,
    };
    let opts = EncryptOptions {
        scheme,
        kid,
        key,
        la_url: args.la_url.clone(),
    };
    match encrypt_presentation(&args.src, &args.dst, &opts) {
        Ok(s) => {
            println!(
                "piff-encrypt: {} fragments, {} samples encrypted ({:?}, KID {kid}), {} other files copied",
                s.fragments, s.samples, args.scheme, s.copied
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("piff-encrypt: {e}");
            ExitCode::FAILURE
        }
    }
}
