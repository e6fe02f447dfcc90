//! Seek latency (command → first picture of the new position presented) on loopback, for
//! on-demand and DVR seeks, and steady-state live latency. Prints a table.
//!
//! `cargo run --release -p player-tests --bin seek-bench [-- --runs N]`

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use player_core::decode::VideoFrame;
use player_core::player::{Config, Event, Player, Sinks};
use player_core::sink::{NullAudioSink, SinkError, VideoSink};
use player_tests::origin::{LiveConfig, Origin, OriginConfig};
use player_tests::support::assets_dir;

/// Seek latency and live latency benchmark.
#[derive(Parser)]
struct Args {
    /// Seeks per scenario.
    #[arg(long, default_value_t = 10)]
    runs: usize,
}

/// Records when each picture was presented.
#[derive(Clone, Default)]
struct Stamps(Arc<Mutex<Vec<(Instant, Duration)>>>);

impl VideoSink for Stamps {
    fn present(&mut self, f: &VideoFrame) -> Result<(), SinkError> {
        let pts = player_core::time::ticks_to_duration(f.pts, f.timescale);
        if let Ok(mut v) = self.0.lock() {
            v.push((Instant::now(), pts));
        }
        Ok(())
    }
}

impl Stamps {
    /// Waits for the first picture presented after `since` at media time `at` (±1 ms).
    fn wait_for(&self, since: Instant, at: Duration) -> Option<Duration> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let hit = self.0.lock().ok().and_then(|v| {
                v.iter()
                    .find(|(t, pts)| *t >= since && pts.abs_diff(at) <= Duration::from_millis(1))
                    .map(|(t, _)| *t - since)
            });
            if hit.is_some() {
                return hit;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        None
    }
}

fn open(url: &str, stamps: &Stamps) -> Player {
    let sinks = Sinks {
        video: Box::new(stamps.clone()),
        audio: Box::new(NullAudioSink::paced()),
    };
    let config = Config {
        quality: Some(2),
        ..Config::default()
    };
    Player::open(url, config, sinks).expect("open")
}

fn wait_event(p: &Player, mut f: impl FnMut(&Event) -> bool) -> Option<Event> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(e) = p.events().recv_timeout(Duration::from_millis(50))
            && f(&e)
        {
            return Some(e);
        }
    }
    None
}

fn summary(name: &str, mut v: Vec<Duration>) {
    v.sort();
    if v.is_empty() {
        println!("{name:<28} no samples");
        return;
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<28} {:>4} {:>9.1} {:>9.1} {:>9.1}",
        v.len(),
        ms(p(0.5)),
        ms(p(0.9)),
        ms(v[v.len() - 1])
    );
}

/// Seeks `runs` times to targets spread over `span`, measuring command → first new picture.
fn seeks(p: &Player, stamps: &Stamps, runs: usize, span: (f64, f64)) -> Vec<Duration> {
    let mut out = Vec::new();
    for i in 0..runs {
        let frac = (i as f64 * 0.618_034).fract();
        let target = span.0 + frac * (span.1 - span.0);
        let t0 = Instant::now();
        p.seek(Duration::from_secs_f64(target));
        let Some(Event::Seek { position_s, .. }) =
            wait_event(p, |e| matches!(e, Event::Seek { .. }))
        else {
            continue;
        };
        // Where the picture must be: origin + the reported landing position.
        let landing = p.manifest_origin() + Duration::from_secs_f64(position_s);
        if let Some(d) = stamps.wait_for(t0, landing) {
            out.push(d);
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    out
}

trait Origin0 {
    fn manifest_origin(&self) -> Duration;
}

impl Origin0 for Player {
    /// Media time of position 0 (the first chunk of the first stream as loaded).
    fn manifest_origin(&self) -> Duration {
        let m = self.manifest();
        m.streams
            .iter()
            .filter_map(|s| {
                s.chunks
                    .first()
                    .map(|c| player_core::time::ticks_to_duration(c.start, s.timescale))
            })
            .min()
            .unwrap_or_default()
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    println!(
        "{:<28} {:>4} {:>9} {:>9} {:>9}",
        "scenario", "n", "p50_ms", "p90_ms", "max_ms"
    );

    let vod = Origin::start(assets_dir(), OriginConfig::default())?;
    let stamps = Stamps::default();
    let p = open(&vod.url("demo/Manifest"), &stamps);
    wait_event(&p, |e| {
        matches!(
            e,
            Event::State {
                state: player_core::player::State::Playing,
                ..
            }
        )
    });
    summary(
        "seek on demand (720p)",
        seeks(&p, &stamps, args.runs, (1.0, 17.0)),
    );
    drop(p);

    let live = Origin::start(
        assets_dir(),
        OriginConfig {
            live: Some(LiveConfig {
                preroll: Duration::from_secs(120),
                dvr_window: Some(Duration::from_secs(120)),
                time_base: 17_000_000_000_000_000,
                ..LiveConfig::default()
            }),
            ..OriginConfig::default()
        },
    )?;
    let stamps = Stamps::default();
    let p = open(&live.url("demo/Manifest"), &stamps);
    wait_event(&p, |e| {
        matches!(
            e,
            Event::State {
                state: player_core::player::State::Playing,
                ..
            }
        )
    });
    let (start, end) = p.seekable();
    let span = (start.as_secs_f64() + 10.0, end.as_secs_f64() - 20.0);
    summary(
        "seek in DVR window (720p)",
        seeks(&p, &stamps, args.runs, span),
    );
    p.go_live();
    let mut latencies = Vec::new();
    let until = Instant::now() + Duration::from_secs(12);
    while Instant::now() < until {
        if let Ok(Event::Stats(s)) = p.events().recv_timeout(Duration::from_millis(100))
            && let Some(l) = s.latency_s
        {
            latencies.push(Duration::from_secs_f64(l));
        }
    }
    // Drop the first seconds after going live.
    let steady = latencies.split_off(latencies.len().min(3));
    println!(
        "{:<28} {:>4} {:>9} {:>9} {:>9}",
        "", "", "p50_s", "p90_s", "max_s"
    );
    let mut v = steady;
    v.sort();
    if !v.is_empty() {
        let s = |d: Duration| d.as_secs_f64();
        println!(
            "{:<28} {:>4} {:>9.2} {:>9.2} {:>9.2}",
            "live latency (steady state)",
            v.len(),
            s(v[v.len() / 2]),
            s(v[(v.len() - 1) * 9 / 10]),
            s(v[v.len() - 1])
        );
    }
    Ok(())
}
