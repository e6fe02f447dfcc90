//! Seek-bar thumbnails: hovering the bar shows a small picture of the hovered moment above
//! it, with the time.
//!
//! Pictures are made on a worker thread of their own ([`ThumbnailWorker`]: fetch, decrypt,
//! decode the key frame with its own decoder, scale), never on the UI thread. Requests
//! coalesce — only the latest hovered time matters, the ones the worker had no time for are
//! dropped — and pictures are kept by fragment in a [`ThumbnailCache`], so moving within one
//! fragment, or back to one seen before, costs no fetch. [`SeekPreview`] is the UI's side.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use egui::{Color32, CornerRadius, FontId, Id, Pos2, Rect, Stroke, Vec2};
use player_core::thumbnail::{
    Thumbnail, ThumbnailCache, ThumbnailConfig, ThumbnailError, Thumbnailer,
};

use crate::playback::clock;

/// A live manifest older than this is loaded again before a picture is planned from it.
const LIVE_REFRESH: Duration = Duration::from_secs(2);
/// Where the seek bar leaves the hovered time for [`SeekPreview`] (egui's frame memory).
const HOVER_ID: &str = "smoothplay-thumbnail-hover";
/// Where [`SeekPreview`] leaves the picture for the seek bar to draw.
const SHOWN_ID: &str = "smoothplay-thumbnail-shown";

/// A picture made for a request.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The media time asked for.
    pub at: Duration,
    /// Media times its fragment covers: the picture stands for any time in them.
    pub covers: (Duration, Duration),
    /// The picture.
    pub thumbnail: Arc<Thumbnail>,
    /// From the request to the picture being ready (fetch and decode, or a cache hit).
    pub latency: Duration,
    /// Whether it came from the cache.
    pub cached: bool,
}

#[derive(Default)]
struct State {
    /// The latest request not yet taken (a newer one replaces it).
    request: Option<(Duration, Instant)>,
    /// The latest result not yet taken.
    result: Option<Result<Preview, String>>,
    closed: bool,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Makes thumbnails on a thread of its own; dropping it lets the thread end.
pub struct ThumbnailWorker {
    shared: Arc<Shared>,
}

impl ThumbnailWorker {
    /// Starts the worker for `input`; it opens the presentation itself (off the caller's
    /// thread) and calls `ready` whenever a result can be taken.
    pub fn start(
        input: String,
        config: ThumbnailConfig,
        cache_bytes: usize,
        ready: impl Fn() + Send + 'static,
    ) -> std::io::Result<ThumbnailWorker> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
        });
        let theirs = shared.clone();
        std::thread::Builder::new()
            .name("smoothplay-thumbnails".into())
            .spawn(move || work(&input, config, cache_bytes, &theirs, &ready))?;
        Ok(ThumbnailWorker { shared })
    }

    /// Asks for the picture of media time `at`, replacing any request not yet begun.
    pub fn request(&self, at: Duration) {
        self.shared.lock().request = Some((at, Instant::now()));
        self.shared.wake.notify_one();
    }

    /// The latest result, if one is ready (errors in words).
    pub fn take(&self) -> Option<Result<Preview, String>> {
        self.shared.lock().result.take()
    }
}

impl Drop for ThumbnailWorker {
    fn drop(&mut self) {
        // Not joined: a fetch in progress must not hold up closing the window.
        self.shared.lock().closed = true;
        self.shared.wake.notify_one();
    }
}

/// The worker thread: opens the presentation, then answers the latest request until closed.
fn work(
    input: &str,
    config: ThumbnailConfig,
    cache_bytes: usize,
    shared: &Shared,
    ready: &dyn Fn(),
) {
    let mut thumbnailer = match Thumbnailer::open(input, config) {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!("seek-bar thumbnails unavailable: {e}");
            shared.lock().result = Some(Err(e.to_string()));
            ready();
            return;
        }
    };
    let mut cache = ThumbnailCache::new(cache_bytes);
    let mut refreshed = Instant::now();
    loop {
        let (at, asked) = {
            let mut state = shared.lock();
            loop {
                if state.closed {
                    return;
                }
                if let Some(r) = state.request.take() {
                    break r;
                }
                state = shared.wake.wait(state).unwrap_or_else(|p| p.into_inner());
            }
        };
        if thumbnailer.manifest().is_live && refreshed.elapsed() >= LIVE_REFRESH {
            // The DVR window has moved on since: plan from where it is now.
            if let Err(e) = thumbnailer.refresh() {
                tracing::debug!("thumbnail manifest refresh failed: {e}");
            }
            refreshed = Instant::now();
        }
        let result = make(&thumbnailer, &mut cache, at, asked).map_err(|e| e.to_string());
        if let Ok(p) = &result {
            tracing::debug!(
                "thumbnail of {:.3} s ready in {:.1} ms{}",
                at.as_secs_f64(),
                p.latency.as_secs_f64() * 1000.0,
                if p.cached { " (cached)" } else { "" }
            );
        }
        shared.lock().result = Some(result);
        ready();
    }
}

/// The picture of `at`, from the cache or made and cached.
fn make(
    thumbnailer: &Thumbnailer,
    cache: &mut ThumbnailCache,
    at: Duration,
    asked: Instant,
) -> Result<Preview, ThumbnailError> {
    let plan = thumbnailer.plan(at)?;
    let cached = cache.get(&plan.key);
    let hit = cached.is_some();
    let thumbnail = match cached {
        Some(t) => t,
        None => {
            let t = Arc::new(thumbnailer.fragment(&plan)?);
            cache.insert(plan.key, t.clone());
            t
        }
    };
    let start = plan.start();
    let end = start + player_core::time::ticks_to_duration(plan.chunk.duration, plan.timescale);
    Ok(Preview {
        at,
        covers: (start, end),
        thumbnail,
        latency: asked.elapsed(),
        cached: hit,
    })
}

/// What the seek bar draws: the picture and the positions (seconds from the start) it
/// stands for.
#[derive(Clone)]
struct Shown {
    texture: egui::TextureHandle,
    /// The position asked for, and the range its fragment covers, seconds from the start.
    asked_s: f64,
    covers_s: (f64, f64),
}

/// The UI's side of seek-bar thumbnails: sends hovered times to the worker and hands its
/// pictures to the seek bar as textures.
pub struct SeekPreview {
    worker: ThumbnailWorker,
    /// Media time of position 0 (the player's origin).
    origin: Duration,
    shown: Option<Shown>,
    requested_s: Option<f64>,
}

impl SeekPreview {
    /// Thumbnails of `input` for a player whose positions count from `origin`; `ready`
    /// wakes the UI when a picture is ready.
    pub fn start(
        input: String,
        config: ThumbnailConfig,
        origin: Duration,
        ready: impl Fn() + Send + 'static,
    ) -> std::io::Result<SeekPreview> {
        let worker = ThumbnailWorker::start(
            input,
            config,
            player_core::thumbnail::DEFAULT_CACHE_BYTES,
            ready,
        )?;
        Ok(SeekPreview {
            worker,
            origin,
            shown: None,
            requested_s: None,
        })
    }

    /// Before egui runs: takes a ready picture into a texture for the seek bar.
    pub fn before_frame(&mut self, ctx: &egui::Context) {
        if let Some(Ok(p)) = self.worker.take() {
            let t = &p.thumbnail;
            let image = egui::ColorImage::from_rgba_unmultiplied(
                [t.width as usize, t.height as usize],
                &t.rgba,
            );
            let texture = match self.shown.take() {
                Some(mut s) => {
                    s.texture.set(image, egui::TextureOptions::LINEAR);
                    s.texture
                }
                None => {
                    ctx.load_texture("smoothplay-thumbnail", image, egui::TextureOptions::LINEAR)
                }
            };
            let from_start = |d: Duration| d.saturating_sub(self.origin).as_secs_f64();
            self.shown = Some(Shown {
                texture,
                asked_s: from_start(p.at),
                covers_s: (from_start(p.covers.0), from_start(p.covers.1)),
            });
        }
        let shown = self.shown.clone();
        ctx.data_mut(|d| {
            d.insert_temp(Id::unique(SHOWN_ID), shown);
            d.remove_temp::<Option<f64>>(Id::unique(HOVER_ID));
        });
    }

    /// After egui ran: asks for the picture of the hovered time, if it is not the one shown
    /// or asked for already.
    pub fn after_frame(&mut self, ctx: &egui::Context) {
        let hovered = ctx.data(|d| d.get_temp::<Option<f64>>(Id::unique(HOVER_ID)).flatten());
        let Some(pos) = hovered else {
            return;
        };
        let covered = self.shown.as_ref().is_some_and(|s| stands_for(s, pos));
        if covered || self.requested_s == Some(pos) {
            return;
        }
        self.requested_s = Some(pos);
        self.worker
            .request(self.origin + Duration::from_secs_f64(pos.max(0.0)));
    }
}

/// Whether the picture shown stands for position `pos`.
fn stands_for(s: &Shown, pos: f64) -> bool {
    (s.covers_s.0..s.covers_s.1).contains(&pos) || s.asked_s == pos
}

/// Called by the seek bar: notes the hovered position (`None`: not hovered) and draws the
/// picture of it above `bar`, or the time alone while the picture is being made; `chapter`
/// is the title of the chapter it falls in, shown with the time.
pub fn on_seek_bar(ui: &egui::Ui, bar: Rect, hovered: Option<f64>, chapter: Option<&str>) {
    let ctx = ui.ctx();
    ctx.data_mut(|d| d.insert_temp(Id::unique(HOVER_ID), hovered));
    let Some(pos) = hovered else {
        return;
    };
    let shown = ctx.data(|d| d.get_temp::<Option<Shown>>(Id::unique(SHOWN_ID)).flatten());
    let Some(x) = ctx.pointer_hover_pos().map(|p| p.x) else {
        return;
    };
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Tooltip,
        Id::unique("smoothplay-thumbnail-layer"),
    ));
    let picture = shown.filter(|s| stands_for(s, pos));
    let size = picture.as_ref().map_or(Vec2::new(160.0, 90.0), |s| {
        s.texture.size_vec2() / ctx.pixels_per_point()
    });
    let screen = ctx.content_rect();
    let left = (x - size.x / 2.0).clamp(
        screen.left() + 4.0,
        (screen.right() - size.x - 4.0).max(0.0),
    );
    let label_h = 22.0;
    let rect = Rect::from_min_size(Pos2::new(left, bar.top() - 8.0 - label_h - size.y), size);
    painter.rect_filled(
        rect.expand(2.0),
        CornerRadius::same(3),
        Color32::from_black_alpha(220),
    );
    match &picture {
        Some(s) => {
            let uv = Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0));
            painter.image(s.texture.id(), rect, uv, Color32::WHITE);
        }
        None => {
            painter.rect_stroke(
                rect,
                CornerRadius::same(2),
                Stroke::new(1.0, Color32::from_gray(90)),
                egui::StrokeKind::Inside,
            );
        }
    }
    time_label(&painter, rect, pos, chapter);
}

/// The hovered time under the picture, with the title of the chapter it falls in, on a
/// dark strip (over the video, white text alone may be lost on a bright picture); as wide
/// as the picture, or wider for a long title, and kept on screen.
fn time_label(painter: &egui::Painter, picture: Rect, pos: f64, chapter: Option<&str>) {
    let mut job = egui::text::LayoutJob::default();
    let format = |font: FontId| egui::TextFormat::simple(font, Color32::WHITE);
    job.append(&clock(pos), 0.0, format(FontId::monospace(13.0)));
    if let Some(title) = chapter {
        job.append(title, 8.0, format(FontId::proportional(13.0)));
    }
    let galley = painter.layout_job(job);
    let size = Vec2::new(
        (galley.size().x + 12.0).max(picture.width() + 4.0),
        galley.size().y + 4.0,
    );
    let screen = painter.clip_rect();
    let left = (picture.center().x - size.x / 2.0).clamp(
        screen.left() + 4.0,
        (screen.right() - size.x - 4.0).max(screen.left()),
    );
    let strip = Rect::from_min_size(Pos2::new(left, picture.bottom() + 2.0), size);
    painter.rect_filled(strip, CornerRadius::same(3), Color32::from_black_alpha(220));
    let text_at = Pos2::new(strip.center().x - galley.size().x / 2.0, strip.top() + 2.0);
    painter.galley(text_at, galley, Color32::WHITE);
}

/// Seek-bar thumbnails for the presentation the command line names, with its keys, network
/// options and decoders, for a player whose positions count from `origin`; `None` (logged)
/// when the worker cannot start.
pub fn for_args(
    args: &crate::args::Args,
    origin: Duration,
    proxy: winit::event_loop::EventLoopProxy<crate::opening::UserEvent>,
) -> Option<SeekPreview> {
    let config = ThumbnailConfig {
        // The player already accepted these options: an error here was reported there.
        keys: args.keys().ok().flatten(),
        fetch: args.net.fetch_config(),
        decoder: args.decoder,
        ..ThumbnailConfig::default()
    };
    let wake = move || {
        let _ = proxy.send_event(crate::opening::UserEvent::Frame);
    };
    SeekPreview::start(args.input_or_demo(), config, origin, wake)
        .map_err(|e| tracing::warn!("seek-bar thumbnails unavailable: {e}"))
        .ok()
}
