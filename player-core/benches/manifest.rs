//! Parse time of a two-hour live DVR manifest: 3 streams × 3600 `c` elements, mixed coding.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use player_core::manifest::parse;

/// Wall-clock-like first start time (100-ns units), as IIS Live writes it.
const T0: u64 = 17_000_000_000_000_000;
/// `c` elements per stream.
const ELEMENTS: u64 = 3600;

/// A two-hour live manifest: start-time coded video, duration-coded audio with a `t` every
/// 30 elements, and a second camera in `r="2"` runs of 1-second chunks with a `t` every 100.
fn two_hour_live() -> String {
    let mut s = String::with_capacity(1 << 20);
    s.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<SmoothStreamingMedia MajorVersion=\"2\" MinorVersion=\"2\" \
         TimeScale=\"10000000\" Duration=\"0\" IsLive=\"TRUE\" LookAheadFragmentCount=\"2\" DVRWindowLength=\"72000000000\">\n",
    );
    s.push_str(
        "<StreamIndex Type=\"video\" Name=\"video\" Chunks=\"0\" QualityLevels=\"3\" Url=\"QualityLevels({bitrate})/Fragments(video={start time})\">\n",
    );
    for (i, (w, h, br)) in [
        (1280, 720, 2_962_000),
        (848, 480, 1_427_000),
        (424, 240, 477_000),
    ]
    .into_iter()
    .enumerate()
    {
        let _ = writeln!(
            s,
            "<QualityLevel Index=\"{i}\" Bitrate=\"{br}\" FourCC=\"H264\" MaxWidth=\"{w}\" MaxHeight=\"{h}\" CodecPrivateData=\"000000016764001FAC2CA5014016EC04400000FA40003A983C60C9200000000168E9093CB0\"/>"
        );
    }
    for k in 0..ELEMENTS {
        let _ = writeln!(s, "<c t=\"{}\" d=\"20000000\"/>", T0 + k * 20_000_000);
    }
    s.push_str("</StreamIndex>\n<StreamIndex Type=\"audio\" Name=\"audio\" Chunks=\"0\" QualityLevels=\"1\" Url=\"QualityLevels({bitrate})/Fragments(audio={start time})\">\n");
    s.push_str("<QualityLevel Index=\"0\" Bitrate=\"128000\" FourCC=\"AACL\" SamplingRate=\"48000\" Channels=\"2\" BitsPerSample=\"16\" PacketSize=\"4\" AudioTag=\"255\" CodecPrivateData=\"1190\"/>\n");
    let mut t = T0;
    for k in 0..ELEMENTS {
        let d = if k % 2 == 0 { 20_053_333 } else { 19_946_667 };
        if k % 30 == 0 {
            let _ = writeln!(s, "<c t=\"{t}\" d=\"{d}\"/>");
        } else {
            let _ = writeln!(s, "<c d=\"{d}\"/>");
        }
        t += d;
    }
    s.push_str("</StreamIndex>\n<StreamIndex Type=\"video\" Name=\"camera2\" Chunks=\"0\" QualityLevels=\"1\" Url=\"QualityLevels({bitrate})/Fragments(camera2={start time})\">\n");
    s.push_str("<QualityLevel Index=\"0\" Bitrate=\"800000\" FourCC=\"AVC1\" MaxWidth=\"640\" MaxHeight=\"360\" CodecPrivateData=\"00000001674D401EE8802802DD80B501010140000003004000000C83C58B6680000000168EBECB22\"/>\n");
    for k in 0..ELEMENTS {
        if k % 100 == 0 {
            let _ = writeln!(
                s,
                "<c t=\"{}\" d=\"10000000\" r=\"2\"/>",
                T0 + k * 20_000_000
            );
        } else {
            s.push_str("<c d=\"10000000\" r=\"2\"/>\n");
        }
    }
    s.push_str("</StreamIndex>\n</SmoothStreamingMedia>\n");
    s
}

fn bench_parse(c: &mut Criterion) {
    let doc = two_hour_live();
    let m = parse(doc.as_bytes()).expect("the generated manifest parses");
    let counts: Vec<usize> = m.streams.iter().map(|s| s.chunks.len()).collect();
    assert_eq!(counts, vec![3600, 3600, 7200]);
    assert_eq!(m.streams[1].end(), Some(T0 + 1800 * 40_000_000));

    let mut g = c.benchmark_group("manifest");
    g.throughput(Throughput::Bytes(u64::try_from(doc.len()).expect("len")));
    g.bench_function("parse_two_hour_live", |b| {
        b.iter(|| parse(black_box(doc.as_bytes())))
    });
    g.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
