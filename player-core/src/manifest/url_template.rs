//! Fragment URLs: fill `{bitrate}`, `{start time}`, `{CustomAttributes}` and resolve the
//! result against the manifest URL, keeping the manifest's query string (access tokens).

use url::Url;

use super::{ManifestError, QualityLevel, StreamIndex};

/// Fills a stream's Url template for one quality level and chunk start.
///
/// Placeholders match case-insensitively: `{bitrate}`, `{start time}` / `{start_time}`,
/// `{CustomAttributes}` (the level's attributes as `Name=Value,…` per MS-SSTR; when the
/// level has none, the placeholder and a comma before it are dropped). Unknown
/// placeholders are kept as written.
pub fn expand_template(template: &str, level: &QualityLevel, chunk_start: u64) -> String {
    let mut out = String::with_capacity(template.len() + 24);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (before, from_brace) = rest.split_at(open);
        out.push_str(before);
        let Some(close) = from_brace.find('}') else {
            rest = from_brace;
            break;
        };
        let key = from_brace.get(1..close).unwrap_or("");
        let normalized = key.trim().to_ascii_lowercase().replace('_', " ");
        match normalized.as_str() {
            "bitrate" => out.push_str(&level.bitrate.to_string()),
            "start time" => out.push_str(&chunk_start.to_string()),
            "customattributes" => {
                if level.custom_attributes.is_empty() {
                    if out.ends_with(',') {
                        out.pop();
                    }
                } else {
                    let pairs: Vec<String> = level
                        .custom_attributes
                        .iter()
                        .map(|a| format!("{}={}", a.name, a.value))
                        .collect();
                    out.push_str(&pairs.join(","));
                }
            }
            _ => out.push_str(from_brace.get(..=close).unwrap_or("")),
        }
        rest = from_brace.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// The absolute URL of a fragment.
///
/// `base` is the URL the manifest was read from (`…/video.ism/Manifest`, `file:///…/Manifest`,
/// a `.ismc` file) or a directory URL ending in `/`; an `.ism`/`.isml` last segment is
/// taken as the presentation directory. A query string on `base` is carried over to the
/// fragment URL (appended after the template's own query, if it has one).
pub fn fragment_url(
    base: &Url,
    stream: &StreamIndex,
    level: &QualityLevel,
    chunk_start: u64,
) -> Result<Url, ManifestError> {
    let expanded = expand_template(&stream.url_template, level, chunk_start);
    let url_error = |reason: String| ManifestError::Url {
        template: expanded.clone(),
        reason,
    };
    // An absolute template points elsewhere: the manifest's token is not for it. What a
    // remote manifest names stays on the network: never a local file (found by fuzzing).
    if let Ok(absolute) = Url::parse(&expanded) {
        let remote = matches!(base.scheme(), "http" | "https");
        if remote && !matches!(absolute.scheme(), "http" | "https") {
            return Err(url_error(format!(
                "a fragment of an http(s) manifest cannot be a {} URL",
                absolute.scheme()
            )));
        }
        return Ok(absolute);
    }
    let mut dir = base.clone();
    let is_presentation_dir = base
        .path_segments()
        .and_then(|mut s| s.next_back())
        .is_some_and(|last| {
            let last = last.to_ascii_lowercase();
            last.ends_with(".ism") || last.ends_with(".isml")
        });
    if is_presentation_dir {
        let path = format!("{}/", base.path());
        dir.set_path(&path);
    }
    let mut url = dir.join(&expanded).map_err(|e| url_error(e.to_string()))?;
    if let Some(token) = base.query().filter(|q| !q.is_empty()) {
        let query = match url.query().filter(|q| !q.is_empty()) {
            Some(own) => format!("{own}&{token}"),
            None => token.to_owned(),
        };
        url.set_query(Some(&query));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{Attribute, Codec, StreamType};

    fn level(bitrate: u64, attrs: &[(&str, &str)]) -> QualityLevel {
        QualityLevel {
            index: 0,
            bitrate,
            fourcc: "H264".into(),
            codec: Codec::H264,
            max_width: None,
            max_height: None,
            codec_private_data: vec![],
            sampling_rate: None,
            channels: None,
            bits_per_sample: None,
            packet_size: None,
            audio_tag: None,
            nal_unit_length_field: 4,
            wave_format_ex: None,
            custom_attributes: attrs
                .iter()
                .map(|(n, v)| Attribute {
                    name: (*n).into(),
                    value: (*v).into(),
                })
                .collect(),
        }
    }

    fn stream(template: &str) -> StreamIndex {
        StreamIndex {
            stream_type: StreamType::Video,
            subtype: None,
            name: Some("video".into()),
            language: None,
            url_template: template.into(),
            timescale: 10_000_000,
            declared_chunks: None,
            max_width: None,
            max_height: None,
            display_width: None,
            display_height: None,
            parent_stream_index: None,
            manifest_output: false,
            quality_levels: vec![],
            chunks: vec![],
            embedded_samples: vec![],
        }
    }

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn placeholders_in_every_spelling() {
        let l = level(1_536_000, &[]);
        assert_eq!(
            expand_template(
                "QualityLevels({bitrate})/Fragments(video={start time})",
                &l,
                20_020_000
            ),
            "QualityLevels(1536000)/Fragments(video=20020000)"
        );
        assert_eq!(
            expand_template(
                "QualityLevels({Bitrate})/Fragments(audio={start_time})",
                &l,
                0
            ),
            "QualityLevels(1536000)/Fragments(audio=0)"
        );
        assert_eq!(expand_template("a{unknown}b{", &l, 0), "a{unknown}b{");
    }

    #[test]
    fn exact_u64_start_times() {
        let l = level(1, &[]);
        let t = 17_000_000_000_000_123u64;
        assert_eq!(
            expand_template("F(v={start time})", &l, t),
            "F(v=17000000000000123)"
        );
        assert_eq!(
            expand_template("{start time}", &l, u64::MAX),
            u64::MAX.to_string()
        );
    }

    #[test]
    fn custom_attributes_as_name_value_list() {
        let l = level(307_200, &[("Compatibility", "Handheld"), ("Region", "eu")]);
        let t = "QualityLevels({bitrate},{CustomAttributes})/Fragments(video={start_time})";
        assert_eq!(
            expand_template(t, &l, 19_680_000),
            "QualityLevels(307200,Compatibility=Handheld,Region=eu)/Fragments(video=19680000)"
        );
        assert_eq!(
            expand_template(t, &level(5, &[]), 0),
            "QualityLevels(5)/Fragments(video=0)"
        );
    }

    #[test]
    fn resolves_against_manifest_file_and_keeps_query() {
        let s = stream("QualityLevels({bitrate})/Fragments(video={start time})");
        let l = level(230_000, &[]);
        let got = fragment_url(
            &url("https://cdn.example/live/ch1.isml/Manifest?token=abc&x=1"),
            &s,
            &l,
            40,
        )
        .expect("url");
        assert_eq!(
            got.as_str(),
            "https://cdn.example/live/ch1.isml/QualityLevels(230000)/Fragments(video=40)?token=abc&x=1"
        );
        let plain = fragment_url(&url("http://h/a/Manifest"), &s, &l, 0).expect("url");
        assert_eq!(
            plain.as_str(),
            "http://h/a/QualityLevels(230000)/Fragments(video=0)"
        );
    }

    #[test]
    fn presentation_directory_and_dir_urls() {
        let s = stream("Fragments(video={start time})");
        let l = level(1, &[]);
        let ism = fragment_url(&url("http://h/v/movie.ism"), &s, &l, 0).expect("ism");
        assert_eq!(ism.as_str(), "http://h/v/movie.ism/Fragments(video=0)");
        let dir = fragment_url(&url("file:///data/mss-clear/"), &s, &l, 20_020_000).expect("dir");
        assert_eq!(
            dir.as_str(),
            "file:///data/mss-clear/Fragments(video=20020000)"
        );
        let file = fragment_url(&url("file:///data/mss-clear/Manifest"), &s, &l, 0).expect("file");
        assert_eq!(file.as_str(), "file:///data/mss-clear/Fragments(video=0)");
        assert_eq!(
            file.to_file_path().expect("path"),
            std::path::PathBuf::from("/data/mss-clear/Fragments(video=0)")
        );
    }

    #[test]
    fn template_query_and_absolute_templates() {
        let l = level(7, &[]);
        let own = stream("Q({bitrate})/F(v={start time})?vbegin=0");
        let got = fragment_url(&url("http://h/p.ism/Manifest?tok=1"), &own, &l, 3).expect("url");
        assert_eq!(got.as_str(), "http://h/p.ism/Q(7)/F(v=3)?vbegin=0&tok=1");
        let abs = stream("https://other.example/Q({bitrate})/F(v={start time})");
        let got = fragment_url(&url("http://h/p.ism/Manifest?tok=1"), &abs, &l, 3).expect("url");
        assert_eq!(got.as_str(), "https://other.example/Q(7)/F(v=3)");
        for other in [
            "file:///etc/passwd",
            "p:+/origin/F(v={start time})",
            "data:,x",
        ] {
            let e = fragment_url(&url("https://h/p.ism/Manifest"), &stream(other), &l, 3);
            assert!(
                matches!(&e, Err(ManifestError::Url { reason, .. }) if reason.contains("cannot be")),
                "{other}: {e:?}"
            );
        }
        let local = fragment_url(&url("file:///m/Manifest"), &stream("file:///f/x"), &l, 3);
        assert_eq!(
            local
                .expect("a local manifest may name local files")
                .scheme(),
            "file"
        );
        let rooted = stream("/shared/Q({bitrate})/F(v={start time})");
        let got = fragment_url(&url("http://h/p.ism/Manifest"), &rooted, &l, 3).expect("url");
        assert_eq!(got.as_str(), "http://h/shared/Q(7)/F(v=3)");
    }
}
