//! `abr-eval stdio`: lets an outside simulator drive our controller, one JSON object a line.
//!
//! Driver → us: `{"type":"init","bitrates_bps":[…],"chunk_duration_s":4.0,
//! "chunk_sizes_bytes":[[…level 0…],…],"buffer_capacity_s":60.0}`, then per chunk
//! `{"type":"observe","chunk_index":k,"buffer_s":b,"rebuffer_s":r,"last_level":l|null,
//! "last_chunk_bytes":n|null,"last_download_s":s|null}` answered with `{"level":L}`, and
//! `{"type":"end"}`; another `init` may follow. Unknown fields are ignored. Lines that are
//! not JSON are reported on stderr and get no answer; an `observe` that cannot be served
//! gets `{"level":0,"error":"…"}` so the driver never waits forever.

use std::io::{BufRead, Read, Write};

use player_core::abr::{AbrConfig, Controller, DownloadObservation, Level};

use super::video::Video;

/// Longest request line accepted (bytes); a 10-level, 10 000-chunk init is ~1 MB.
pub const MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

#[derive(serde::Deserialize)]
struct Init {
    bitrates_bps: Vec<u64>,
    chunk_duration_s: f64,
    chunk_sizes_bytes: Vec<Vec<u64>>,
    #[serde(default)]
    buffer_capacity_s: Option<f64>,
}

#[derive(serde::Deserialize)]
struct Observe {
    chunk_index: usize,
    buffer_s: f64,
    #[serde(default)]
    last_level: Option<usize>,
    #[serde(default)]
    last_chunk_bytes: Option<u64>,
    #[serde(default)]
    last_download_s: Option<f64>,
}

struct Session {
    video: Video,
    controller: Controller,
    clock_s: f64,
}

/// Protocol state across lines.
#[derive(Default)]
pub struct StdioServer {
    session: Option<Session>,
    /// Controller configuration template.
    pub config: AbrConfig,
}

impl StdioServer {
    /// Handles one line; returns the reply line to write, if any (errors go to `Err` as text
    /// for stderr when no reply is due).
    pub fn handle(&mut self, line: &str) -> Result<Option<String>, String> {
        let line = line.trim();
        if line.is_empty() {
            return Ok(None);
        }
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
        match value.get("type").and_then(|t| t.as_str()) {
            Some("init") => {
                let init: Init =
                    serde_json::from_value(value).map_err(|e| format!("bad init: {e}"))?;
                self.session = None;
                let video = Video::from_levels(
                    "init",
                    init.bitrates_bps,
                    init.chunk_duration_s,
                    &init.chunk_sizes_bytes,
                )
                .map_err(|e| e.to_string())?;
                let cfg = AbrConfig {
                    buffer_capacity_s: init
                        .buffer_capacity_s
                        .filter(|c| c.is_finite() && *c > 0.0)
                        .unwrap_or(60.0),
                    ..self.config.clone()
                };
                let levels = video
                    .bitrates_bps
                    .iter()
                    .map(|b| Level::from_bitrate(*b))
                    .collect();
                let controller = Controller::new(levels, cfg).map_err(|e| e.to_string())?;
                self.session = Some(Session {
                    video,
                    controller,
                    clock_s: 0.0,
                });
                Ok(None)
            }
            Some("observe") => Ok(Some(self.observe(value))),
            Some("end") => {
                self.session = None;
                Ok(None)
            }
            other => Err(format!("unknown message type {other:?}")),
        }
    }

    fn observe(&mut self, value: serde_json::Value) -> String {
        let reply_err = |e: String| serde_json::json!({"level": 0, "error": e}).to_string();
        let obs: Observe = match serde_json::from_value(value) {
            Ok(o) => o,
            Err(e) => return reply_err(format!("bad observe: {e}")),
        };
        let Some(s) = self.session.as_mut() else {
            return reply_err("observe before init".into());
        };
        if let (Some(level), Some(bytes), Some(dl)) =
            (obs.last_level, obs.last_chunk_bytes, obs.last_download_s)
            && dl.is_finite()
            && dl > 0.0
        {
            s.clock_s += dl;
            s.controller.on_download(&DownloadObservation {
                level: level.min(s.video.levels().saturating_sub(1)),
                bytes,
                ttfb_s: 0.0,
                total_s: dl,
                duration_s: s.video.duration(obs.chunk_index.saturating_sub(1)),
                abandoned: false,
                now_s: s.clock_s,
            });
        }
        let buffer = if obs.buffer_s.is_finite() {
            obs.buffer_s
        } else {
            0.0
        };
        let level = super::algos::decide(
            &mut s.controller,
            &s.video,
            obs.chunk_index,
            buffer,
            s.clock_s,
        );
        serde_json::json!({ "level": level }).to_string()
    }
}

/// Reads one line of at most `MAX_LINE_BYTES` into `buf`; `Ok(None)` at end of input,
/// `Ok(Some(false))` when the line was too long (its rest is skipped without buffering).
fn read_line<R: BufRead>(input: &mut R, buf: &mut Vec<u8>) -> std::io::Result<Option<bool>> {
    buf.clear();
    let n = input
        .by_ref()
        .take(MAX_LINE_BYTES as u64 + 1)
        .read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.len() <= MAX_LINE_BYTES || buf.ends_with(b"\n") {
        return Ok(Some(true));
    }
    loop {
        buf.clear();
        let n = input.by_ref().take(64 * 1024).read_until(b'\n', buf)?;
        if n == 0 || buf.ends_with(b"\n") {
            buf.clear();
            return Ok(Some(false));
        }
    }
}

/// Serves the protocol until `input` ends.
pub fn serve(
    mut input: impl BufRead,
    mut output: impl Write,
    mut errors: impl Write,
) -> std::io::Result<()> {
    let mut server = StdioServer::default();
    let mut buf = Vec::new();
    while let Some(fits) = read_line(&mut input, &mut buf)? {
        if !fits {
            writeln!(
                errors,
                "abr-eval stdio: line longer than {MAX_LINE_BYTES} bytes ignored"
            )?;
            continue;
        }
        let line = String::from_utf8_lossy(&buf);
        match server.handle(&line) {
            Ok(Some(reply)) => {
                output.write_all(reply.as_bytes())?;
                output.write_all(b"\n")?;
                output.flush()?;
            }
            Ok(None) => {}
            Err(e) => writeln!(errors, "abr-eval stdio: {e}")?,
        }
    }
    Ok(())
}
