//! CPU awareness in the decoder-model simulator: plenty of bandwidth, a decoder that may
//! not keep up.

use player_core::abr::{AbrConfig, Reason};
use player_tests::abrsim::decoder::{CpuRun, CpuScenario, hd_ladder, run_cpu};

const TOP: usize = 4;
/// 720p30 is the highest level with cost ≤ 0.6 × 1080p30.
const SUSTAINABLE: usize = 3;

fn top_cost() -> f64 {
    hd_ladder()[TOP].decode_cost()
}

fn run(capacity: Option<&dyn Fn(f64) -> f64>, random_drop: f64, duration_s: f64) -> CpuRun {
    let net = |_t: f64| 20.0;
    let s = CpuScenario {
        levels: hd_ladder(),
        network_mbps: &net,
        capacity,
        random_drop,
        seed: 42,
        fragment_s: 2.0,
        duration_s,
        config: AbrConfig::default(),
    };
    run_cpu(&s).unwrap_or_else(|| panic!("ladder rejected"))
}

fn levels(r: &CpuRun) -> Vec<usize> {
    r.decisions.iter().map(|(_, d)| d.level).collect()
}

#[test]
fn slow_decoder_settles_on_the_highest_sustainable_level() {
    let cap = |_t: f64| 0.6 * top_cost();
    let r = run(Some(&cap), 0.0, 300.0);
    // Drops become visible when the first 1080p frames play.
    let visible = r
        .ticks
        .iter()
        .find(|t| t.dropped > 0)
        .map(|t| t.t)
        .unwrap_or_else(|| panic!("no drops at all: {:?}", levels(&r)));
    let after = r.decisions_between(visible, f64::INFINITY);
    let settled = after
        .iter()
        .position(|(_, d)| d.level == SUSTAINABLE)
        .unwrap_or_else(|| panic!("never settled: {:?}", levels(&r)));
    // "Within 2 fragments": two fragment durations of playback after the first drop (a fast
    // link may fetch several fragments in that time during startup).
    let delay = after[settled].0 - visible;
    assert!(
        delay <= 2.0 * 2.0,
        "settled {delay:.1} s after drops appeared: {:?}",
        levels(&r)
    );
    assert_eq!(after[settled].1.reason, Reason::Cpu);
    assert!(
        after
            .iter()
            .skip(settled)
            .all(|(_, d)| d.level <= SUSTAINABLE),
        "went back above the sustainable level: {:?}",
        levels(&r)
    );
    // Steady state: once the buffered 1080p fragments have played out.
    let steady = r.drop_ratio(100.0, 300.0);
    assert!(steady <= 0.01, "steady-state drops {:.2}%", steady * 100.0);
    assert_eq!(r.stall_s, 0.0);
}

#[test]
fn load_step_caps_then_climbs_back_within_a_minute_and_probes_rarely() {
    let load_end = 240.0;
    let cap = move |t: f64| {
        if (60.0..load_end).contains(&t) {
            0.6 * top_cost()
        } else {
            10.0 * top_cost()
        }
    };
    let r = run(Some(&cap), 0.0, 420.0);
    let during = r.decisions_between(90.0, load_end);
    assert!(
        during.iter().all(|(_, d)| d.level <= SUSTAINABLE),
        "{:?}",
        levels(&r)
    );
    let back = r
        .decisions_between(load_end, f64::INFINITY)
        .iter()
        .find(|(_, d)| d.level == TOP)
        .map(|(t, _)| *t)
        .unwrap_or_else(|| panic!("never climbed back: {:?}", levels(&r)));
    assert!(
        back - load_end <= 60.0,
        "climbed back after {:.0} s",
        back - load_end
    );
    let probes = r.upward_probes();
    for w in probes.windows(2) {
        assert!(w[1] - w[0] >= 30.0, "probes too close: {probes:?}");
    }
}

#[test]
fn random_drops_of_one_to_two_percent_do_not_switch_down() {
    let ample = |_t: f64| 10.0 * top_cost();
    let clean = run(Some(&ample), 0.0, 300.0);
    for p in [0.01, 0.02] {
        let noisy = run(Some(&ample), p, 300.0);
        assert!(
            noisy.drop_ratio(0.0, 300.0) > p * 0.5,
            "the model dropped too few frames"
        );
        assert_eq!(
            levels(&noisy),
            levels(&clean),
            "{}% random drops changed decisions",
            p * 100.0
        );
        assert!(noisy.decisions.iter().all(|(_, d)| d.reason != Reason::Cpu));
    }
}

#[test]
fn ample_decoder_decides_exactly_like_network_only() {
    let ample = |_t: f64| 10.0 * top_cost();
    let with = run(Some(&ample), 0.0, 300.0);
    let without = run(None, 0.0, 300.0);
    assert_eq!(with.decisions, without.decisions);
    assert_eq!(levels(&with).last(), Some(&TOP));
}
