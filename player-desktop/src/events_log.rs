//! `--events`: one JSON object per player event per line, stamped with `wall_s` (seconds
//! since launch), in the same format as `smoothplay-headless play --events`.

use std::io::Write;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

/// The event log shared by the pump thread and the UI (a poisoned lock still logs).
pub fn lock(log: &Mutex<EventLog>) -> MutexGuard<'_, EventLog> {
    log.lock().unwrap_or_else(|p| p.into_inner())
}

/// Where event lines go.
pub struct EventLog {
    out: Option<Box<dyn Write + Send>>,
    launched: Instant,
}

impl EventLog {
    /// A log that writes nothing.
    pub fn disabled(launched: Instant) -> EventLog {
        EventLog {
            out: None,
            launched,
        }
    }

    /// A log to `target` (`-` = stdout, else a file path), or none.
    pub fn open(target: Option<&str>, launched: Instant) -> std::io::Result<EventLog> {
        let out: Option<Box<dyn Write + Send>> = match target {
            None => None,
            Some("-") => Some(Box::new(std::io::stdout())),
            Some(path) => Some(Box::new(std::fs::File::create(path)?)),
        };
        Ok(EventLog { out, launched })
    }

    /// Writes `value` with its `wall_s` stamp (and `type` when given). Each line is flushed at
    /// once so a watching process sees events as they happen.
    pub fn write(&mut self, value: &impl serde::Serialize, type_name: Option<&str>) {
        let Some(out) = &mut self.out else { return };
        let mut v = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        if let serde_json::Value::Object(map) = &mut v {
            if let Some(t) = type_name {
                map.insert("type".into(), t.into());
            }
            let wall = (self.launched.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
            map.insert("wall_s".into(), serde_json::json!(wall));
        }
        if writeln!(out, "{v}").and_then(|()| out.flush()).is_err() {
            tracing::warn!("cannot write the event log: stopping it");
            self.out = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use player_core::player::{Event, State};

    #[test]
    fn lines_are_stamped_json() {
        let dir = std::env::temp_dir().join(format!("smoothplay-events-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("events.jsonl");
        let mut log = EventLog::open(path.to_str(), Instant::now()).expect("open");
        log.write(
            &Event::State {
                state: State::Paused,
                position_s: 1.5,
            },
            None,
        );
        log.write(&serde_json::json!({"rebuffers": 0}), Some("summary"));
        let text = std::fs::read_to_string(&path).expect("read");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        assert_eq!(lines[0]["type"], "state");
        assert_eq!(lines[0]["state"], "paused");
        assert!(lines[0]["wall_s"].is_number());
        assert_eq!(lines[1]["type"], "summary");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
