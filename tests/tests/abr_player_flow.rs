//! The controller as the player uses it (2 s fragments, sizes unknown, 30 s buffer) through
//! a link that drops from 4 Mbit/s to 0.5 Mbit/s and recovers.

use player_core::abr::{AbrConfig, Reason};
use player_tests::abrsim::decoder::{CpuScenario, hd_ladder, run_cpu};

#[test]
fn rate_drop_switches_down_without_stalling_and_recovers_with_reasons() {
    let net = |t: f64| if (90.0..210.0).contains(&t) { 0.5 } else { 4.0 };
    let s = CpuScenario {
        levels: hd_ladder(),
        network_mbps: &net,
        capacity: None,
        random_drop: 0.0,
        seed: 1,
        fragment_s: 2.0,
        duration_s: 400.0,
        config: AbrConfig::default(),
    };
    let r = run_cpu(&s).unwrap_or_else(|| panic!("ladder rejected"));
    let levels: Vec<(u32, usize)> = r
        .decisions
        .iter()
        .map(|(t, d)| (*t as u32, d.level))
        .collect();
    assert_eq!(r.stall_s, 0.0, "stalled: {levels:?}");
    let before = r.decisions_between(60.0, 90.0);
    assert!(
        before.iter().all(|(_, d)| d.level >= 3),
        "not using 4 Mbit/s: {levels:?}"
    );
    // On 0.5 Mbit/s only the 400 kbit/s level is sustainable; the buffer absorbs the switch.
    let late_slow = r.decisions_between(150.0, 210.0);
    assert!(late_slow.iter().all(|(_, d)| d.level == 0), "{levels:?}");
    let down = r
        .decisions_between(90.0, 210.0)
        .into_iter()
        .find(|(_, d)| d.level < 3)
        .unwrap_or_else(|| panic!("never switched down: {levels:?}"));
    assert!(
        matches!(down.1.reason, Reason::Bandwidth | Reason::Buffer),
        "{down:?}"
    );
    let up = r
        .decisions_between(210.0, f64::INFINITY)
        .into_iter()
        .find(|(_, d)| d.level >= 3)
        .unwrap_or_else(|| panic!("never switched back up: {levels:?}"));
    assert!(
        up.0 - 210.0 <= 60.0,
        "recovered only after {:.0} s",
        up.0 - 210.0
    );
    assert!(
        matches!(up.1.reason, Reason::Bandwidth | Reason::Buffer),
        "{up:?}"
    );
}
