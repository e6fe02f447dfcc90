//! Time of one ABR decision (10-level ladder, exact sizes for the horizon).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use player_core::abr::{
    AbrConfig, Controller, DecisionContext, DownloadObservation, Level, Upcoming,
};

fn bench_decision(c: &mut Criterion) {
    let rates = [230u64, 331, 477, 688, 991, 1427, 2056, 2962, 5027, 6000];
    let levels: Vec<Level> = rates
        .iter()
        .map(|k| Level::from_bitrate(k * 1000))
        .collect();
    let mut ctl = match Controller::new(levels, AbrConfig::default()) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    for i in 0..30u32 {
        let mbps = 2.0 + f64::from(i % 7);
        ctl.on_download(&DownloadObservation {
            level: 5,
            bytes: 535_000,
            ttfb_s: 0.0,
            total_s: 535_000.0 * 8.0 / (mbps * 1e6),
            duration_s: 3.0,
            abandoned: false,
            now_s: f64::from(i) * 3.0,
        });
    }
    let sizes: Vec<Vec<u64>> = (0..8u64)
        .map(|c| rates.iter().map(|k| k * 375 + c * 1000).collect())
        .collect();
    let upcoming: Vec<Upcoming<'_>> = sizes
        .iter()
        .map(|s| Upcoming {
            duration_s: 3.0,
            sizes_bytes: Some(s),
        })
        .collect();
    c.bench_function("abr_next_level_10_levels", |b| {
        b.iter(|| {
            let ctx = DecisionContext {
                now_s: 100.0,
                buffer_s: black_box(17.0),
                upcoming: &upcoming,
                remaining_fragments: Some(100),
                live_latency_target_s: None,
            };
            black_box(ctl.next_level(&ctx))
        })
    });
}

criterion_group!(benches, bench_decision);
criterion_main!(benches);
