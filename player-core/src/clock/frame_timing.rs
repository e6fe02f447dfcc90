//! When a decoded picture should be shown: now, later, or never (too late).

use std::time::Duration;

/// What to do with the next picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameAction {
    /// Show it now.
    Present,
    /// Show it after this wait.
    Wait(Duration),
    /// It is late: drop it and count it.
    Drop,
}

/// Decides the fate of a picture due at `pts` lasting `duration`, when the clock reads `now`.
///
/// A picture is presented from slightly before its time until it is late by more than its
/// own duration (or 40 ms, whichever is larger); past that it is dropped so video catches up.
pub fn frame_action(pts: Duration, duration: Duration, now: Duration) -> FrameAction {
    const EARLY: Duration = Duration::from_millis(2);
    if pts > now + EARLY {
        return FrameAction::Wait(pts - now);
    }
    let late = now.saturating_sub(pts);
    let tolerance = duration.max(Duration::from_millis(40));
    if late > tolerance {
        FrameAction::Drop
    } else {
        FrameAction::Present
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: Duration = Duration::from_millis(40);

    #[test]
    fn early_frames_wait_due_frames_show_late_frames_drop() {
        let s = Duration::from_secs(1);
        assert_eq!(
            frame_action(s + Duration::from_millis(30), F, s),
            FrameAction::Wait(Duration::from_millis(30))
        );
        assert_eq!(frame_action(s, F, s), FrameAction::Present);
        assert_eq!(
            frame_action(s, F, s + Duration::from_millis(39)),
            FrameAction::Present
        );
        assert_eq!(
            frame_action(s, F, s + Duration::from_millis(41)),
            FrameAction::Drop
        );
    }
}
