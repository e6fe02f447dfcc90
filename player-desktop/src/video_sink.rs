//! Hands due pictures from the player's presenter thread to the UI thread.
//!
//! A one-picture mailbox: the presenter copies each due picture in (into a recycled buffer,
//! so steady playback allocates nothing) and wakes the UI; the UI takes the latest. A picture
//! replaced before the UI took it was never shown and counts as dropped by the display.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use player_core::decode::VideoFrame;
use player_core::sink::{SinkError, VideoSink};

#[derive(Default)]
struct Slots {
    latest: Option<VideoFrame>,
    spare: Option<VideoFrame>,
}

/// The shared picture slot between the presenter and the UI.
#[derive(Default)]
pub struct FrameMailbox {
    slots: Mutex<Slots>,
    delivered: AtomicU64,
    dropped: AtomicU64,
}

impl FrameMailbox {
    /// An empty mailbox.
    pub fn new() -> Arc<FrameMailbox> {
        Arc::new(FrameMailbox::default())
    }

    fn slots(&self) -> MutexGuard<'_, Slots> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The latest picture not yet taken.
    pub fn take(&self) -> Option<VideoFrame> {
        let frame = self.slots().latest.take();
        if frame.is_some() {
            self.delivered.fetch_add(1, Ordering::Relaxed);
        }
        frame
    }

    /// Gives a taken picture's buffers back for reuse.
    pub fn recycle(&self, frame: VideoFrame) {
        self.slots().spare = Some(frame);
    }

    /// Pictures the UI took.
    pub fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }

    /// Pictures replaced before the UI took them.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    fn put(&self, frame: &VideoFrame) {
        let mut buf = self.slots().spare.take();
        // Copy outside the lock: the UI never waits for a picture copy.
        let copy = match buf.as_mut() {
            Some(b) => {
                copy_into(b, frame);
                buf
            }
            None => Some(frame.clone()),
        };
        let mut slots = self.slots();
        if let Some(old) = std::mem::replace(&mut slots.latest, copy) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            slots.spare = Some(old);
        }
    }

    fn clear(&self) {
        let mut slots = self.slots();
        if let Some(old) = slots.latest.take() {
            slots.spare = Some(old);
        }
    }
}

/// Copies `src` into `dst`, reusing `dst`'s plane buffers.
fn copy_into(dst: &mut VideoFrame, src: &VideoFrame) {
    dst.pts = src.pts;
    dst.duration = src.duration;
    dst.timescale = src.timescale;
    dst.width = src.width;
    dst.height = src.height;
    dst.y_stride = src.y_stride;
    dst.uv_stride = src.uv_stride;
    dst.y.clone_from(&src.y);
    dst.u.clone_from(&src.u);
    dst.v.clone_from(&src.v);
}

/// The player's video sink in the desktop player.
pub struct MailboxSink {
    mailbox: Arc<FrameMailbox>,
    wake: Box<dyn Fn() + Send>,
}

impl MailboxSink {
    /// A sink that puts pictures in `mailbox` and calls `wake` to have the UI draw them.
    pub fn new(mailbox: Arc<FrameMailbox>, wake: impl Fn() + Send + 'static) -> MailboxSink {
        MailboxSink {
            mailbox,
            wake: Box::new(wake),
        }
    }
}

impl VideoSink for MailboxSink {
    fn present(&mut self, frame: &VideoFrame) -> Result<(), SinkError> {
        self.mailbox.put(frame);
        (self.wake)();
        Ok(())
    }

    fn flush(&mut self) {
        // The picture on screen stays until the first one after the seek replaces it.
        self.mailbox.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn frame(pts: u64, fill: u8) -> VideoFrame {
        VideoFrame {
            pts,
            duration: 1,
            timescale: 25,
            width: 4,
            height: 2,
            y: vec![fill; 16],
            u: vec![fill; 4],
            v: vec![fill; 4],
            y_stride: 8,
            uv_stride: 2,
        }
    }

    #[test]
    fn ui_gets_the_latest_picture_and_replaced_ones_count_as_dropped() {
        let mailbox = FrameMailbox::new();
        let wakes = Arc::new(AtomicUsize::new(0));
        let w = wakes.clone();
        let mut sink = MailboxSink::new(mailbox.clone(), move || {
            w.fetch_add(1, Ordering::Relaxed);
        });
        sink.present(&frame(0, 1)).expect("present");
        sink.present(&frame(1, 2)).expect("present");
        assert_eq!(wakes.load(Ordering::Relaxed), 2);
        let got = mailbox.take().expect("a picture");
        assert_eq!((got.pts, got.y[0]), (1, 2));
        assert_eq!(mailbox.dropped(), 1);
        assert!(mailbox.take().is_none());
        mailbox.recycle(got);
        sink.present(&frame(2, 3)).expect("present");
        let got = mailbox.take().expect("a picture");
        assert_eq!((got.pts, got.y[0], got.y.len()), (2, 3, 16));
        assert_eq!(mailbox.delivered(), 2);
    }

    #[test]
    fn flush_discards_the_pending_picture() {
        let mailbox = FrameMailbox::new();
        let mut sink = MailboxSink::new(mailbox.clone(), || {});
        sink.present(&frame(0, 1)).expect("present");
        sink.flush();
        assert!(mailbox.take().is_none());
        assert_eq!(mailbox.dropped(), 0);
    }
}
