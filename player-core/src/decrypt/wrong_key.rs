//! Spotting a wrong content key that no checksum caught: decrypted fragments that do not
//! decode. Random bytes rarely decode cleanly (OpenH264 rejects the first slice, AAC fails on
//! most access units and turns the rest into noise), while correctly decrypted media decodes
//! without a single error, so a few such fragments in a row end playback with a clear error
//! instead of a blank picture and noise.

use super::DecryptError;
use crate::base::Uuid;

/// Decrypted fragments in a row that must fail before playback stops.
pub(crate) const WRONG_KEY_FRAGMENTS: u32 = 2;

/// Whether a fragment of which `errors` of `fed` access units failed to decode looks like
/// the work of a wrong key: any error at all, in at least half of what was fed.
pub(crate) fn suspicious(fed: usize, errors: usize) -> bool {
    errors > 0 && errors * 2 >= fed
}

/// Counts consecutive decrypted fragments of one stream that mostly failed to decode.
#[derive(Debug, Default)]
pub(crate) struct WrongKeyWatch {
    streak: u32,
}

impl WrongKeyWatch {
    /// Forgets the streak (seek, stream switch).
    pub fn reset(&mut self) {
        self.streak = 0;
    }

    /// Records one fragment: `kid` it was decrypted with (`None`: it was clear), `fed` access
    /// units given to the decoder, `errors` of them rejected, the decoder's `last_error`.
    /// Returns the error to end playback with once the streak is long enough.
    pub fn on_fragment(
        &mut self,
        stream: &str,
        kid: Option<Uuid>,
        fed: usize,
        errors: usize,
        last_error: Option<&str>,
    ) -> Option<DecryptError> {
        let Some(kid) = kid else {
            self.streak = 0;
            return None;
        };
        if fed == 0 {
            // Nothing reached the decoder (waiting for a keyframe): no evidence either way.
            return None;
        }
        if !suspicious(fed, errors) {
            self.streak = 0;
            return None;
        }
        self.streak += 1;
        (self.streak >= WRONG_KEY_FRAGMENTS).then(|| DecryptError::Undecodable {
            kid,
            stream: stream.to_string(),
            fragments: self.streak,
            reason: last_error.unwrap_or("unknown").to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KID: Uuid = Uuid([7; 16]);

    #[test]
    fn two_failed_decrypted_fragments_in_a_row_are_a_wrong_key() {
        let mut w = WrongKeyWatch::default();
        // Video with a wrong key: the keyframe fails and the rest of the fragment is skipped.
        assert_eq!(w.on_fragment("video", Some(KID), 1, 1, Some("e1")), None);
        let e = w.on_fragment("video", Some(KID), 1, 1, Some("e2"));
        assert_eq!(
            e,
            Some(DecryptError::Undecodable {
                kid: KID,
                stream: "video".into(),
                fragments: 2,
                reason: "e2".into()
            })
        );
        let text = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            text.contains("KID 07070707-0707-0707-0707-070707070707"),
            "{text}"
        );
        assert!(text.contains("probably wrong"), "{text}");
    }

    #[test]
    fn mostly_failing_audio_counts_and_a_good_fragment_breaks_the_streak() {
        let mut w = WrongKeyWatch::default();
        // AAC with a wrong key: most access units fail, some decode to noise.
        assert_eq!(w.on_fragment("audio", Some(KID), 94, 78, Some("x")), None);
        assert_eq!(w.on_fragment("audio", Some(KID), 94, 0, None), None);
        assert_eq!(w.on_fragment("audio", Some(KID), 94, 78, Some("x")), None);
        assert!(
            w.on_fragment("audio", Some(KID), 94, 47, Some("x"))
                .is_some()
        );
    }

    #[test]
    fn clear_fragments_few_errors_and_nothing_fed_are_not_evidence() {
        let mut w = WrongKeyWatch::default();
        assert_eq!(w.on_fragment("video", None, 1, 1, Some("x")), None);
        assert_eq!(w.on_fragment("video", None, 1, 1, Some("x")), None);
        assert_eq!(w.on_fragment("audio", Some(KID), 94, 3, Some("x")), None);
        assert_eq!(w.on_fragment("audio", Some(KID), 94, 3, Some("x")), None);
        assert_eq!(w.on_fragment("video", Some(KID), 1, 1, Some("x")), None);
        assert_eq!(w.on_fragment("video", Some(KID), 0, 0, None), None);
        w.reset();
        assert_eq!(w.on_fragment("video", Some(KID), 1, 1, Some("x")), None);
        assert!(w.on_fragment("video", Some(KID), 1, 1, Some("x")).is_some());
    }
}
