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

/// How early a picture may be shown.
const EARLY: Duration = Duration::from_millis(2);
/// How late a short picture may still be shown.
const TOLERANCE: Duration = Duration::from_millis(40);

/// Decides the fate of a picture due at `pts` lasting `duration`, when the clock reads `now`.
///
/// A picture is presented from slightly before its time until it is late by more than its
/// own duration (or 40 ms, whichever is larger); past that it is dropped so video catches up.
pub fn frame_action(pts: Duration, duration: Duration, now: Duration) -> FrameAction {
    if pts > now + EARLY {
        return FrameAction::Wait(pts - now);
    }
    let late = now.saturating_sub(pts);
    let tolerance = duration.max(TOLERANCE);
    if late > tolerance {
        FrameAction::Drop
    } else {
        FrameAction::Present
    }
}

/// The same decision when the clock runs backwards (rewind): a picture is due when the
/// clock comes down to its end, and dropped once the clock has left it below.
pub fn frame_action_backwards(pts: Duration, duration: Duration, now: Duration) -> FrameAction {
    let due = pts + duration;
    if now > due + EARLY {
        return FrameAction::Wait(now - due);
    }
    let late = due.saturating_sub(now);
    if late > duration.max(TOLERANCE) {
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

    #[test]
    fn backwards_a_picture_is_due_at_its_end_and_late_below_its_start() {
        let s = Duration::from_secs(10);
        let two = Duration::from_secs(2);
        assert_eq!(
            frame_action_backwards(s, two, s + Duration::from_millis(2_500)),
            FrameAction::Wait(Duration::from_millis(500))
        );
        assert_eq!(
            frame_action_backwards(s, two, s + two),
            FrameAction::Present
        );
        assert_eq!(frame_action_backwards(s, two, s), FrameAction::Present);
        assert_eq!(
            frame_action_backwards(s, two, s - Duration::from_millis(1)),
            FrameAction::Drop
        );
    }
}
