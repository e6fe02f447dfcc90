//! Proxies as curl takes them: `--proxy URL`, `http_proxy` / `HTTP_PROXY` for http URLs,
//! `HTTPS_PROXY` for https URLs (a CONNECT tunnel), and `NO_PROXY` naming the hosts that go
//! direct. A loopback proxy counts what it relayed; the origin counts what it served.

use std::process::{Command, Output};

use player_tests::origin::{Origin, OriginConfig};
use player_tests::relay_proxy::RelayProxy;
use player_tests::support::assets_dir;
use player_tests::support::test_ca::{TestCa, Validity};

const PROXY_VARS: [&str; 8] = [
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

/// `smoothplay-headless play URL --fast --quiet EXTRA…` with only the proxy variables `env`.
fn play(url: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_smoothplay-headless"));
    for v in PROXY_VARS {
        c.env_remove(v);
    }
    c.env_remove("SMOOTHPLAY_LOG");
    c.envs(env.iter().copied());
    c.args(["play", url, "--fast", "--quiet"]).args(extra);
    let out = c.output().expect("smoothplay-headless runs");
    assert!(out.status.success(), "{out:?}");
    out
}

fn clear_origin() -> Origin {
    Origin::start(assets_dir(), OriginConfig::default()).expect("origin")
}

/// Every request the origin answered came through the proxy, as a relayed absolute URL.
fn assert_all_relayed(origin: &Origin, proxy: &RelayProxy) {
    let served = origin.log().records();
    let relayed = proxy.relayed();
    assert!(!served.is_empty());
    assert_eq!(relayed.len(), served.len(), "{relayed:#?}");
    for r in &served {
        let line = format!("GET {}", origin.url(&r.path));
        assert!(relayed.contains(&line), "{line} was not relayed");
    }
}

#[test]
fn the_proxy_option_carries_every_request() {
    let (origin, proxy) = (clear_origin(), RelayProxy::start().expect("proxy"));
    let url = origin.url("protected/clear/Manifest");
    play(&url, &["--proxy", &proxy.url()], &[]);
    assert_all_relayed(&origin, &proxy);
}

#[test]
fn http_proxy_in_the_environment_carries_http_requests_in_either_case() {
    for var in ["http_proxy", "HTTP_PROXY"] {
        let (origin, proxy) = (clear_origin(), RelayProxy::start().expect("proxy"));
        let url = origin.url("protected/clear/Manifest");
        play(&url, &[], &[(var, &proxy.url())]);
        assert_all_relayed(&origin, &proxy);
    }
}

#[test]
fn no_proxy_sends_its_hosts_direct_even_past_the_proxy_option() {
    let (origin, proxy) = (clear_origin(), RelayProxy::start().expect("proxy"));
    let url = origin.url("protected/clear/Manifest");
    let env = [
        ("http_proxy", proxy.url()),
        ("NO_PROXY", "localhost,127.0.0.0/8".into()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    play(&url, &[], &env);
    play(
        &url,
        &["--proxy", &proxy.url()],
        &[("no_proxy", "127.0.0.1")],
    );
    assert!(proxy.relayed().is_empty(), "{:?}", proxy.relayed());
    assert!(
        origin.log().records().len() > 2,
        "the origin was reached directly"
    );
}

#[test]
fn https_proxy_tunnels_https_with_connect() {
    let dir = std::env::temp_dir().join(format!("sp-proxy-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let ca = TestCa::new();
    let ca_file = dir.join("ca.pem");
    ca.write_pem(&ca_file);
    let config = OriginConfig {
        tls: Some(ca.server(&["127.0.0.1"], Validity::Current)),
        ..OriginConfig::default()
    };
    let origin = Origin::start(assets_dir(), config).expect("https origin");
    let proxy = RelayProxy::start().expect("proxy");
    let url = origin.url("protected/clear/Manifest");
    let ca_arg = ca_file.to_str().expect("utf-8");
    // http_proxy is for http URLs only: the https one takes HTTPS_PROXY.
    let env = [
        ("HTTPS_PROXY", proxy.url()),
        ("http_proxy", "http://127.0.0.1:9".into()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    play(&url, &["--ca-file", ca_arg], &env);
    let relayed = proxy.relayed();
    assert!(!relayed.is_empty());
    let tunnel = format!("CONNECT {}", origin.addr());
    assert!(relayed.iter().all(|l| *l == tunnel), "{relayed:#?}");
    assert_eq!(
        relayed.len(),
        origin.connections(),
        "every connection to the origin came through a tunnel"
    );
    assert!(origin.log().records().len() > 2);
    std::fs::remove_dir_all(&dir).ok();
}
