//! When markers are reported: a marker learnt ahead of the position is announced at once
//! (`upcoming`), and every marker is delivered when playback reaches its start — once per
//! run of playback; after a seek, again from the new position on.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use super::Marker;

/// Markers kept at most (the oldest go first).
const MAX_MARKERS: usize = 4096;

/// The markers known and which of them were reported.
#[derive(Debug, Default)]
pub struct MarkerSchedule {
    /// By start, then id.
    known: BTreeMap<(Duration, String), Marker>,
    /// Ids announced ahead of their time.
    announced: HashSet<String>,
    /// Markers from here on are due when reached (the start of this run of playback).
    from: Duration,
    /// Ids delivered in this run.
    delivered: HashSet<String>,
}

impl MarkerSchedule {
    /// Learns `m` with playback at `position`: returns it when it lies ahead and is new, to
    /// be announced as upcoming.
    pub fn learn(&mut self, m: Marker, position: Duration) -> Option<Marker> {
        let key = (m.start, m.id.clone());
        if self.known.contains_key(&key) {
            return None;
        }
        let ahead = m.start > position && self.announced.insert(m.id.clone());
        let announce = ahead.then(|| m.clone());
        self.known.insert(key, m);
        while self.known.len() > MAX_MARKERS {
            self.known.pop_first();
        }
        announce
    }

    /// The markers playback has reached at `position` and not yet delivered in this run, in
    /// order (a marker learnt late, after its start, is delivered at once).
    pub fn due(&mut self, position: Duration) -> Vec<Marker> {
        if position < self.from {
            return Vec::new();
        }
        let mut out = Vec::new();
        for m in self.known.range((self.from, String::new())..) {
            if m.1.start > position {
                break;
            }
            if self.delivered.insert(m.1.id.clone()) {
                out.push(m.1.clone());
            }
        }
        out
    }

    /// The start of the first marker after `position`.
    pub fn next_after(&self, position: Duration) -> Option<Duration> {
        self.known
            .range((position, String::new())..)
            .map(|(k, _)| k.0)
            .find(|s| *s > position)
    }

    /// Playback starts over from `position` (a seek, a new start): markers from there on are
    /// due again when reached.
    pub fn restart(&mut self, position: Duration) {
        self.from = position;
        self.delivered.clear();
    }

    /// Forgets markers before `t` (they left the DVR window).
    pub fn prune_before(&mut self, t: Duration) {
        self.known = self.known.split_off(&(t, String::new()));
    }

    /// Every marker known, by start.
    pub fn all(&self) -> impl Iterator<Item = &Marker> {
        self.known.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markers::MarkerKind;

    fn m(id: &str, start: f64) -> Marker {
        Marker {
            kind: MarkerKind::Chapter,
            stream: "c".into(),
            id: id.into(),
            start: Duration::from_secs_f64(start),
            duration: None,
            text: Some(id.into()),
            data: None,
        }
    }

    fn ids(v: &[Marker]) -> Vec<&str> {
        v.iter().map(|m| m.id.as_str()).collect()
    }

    fn s(x: f64) -> Duration {
        Duration::from_secs_f64(x)
    }

    #[test]
    fn markers_ahead_are_announced_once_and_delivered_when_reached_in_order() {
        let mut sch = MarkerSchedule::default();
        assert_eq!(
            sch.learn(m("b", 8.0), s(1.0)).map(|m| m.id),
            Some("b".into())
        );
        assert_eq!(
            sch.learn(m("a", 4.0), s(1.0)).map(|m| m.id),
            Some("a".into())
        );
        assert!(sch.learn(m("a", 4.0), s(1.0)).is_none(), "known already");
        assert!(sch.due(s(3.9)).is_empty());
        assert_eq!(ids(&sch.due(s(4.0))), vec!["a"]);
        assert!(sch.due(s(5.0)).is_empty(), "once");
        assert_eq!(sch.next_after(s(5.0)), Some(s(8.0)));
        assert_eq!(sch.next_after(s(8.0)), None);
        assert_eq!(ids(&sch.due(s(9.0))), vec!["b"]);
    }

    #[test]
    fn after_a_seek_back_markers_come_again_and_a_seek_forward_skips_them() {
        let mut sch = MarkerSchedule::default();
        for (id, t) in [("a", 2.0), ("b", 6.0), ("c", 10.0)] {
            sch.learn(m(id, t), s(0.0));
        }
        assert_eq!(ids(&sch.due(s(7.0))), vec!["a", "b"]);
        sch.restart(s(1.0));
        assert_eq!(ids(&sch.due(s(6.5))), vec!["a", "b"]);
        sch.restart(s(9.0));
        assert!(sch.due(s(9.5)).is_empty());
        assert_eq!(ids(&sch.due(s(10.0))), vec!["c"]);
        // A start exactly on a marker delivers it.
        sch.restart(s(6.0));
        assert_eq!(ids(&sch.due(s(6.0))), vec!["b"]);
    }

    #[test]
    fn a_marker_learnt_late_is_delivered_at_once_but_not_before_the_run_started() {
        let mut sch = MarkerSchedule::default();
        sch.restart(s(5.0));
        assert!(sch.learn(m("early", 1.0), s(7.0)).is_none());
        assert!(sch.learn(m("late", 6.0), s(7.0)).is_none(), "not ahead");
        assert_eq!(ids(&sch.due(s(7.0))), vec!["late"]);
        sch.prune_before(s(3.0));
        assert_eq!(sch.all().count(), 1);
    }
}
