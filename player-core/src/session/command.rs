//! What the host asks the player to do.

use std::time::Duration;

use super::event::StreamKind;

/// A request to the player's controller; each one's outcome is reported as an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Resume (or start) playback.
    Play,
    /// Pause; the position is kept.
    Pause,
    /// Seek to a position from the presentation start (snaps to the keyframe at or before it).
    Seek(Duration),
    /// Seek relative to the current position, seconds (negative = back).
    SeekBy(f64),
    /// Fix the video level (index into the levels sorted by bitrate), or `None` for automatic.
    SetQuality(Option<usize>),
    /// Cap the video bitrate, or `None` to lift the cap.
    SetMaxBitrate(Option<u64>),
    /// Switch to another video stream (camera angle) or audio stream (language), by Name
    /// or Language; playback continues from the current position.
    SelectStream {
        /// Video or audio.
        kind: StreamKind,
        /// StreamIndex Name or Language.
        name: String,
    },
    /// Show (`true`) or hide captions.
    SetCaptions(bool),
    /// Jump to the live point (live presentations).
    GoLive,
    /// The size the video is shown at, in pixels (`None`: unknown): the ABR does not fetch
    /// levels far larger than it.
    SetViewport(Option<(u32, u32)>),
    /// Trick play: −16, −8, −4, −2, 2, 4, 8 or 16 times normal (negative: rewind), or back
    /// to 1 (see [`RATES`](super::RATES)); another rate is refused with an error event.
    SetRate(f64),
    /// Stop playback and release resources.
    Stop,
}

impl Command {
    /// Parses a control line: `pause`, `play`, `seek 30` (absolute seconds), `seek -20` /
    /// `seek +20` (relative), `replay [10]`, `live`, `quality N|auto`, `maxbitrate BPS|none`,
    /// `audio NAME`, `video NAME`, `captions on|off`, `rate R`, `stop`.
    pub fn parse(line: &str) -> Result<Command, String> {
        let mut words = line.split_whitespace();
        let verb = words.next().unwrap_or("").to_ascii_lowercase();
        let arg = words.next();
        let number = |a: Option<&str>| -> Result<f64, String> {
            a.and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("{verb}: expected a number of seconds"))
        };
        Ok(match verb.as_str() {
            "pause" => Command::Pause,
            "play" | "resume" => Command::Play,
            "seek" => {
                let a = arg.ok_or("seek: expected seconds")?;
                let v = number(Some(a))?;
                if a.starts_with(['+', '-']) {
                    Command::SeekBy(v)
                } else {
                    Command::Seek(Duration::try_from_secs_f64(v).map_err(|e| e.to_string())?)
                }
            }
            "replay" => Command::SeekBy(-(if arg.is_some() { number(arg)? } else { 10.0 }).abs()),
            "live" => Command::GoLive,
            "quality" => match arg {
                Some("auto") => Command::SetQuality(None),
                Some(n) => Command::SetQuality(Some(
                    n.parse()
                        .map_err(|_| "quality: expected a level number or auto")?,
                )),
                None => return Err("quality: expected a level number or auto".into()),
            },
            "maxbitrate" => match arg {
                Some("none") => Command::SetMaxBitrate(None),
                Some(n) => Command::SetMaxBitrate(Some(
                    n.parse()
                        .map_err(|_| "maxbitrate: expected bits/s or none")?,
                )),
                None => return Err("maxbitrate: expected bits/s or none".into()),
            },
            "audio" | "video" => Command::SelectStream {
                kind: if verb == "audio" {
                    StreamKind::Audio
                } else {
                    StreamKind::Video
                },
                name: arg.ok_or("expected a stream name")?.to_string(),
            },
            "captions" | "cc" => match arg.map(str::to_ascii_lowercase).as_deref() {
                Some("on") => Command::SetCaptions(true),
                Some("off") => Command::SetCaptions(false),
                _ => return Err("captions: expected on or off".into()),
            },
            "rate" => Command::SetRate(
                super::trick::parse_rate(arg.unwrap_or("")).map_err(|e| e.to_string())?,
            ),
            "stop" | "quit" => Command::Stop,
            other => return Err(format!("unknown command {other:?}")),
        })
    }
}

impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Play => write!(f, "play"),
            Command::Pause => write!(f, "pause"),
            Command::Seek(d) => write!(f, "seek {}", d.as_secs_f64()),
            Command::SeekBy(s) => write!(f, "seek {s:+}"),
            Command::SetQuality(Some(n)) => write!(f, "quality {n}"),
            Command::SetQuality(None) => write!(f, "quality auto"),
            Command::SetMaxBitrate(Some(b)) => write!(f, "maxbitrate {b}"),
            Command::SetMaxBitrate(None) => write!(f, "maxbitrate none"),
            Command::SelectStream { kind, name } => match kind {
                StreamKind::Video => write!(f, "video {name}"),
                StreamKind::Audio => write!(f, "audio {name}"),
            },
            Command::SetCaptions(on) => write!(f, "captions {}", if *on { "on" } else { "off" }),
            Command::GoLive => write!(f, "live"),
            Command::SetViewport(Some((w, h))) => write!(f, "viewport {w}x{h}"),
            Command::SetViewport(None) => write!(f, "viewport none"),
            Command::SetRate(r) => write!(f, "rate {r}"),
            Command::Stop => write!(f, "stop"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_lines_parse() {
        assert_eq!(
            Command::parse("seek 30"),
            Ok(Command::Seek(Duration::from_secs(30)))
        );
        assert_eq!(Command::parse("seek -20"), Ok(Command::SeekBy(-20.0)));
        assert_eq!(Command::parse("seek +5"), Ok(Command::SeekBy(5.0)));
        assert_eq!(Command::parse("replay"), Ok(Command::SeekBy(-10.0)));
        assert_eq!(Command::parse("replay 5"), Ok(Command::SeekBy(-5.0)));
        assert_eq!(Command::parse("live"), Ok(Command::GoLive));
        assert_eq!(
            Command::parse("quality auto"),
            Ok(Command::SetQuality(None))
        );
        assert_eq!(
            Command::parse("quality 2"),
            Ok(Command::SetQuality(Some(2)))
        );
        assert_eq!(
            Command::parse("captions on"),
            Ok(Command::SetCaptions(true))
        );
        assert_eq!(
            Command::parse("captions OFF").map(|c| c.to_string()),
            Ok("captions off".into())
        );
        assert!(Command::parse("captions").is_err());
        assert!(Command::parse("seek").is_err());
        assert!(Command::parse("jump").is_err());
        assert_eq!(Command::parse("rate -8"), Ok(Command::SetRate(-8.0)));
        assert_eq!(
            Command::parse("rate 16").map(|c| c.to_string()),
            Ok("rate 16".into())
        );
        for bad in ["rate", "rate 0", "rate 3", "rate 32", "rate fast"] {
            let e = Command::parse(bad).expect_err(bad);
            assert!(e.starts_with("rate: expected one of"), "{bad}: {e}");
        }
        assert_eq!(
            Command::parse("seek -20").map(|c| c.to_string()),
            Ok("seek -20".into())
        );
    }
}
