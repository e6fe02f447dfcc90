//! Which proxy a request goes through, decided as curl decides it: `--proxy URL` or the
//! `https_proxy` / `http_proxy` / `all_proxy` variables (lower case first, then upper case),
//! and `no_proxy` / `NO_PROXY` naming the hosts that go direct — even past `--proxy`.
//!
//! One deliberate difference: curl reads `http_proxy` only in lower case; here `HTTP_PROXY`
//! is read as well, except in a CGI environment (`REQUEST_METHOD` set), where a client's
//! `Proxy:` header would arrive as `HTTP_PROXY` ("httpoxy").

use std::net::IpAddr;

use url::Url;

use super::NetError;

/// Where the proxy settings come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProxySetting {
    /// The environment, as curl reads it (the default).
    #[default]
    Environment,
    /// No proxy at all, whatever the environment says.
    Direct,
    /// This proxy for http and https (`[http://|https://][user:password@]host[:port]`, port
    /// 1080 when not given, as curl assumes); `no_proxy` still applies.
    Url(String),
}

/// The proxy rules in force: a proxy per scheme and the hosts that go direct.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyRules {
    http: Option<Url>,
    https: Option<Url>,
    no_proxy: NoProxy,
}

impl ProxyRules {
    /// The rules `setting` asks for, reading variables through `var` (the process
    /// environment in the player; a table in tests).
    pub fn new(
        setting: &ProxySetting,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<ProxyRules, NetError> {
        let get = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| var(n).filter(|v| !v.trim().is_empty()))
        };
        let no_proxy = NoProxy::parse(&get(&["no_proxy", "NO_PROXY"]).unwrap_or_default());
        let (http, https) = match setting {
            ProxySetting::Direct => (None, None),
            ProxySetting::Url(u) => {
                let p = proxy_url(u)?;
                (Some(p.clone()), Some(p))
            }
            ProxySetting::Environment => {
                let cgi = var("REQUEST_METHOD").is_some();
                let http_names: &[&str] = if cgi {
                    &["http_proxy"]
                } else {
                    &["http_proxy", "HTTP_PROXY"]
                };
                let all = get(&["all_proxy", "ALL_PROXY"]);
                let http = get(http_names).or_else(|| all.clone());
                let https = get(&["https_proxy", "HTTPS_PROXY"]).or(all);
                (
                    http.as_deref().map(proxy_url).transpose()?,
                    https.as_deref().map(proxy_url).transpose()?,
                )
            }
        };
        Ok(ProxyRules {
            http,
            https,
            no_proxy,
        })
    }

    /// The proxy for `url`, or `None` to go direct.
    pub fn proxy_for(&self, url: &Url) -> Option<&Url> {
        let proxy = match url.scheme() {
            "http" => self.http.as_ref(),
            "https" => self.https.as_ref(),
            _ => None,
        }?;
        let host = url.host_str()?;
        (!self.no_proxy.matches(host)).then_some(proxy)
    }

    /// Whether any request may go through a proxy.
    pub fn any(&self) -> bool {
        self.http.is_some() || self.https.is_some()
    }
}

/// Parses a proxy as curl takes it: no scheme means http, no port means 1080.
pub fn proxy_url(text: &str) -> Result<Url, NetError> {
    let text = text.trim();
    let bad = |reason: &str| NetError::BadInput {
        input: redact(text),
        reason: format!("not a usable proxy: {reason}"),
    };
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|e| bad(&e.to_string()))?;
    match url.scheme() {
        "http" | "https" => {}
        s if s.starts_with("socks") => return Err(bad("SOCKS proxies are not supported")),
        s => return Err(bad(&format!("unknown proxy scheme {s}"))),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    if !has_explicit_port(&with_scheme) {
        url.set_port(Some(1080)).map_err(|()| bad("no port"))?;
    }
    Ok(url)
}

/// Whether the authority of `url_text` (`scheme://authority/…`) names a port.
fn has_explicit_port(url_text: &str) -> bool {
    let after = url_text.split_once("://").map_or(url_text, |(_, a)| a);
    let authority = after.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let after_host = host_port
        .rsplit_once(']')
        .map_or(host_port, |(_, rest)| rest);
    after_host
        .rsplit_once(':')
        .is_some_and(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
}

/// A proxy URL as it may be shown: without its password.
pub fn redact(text: &str) -> String {
    match Url::parse(text) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ if text.contains('@') => "<proxy URL with credentials>".to_string(),
        _ => text.to_string(),
    }
}

/// The `no_proxy` list: host names (matching themselves and their subdomains), IP addresses
/// and CIDR ranges, or `*` for everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoProxy {
    all: bool,
    names: Vec<String>,
    nets: Vec<(IpAddr, u8)>,
}

impl NoProxy {
    /// Parses a comma- (or space-) separated list.
    pub fn parse(list: &str) -> NoProxy {
        let mut n = NoProxy::default();
        for entry in list.split([',', ' ', '\t']).map(str::trim) {
            if entry.is_empty() {
                continue;
            }
            if entry == "*" {
                n.all = true;
                continue;
            }
            let (addr, bits) = match entry.split_once('/') {
                Some((a, b)) => (a, b.parse::<u8>().ok()),
                None => (entry, None),
            };
            let addr = addr.trim_start_matches('[').trim_end_matches(']');
            if let Ok(ip) = addr.parse::<IpAddr>() {
                let full = if ip.is_ipv4() { 32 } else { 128 };
                n.nets.push((ip, bits.unwrap_or(full).min(full)));
                continue;
            }
            let name = entry.trim_start_matches('.').trim_end_matches('.');
            n.names.push(name.to_ascii_lowercase());
        }
        n
    }

    /// Whether `host` (a name, an IPv4 address or a bracketed IPv6 address) goes direct.
    pub fn matches(&self, host: &str) -> bool {
        if self.all {
            return true;
        }
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return self.nets.iter().any(|(net, bits)| in_net(ip, *net, *bits));
        }
        let host = bare.trim_end_matches('.').to_ascii_lowercase();
        self.names.iter().any(|n| {
            host == *n
                || host
                    .strip_suffix(n.as_str())
                    .is_some_and(|prefix| prefix.ends_with('.'))
        })
    }
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => prefix_eq(&a.octets(), &b.octets(), bits),
        (IpAddr::V6(a), IpAddr::V6(b)) => prefix_eq(&a.octets(), &b.octets(), bits),
        _ => false,
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let bits = usize::from(bits);
    let whole = bits / 8;
    if a[..whole] != b[..whole] {
        return false;
    }
    let rest = bits % 8;
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        (a[whole] & mask) == (b[whole] & mask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn via(rules: &ProxyRules, url: &str) -> Option<String> {
        rules
            .proxy_for(&Url::parse(url).expect("url"))
            .map(|u| u.as_str().trim_end_matches('/').to_string())
    }

    #[test]
    fn each_scheme_has_its_variable_lower_case_first_then_all_proxy() {
        let r = ProxyRules::new(
            &ProxySetting::Environment,
            env(&[
                ("HTTPS_PROXY", "upper:3128"),
                ("https_proxy", "lower:3128"),
                ("ALL_PROXY", "all.example"),
            ]),
        )
        .expect("rules");
        assert_eq!(via(&r, "https://o/x").as_deref(), Some("http://lower:3128"));
        // No http_proxy: all_proxy, with curl's default port.
        assert_eq!(
            via(&r, "http://o/x").as_deref(),
            Some("http://all.example:1080")
        );
        assert_eq!(via(&r, "file:///x"), None);
        let none = ProxyRules::new(&ProxySetting::Environment, env(&[])).expect("rules");
        assert!(!none.any());
        assert_eq!(via(&none, "http://o/x"), None);
    }

    #[test]
    fn http_proxy_in_upper_case_counts_except_under_cgi() {
        let vars = [("HTTP_PROXY", "http://p:8080")];
        let r = ProxyRules::new(&ProxySetting::Environment, env(&vars)).expect("rules");
        assert_eq!(via(&r, "http://o/").as_deref(), Some("http://p:8080"));
        let cgi = [("HTTP_PROXY", "http://evil:1"), ("REQUEST_METHOD", "GET")];
        let r = ProxyRules::new(&ProxySetting::Environment, env(&cgi)).expect("rules");
        assert_eq!(via(&r, "http://o/"), None);
    }

    #[test]
    fn an_explicit_proxy_beats_the_environment_but_not_no_proxy() {
        let vars = [
            ("http_proxy", "http://env:1"),
            ("NO_PROXY", "direct.example"),
        ];
        let setting = ProxySetting::Url("https://user:pw@given:8443".into());
        let r = ProxyRules::new(&setting, env(&vars)).expect("rules");
        let used = via(&r, "http://o/").expect("proxied");
        assert!(used.starts_with("https://user:pw@given:8443"), "{used}");
        assert_eq!(via(&r, "https://direct.example/"), None);
        let direct = ProxyRules::new(&ProxySetting::Direct, env(&vars)).expect("rules");
        assert!(!direct.any());
    }

    #[test]
    fn no_proxy_matches_names_with_their_subdomains_addresses_ranges_and_star() {
        let n = NoProxy::parse(" .example.com, localhost,10.0.0.0/8 ::1 ,[fd00::]/8,Other.ORG.");
        for host in [
            "example.com",
            "www.example.com",
            "LOCALHOST",
            "10.1.2.3",
            "[::1]",
            "[fd12::1]",
            "other.org",
            "a.other.org",
        ] {
            assert!(n.matches(host), "{host} should go direct");
        }
        for host in [
            "notexample.com",
            "example.com.evil",
            "11.0.0.1",
            "[::2]",
            "127.0.0.1",
        ] {
            assert!(!n.matches(host), "{host} should be proxied");
        }
        assert!(NoProxy::parse("*").matches("anything"));
        assert!(!NoProxy::parse("").matches("anything"));
        assert!(NoProxy::parse("127.0.0.1/32").matches("127.0.0.1"));
    }

    #[test]
    fn proxy_urls_parse_as_curl_takes_them() {
        let p = |s: &str| proxy_url(s).map(|u| u.to_string());
        assert_eq!(
            p("proxy.example").as_deref(),
            Ok("http://proxy.example:1080/")
        );
        // An explicit default port stays (the URL text elides it).
        assert_eq!(
            p("http://proxy.example:80").as_deref(),
            Ok("http://proxy.example/")
        );
        assert_eq!(p("[::1]:3128").as_deref(), Ok("http://[::1]:3128/"));
        assert_eq!(p("https://p").as_deref(), Ok("https://p:1080/"));
        let socks = proxy_url("socks5://user:secret@p:1080").expect_err("socks");
        assert!(socks.to_string().contains("SOCKS"), "{socks}");
        assert!(!socks.to_string().contains("secret"), "{socks}");
        assert!(proxy_url("ftp://p").is_err());
        assert!(proxy_url("http://").is_err());
    }
}
