use super::*;
use crate::demux::CodecSupport;
use crate::manifest::QualityLevel;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn level(fourcc: &str, codec: Codec, cpd: &str) -> QualityLevel {
    QualityLevel {
        index: 0,
        bitrate: 1,
        fourcc: fourcc.into(),
        codec,
        max_width: Some(640),
        max_height: Some(360),
        codec_private_data: hex(cpd),
        sampling_rate: None,
        channels: None,
        bits_per_sample: None,
        packet_size: None,
        audio_tag: None,
        nal_unit_length_field: 4,
        wave_format_ex: None,
        custom_attributes: vec![],
    }
}

const SUPERSPEEDWAY: &str = "000000016764000DAC2CA50E11BFF040003F0520C0C0C800001F480005DC0300001C1200038273F8C7180000E090001C139FC63876848945800000000168E9093525";

#[test]
fn superspeedway_h264_private_data() {
    let ql = level("H264", Codec::H264, SUPERSPEEDWAY);
    let DecoderConfig::H264(c) = decoder_config(&ql).expect("config") else {
        panic!("not H.264")
    };
    assert_eq!(c.sps.len(), 1);
    assert_eq!(c.sps[0][0], 0x67);
    assert_eq!(c.pps, vec![hex("68E9093525")]);
    assert_eq!((c.width, c.height, c.nal_length_size), (224, 128, 4));
}

#[test]
fn three_byte_start_codes_and_avcc_private_data() {
    let annexb = "0000016742C01E95A0280F6C00000168CE3C80";
    let c = h264_config("AVC1", &hex(annexb), 2, (None, None)).expect("3-byte");
    assert_eq!(c.pps, vec![hex("68CE3C80")]);
    assert_eq!(c.nal_length_size, 2);
    let avcc = "0142C01EFFE100096742C01E95A0280F6C01000468CE3C80";
    let d = h264_config("AVC1", &hex(avcc), 4, (None, None)).expect("avcC");
    assert_eq!((d.sps.clone(), d.pps.clone()), (c.sps, c.pps));
}

#[test]
fn h264_errors_are_typed() {
    assert!(matches!(
        h264_config("H264", &hex("0000000168CE3C80"), 4, (None, None)),
        Err(DemuxError::InvalidCodecPrivateData { ref fourcc, .. }) if fourcc == "H264"
    ));
    assert_eq!(
        h264_config("H264", &[], 3, (None, None)),
        Err(DemuxError::NalLengthSize(3))
    );
    // In-band parameter sets: no private data, size from the manifest.
    let c = h264_config("DAVC", &[], 4, (Some(640), Some(360))).expect("in-band");
    assert_eq!((c.width, c.height, c.sps.len()), (640, 360, 0));
}

#[test]
fn aac_lc_from_private_data_and_from_attributes() {
    let ql = level("AACL", Codec::AacLc, "1210");
    let DecoderConfig::Aac(c) = decoder_config(&ql).expect("aac") else {
        panic!("not AAC")
    };
    assert_eq!((c.sample_rate, c.channels, c.sbr), (44100, 2, false));
    assert_eq!(c.asc, hex("1210"));

    let mut ql = level("AACL", Codec::AacLc, "");
    ql.sampling_rate = Some(48000);
    ql.channels = Some(1);
    let DecoderConfig::Aac(c) = decoder_config(&ql).expect("aac") else {
        panic!("not AAC")
    };
    assert_eq!(c.asc, vec![0x11, 0x88]);
    assert_eq!((c.sample_rate, c.channels), (48000, 1));
}

#[test]
fn he_aac_decodes_its_core_at_the_core_rate() {
    // Explicit SBR signalling: AOT 5, core 22.05 kHz stereo, SBR 44.1 kHz, core AOT 2.
    let c = aac_config("AACH", &hex("2B920800"), true, Some(44100), Some(2)).expect("explicit");
    assert_eq!((c.sample_rate, c.channels, c.sbr), (22050, 2, true));
    assert_eq!(c.asc, vec![0x13, 0x90]);
    // Backward-compatible signalling: plain AAC-LC 24 kHz followed by the 0x2b7 extension.
    let c = aac_config("AACH", &hex("131056E598"), true, Some(48000), Some(2)).expect("implicit");
    assert_eq!((c.sample_rate, c.asc.clone()), (24000, hex("1310")));
    // No private data: the manifest rate is the SBR output rate.
    let c = aac_config("AACH", &[], true, Some(48000), Some(2)).expect("attributes");
    assert_eq!((c.sample_rate, c.asc.clone()), (24000, hex("1310")));
    // A full decoder is told about SBR explicitly: AOT 5, core 24 kHz, SBR 48 kHz, AOT 2.
    assert_eq!(
        (c.output_rate, c.full_asc.clone()),
        (48000, hex("2B118800"))
    );
    let explicit = read_asc(&c.full_asc).map_err(|_| "asc").expect("reparse");
    assert_eq!(
        (
            explicit.object_type,
            explicit.core_rate,
            explicit.extension_rate
        ),
        (2, 24000, Some(48000))
    );
}

#[test]
fn multichannel_aac_is_described_and_refused_by_the_pure_build_only() {
    // AAC-LC 48 kHz, channelConfiguration 6 (5.1).
    let c = aac_config("AACL", &hex("1130"), false, None, None).expect("5.1");
    assert_eq!((c.channels, c.full_asc.clone()), (6, hex("1130")));
    let config = DecoderConfig::Aac(c);
    assert_eq!(
        CodecSupport::PURE.refuses(&config).as_deref(),
        Some("6 channels")
    );
    assert!(CodecSupport::LIBAV.supports(&config));
    // 7.1 is channelConfiguration 7.
    let c = aac_config("AACL", &hex("11B8"), false, None, None).expect("7.1");
    assert_eq!(c.channels, 8);
}

#[test]
fn vc1_wma_and_dolby_configs() {
    // androidx/media's sample_ismc_1: WVC1 sequence header + entry point.
    let mut ql = level(
        "WVC1",
        Codec::Vc1,
        "270000010FCBEE1670EF8A16783BF180C9089CC4AFA11C0000010E1207F840",
    );
    ql.max_width = None;
    let DecoderConfig::Vc1(v) = decoder_config(&ql).expect("vc1") else {
        panic!("not VC-1")
    };
    assert!(v.advanced);
    assert_eq!(v.sequence_header, ql.codec_private_data);
    assert_eq!((v.width, v.height), (720, 480));
    let mut wma = level("WMAP", Codec::Wma, "1000030000000000000000000000E0000000");
    (wma.sampling_rate, wma.channels, wma.packet_size) = (Some(44100), Some(2), Some(5945));
    wma.audio_tag = Some(0x162);
    let DecoderConfig::Wma(w) = decoder_config(&wma).expect("wma") else {
        panic!("not WMA")
    };
    assert_eq!(
        (w.format_tag, w.block_align, w.extra.len()),
        (0x162, 5945, 18)
    );
    assert!(CodecSupport::LIBAV.supports(&DecoderConfig::Wma(w.clone())));
    assert!(!CodecSupport::PURE.supports(&DecoderConfig::Wma(w)));
    wma.packet_size = None;
    assert!(matches!(
        decoder_config(&wma),
        Err(DemuxError::InvalidCodecPrivateData { .. })
    ));
    let DecoderConfig::Dolby(d) = decoder_config(&level("EC-3", Codec::Dolby, "")).expect("ec3")
    else {
        panic!("not Dolby")
    };
    assert!(d.enhanced);
}

#[test]
fn unsupported_codecs_and_configs() {
    for (fourcc, codec) in [("TTML", Codec::Ttml), ("ABCD", Codec::Unknown)] {
        assert_eq!(
            decoder_config(&level(fourcc, codec, "")),
            Err(DemuxError::Unsupported {
                fourcc: fourcc.into()
            })
        );
    }
    // AAC Main (object type 1) is beyond every AAC decoder here; a PCE layout too.
    assert!(matches!(
        aac_config("AACL", &hex("0A10"), false, None, None),
        Err(DemuxError::Unsupported { .. })
    ));
    assert!(matches!(
        aac_config("AACL", &hex("1200"), false, None, None),
        Err(DemuxError::Unsupported { .. })
    ));
    assert!(matches!(
        aac_config("AACL", &[0x12], false, None, None),
        Err(DemuxError::InvalidCodecPrivateData { .. })
    ));
    assert!(matches!(
        aac_config("AACL", &[], false, None, Some(2)),
        Err(DemuxError::InvalidCodecPrivateData { .. })
    ));
}

#[test]
fn odd_rates_use_the_explicit_frequency_escape() {
    let c = aac_config("AACL", &[], false, Some(37800), Some(2)).expect("odd rate");
    let asc = read_asc(&c.asc).map_err(|_| "asc").expect("reparse");
    assert_eq!(
        (asc.core_rate, asc.channel_config, asc.object_type),
        (37800, 2, 2)
    );
}
