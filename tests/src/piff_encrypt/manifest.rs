//! What the encryptor needs from a Smooth client manifest — which fragment files belong to
//! which stream and how its samples are framed — and adding the `Protection` element.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

/// How a stream's samples are protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Length-prefixed H.264 NAL units: subsample encryption.
    Avc {
        /// NALUnitLengthField (default 4).
        length_size: u8,
    },
    /// Anything else (AAC…): whole-sample encryption.
    Whole,
}

/// One StreamIndex as the encryptor sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    /// The name in its URL template, `video` in `Fragments(video={start time})`.
    pub url_key: String,
    /// Sample framing.
    pub framing: Framing,
}

/// Why the manifest cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestEditError {
    /// Not well-formed XML.
    #[error("manifest XML: {0}")]
    Xml(String),
    /// A StreamIndex without a usable Url template.
    #[error("StreamIndex {index} has no Url with Fragments(NAME=…)")]
    NoUrl {
        /// StreamIndex position (0-based).
        index: usize,
    },
    /// The manifest already has a Protection element.
    #[error("the manifest already has a Protection element: it is protected already")]
    AlreadyProtected,
    /// No closing SmoothStreamingMedia tag to insert before.
    #[error("no </SmoothStreamingMedia> closing tag")]
    NoRoot,
}

fn attr(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, ManifestEditError> {
    let xml = |e: &dyn std::fmt::Display| ManifestEditError::Xml(e.to_string());
    match e.try_get_attribute(name).map_err(|e| xml(&e))? {
        Some(a) => Ok(Some(
            a.normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| xml(&e))?
                .into_owned(),
        )),
        None => Ok(None),
    }
}

/// The streams of a manifest, in document order.
pub fn streams(xml: &str) -> Result<Vec<Stream>, ManifestEditError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out: Vec<Stream> = Vec::new();
    let mut current: Option<(String, bool)> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| ManifestEditError::Xml(e.to_string()))?;
        match event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "StreamIndex" => {
                    let url = attr(&e, "Url")?.unwrap_or_default();
                    let key = url
                        .split_once("Fragments(")
                        .and_then(|(_, rest)| rest.split_once('='))
                        .map(|(k, _)| k.to_string())
                        .filter(|k| !k.is_empty())
                        .ok_or(ManifestEditError::NoUrl { index: out.len() })?;
                    let video = attr(&e, "Type")?.is_some_and(|t| t.eq_ignore_ascii_case("video"));
                    out.push(Stream {
                        url_key: key.clone(),
                        framing: Framing::Whole,
                    });
                    current = Some((key, video));
                }
                "QualityLevel" => {
                    if let (Some((_, true)), Some(stream)) = (&current, out.last_mut()) {
                        let fourcc = attr(&e, "FourCC")?.unwrap_or_default().to_ascii_uppercase();
                        if matches!(fourcc.as_str(), "H264" | "AVC1" | "DAVC" | "X264") {
                            let length_size = attr(&e, "NALUnitLengthField")?
                                .and_then(|v| v.parse().ok())
                                .unwrap_or(4);
                            stream.framing = Framing::Avc { length_size };
                        }
                    }
                }
                _ => {}
            },
            Event::End(e) if e.name().as_ref() == "StreamIndex" => current = None,
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The manifest with a `Protection` element for PlayReady holding `pro_base64`.
pub fn protect(xml: &str, pro_base64: &str) -> Result<String, ManifestEditError> {
    if xml.contains("<Protection") {
        return Err(ManifestEditError::AlreadyProtected);
    }
    let at = xml
        .rfind("</SmoothStreamingMedia>")
        .ok_or(ManifestEditError::NoRoot)?;
    let element = format!(
        "<Protection>\n<ProtectionHeader SystemID=\"9A04F079-9840-4286-AB92-E65BE0885F95\">{pro_base64}</ProtectionHeader>\n</Protection>\n"
    );
    let mut out = String::with_capacity(xml.len() + element.len());
    out.push_str(&xml[..at]);
    out.push_str(&element);
    out.push_str(&xml[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FFMPEG: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<SmoothStreamingMedia MajorVersion="2" MinorVersion="0" Duration="60800000">
<StreamIndex Type="video" QualityLevels="1" Chunks="3" Url="QualityLevels({bitrate})/Fragments(video={start time})">
<QualityLevel Index="0" Bitrate="230608" FourCC="H264" MaxWidth="320" MaxHeight="180" CodecPrivateData="00" />
<c n="0" d="20000000" />
</StreamIndex>
<StreamIndex Type="audio" QualityLevels="1" Chunks="3" Url="QualityLevels({bitrate})/Fragments(audio={start time})">
<QualityLevel Index="0" Bitrate="69000" FourCC="AACL" SamplingRate="44100" Channels="1" BitsPerSample="16" PacketSize="4" AudioTag="255" CodecPrivateData="120856e500" />
<c n="0" d="19504763" />
</StreamIndex>
</SmoothStreamingMedia>
"#;

    #[test]
    fn reads_ffmpeg_streams() {
        let s = streams(FFMPEG).expect("streams");
        assert_eq!(
            s,
            vec![
                Stream {
                    url_key: "video".into(),
                    framing: Framing::Avc { length_size: 4 }
                },
                Stream {
                    url_key: "audio".into(),
                    framing: Framing::Whole
                }
            ]
        );
    }

    #[test]
    fn inserts_protection_once() {
        let p = protect(FFMPEG, "QUJD").expect("protect");
        assert!(p.contains("<ProtectionHeader SystemID=\"9A04F079-9840-4286-AB92-E65BE0885F95\">QUJD</ProtectionHeader>\n</Protection>\n</SmoothStreamingMedia>"));
        assert_eq!(
            protect(&p, "QUJD"),
            Err(ManifestEditError::AlreadyProtected)
        );
        assert_eq!(protect("<x/>", "QUJD"), Err(ManifestEditError::NoRoot));
    }
}
