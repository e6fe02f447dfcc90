//! The client manifest as data: presentation, streams, quality levels, chunks, protection.

/// A parsed Smooth Streaming client manifest (`SmoothStreamingMedia`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// MajorVersion (1 or 2).
    pub major_version: u32,
    /// MinorVersion.
    pub minor_version: u32,
    /// Presentation timescale (ticks per second; default 10 000 000).
    pub timescale: u64,
    /// Presentation duration in `timescale` ticks; `None` when absent or 0 (live).
    pub duration: Option<u64>,
    /// IsLive (case-insensitive `TRUE`).
    pub is_live: bool,
    /// LookaheadCount / LookAheadFragmentCount: tfrf entries each live fragment carries.
    pub lookahead_count: Option<u32>,
    /// DVRWindowLength in `timescale` ticks; `None` = absent or 0 (infinite on live).
    pub dvr_window_length: Option<u64>,
    /// CanSeek (default true).
    pub can_seek: bool,
    /// CanPause (default true).
    pub can_pause: bool,
    /// Top-level CustomAttributes, in document order.
    pub custom_attributes: Vec<Attribute>,
    /// Protection headers (the `Protection` element may come before or after the streams).
    pub protection: Vec<ProtectionHeader>,
    /// StreamIndex elements in document order, text streams included.
    pub streams: Vec<StreamIndex>,
}

/// A `Name`/`Value` pair from a CustomAttributes element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Attribute name.
    pub name: String,
    /// Attribute value.
    pub value: String,
}

/// StreamIndex Type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StreamType {
    /// `video`
    Video,
    /// `audio`
    Audio,
    /// `text` (captions, subtitles, chapters, SCMD…)
    Text,
}

/// One StreamIndex: a track with its quality levels and its fragment timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamIndex {
    /// Type.
    pub stream_type: StreamType,
    /// Subtype (e.g. `CAPT`, `SUBT`, `SCMD`, `CHAP`, `WVC1`).
    pub subtype: Option<String>,
    /// Name (used in `{…}`-less URLs and to select camera angles / languages).
    pub name: Option<String>,
    /// Language (e.g. `eng`).
    pub language: Option<String>,
    /// Url template, as written (e.g. `QualityLevels({bitrate})/Fragments(video={start time})`).
    pub url_template: String,
    /// Stream timescale (inherits the presentation's when absent).
    pub timescale: u64,
    /// Chunks as declared (informative only: often 0 or wrong on live).
    pub declared_chunks: Option<u64>,
    /// MaxWidth.
    pub max_width: Option<u32>,
    /// MaxHeight.
    pub max_height: Option<u32>,
    /// DisplayWidth.
    pub display_width: Option<u32>,
    /// DisplayHeight.
    pub display_height: Option<u32>,
    /// ParentStreamIndex (sparse streams attached to a parent).
    pub parent_stream_index: Option<String>,
    /// ManifestOutput (sparse text carried in the manifest).
    pub manifest_output: bool,
    /// Quality levels in document order.
    pub quality_levels: Vec<QualityLevel>,
    /// The expanded fragment timeline: exact start and duration of every chunk, ascending.
    pub chunks: Vec<Chunk>,
}

/// One fragment of the timeline, in the stream's timescale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    /// Start time (the `{start time}` of its URL).
    pub start: u64,
    /// Duration.
    pub duration: u64,
}

impl Chunk {
    /// Exclusive end time.
    pub fn end(&self) -> u64 {
        self.start.saturating_add(self.duration)
    }
}

/// The codec a FourCC names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// H264, AVC1, DAVC, X264.
    H264,
    /// AAC-LC: AACL, AAC, AACP (and audio with no FourCC).
    AacLc,
    /// HE-AAC: AACH (plays at least its AAC-LC core).
    AacHe,
    /// TTML / DFXP text.
    Ttml,
    /// VC-1 (WVC1).
    Vc1,
    /// WMA Pro (WMAP) / WMA (WMA2).
    Wma,
    /// Dolby Digital Plus (EC-3) or AC-3.
    Dolby,
    /// Anything else: kept, flagged unsupported.
    Unknown,
}

impl Codec {
    /// Whether smoothplay can decode (or, for text, pass through) this codec.
    pub fn is_supported(self) -> bool {
        matches!(
            self,
            Codec::H264 | Codec::AacLc | Codec::AacHe | Codec::Ttml
        )
    }
}

/// One QualityLevel (bitrate rendition) of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityLevel {
    /// Index (as declared; not necessarily contiguous).
    pub index: u32,
    /// Bitrate in bits per second.
    pub bitrate: u64,
    /// FourCC as written (upper-cased), or the default for the stream type when absent.
    pub fourcc: String,
    /// The codec the FourCC names.
    pub codec: Codec,
    /// MaxWidth (or legacy Width).
    pub max_width: Option<u32>,
    /// MaxHeight (or legacy Height).
    pub max_height: Option<u32>,
    /// CodecPrivateData, hex-decoded (Annex-B SPS/PPS for H.264, AudioSpecificConfig for AAC).
    pub codec_private_data: Vec<u8>,
    /// SamplingRate (Hz).
    pub sampling_rate: Option<u32>,
    /// Channels.
    pub channels: Option<u16>,
    /// BitsPerSample.
    pub bits_per_sample: Option<u16>,
    /// PacketSize.
    pub packet_size: Option<u32>,
    /// AudioTag.
    pub audio_tag: Option<u32>,
    /// NALUnitLengthField (1, 2 or 4; default 4).
    pub nal_unit_length_field: u8,
    /// WaveFormatEx, hex-decoded.
    pub wave_format_ex: Option<Vec<u8>>,
    /// CustomAttributes (fill `{CustomAttributes}` in URLs as `name=value,…`).
    pub custom_attributes: Vec<Attribute>,
}

/// A 16-byte UUID in canonical (big-endian) byte order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uuid(pub [u8; 16]);

impl Uuid {
    /// The PlayReady system ID 9a04f079-9840-4286-ab92-e65be0885f95.
    pub const PLAYREADY: Uuid = Uuid([
        0x9a, 0x04, 0xf0, 0x79, 0x98, 0x40, 0x42, 0x86, 0xab, 0x92, 0xe6, 0x5b, 0xe0, 0x88, 0x5f,
        0x95,
    ]);

    /// Builds a UUID from a Microsoft little-endian GUID (bytes 0-3, 4-5, 6-7 swapped).
    pub fn from_guid_le(b: [u8; 16]) -> Uuid {
        let mut u = b;
        u[0..4].reverse();
        u[4..6].reverse();
        u[6..8].reverse();
        Uuid(u)
    }

    /// The Microsoft little-endian GUID byte order of this UUID.
    pub fn to_guid_le(self) -> [u8; 16] {
        Uuid::from_guid_le(self.0).0
    }
}

impl std::fmt::Display for Uuid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let b = &self.0;
        for (i, byte) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for Uuid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Uuid({self})")
    }
}

impl std::str::FromStr for Uuid {
    type Err = ();

    /// Parses `xxxxxxxx-xxxx-…`, with or without braces and hyphens, any case.
    fn from_str(s: &str) -> Result<Uuid, ()> {
        let s = s.trim();
        let s = s
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .unwrap_or(s);
        let hex: String = s.chars().filter(|c| *c != '-').collect();
        if hex.len() != 32 {
            return Err(());
        }
        let mut out = [0u8; 16];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(hex.get(2 * i..2 * i + 2).ok_or(())?, 16).map_err(|_| ())?;
        }
        Ok(Uuid(out))
    }
}

/// One ProtectionHeader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectionHeader {
    /// SystemID.
    pub system_id: Uuid,
    /// The base64-decoded header bytes (opaque for non-PlayReady systems).
    pub data: Vec<u8>,
    /// The parsed PlayReady header, when `system_id` is PlayReady and the data parses.
    pub playready: Option<PlayReadyHeader>,
}

/// What a PlayReady WRMHEADER (4.0–4.3) says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayReadyHeader {
    /// The WRMHEADER version attribute (e.g. `4.0.0.0`).
    pub version: String,
    /// Key IDs, converted to canonical big-endian UUIDs (as used in tenc/senc).
    pub kids: Vec<PlayReadyKid>,
    /// LA_URL (license acquisition URL).
    pub la_url: Option<String>,
    /// LUI_URL.
    pub lui_url: Option<String>,
    /// DS_ID.
    pub ds_id: Option<String>,
}

/// One key ID of a PlayReady header, with its algorithm and checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayReadyKid {
    /// The key ID (canonical big-endian UUID).
    pub kid: Uuid,
    /// ALGID (`AESCTR`, `AESCBC`, `COCKTAIL`), when given.
    pub algid: Option<String>,
    /// CHECKSUM bytes (base64-decoded), when given.
    pub checksum: Option<Vec<u8>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_parse_and_guid_swap() {
        let u: Uuid = "{9A04F079-9840-4286-AB92-E65BE0885F95}"
            .parse()
            .expect("uuid");
        assert_eq!(u, Uuid::PLAYREADY);
        assert_eq!(u.to_string(), "9a04f079-9840-4286-ab92-e65be0885f95");
        let le = u.to_guid_le();
        assert_eq!(&le[..4], &[0x79, 0xf0, 0x04, 0x9a]);
        assert_eq!(Uuid::from_guid_le(le), u);
        assert!("xyz".parse::<Uuid>().is_err());
    }
}
