//! Simulator behaviour: Pensieve compatibility computed by hand, the realistic mode, and
//! the offline optimum as a ceiling.

use player_tests::abrsim::algos;
use player_tests::abrsim::optimal::{DEFAULT_BIN_S, PlanReplay, optimal_plan};
use player_tests::abrsim::session::{Mode, SimConfig, run_session};
use player_tests::abrsim::trace::{SplitMix64, Trace, TraceFormat};
use player_tests::abrsim::video::Video;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// 2 levels (1 and 2 Mbit/s), 4 s chunks of 0.5 MB and 1 MB.
fn tiny_video() -> Video {
    Video::from_levels(
        "tiny",
        vec![1_000_000, 2_000_000],
        4.0,
        &[vec![500_000; 3], vec![1_000_000; 3]],
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// 1, 2, 1 MB/s over three one-second periods.
fn tiny_trace() -> Trace {
    Trace::parse("tiny", "0 8\n1 8\n2 16\n3 8\n", TraceFormat::Cooked)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn compat_mode_matches_fixed_env_computed_by_hand() {
    let video = tiny_video();
    let trace = tiny_trace();
    let cfg = SimConfig {
        buffer_cap_s: 5.0,
        ..SimConfig::new(Mode::Compat)
    };
    let mut plan = PlanReplay {
        plan: vec![0, 1, 1],
    };
    let r = run_session(&video, &trace, &cfg, &mut plan);
    let c = &r.chunks;
    // Chunk 0: 0.5 MB at 0.95 MB/s = 0.526316 s, + 80 ms RTT; all of it is startup.
    assert!(close(c[0].download_s, 0.5 / 0.95 + 0.08), "{:?}", c[0]);
    assert!(close(c[0].rebuffer_s, c[0].download_s) && close(c[0].buffer_s, 4.0));
    // Chunk 1: 0.45 MB in the rest of period 1, 0.55 MB at 1.9 MB/s, + RTT.
    let d1 = (1.0 - 0.5 / 0.95) + 0.55 / 1.9 + 0.08;
    assert!(close(c[1].download_s, d1), "{:?}", c[1]);
    // Buffer 8 − d1 = 7.157 s exceeds the 5 s cap: 2.157 s rounded up to 500 ms quanta.
    assert!(
        close(c[1].sleep_s, 2.5) && close(c[1].buffer_s, 8.0 - d1 - 2.5),
        "{:?}",
        c[1]
    );
    // The 2.5 s sleep wraps the trace to time 0 and point 1: 0.789474 s into period 1.
    let into = 1.0 + 0.55 / 1.9 + 2.5 - 3.0;
    let d2 = (1.0 - into) * 0.95 / 0.95 + (1.0 - (1.0 - into) * 0.95) / 1.9 + 0.08;
    assert!(close(c[2].download_s, d2), "{:?} vs {d2}", c[2]);
    assert!(close(c[2].sleep_s, 3.0), "{:?}", c[2]);
    // QoE: 1 + 2 + 2 − |2 − 1|; the startup delay is not counted in compat mode.
    assert!(close(r.qoe, 4.0) && close(r.rebuffer_s, 0.0), "{r:?}");
    assert_eq!(r.switches, 1);
    assert!(close(r.startup_s, c[0].download_s));
}

#[test]
fn realistic_mode_spends_latency_on_the_trace_and_counts_startup() {
    let video = tiny_video();
    let trace = tiny_trace();
    let cfg = SimConfig::new(Mode::Realistic);
    let mut plan = PlanReplay {
        plan: vec![0, 1, 1],
    };
    let r = run_session(&video, &trace, &cfg, &mut plan);
    // 80 ms latency on the trace first, then 0.5 MB at 0.95 MB/s.
    assert!(
        close(r.chunks[0].download_s, 0.08 + 0.5 / 0.95),
        "{:?}",
        r.chunks[0]
    );
    assert!(close(r.rebuffer_s, r.chunks[0].download_s));
    assert!(
        close(r.qoe, 4.0 - 4.3 * r.chunks[0].download_s),
        "{}",
        r.qoe
    );
}

/// A Markov-modulated trace: 1 s periods, regime changes, deep fades.
fn synthetic_trace(seed: u64, mean_mbps: f64) -> Trace {
    let mut rng = SplitMix64(seed);
    let mut text = String::new();
    let mut level = mean_mbps;
    for i in 0..240 {
        if rng.next_f64() < 0.1 {
            level = mean_mbps * (0.2 + 1.6 * rng.next_f64());
        }
        let fade = if rng.next_f64() < 0.05 { 0.1 } else { 1.0 };
        let bw = level * fade * (0.8 + 0.4 * rng.next_f64());
        text.push_str(&format!("{i} {bw:.4}\n"));
    }
    Trace::parse(&format!("synthetic-{seed}"), &text, TraceFormat::Cooked)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn synthetic_video(seed: u64) -> Video {
    synthetic_video_of(seed, 24)
}

fn synthetic_video_of(seed: u64, chunks: usize) -> Video {
    let mut rng = SplitMix64(seed);
    let bitrates = vec![
        300_000u64, 750_000, 1_200_000, 1_850_000, 2_850_000, 4_300_000,
    ];
    let per_level: Vec<Vec<u64>> = bitrates
        .iter()
        .map(|b| {
            (0..chunks)
                .map(|_| (*b as f64 * 4.0 / 8.0 * (0.7 + 0.6 * rng.next_f64())) as u64)
                .collect()
        })
        .collect();
    Video::from_levels("synthetic", bitrates, 4.0, &per_level).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_optimum_is_a_ceiling_for_every_algorithm_on_every_trace() {
    let video = synthetic_video(3);
    for mode in [Mode::Compat, Mode::Realistic] {
        let cfg = SimConfig::new(mode);
        for seed in 0..4 {
            let trace = synthetic_trace(seed, 0.8 + 0.7 * seed as f64);
            let mut opt = PlanReplay {
                plan: optimal_plan(&video, &trace, &cfg, DEFAULT_BIN_S),
            };
            let best = run_session(&video, &trace, &cfg, &mut opt);
            for name in algos::ONLINE {
                let mut a = algos::by_name(name).unwrap_or_else(|| panic!("{name}"));
                let r = run_session(&video, &trace, &cfg, a.as_mut());
                assert!(
                    r.qoe <= best.qoe + 1e-6,
                    "{mode:?} {}: {name} {:.3} beats the optimum {:.3}",
                    trace.name,
                    r.qoe,
                    best.qoe
                );
            }
        }
    }
}

#[test]
fn every_algorithm_plays_every_chunk_and_reports_consistent_metrics() {
    let video = synthetic_video(5);
    let trace = synthetic_trace(9, 2.0);
    let cfg = SimConfig::new(Mode::Realistic);
    for name in algos::ONLINE {
        let mut a = algos::by_name(name).unwrap_or_else(|| panic!("{name}"));
        let r = run_session(&video, &trace, &cfg, a.as_mut());
        assert_eq!(r.chunks.len(), video.chunks(), "{name}");
        assert!(
            r.chunks
                .iter()
                .all(|c| c.level < video.levels() && c.buffer_s <= 60.0 + 1e-9),
            "{name}"
        );
        let switches = r
            .chunks
            .windows(2)
            .filter(|w| w[0].level != w[1].level)
            .count();
        assert_eq!(r.switches, switches, "{name}");
        assert!((0.0..1.0).contains(&r.rebuffer_ratio()), "{name}");
    }
}

#[test]
fn a_rate_drop_makes_the_throughput_rule_and_ours_switch_down() {
    // 4 Mbit/s for 60 s, then 0.5 Mbit/s.
    let text: String = (0..400)
        .map(|i| format!("{i} {}\n", if i < 60 { 4.0 } else { 0.5 }))
        .collect();
    let trace = Trace::parse("drop", &text, TraceFormat::Cooked).unwrap_or_else(|e| panic!("{e}"));
    let video = synthetic_video_of(1, 100);
    let cfg = SimConfig::new(Mode::Realistic);
    for name in ["throughput", "ours"] {
        let mut a = algos::by_name(name).unwrap_or_else(|| panic!("{name}"));
        let r = run_session(&video, &trace, &cfg, a.as_mut());
        // Chunks fetched while the link is slow, well before the end (where spending the
        // buffer on a better last chunk is right).
        let slow = &r.chunks[40..80];
        let worst = slow.iter().map(|c| c.level).max().unwrap_or(99);
        let levels: Vec<usize> = r.chunks.iter().map(|c| c.level).collect();
        assert!(
            worst <= 1,
            "{name} fetched level {worst} on a 0.5 Mbit/s link: {levels:?}"
        );
        assert!(
            r.chunks[5..15].iter().any(|c| c.level >= 3),
            "{name} never used the 4 Mbit/s"
        );
    }
}
