//! Network options as a user gives them on a command line (`--ca-file`, `--proxy`), shared
//! by `smoothplay-headless play`/`probe` and the desktop player.

use std::path::PathBuf;

use player_core::net::{FetchConfig, ProxySetting};

/// Trust and proxy options.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct NetArgs {
    /// Also trust the CA certificates in this PEM file (a private CA); repeatable. They are
    /// added to the system's roots; certificate verification cannot be turned off.
    #[arg(long = "ca-file", value_name = "PEM")]
    pub ca_files: Vec<PathBuf>,
    /// Send http and https requests through this proxy ([http://|https://][user:password@]
    /// host[:port], port 1080 by default) instead of https_proxy/http_proxy/all_proxy;
    /// hosts in no_proxy/NO_PROXY still go direct, as with curl.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
}

impl NetArgs {
    /// Puts these options into `fetch`.
    pub fn apply(&self, fetch: &mut FetchConfig) {
        fetch.ca_files.extend(self.ca_files.iter().cloned());
        if let Some(p) = &self.proxy {
            fetch.proxy = ProxySetting::Url(p.clone());
        }
    }

    /// A fetch configuration with these options and defaults otherwise.
    pub fn fetch_config(&self) -> FetchConfig {
        let mut f = FetchConfig::default();
        self.apply(&mut f);
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        net: NetArgs,
    }

    #[test]
    fn options_land_in_the_fetch_config() {
        let cli = Cli::try_parse_from([
            "x",
            "--ca-file",
            "a.pem",
            "--ca-file",
            "b.pem",
            "--proxy",
            "proxy.example:3128",
        ])
        .expect("args");
        let f = cli.net.fetch_config();
        assert_eq!(
            f.ca_files,
            vec![PathBuf::from("a.pem"), PathBuf::from("b.pem")]
        );
        assert_eq!(f.proxy, ProxySetting::Url("proxy.example:3128".into()));
        let none = Cli::try_parse_from(["x"]).expect("args").net.fetch_config();
        assert!(none.ca_files.is_empty());
        assert_eq!(none.proxy, ProxySetting::Environment);
    }
}
