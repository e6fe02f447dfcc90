//! TTML time expressions: clock times (`00:01:02.5`, `00:01:02:12`) and offset times
//! (`62.5s`, `1.5m`, `30f`, `625000t`), in seconds.

/// The document's timing parameters (`ttp:frameRate`, `ttp:subFrameRate`, `ttp:tickRate`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeBase {
    /// Frames per second, with `ttp:frameRateMultiplier` applied.
    pub frame_rate: f64,
    /// Sub-frames per frame.
    pub sub_frame_rate: f64,
    /// Ticks per second.
    pub tick_rate: f64,
}

impl Default for TimeBase {
    /// TTML's defaults: 30 frames/s, one sub-frame, and one tick per second.
    fn default() -> TimeBase {
        TimeBase {
            frame_rate: 30.0,
            sub_frame_rate: 1.0,
            tick_rate: 1.0,
        }
    }
}

/// Seconds denoted by the time expression `s`, or `None` when it is not one.
pub fn parse_time(s: &str, base: &TimeBase) -> Option<f64> {
    let s = s.trim();
    let secs = if s.contains(':') {
        clock_time(s, base)?
    } else {
        offset_time(s, base)?
    };
    (secs.is_finite() && secs >= 0.0).then_some(secs)
}

/// `hh:mm:ss[.fraction]` or `hh:mm:ss:frames[.subframes]`.
fn clock_time(s: &str, base: &TimeBase) -> Option<f64> {
    let parts: Vec<&str> = s.split(':').collect();
    let (h, m, sec, frames) = match parts.as_slice() {
        [h, m, sec] => (*h, *m, *sec, None),
        [h, m, sec, f] => (*h, *m, *sec, Some(*f)),
        _ => return None,
    };
    let hours = digits(h, 2, usize::MAX)?;
    let minutes = digits(m, 2, 2)?;
    if minutes > 59.0 {
        return None;
    }
    let seconds = match frames {
        // With frames, the seconds field is whole.
        Some(_) => digits(sec, 2, 2)?,
        None => decimal(sec, 2)?,
    };
    if seconds >= 61.0 {
        return None;
    }
    let frame_part = match frames {
        None => 0.0,
        Some(f) => {
            let (whole, sub) = f.split_once('.').map_or((f, None), |(w, s)| (w, Some(s)));
            let frames = digits(whole, 2, usize::MAX)?;
            let sub = match sub {
                Some(sub) => digits(sub, 1, usize::MAX)? / base.sub_frame_rate,
                None => 0.0,
            };
            (frames + sub) / base.frame_rate
        }
    };
    Some(hours * 3600.0 + minutes * 60.0 + seconds + frame_part)
}

/// `count[.fraction](h|m|s|ms|f|t)`.
fn offset_time(s: &str, base: &TimeBase) -> Option<f64> {
    let split = s.find(|c: char| c.is_ascii_alphabetic())?;
    let (count, metric) = s.split_at(split);
    let count = decimal(count, 1)?;
    let per_second = match metric {
        "h" => return Some(count * 3600.0),
        "m" => return Some(count * 60.0),
        "s" => 1.0,
        "ms" => 1000.0,
        "f" => base.frame_rate,
        "t" => base.tick_rate,
        _ => return None,
    };
    Some(count / per_second)
}

/// A run of at least `min` and at most `max` ASCII digits.
fn digits(s: &str, min: usize, max: usize) -> Option<f64> {
    let ok = (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if ok { s.parse().ok() } else { None }
}

/// Digits (at least `min` before the point) with an optional `.digits` fraction.
fn decimal(s: &str, min: usize) -> Option<f64> {
    let (whole, fraction) = s.split_once('.').map_or((s, None), |(w, f)| (w, Some(f)));
    digits(whole, min, usize::MAX)?;
    if let Some(f) = fraction {
        digits(f, 1, usize::MAX)?;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<f64> {
        parse_time(s, &TimeBase::default())
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn clock_times() {
        assert!(close(t("00:00:01"), 1.0));
        assert!(close(t("01:02:03.25"), 3723.25));
        assert!(close(t("100:00:00"), 360_000.0));
        // Frames at the default 30 fps.
        assert!(close(t("00:00:01:15"), 1.5));
    }

    #[test]
    fn frames_follow_the_documents_rates() {
        let base = TimeBase {
            frame_rate: 25.0,
            sub_frame_rate: 2.0,
            tick_rate: 10_000_000.0,
        };
        assert!(close(parse_time("00:00:00:05.1", &base), 5.5 / 25.0));
        assert!(close(parse_time("50f", &base), 2.0));
        assert!(close(parse_time("25000000t", &base), 2.5));
        // 29.97 fps: 30 frames × 1000/1001.
        let ntsc = TimeBase {
            frame_rate: 30_000.0 / 1001.0,
            ..TimeBase::default()
        };
        assert!(close(parse_time("30f", &ntsc), 1.001));
    }

    #[test]
    fn offset_times() {
        assert!(close(t("1.5h"), 5400.0));
        assert!(close(t("2m"), 120.0));
        assert!(close(t("12.345s"), 12.345));
        assert!(close(t("250ms"), 0.25));
        assert!(close(t(" 3s "), 3.0));
        // Without ttp:tickRate a tick is a second.
        assert!(close(t("7t"), 7.0));
    }

    #[test]
    fn malformed_times_are_refused() {
        for bad in [
            "",
            "s",
            "1",
            "1x",
            "-1s",
            "1.s",
            ".5s",
            "1:2:3",
            "00:60:00",
            "00:00:61",
            "0:00:00",
            "00:00:00:",
            "00:00:00.5:10",
            "a0:00:00",
            "1e3s",
            "NaNs",
            "00:00",
            "00:00:00:00:00",
        ] {
            assert_eq!(t(bad), None, "{bad:?}");
        }
    }
}
