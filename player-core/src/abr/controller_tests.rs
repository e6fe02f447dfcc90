//! Behaviour of the whole controller, as the player would see it.

use super::*;

fn ladder() -> Vec<Level> {
    [
        (300_000, 426, 240),
        (750_000, 640, 360),
        (1_500_000, 854, 480),
        (3_000_000, 1280, 720),
        (6_000_000, 1920, 1080),
    ]
    .iter()
    .map(|&(b, w, h)| Level {
        bitrate_bps: b,
        width: w,
        height: h,
        fps: 30.0,
    })
    .collect()
}

fn controller() -> Controller {
    match Controller::new(ladder(), AbrConfig::default()) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

const FRAG: [Upcoming<'static>; 1] = [Upcoming {
    duration_s: 2.0,
    sizes_bytes: None,
}];

fn ctx(now: f64, buffer: f64) -> DecisionContext<'static> {
    DecisionContext {
        now_s: now,
        buffer_s: buffer,
        upcoming: &FRAG,
        remaining_fragments: None,
        live_latency_target_s: None,
    }
}

/// Plays `n` fragments over a link of `mbps`; returns the levels chosen and the end state.
fn run(
    c: &mut Controller,
    mbps: f64,
    n: usize,
    mut now: f64,
    mut buffer: f64,
) -> (Vec<usize>, f64, f64) {
    let mut levels = Vec::new();
    for _ in 0..n {
        let d = c.next_level(&ctx(now, buffer));
        levels.push(d.level);
        let bytes = c.levels()[d.level].bitrate_bps / 4; // 2 s fragment
        let t = 0.05 + bytes as f64 * 8.0 / (mbps * 1e6);
        now += t;
        buffer = (buffer - t).max(0.0) + 2.0;
        if buffer > 30.0 {
            now += buffer - 30.0;
            buffer = 30.0;
        }
        c.on_download(&DownloadObservation {
            level: d.level,
            bytes,
            ttfb_s: 0.05,
            total_s: t,
            duration_s: 2.0,
            abandoned: false,
            now_s: now,
        });
    }
    (levels, now, buffer)
}

#[test]
fn bad_ladders_are_rejected() {
    assert_eq!(
        Controller::new(vec![], AbrConfig::default()).err(),
        Some(AbrError::NoLevels)
    );
    let mut l = ladder();
    l.swap(0, 1);
    assert!(matches!(
        Controller::new(l, AbrConfig::default()),
        Err(AbrError::BadBitrate { index: 1, .. })
    ));
}

#[test]
fn startup_is_conservative_then_climbs_to_what_the_link_sustains() {
    let mut c = controller();
    let first = c.next_level(&ctx(0.0, 0.0));
    assert_eq!(first.reason, Reason::Startup);
    assert!(first.level <= 1, "{first:?}");
    let (levels, _, _) = run(&mut c, 5.0, 40, 0.0, 0.0);
    let tail = &levels[30..];
    assert!(tail.iter().all(|&l| l == 3 || l == 4), "{levels:?}");
    assert!((c.bandwidth_estimate_bps() - 5e6).abs() < 0.2e6);
}

#[test]
fn remembered_estimate_starts_higher() {
    let cfg = AbrConfig {
        initial_bandwidth_bps: Some(20e6),
        ..AbrConfig::default()
    };
    let mut c = Controller::new(ladder(), cfg).unwrap_or_else(|e| panic!("{e}"));
    assert!(c.next_level(&ctx(0.0, 0.0)).level >= 2);
}

#[test]
fn bandwidth_drop_switches_down_before_the_buffer_runs_dry() {
    let mut c = controller();
    let (_, now, buffer) = run(&mut c, 8.0, 30, 0.0, 0.0);
    let (levels, _, end_buffer) = run(&mut c, 0.8, 15, now, buffer);
    assert!(end_buffer > 2.0, "buffer ran dry: {end_buffer}");
    assert!(
        levels[levels.len() - 5..].iter().all(|&l| l <= 1),
        "{levels:?}"
    );
}

#[test]
fn manual_override_wins_and_reports_manual() {
    let mut c = controller();
    c.set_manual(Some(4));
    let d = c.next_level(&ctx(0.0, 0.0));
    assert_eq!(
        d,
        Decision {
            level: 4,
            reason: Reason::Manual
        }
    );
    c.set_manual(Some(99));
    assert_eq!(c.next_level(&ctx(0.0, 0.0)).level, 4);
    c.set_manual(None);
    assert_ne!(c.next_level(&ctx(0.0, 0.0)).reason, Reason::Manual);
}

#[test]
fn viewport_and_user_caps_bound_the_level() {
    let mut c = controller();
    run(&mut c, 50.0, 20, 0.0, 0.0);
    assert_eq!(c.next_level(&ctx(100.0, 30.0)).level, 4);
    c.set_viewport(Some((640, 360)));
    // 640×360 × 1.25 = 800×450: 854×480 does not fit.
    assert_eq!(
        c.next_level(&ctx(100.0, 30.0)),
        Decision {
            level: 1,
            reason: Reason::Viewport
        }
    );
    c.set_viewport(None);
    c.set_caps(UserCaps {
        max_bitrate_bps: Some(2_000_000),
        ..UserCaps::default()
    });
    assert_eq!(
        c.next_level(&ctx(100.0, 30.0)),
        Decision {
            level: 2,
            reason: Reason::Manual
        }
    );
    c.set_caps(UserCaps {
        max_height: Some(720),
        ..UserCaps::default()
    });
    assert_eq!(c.next_level(&ctx(100.0, 30.0)).level, 3);
}

#[test]
fn errors_exclude_a_level_for_a_while() {
    let mut c = controller();
    run(&mut c, 50.0, 20, 0.0, 0.0);
    c.on_error(4, 100.0);
    assert_eq!(
        c.next_level(&ctx(100.0, 30.0)),
        Decision {
            level: 3,
            reason: Reason::Error
        }
    );
    assert_eq!(c.next_level(&ctx(111.0, 30.0)).level, 4);
    c.on_error(4, 111.0);
    c.on_error(4, 111.0);
    // Third error in a row: 40 s back-off.
    assert_eq!(c.next_level(&ctx(140.0, 30.0)).level, 3);
}

#[test]
fn live_target_keeps_the_buffer_small_and_cautious() {
    let mut c = controller();
    run(&mut c, 4.0, 20, 0.0, 0.0);
    let upcoming = [Upcoming {
        duration_s: 2.0,
        sizes_bytes: None,
    }];
    let vod = c.clone().next_level(&DecisionContext {
        upcoming: &upcoming,
        ..ctx(100.0, 30.0)
    });
    let live = c.next_level(&DecisionContext {
        live_latency_target_s: Some(6.0),
        buffer_s: 6.0,
        upcoming: &upcoming,
        ..ctx(100.0, 6.0)
    });
    assert!(live.level <= vod.level, "live {live:?} vod {vod:?}");
    assert!(live.level <= 3);
}

#[test]
fn cpu_overload_caps_and_reports_cpu() {
    let mut c = controller();
    run(&mut c, 50.0, 20, 0.0, 0.0);
    let mut t = 100.0;
    for _ in 0..6 {
        c.on_decoder(&DecoderObservation {
            level: 4,
            frames_decoded: 9,
            frames_dropped: 6,
            decode_time_per_frame_s: Some(0.055),
            frame_duration_s: 1.0 / 30.0,
            now_s: t,
        });
        t += 0.5;
    }
    let d = c.next_level(&ctx(t, 30.0));
    assert_eq!(
        d,
        Decision {
            level: 3,
            reason: Reason::Cpu
        }
    );
}

#[test]
fn abandonment_refetches_lower_when_a_download_will_stall() {
    let mut c = controller();
    run(&mut c, 8.0, 20, 0.0, 0.0);
    let f = InFlight {
        level: 4,
        bytes_received: 50_000,
        bytes_expected: Some(1_500_000),
        elapsed_s: 2.0,
        duration_s: 2.0,
        buffer_s: 2.0,
    };
    assert!(c.should_abandon(&f, None).is_some_and(|l| l < 4));
    let healthy = InFlight {
        bytes_received: 1_000_000,
        elapsed_s: 1.0,
        ..f
    };
    assert_eq!(c.should_abandon(&healthy, None), None);
    c.set_manual(Some(4));
    assert_eq!(c.should_abandon(&f, None), None);
}

#[test]
fn end_of_presentation_is_planned() {
    let mut c = controller();
    run(&mut c, 2.0, 20, 0.0, 0.0);
    // Upgrading for the very last fragment alone gains nothing under the linear QoE (the
    // switch costs what it brings), so the test ends with three fragments left.
    let sizes = [75_000u64, 187_500, 375_000, 750_000, 1_500_000];
    let f = Upcoming {
        duration_s: 2.0,
        sizes_bytes: Some(&sizes),
    };
    let up = [f, f, f];
    let last = c.clone().next_level(&DecisionContext {
        upcoming: &up,
        remaining_fragments: Some(3),
        ..ctx(100.0, 25.0)
    });
    let mid = c.next_level(&DecisionContext {
        upcoming: &up,
        ..ctx(100.0, 25.0)
    });
    assert!(last.level >= mid.level, "last {last:?} mid {mid:?}");
    assert_eq!(last.level, 4);
}

#[test]
fn a_stall_is_reported_as_the_buffer_reason() {
    let mut c = controller();
    let (_, now, _) = run(&mut c, 4.0, 20, 0.0, 0.0);
    c.on_rebuffer(1.5, now);
    let d = c.next_level(&ctx(now, 0.0));
    assert_eq!(d.reason, Reason::Buffer, "{d:?}");
}

#[test]
fn live_keeps_levels_well_within_the_throughput_and_judges_downloads_early() {
    let mut c = controller();
    // 4 Mbit/s: on demand with a deep buffer the 3 Mbit/s level is affordable.
    run(&mut c, 4.0, 30, 0.0, 0.0);
    let vod = c.clone().next_level(&ctx(100.0, 25.0));
    assert_eq!(vod.level, 3, "{vod:?}");
    // Live, 6 s behind the edge: at most 60 % of the throughput, whatever the buffer says.
    let live = c.next_level(&DecisionContext {
        live_latency_target_s: Some(6.0),
        ..ctx(100.0, 4.0)
    });
    assert!(c.levels()[live.level].bitrate_bps as f64 <= 0.6 * c.bandwidth_estimate_bps());
    assert!(live.level < vod.level, "{live:?}");
    // A download collapsing with a thin live buffer is judged after 0.15 s, not 0.5 s.
    let flight = InFlight {
        level: live.level,
        bytes_received: 1_000,
        bytes_expected: Some(375_000),
        elapsed_s: 0.2,
        duration_s: 2.0,
        buffer_s: 1.5,
    };
    assert!(c.should_abandon(&flight, None).is_some());
}
