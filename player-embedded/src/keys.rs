//! Content keys as a user gives them on a command line (`--key`, `--key-seed`,
//! `--license-url`), turned into the one provider chain the player asks. Shared by
//! `smoothplay-headless play` and the desktop player.
//!
//! Keys and seeds are secrets: [`KeyArgs`] redacts them in `Debug`, and no error here
//! repeats them (only KIDs and URLs are ever shown).

use std::collections::HashMap;
use std::sync::Arc;

use player_core::decrypt::{ContentKey, FirstOf, KeyProvider, KeySeedProvider, StaticKeys};
use player_core::manifest::Uuid;
use player_core::net::FetchConfig;
use player_core::net::clearkey::ClearKeyError;
use player_core::player::ClearKeyProvider;
use player_core::player::Keys;

pub use crate::key_text::{KeyArgError, KeySeedError, parse_key_arg, parse_key_seed};

/// Where content keys come from (command-line options; all optional, all combinable).
#[derive(Clone, Default, clap::Args)]
pub struct KeyArgs {
    /// Content key for protected content, KID:KEY (KID as a UUID or 32 hex digits, KEY as 32
    /// hex digits or base64); repeatable.
    #[arg(long = "key", value_name = "KID:KEY")]
    pub keys: Vec<String>,
    /// PlayReady key seed (hex or base64, at least 30 bytes): derives the key of any KID.
    #[arg(long, value_name = "SEED")]
    pub key_seed: Option<String>,
    /// ClearKey license server (W3C EME JSON), asked for the KIDs no other option answers.
    #[arg(long, value_name = "URL")]
    pub license_url: Option<String>,
}

impl KeyArgs {
    /// Whether no key source was given.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.key_seed.is_none() && self.license_url.is_none()
    }
}

impl std::fmt::Debug for KeyArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyArgs")
            .field("keys", &format_args!("<{} redacted>", self.keys.len()))
            .field(
                "key_seed",
                &self.key_seed.as_ref().map(|_| format_args!("<redacted>")),
            )
            .field("license_url", &self.license_url)
            .finish()
    }
}

/// Why the key options cannot be used. Never carries a key or a seed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeysError {
    /// A `--key` argument does not parse.
    #[error("--key: {0}")]
    Key(#[from] KeyArgError),
    /// The same KID was given twice with different keys.
    #[error("--key: KID {kid} is given twice with different keys")]
    ConflictingKeys {
        /// The KID.
        kid: Uuid,
    },
    /// `--key-seed` does not parse.
    #[error("--key-seed: {0}")]
    Seed(#[from] KeySeedError),
    /// `--license-url` cannot be used.
    #[error("--license-url: {0}")]
    LicenseUrl(#[from] ClearKeyError),
}

/// The provider chain for `args`, asked in this order: the static `--key` pairs, then the
/// `--key-seed` derivation (which answers every KID), then the `--license-url` server.
/// `None` when no option was given (protected content then fails with `KeyUnavailable`).
pub fn provider_from_args(args: &KeyArgs) -> Result<Option<Keys>, KeysError> {
    provider_from_args_with(args, &FetchConfig::default())
}

/// Like [`provider_from_args`], the license server asked with `network`'s settings (proxy,
/// extra trusted roots, user agent and headers), as the presentation is fetched.
pub fn provider_from_args_with(
    args: &KeyArgs,
    network: &FetchConfig,
) -> Result<Option<Keys>, KeysError> {
    let mut chain: Vec<Arc<dyn KeyProvider>> = Vec::new();
    if !args.keys.is_empty() {
        chain.push(Arc::new(static_keys(&args.keys)?));
    }
    if let Some(seed) = &args.key_seed {
        chain.push(Arc::new(KeySeedProvider::new(parse_key_seed(seed)?)));
    }
    if let Some(url) = &args.license_url {
        chain.push(Arc::new(ClearKeyProvider::with_network(url, network)?));
    }
    Ok(match chain.len() {
        0 => None,
        1 => chain.pop().map(Keys),
        _ => Some(Keys(Arc::new(FirstOf::new(chain)))),
    })
}

/// Parses `KID:KEY` arguments; the same pair twice is fine, two keys for one KID are not.
fn static_keys(args: &[String]) -> Result<StaticKeys, KeysError> {
    let mut seen: HashMap<Uuid, ContentKey> = HashMap::new();
    let mut keys = StaticKeys::new();
    for arg in args {
        let (kid, key) = parse_key_arg(arg)?;
        if let Some(previous) = seen.get(&kid)
            && *previous != key
        {
            return Err(KeysError::ConflictingKeys { kid });
        }
        seen.insert(kid, key.clone());
        keys.insert(kid, key);
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// The published pair for this KID (Microsoft test key seed; see assets/README.md).
    const KID: &str = "10000000-1000-1000-1000-100000000001";
    const KEY_HEX: &str = "3a2a1b68dd2bd9b2eeb25e84c4776668";
    const SEED: &str = "XVBovsmzhP9gRIZxWfFta3VVRPzVEWmJsazEJ46I";

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        keys: KeyArgs,
    }

    fn args(argv: &[&str]) -> KeyArgs {
        Cli::try_parse_from(std::iter::once("x").chain(argv.iter().copied()))
            .map(|c| c.keys)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn key_of(keys: &Keys, kid: &str) -> Result<String, player_core::decrypt::DecryptError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let kid: Uuid = kid.parse().expect("kid");
        runtime
            .block_on(keys.0.key(kid))
            .map(|k| hex::encode(k.expose_secret()))
    }

    #[test]
    fn nothing_given_is_no_provider() {
        let a = args(&[]);
        assert!(a.is_empty());
        assert!(provider_from_args(&a).expect("ok").is_none());
    }

    #[test]
    fn static_keys_in_every_spelling() {
        let a = args(&[
            "--key",
            &format!("{KID}:{KEY_HEX}"),
            "--key",
            "a1b1c1d1a2b2a3b3a4b4a5b5c5d5e5f5:JTn6hLmHQWAJp/u6EbI5qw==",
        ]);
        let keys = provider_from_args(&a).expect("ok").expect("some");
        assert_eq!(key_of(&keys, KID).as_deref(), Ok(KEY_HEX));
        assert_eq!(
            key_of(&keys, "a1b1c1d1-a2b2-a3b3-a4b4-a5b5c5d5e5f5").as_deref(),
            Ok("2539fa84b987416009a7fbba11b239ab")
        );
        let other = "10000000-1000-1000-1000-100000000002";
        assert_eq!(
            key_of(&keys, other),
            Err(player_core::decrypt::DecryptError::KeyUnavailable {
                kid: other.parse().expect("kid")
            })
        );
    }

    #[test]
    fn seed_derives_published_keys_and_static_keys_come_first() {
        let a = args(&["--key-seed", SEED]);
        let keys = provider_from_args(&a).expect("ok").expect("some");
        assert_eq!(key_of(&keys, KID).as_deref(), Ok(KEY_HEX));
        let overridden = "00112233445566778899aabbccddeeff";
        let a = args(&["--key-seed", SEED, "--key", &format!("{KID}:{overridden}")]);
        let keys = provider_from_args(&a).expect("ok").expect("some");
        assert_eq!(key_of(&keys, KID).as_deref(), Ok(overridden));
        assert_eq!(
            key_of(&keys, "10000000-1000-1000-1000-100000000002").as_deref(),
            Ok("07e4d653cfb45c66158d93ffce422907")
        );
    }

    #[test]
    fn bad_options_are_typed_errors_that_never_echo_secrets() {
        let secret = "3a2a1b68dd2bd9b2eeb25e84c47766";
        let e = provider_from_args(&args(&["--key", &format!("{KID}:{secret}")]))
            .expect_err("15-byte key");
        assert!(matches!(e, KeysError::Key(KeyArgError::BadKey { .. })));
        assert!(!e.to_string().contains(secret), "{e}");
        let e = provider_from_args(&args(&[
            "--key",
            &format!("{KID}:{KEY_HEX}"),
            "--key",
            &format!("{KID}:00112233445566778899aabbccddeeff"),
        ]))
        .expect_err("conflict");
        assert_eq!(
            e,
            KeysError::ConflictingKeys {
                kid: KID.parse().expect("kid")
            }
        );
        assert!(!e.to_string().contains(KEY_HEX));
        let same_twice = args(&[
            "--key",
            &format!("{KID}:{KEY_HEX}"),
            "--key",
            &format!("{}:{KEY_HEX}", KID.replace('-', "")),
        ]);
        assert!(provider_from_args(&same_twice).is_ok());
        let short_seed = &SEED[..20];
        let e = provider_from_args(&args(&["--key-seed", short_seed])).expect_err("short seed");
        assert_eq!(e, KeysError::Seed(KeySeedError::Invalid));
        assert!(!e.to_string().contains(short_seed));
        let e = provider_from_args(&args(&["--license-url", "ftp://x/"])).expect_err("not http");
        assert!(matches!(
            e,
            KeysError::LicenseUrl(ClearKeyError::BadUrl { .. })
        ));
    }

    #[test]
    fn debug_shows_no_key_material() {
        let a = args(&[
            "--key",
            &format!("{KID}:{KEY_HEX}"),
            "--key-seed",
            SEED,
            "--license-url",
            "http://127.0.0.1:1/clearkey",
        ]);
        let shown = format!("{a:?}");
        assert!(!shown.contains(KEY_HEX) && !shown.contains(SEED), "{shown}");
        assert!(shown.contains("<1 redacted>") && shown.contains("http://127.0.0.1:1/clearkey"));
        assert!(provider_from_args(&a).expect("ok").is_some());
    }
}
