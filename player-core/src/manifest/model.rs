//! The client manifest as data: presentation, streams, quality levels, chunks, protection.

pub use crate::base::Uuid;

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
    /// Samples carried in the manifest itself (`f` elements; ManifestOutput streams).
    pub embedded_samples: Vec<EmbeddedSample>,
}

impl StreamIndex {
    /// Start time of the first chunk, if any.
    pub fn first_start(&self) -> Option<u64> {
        self.chunks.first().map(|c| c.start)
    }

    /// Start time of the last chunk, if any.
    pub fn last_start(&self) -> Option<u64> {
        self.chunks.last().map(|c| c.start)
    }

    /// Exclusive end of the last chunk, if any.
    pub fn end(&self) -> Option<u64> {
        self.chunks.last().map(Chunk::end)
    }
}

/// A sample written in the manifest (`<c><f i="…">base64</f></c>`), for sparse text streams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedSample {
    /// Start time of the chunk it belongs to.
    pub start: u64,
    /// The `i` attribute: Index of the QualityLevel (track) it belongs to.
    pub track_index: u32,
    /// The decoded sample bytes.
    pub data: Vec<u8>,
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
    /// AAC-LC: AACL, AAC (and audio with no FourCC).
    AacLc,
    /// HE-AAC: AACH, AACP ("AAC Plus"); plays at least its AAC-LC core.
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
    /// FourCC as written (upper-cased), or when absent: `AACL` for audio (WMA/AC-3 when its
    /// AudioTag says so), `H264`/`WVC1` for video when CodecPrivateData shows it, else empty.
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

/// One ProtectionHeader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectionHeader {
    /// SystemID.
    pub system_id: Uuid,
    /// The base64-decoded header bytes (opaque for non-PlayReady systems).
    pub data: Vec<u8>,
    /// The parsed PlayReady header, when `system_id` is PlayReady and the data parses.
    pub playready: Option<PlayReadyHeader>,
    /// What is wrong with the header when it cannot be read (not base64, or a PlayReady
    /// header that does not parse): it is then listed opaque, without KIDs, and the
    /// presentation's clear streams still play.
    pub defect: Option<String>,
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
