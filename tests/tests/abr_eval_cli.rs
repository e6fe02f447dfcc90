//! `abr-eval run` end to end on small files written to a scratch folder.

use std::path::PathBuf;
use std::process::Command;

use player_tests::abrsim::eval::load_traces;
use player_tests::abrsim::trace::TraceFormat;
use player_tests::abrsim::video::Video;

/// A scratch folder removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("abr-eval-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        Scratch(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn fixtures(s: &Scratch) -> (PathBuf, PathBuf) {
    let video = s.0.join("video");
    std::fs::create_dir_all(&video).unwrap_or_else(|e| panic!("{e}"));
    for (level, kbps) in [300u64, 1200, 3000].iter().enumerate() {
        let sizes: String = (0..12)
            .map(|c| format!("{}\n", kbps * 500 + c * 100))
            .collect();
        std::fs::write(video.join(format!("video_size_{level}")), sizes)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let traces = s.0.join("traces");
    std::fs::create_dir_all(&traces).unwrap_or_else(|e| panic!("{e}"));
    let cooked: String = (0..60)
        .map(|i| format!("{i} {}\n", if i % 20 < 10 { 3.0 } else { 0.8 }))
        .collect();
    std::fs::write(traces.join("cooked.txt"), cooked).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        traces.join("sabre.json"),
        r#"[{"duration_ms": 5000, "bandwidth_kbps": 2500, "latency_ms": 20},
            {"duration_ms": 5000, "bandwidth_kbps": 900, "latency_ms": 20}]"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        traces.join("oboe.txt"),
        "0 2000\n3000 2000\n3500 1500\n6000 1500\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(traces.join("README.md"), "not a trace").unwrap_or_else(|e| panic!("{e}"));
    (video, traces)
}

#[test]
fn folders_of_level_sizes_and_mixed_traces_load() {
    let s = Scratch::new("load");
    let (video, traces) = fixtures(&s);
    let v = Video::load(&video, Some(&[300_000, 1_200_000, 3_000_000]), 4.0)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((v.chunks(), v.levels()), (12, 3));
    assert_eq!(v.size(11, 2), 3000 * 500 + 1100);
    let e = Video::load(&video, None, 4.0)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("--bitrates-kbps"), "{e}");
    let t = load_traces(&traces, TraceFormat::Auto, 0.5).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = t.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["cooked.txt", "oboe.txt", "sabre.json"]);
    assert!(
        (t[2].mbps[1] - 1.25).abs() < 1e-9,
        "scale not applied: {:?}",
        t[2].mbps
    );
    // The cooked step trace alternates 3 and 0.8 Mbit/s every 10 s (halved by the scale).
    let cooked = 0.5 * (29.0 * 3.0 + 30.0 * 0.8) / 59.0;
    assert!(
        (t[0].mean_mbps() - cooked).abs() < 0.05,
        "{}",
        t[0].mean_mbps()
    );
    assert!(
        (t[1].duration_s() - 6.0).abs() < 1e-9,
        "oboe read as {:?}",
        t[1].times_s
    );
    let bad = s.write("bad.json", "[{\"duration_ms\": 1}]");
    assert!(player_tests::abrsim::trace::Trace::load(&bad, TraceFormat::Auto).is_err());
}

#[test]
fn run_prints_the_table_and_rejects_unknown_algorithms() {
    let s = Scratch::new("cli");
    let (video, traces) = fixtures(&s);
    let exe = env!("CARGO_BIN_EXE_abr-eval");
    for mode in ["compat", "realistic"] {
        let out = Command::new(exe)
            .args(["run", "--video"])
            .arg(&video)
            .arg("--traces")
            .arg(&traces)
            .args(["--bitrates-kbps", "300,1200,3000", "--mode", mode])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for algo in ["ours", "throughput", "bba", "bola", "robustmpc", "optimal"] {
            let row = text
                .lines()
                .find(|l| l.starts_with(algo))
                .unwrap_or_else(|| panic!("no {algo} row: {text}"));
            assert!(row.split_whitespace().count() == 9, "{row}");
        }
        assert!(text.contains("3 traces"), "{text}");
        let opt_row = text
            .lines()
            .find(|l| l.starts_with("optimal"))
            .unwrap_or_default();
        assert!(opt_row.contains(" 1.000 "), "{opt_row}");
    }
    let out = Command::new(exe)
        .args(["run", "--video"])
        .arg(&video)
        .arg("--traces")
        .arg(&traces)
        .args([
            "--bitrates-kbps",
            "300,1200,3000",
            "--tsv",
            "--algo",
            "ours,optimal",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let tsv = String::from_utf8_lossy(&out.stdout);
    assert_eq!(tsv.lines().count(), 1 + 2 * 3, "{tsv}");
    assert!(tsv.starts_with("algo\ttrace\tqoe\t"));
    let out = Command::new(exe)
        .args(["run", "--video"])
        .arg(&video)
        .arg("--traces")
        .arg(&traces)
        .args(["--algo", "pensieve"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown algorithm \"pensieve\""));
}
