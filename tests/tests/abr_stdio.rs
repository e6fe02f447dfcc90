//! `abr-eval stdio`, spawned as a process and driven like an outside harness would.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use player_tests::abrsim::algos::Ours;
use player_tests::abrsim::session::{Mode, SimConfig, SimState, run_session};
use player_tests::abrsim::trace::{Trace, TraceFormat};
use player_tests::abrsim::video::Video;

fn video(chunks: usize) -> Video {
    let bitrates = vec![
        300_000u64, 750_000, 1_200_000, 1_850_000, 2_850_000, 4_300_000,
    ];
    let per_level: Vec<Vec<u64>> = bitrates
        .iter()
        .map(|b| {
            (0..chunks)
                .map(|c| b / 2 + (c as u64 % 7) * b / 40)
                .collect()
        })
        .collect();
    Video::from_levels("v", bitrates, 4.0, &per_level).unwrap_or_else(|e| panic!("{e}"))
}

fn trace() -> Trace {
    let text: String = (0..200)
        .map(|i| format!("{i} {}\n", [3.0, 1.2, 0.6, 4.5, 2.0][(i / 15) % 5]))
        .collect();
    Trace::parse("steps", &text, TraceFormat::Cooked).unwrap_or_else(|e| panic!("{e}"))
}

fn init_line(v: &Video) -> String {
    let per_level: Vec<Vec<u64>> = (0..v.levels())
        .map(|l| (0..v.chunks()).map(|c| v.size(c, l)).collect())
        .collect();
    serde_json::json!({
        "type": "init", "bitrates_bps": v.bitrates_bps, "chunk_duration_s": 4.0,
        "chunk_sizes_bytes": per_level, "buffer_capacity_s": 60.0, "extra": "ignored"
    })
    .to_string()
}

#[test]
fn stdio_drives_the_same_controller_as_the_simulator_across_sessions() {
    let v = video(48);
    let t = trace();
    let cfg = SimConfig::new(Mode::Compat);
    let expected: Vec<usize> = run_session(&v, &t, &cfg, &mut Ours::default())
        .chunks
        .iter()
        .map(|c| c.level)
        .collect();

    let mut child = Command::new(env!("CARGO_BIN_EXE_abr-eval"))
        .arg("stdio")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    let mut stdin = child.stdin.take().unwrap_or_else(|| panic!("no stdin"));
    let mut stdout = BufReader::new(child.stdout.take().unwrap_or_else(|| panic!("no stdout")));

    for session in 0..2 {
        writeln!(stdin, "{}", init_line(&v)).unwrap_or_else(|e| panic!("{e}"));
        let mut state = SimState::new(&t, cfg);
        let mut last: Option<(usize, u64, f64, f64)> = None;
        let mut got = Vec::new();
        for k in 0..v.chunks() {
            let (level, bytes, dl, rebuf) = match last {
                Some((l, b, d, r)) => (
                    serde_json::json!(l),
                    serde_json::json!(b),
                    serde_json::json!(d),
                    r,
                ),
                None => (
                    serde_json::Value::Null,
                    serde_json::Value::Null,
                    serde_json::Value::Null,
                    0.0,
                ),
            };
            let obs = serde_json::json!({
                "type": "observe", "chunk_index": k, "buffer_s": state.buffer_s, "rebuffer_s": rebuf,
                "last_level": level, "last_chunk_bytes": bytes, "last_download_s": dl
            });
            writeln!(stdin, "{obs}").unwrap_or_else(|e| panic!("{e}"));
            stdin.flush().unwrap_or_else(|e| panic!("{e}"));
            let mut reply = String::new();
            stdout
                .read_line(&mut reply)
                .unwrap_or_else(|e| panic!("{e}"));
            let reply: serde_json::Value =
                serde_json::from_str(&reply).unwrap_or_else(|e| panic!("{reply:?}: {e}"));
            let chosen = reply["level"]
                .as_u64()
                .unwrap_or_else(|| panic!("no level in {reply}")) as usize;
            assert!(chosen < v.levels());
            let rec = state.step(&v, chosen, None);
            last = Some((rec.level, rec.bytes, rec.download_s, rec.rebuffer_s));
            got.push(chosen);
        }
        writeln!(stdin, "{{\"type\":\"end\"}}").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            got, expected,
            "session {session} differs from the in-process controller"
        );
    }
    drop(stdin);
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success(), "exit status {status}");
}

#[test]
fn stdio_answers_bad_observations_and_survives_garbage() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_abr-eval"))
        .arg("stdio")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    let mut stdin = child.stdin.take().unwrap_or_else(|| panic!("no stdin"));
    let v = video(3);
    let input = format!(
        "not json\n{{\"type\":\"observe\",\"chunk_index\":0,\"buffer_s\":0}}\n{}\n{{\"type\":\"observe\",\"chunk_index\":0,\"buffer_s\":0,\"rebuffer_s\":0,\"last_level\":null,\"last_chunk_bytes\":null,\"last_download_s\":null}}\n",
        init_line(&v)
    );
    stdin
        .write_all(input.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    drop(stdin);
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("before init"))
    );
    assert!(lines[1]["level"].as_u64().is_some_and(|l| l < 6) && lines[1].get("error").is_none());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not JSON"));
}
