//! Markers from sparse streams: ad signals (SCMD) fetched as fragments, chapters (CHAP)
//! carried in the manifest, announced ahead and delivered when playback reaches them, again
//! after a seek back; on live, learnt from the origin's ChildTrack pointers.

use super::harness::*;
use crate::markers::{MarkerKind, marker_of};
use crate::session::{
    Action, Command, Event, FetchOutcome, FetchRequest, Fetched, Payload, SessionConfig, Target,
};

/// An SCMD stream with fragments at 4 s and 10 s, and a CHAP stream whose titles the
/// manifest carries (0 s and 12 s).
fn sparse() -> String {
    let b64 = |s: &str| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(s)
    };
    format!(
        r#"<StreamIndex Type="text" Subtype="SCMD" Name="signals" ParentStreamIndex="video" QualityLevels="1" Url="QualityLevels({{bitrate}})/Fragments(signals={{start time}})"><QualityLevel Index="0" Bitrate="1000" FourCC="" /><c t="{}" d="{}" /><c t="{}" d="{}" /></StreamIndex><StreamIndex Type="text" Subtype="CHAP" Name="chapters" ParentStreamIndex="video" ManifestOutput="TRUE" QualityLevels="1" Url="QualityLevels({{bitrate}})/Fragments(chapters={{start time}})"><QualityLevel Index="0" Bitrate="1000" FourCC="" /><c t="0" d="{}"><f i="0">{}</f></c><c t="{}" d="{}"><f i="0">{}</f></c></StreamIndex>"#,
        4 * TS,
        2 * TS,
        10 * TS,
        2 * TS,
        12 * TS,
        b64("Opening"),
        12 * TS,
        8 * TS,
        b64("Finale"),
    )
}

fn pres() -> Pres {
    Pres {
        extra: sparse(),
        ..Pres::default()
    }
}

fn marker_fetches(actions: &[Action]) -> Vec<FetchRequest> {
    fetches(actions)
        .into_iter()
        .filter(|r| matches!(r.target, Target::Marker(_)))
        .collect()
}

/// (id, start_s, upcoming) of the marker events in `actions`.
fn markers(actions: &[Action]) -> Vec<(String, f64, bool)> {
    events(actions)
        .into_iter()
        .filter_map(|e| match e {
            Event::Marker {
                id,
                start_s,
                upcoming,
                ..
            } => Some((id, start_s, upcoming)),
            _ => None,
        })
        .collect()
}

/// The sparse fragment for `req` holding one sample with `text`.
fn sample(s: &Script, req: &FetchRequest, text: &str) -> FetchOutcome {
    let m = s.s.pres.manifest.clone();
    let stream = &m.streams[req.stream];
    let marker = marker_of(
        stream,
        req.chunk.start,
        Some(req.chunk.duration),
        0,
        text.as_bytes(),
    );
    FetchOutcome::Got(Fetched {
        url: "http://origin/signals".into(),
        bytes: text.len(),
        ttfb: std::time::Duration::ZERO,
        total: std::time::Duration::ZERO,
        exact_duration: Some(req.chunk.duration),
        next: Vec::new(),
        children: Vec::new(),
        payload: Payload::Markers(vec![marker]),
    })
}

#[test]
fn chapters_in_the_manifest_are_known_at_once_and_the_later_one_announced() {
    let s = Script::vod(&pres());
    let view = s.s.view();
    let titles: Vec<(MarkerKind, Option<&str>)> = view
        .markers
        .iter()
        .map(|m| (m.kind, m.text.as_deref()))
        .collect();
    assert_eq!(
        titles,
        vec![
            (MarkerKind::Chapter, Some("Opening")),
            (MarkerKind::Chapter, Some("Finale"))
        ]
    );
    assert_eq!(
        markers(&s.log),
        vec![("chapters:120000000".to_string(), 12.0, true)]
    );
}

#[test]
fn an_ad_signal_is_fetched_announced_and_delivered_on_time() {
    let mut s = Script::vod(&pres());
    let first = s.tick();
    // The chapter at the start is delivered at once.
    assert_eq!(
        markers(&first),
        vec![("chapters:0".to_string(), 0.0, false)]
    );
    let req = marker_fetches(&first).remove(0);
    assert_eq!(req.chunk.start, 4 * TS);
    let answered = s.answer(&req, sample(&s, &req, "adbreak duration=2"));
    assert_eq!(
        markers(&answered),
        vec![("signals:40000000".to_string(), 4.0, true)]
    );
    assert_eq!(
        events(&answered).iter().find_map(|e| match e {
            Event::Marker {
                kind, duration_s, ..
            } => Some((*kind, *duration_s)),
            _ => None,
        }),
        Some((MarkerKind::Ad, Some(2.0)))
    );
    // The next fragment of the stream follows.
    let next = marker_fetches(&answered).remove(0);
    assert_eq!(next.chunk.start, 10 * TS);
    s.answer(&next, sample(&s, &next, "url http://example.com"));
    // Delivered when the position reaches 4 s, within a tick, and only once.
    s.obs.position = secs(3.98);
    assert!(markers(&s.tick()).is_empty());
    s.obs.position = secs(4.0);
    assert_eq!(
        markers(&s.tick()),
        vec![("signals:40000000".to_string(), 4.0, false)]
    );
    s.obs.position = secs(9.0);
    assert!(markers(&s.tick()).is_empty());
    // Crossing two at once delivers both, in order.
    s.obs.position = secs(12.5);
    let both = markers(&s.tick());
    assert_eq!(
        both,
        vec![
            ("signals:100000000".to_string(), 10.0, false),
            ("chapters:120000000".to_string(), 12.0, false)
        ]
    );
}

#[test]
fn after_a_seek_back_markers_are_delivered_again_and_a_seek_past_them_skips_them() {
    let mut s = Script::vod(&pres());
    let first = s.tick();
    let req = marker_fetches(&first).remove(0);
    s.answer(&req, sample(&s, &req, "adbreak"));
    s.obs.position = secs(5.0);
    assert_eq!(markers(&s.tick()).len(), 1);
    s.command(Command::Seek(secs(3.0)));
    // The seek lands on the keyframe at 2 s.
    s.obs.position = secs(2.0);
    assert!(markers(&s.tick()).is_empty());
    s.obs.position = secs(4.1);
    assert_eq!(
        markers(&s.tick()),
        vec![("signals:40000000".to_string(), 4.0, false)]
    );
    s.command(Command::Seek(secs(13.0)));
    s.obs.position = secs(12.0);
    // A start exactly on the chapter delivers it; the ad at 4 s is behind.
    assert_eq!(
        markers(&s.tick()),
        vec![("chapters:120000000".to_string(), 12.0, false)]
    );
}

#[test]
fn a_sparse_fragment_that_fails_is_reported_once_and_never_holds_playback_up() {
    let mut s = Script::vod(&pres());
    let first = s.tick();
    let all = s.serve(first, |r| match r.target {
        Target::Marker(_) => Some(FetchOutcome::Failed(status(r, 500))),
        _ => Some(got(r, None, &[])),
    });
    assert_eq!(marker_fetches(&all).len(), 2, "each fragment tried once");
    assert_eq!(
        errors(&all)
            .into_iter()
            .filter(|e| e.0 == "markers")
            .collect::<Vec<_>>(),
        vec![("markers".to_string(), false)]
    );
    assert_eq!(states(&s.tick()), vec![crate::session::State::Playing]);
}

#[test]
fn on_live_a_child_track_pointer_names_a_new_signal_which_is_fetched_when_it_exists() {
    let p = Pres {
        extra: sparse(),
        ..super::live_origin::live(10, 2)
    };
    let (mut s, first) = super::live_origin::open_live(&p, SessionConfig::default());
    // Everything the manifest listed is old news: answer it.
    let e = super::live_origin::edge(&s);
    let all = s.serve(first, super::live_origin::origin(e, true));
    let video = fetches(&all)
        .into_iter()
        .find(|r| r.target == Target::Media(crate::session::StreamKind::Video))
        .expect("video");
    let _ = video;
    // A media fragment names a signal just ahead of the position.
    let at = s.s.view().end;
    let pointer = crate::time::duration_to_ticks(at, TS);
    let media = fetch_of(&s.tick(), crate::session::StreamKind::Video);
    let with_pointer = |r: &FetchRequest| {
        let FetchOutcome::Got(mut f) = got(r, None, &[]) else {
            unreachable!()
        };
        f.children = vec![("signals".to_string(), pointer)];
        FetchOutcome::Got(f)
    };
    let after = match media {
        Some(r) => s.answer(&r, with_pointer(&r)),
        None => {
            // Nothing due for media this tick: the pointer rides on a probe's answer.
            let r = fetches(&s.wait(secs(2.0), true)).pop().expect("a fetch");
            s.answer(&r, with_pointer(&r))
        }
    };
    let req = marker_fetches(&after)
        .into_iter()
        .find(|r| r.chunk.start == pointer)
        .expect("the pointed-to fragment is fetched");
    // Not there yet (412): asked again half a second later.
    let later = s.answer(&req, FetchOutcome::NotYet);
    assert!(
        marker_fetches(&later)
            .iter()
            .all(|r| r.chunk.start != pointer)
    );
    let again = s.wait(secs(0.5), true);
    let req = marker_fetches(&again)
        .into_iter()
        .find(|r| r.chunk.start == pointer)
        .expect("asked again");
    let got_it = s.answer(&req, sample(&s, &req, "splice out"));
    assert!(
        markers(&got_it).iter().any(|m| m.2),
        "announced ahead: {:?}",
        markers(&got_it)
    );
}
