//! URL templating: any template, bitrate, start time, custom attributes and base URL expand
//! without a panic; `{bitrate}` and `{start time}` come out as their numbers; what a
//! remote manifest names is fetched over http(s), never from a local file.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use player_core::manifest::{Attribute, Manifest, expand_template, fragment_url, parse};

const BASE: &str = r#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="0" Duration="20000000">
<StreamIndex Type="video" Name="video" QualityLevels="1" Chunks="1" Url="QualityLevels({bitrate})/Fragments(video={start time})">
<QualityLevel Index="0" Bitrate="300000" FourCC="H264" MaxWidth="320" MaxHeight="180" CodecPrivateData="00000001674d401eeca0a03da100000300010000030032e0a00012000000000168ebef20" />
<c t="0" d="20000000" /></StreamIndex></SmoothStreamingMedia>"#;

fn base_manifest() -> &'static Manifest {
    static M: OnceLock<Manifest> = OnceLock::new();
    M.get_or_init(|| parse(BASE.as_bytes()).expect("the base manifest parses"))
}

/// One input: bitrate and start time (u64 LE each), then lines of text: the template, the
/// base URL, and `name=value` custom attributes (so seeds are written by hand, `fuzz/seed.sh`).
fn read(input: &[u8]) -> Option<(u64, u64, Vec<String>)> {
    let (numbers, text) = input.split_at_checked(16)?;
    let bitrate = u64::from_le_bytes(numbers[..8].try_into().ok()?);
    let start = u64::from_le_bytes(numbers[8..].try_into().ok()?);
    let lines = String::from_utf8_lossy(text)
        .split('\n')
        .take(10)
        .map(str::to_owned)
        .collect();
    Some((bitrate, start, lines))
}

fuzz_target!(|input: &[u8]| {
    let Some((bitrate, start, lines)) = read(input) else {
        return;
    };
    let template = lines.first().cloned().unwrap_or_default();
    let m = base_manifest();
    let mut stream = m.streams[0].clone();
    let mut level = stream.quality_levels[0].clone();
    stream.url_template = template.clone();
    level.bitrate = bitrate;
    level.custom_attributes = lines
        .iter()
        .skip(2)
        .map(|l| {
            let (name, value) = l.split_once('=').unwrap_or((l, ""));
            Attribute {
                name: name.to_owned(),
                value: value.to_owned(),
            }
        })
        .collect();
    let expanded = expand_template(&template, &level, start);
    if template == "{bitrate}/{start time}" {
        assert_eq!(expanded, format!("{bitrate}/{start}"));
    }
    let base = lines
        .get(1)
        .and_then(|b| url::Url::parse(b).ok())
        .unwrap_or_else(|| url::Url::parse("http://origin.test/p.ism/Manifest").expect("url"));
    // What a remote manifest names stays on the network: never a local file, never
    // another scheme.
    if let Ok(u) = fragment_url(&base, &stream, &level, start)
        && matches!(base.scheme(), "http" | "https")
    {
        assert!(
            matches!(u.scheme(), "http" | "https"),
            "{expanded:?} from {base} became {u}"
        );
    }
});
