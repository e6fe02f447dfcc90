//! The libav backend: FFmpeg's libavcodec (system library, through `ffmpeg-sys-next`).
//!
//! [`Codec`] owns one opened `AVCodecContext` with its packet and frame; `video` and `audio`
//! turn its output into [`VideoFrame`](crate::base::VideoFrame)s and
//! [`AudioFrame`](crate::base::AudioFrame)s; `hw` attaches a VA-API device (or picks a V4L2
//! memory-to-memory decoder on ARM). All unsafe code of the backend is in these files.

mod audio;
mod hw;
mod video;

use std::ffi::CStr;
use std::ptr;

use ffmpeg_sys_next as ff;

use super::{AudioDecoder, DecodeError, VideoDecoder};
use crate::demux::DecoderConfig;

pub(super) use hw::hardware_video;

/// libavcodec writes its own log to stderr from its threads, in pieces that interleave with
/// smoothplay's lines; what it reports that matters comes back as a `DecodeError` (damaged
/// pictures, refused packets). So it stays silent unless `SMOOTHPLAY_LOG` asks for logs
/// (anything but empty or `off`).
pub(super) fn quiet_library_log() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let asked = std::env::var("SMOOTHPLAY_LOG").unwrap_or_default();
        let level = if !asked.trim().is_empty() && asked.trim() != "off" {
            ff::AV_LOG_WARNING
        } else {
            ff::AV_LOG_QUIET
        };
        // SAFETY: sets a global integer in libavutil; no other state is touched.
        unsafe { ff::av_log_set_level(level) };
    });
}

/// A software video decoder; `threads` > 1 uses libavcodec's frame threads.
pub(super) fn software_video(
    config: &DecoderConfig,
    timescale: u64,
    threads: usize,
) -> Result<Box<dyn VideoDecoder>, DecodeError> {
    let codec = Codec::open(config, threads, None)?;
    Ok(Box::new(video::LibavVideo::new(codec, timescale, "libav")))
}

/// An audio decoder; `stereo` downmixes more channels to two.
pub(super) fn audio(
    config: &DecoderConfig,
    timescale: u64,
    stereo: bool,
) -> Result<Box<dyn AudioDecoder>, DecodeError> {
    let codec = Codec::open(config, 1, None)?;
    Ok(Box::new(audio::LibavAudio::new(codec, timescale, stereo)))
}

/// The codec name used in errors.
fn codec_name(config: &DecoderConfig) -> &'static str {
    match config {
        DecoderConfig::H264(_) => "H.264",
        DecoderConfig::Vc1(_) => "VC-1",
        DecoderConfig::Aac(_) => "AAC",
        DecoderConfig::Wma(_) => "WMA",
        DecoderConfig::Dolby(d) if d.enhanced => "E-AC-3",
        DecoderConfig::Dolby(_) => "AC-3",
    }
}

/// libavcodec's codec id for `config`.
fn codec_id(config: &DecoderConfig) -> ff::AVCodecID {
    use ff::AVCodecID::*;
    match config {
        DecoderConfig::H264(_) => AV_CODEC_ID_H264,
        DecoderConfig::Vc1(v) if v.advanced => AV_CODEC_ID_VC1,
        DecoderConfig::Vc1(_) => AV_CODEC_ID_WMV3,
        DecoderConfig::Aac(_) => AV_CODEC_ID_AAC,
        DecoderConfig::Wma(w) => match w.format_tag {
            0x0160 => AV_CODEC_ID_WMAV1,
            0x0161 => AV_CODEC_ID_WMAV2,
            0x0163 => AV_CODEC_ID_WMALOSSLESS,
            _ => AV_CODEC_ID_WMAPRO,
        },
        DecoderConfig::Dolby(d) if d.enhanced => AV_CODEC_ID_EAC3,
        DecoderConfig::Dolby(_) => AV_CODEC_ID_AC3,
    }
}

/// libavcodec's message for an error code.
fn error_text(code: i32) -> String {
    let mut buf = [0 as libc::c_char; 128];
    // SAFETY: buf is writable for its length; av_strerror NUL-terminates within it.
    let text = unsafe {
        ff::av_strerror(code, buf.as_mut_ptr(), buf.len());
        CStr::from_ptr(buf.as_ptr())
    };
    text.to_string_lossy().into_owned()
}

/// An opened decoder with a packet and a frame to pass through it.
pub(super) struct Codec {
    ctx: *mut ff::AVCodecContext,
    pkt: *mut ff::AVPacket,
    frame: *mut ff::AVFrame,
    /// For errors: `H.264`, `AAC`…
    pub name: &'static str,
}

// SAFETY: the context, packet and frame are owned by this value alone and only used through
// `&mut self`; libavcodec contexts may move between threads (not be shared).
unsafe impl Send for Codec {}

/// What one `receive` call found.
pub(super) enum Received {
    /// A frame is in `Codec::frame()`.
    Frame,
    /// Feed more input.
    Again,
    /// Drained after end of stream.
    End,
}

impl Codec {
    /// Opens a decoder for `config`; `hw` is a hardware device to attach (VA-API).
    pub fn open(
        config: &DecoderConfig,
        threads: usize,
        hw: Option<&hw::Device>,
    ) -> Result<Codec, DecodeError> {
        quiet_library_log();
        let name = codec_name(config);
        let init = |what: String| DecodeError::Init { codec: name, what };
        // SAFETY: plain lookups in libavcodec's static codec table.
        let codec = unsafe { ff::avcodec_find_decoder(codec_id(config)) };
        if codec.is_null() {
            return Err(init("libavcodec has no such decoder".into()));
        }
        Codec::open_codec(codec, config, threads, hw)
    }

    /// Opens `codec` (from libavcodec's table) for `config`.
    pub fn open_codec(
        codec: *const ff::AVCodec,
        config: &DecoderConfig,
        threads: usize,
        hw: Option<&hw::Device>,
    ) -> Result<Codec, DecodeError> {
        let name = codec_name(config);
        let init = |what: String| DecodeError::Init { codec: name, what };
        // SAFETY: allocations are checked; the context is configured before it is opened,
        // and freed by Drop on every path (`this` owns it from here).
        unsafe {
            let this = Codec {
                ctx: ff::avcodec_alloc_context3(codec),
                pkt: ff::av_packet_alloc(),
                frame: ff::av_frame_alloc(),
                name,
            };
            if this.ctx.is_null() || this.pkt.is_null() || this.frame.is_null() {
                return Err(init("out of memory".into()));
            }
            configure(this.ctx, config)?;
            if threads > 1 {
                (*this.ctx).thread_count = i32::try_from(threads).unwrap_or(1);
                (*this.ctx).thread_type = ff::FF_THREAD_FRAME;
            } else {
                (*this.ctx).thread_count = 1;
            }
            if let Some(device) = hw {
                device.attach(this.ctx);
            }
            let rc = ff::avcodec_open2(this.ctx, codec, ptr::null_mut());
            if rc < 0 {
                return Err(init(error_text(rc)));
            }
            Ok(this)
        }
    }

    /// Sends one access unit (`None`: end of stream). `Ok(false)`: the decoder wants its
    /// output read first.
    pub fn send(&mut self, data: Option<&[u8]>, pts: u64) -> Result<bool, DecodeError> {
        // SAFETY: the packet is ours; av_new_packet allocates size + padding bytes, of which
        // we fill `size` and it zeroes the padding.
        let rc = unsafe {
            match data {
                Some(data) => {
                    ff::av_packet_unref(self.pkt);
                    let size = i32::try_from(data.len()).map_err(|_| self.error(pts, -1))?;
                    if ff::av_new_packet(self.pkt, size) < 0 {
                        return Err(self.error(pts, ff::AVERROR(libc::ENOMEM)));
                    }
                    ptr::copy_nonoverlapping(data.as_ptr(), (*self.pkt).data, data.len());
                    (*self.pkt).pts = i64::try_from(pts).unwrap_or(i64::MAX);
                    (*self.pkt).dts = ff::AV_NOPTS_VALUE;
                    ff::avcodec_send_packet(self.ctx, self.pkt)
                }
                None => ff::avcodec_send_packet(self.ctx, ptr::null()),
            }
        };
        match rc {
            0 => Ok(true),
            rc if rc == ff::AVERROR(libc::EAGAIN) => Ok(false),
            rc if rc == ff::AVERROR_EOF => Ok(true),
            rc => Err(self.error(pts, rc)),
        }
    }

    /// Takes the next decoded frame into `frame()`, if one is ready.
    pub fn receive(&mut self, pts: u64) -> Result<Received, DecodeError> {
        // SAFETY: context and frame are ours and valid.
        let rc = unsafe { ff::avcodec_receive_frame(self.ctx, self.frame) };
        match rc {
            0 => Ok(Received::Frame),
            rc if rc == ff::AVERROR(libc::EAGAIN) => Ok(Received::Again),
            rc if rc == ff::AVERROR_EOF => Ok(Received::End),
            rc => Err(self.error(pts, rc)),
        }
    }

    /// The frame `receive` filled (valid until the next `receive`).
    pub fn frame(&self) -> &ff::AVFrame {
        // SAFETY: allocated in `open_codec`, never null, owned by self.
        unsafe { &*self.frame }
    }

    /// The frame pointer, for libavcodec calls.
    pub fn frame_ptr(&self) -> *mut ff::AVFrame {
        self.frame
    }

    /// Forgets buffered input and output (after draining, or a seek).
    pub fn reset(&mut self) {
        // SAFETY: the context is opened.
        unsafe { ff::avcodec_flush_buffers(self.ctx) }
    }

    fn error(&self, pts: u64, rc: i32) -> DecodeError {
        DecodeError::Libav {
            codec: self.name,
            pts,
            what: error_text(rc),
        }
    }
}

impl Drop for Codec {
    fn drop(&mut self) {
        // SAFETY: each pointer was allocated by its libav allocator and is freed once; the
        // free functions accept null.
        unsafe {
            ff::av_frame_free(&mut self.frame);
            ff::av_packet_free(&mut self.pkt);
            ff::avcodec_free_context(&mut self.ctx);
        }
    }
}

/// Copies `data` into a fresh av_malloc'd extradata buffer of the context.
///
/// # Safety
/// `ctx` is a valid, unopened context.
unsafe fn set_extradata(ctx: *mut ff::AVCodecContext, data: &[u8]) -> Result<(), ()> {
    if data.is_empty() {
        return Ok(());
    }
    let pad = ff::AV_INPUT_BUFFER_PADDING_SIZE as usize;
    // SAFETY: the buffer is allocated zeroed with room for the padding; libavcodec frees it
    // with the context.
    unsafe {
        let buf = ff::av_mallocz(data.len() + pad).cast::<u8>();
        if buf.is_null() {
            return Err(());
        }
        ptr::copy_nonoverlapping(data.as_ptr(), buf, data.len());
        (*ctx).extradata = buf;
        (*ctx).extradata_size = i32::try_from(data.len()).map_err(|_| ())?;
    }
    Ok(())
}

/// Puts what the decoder needs to know of `config` into the (unopened) context.
///
/// # Safety
/// `ctx` is a valid, unopened context.
unsafe fn configure(
    ctx: *mut ff::AVCodecContext,
    config: &DecoderConfig,
) -> Result<(), DecodeError> {
    let init = |what: &str| DecodeError::Init {
        codec: codec_name(config),
        what: what.into(),
    };
    let to_i32 = |v: u64| i32::try_from(v).unwrap_or(i32::MAX);
    // SAFETY: the caller hands a valid unopened context; fields are plain values.
    unsafe {
        let extradata: &[u8] = match config {
            DecoderConfig::H264(_) => &[],
            DecoderConfig::Vc1(v) => {
                (*ctx).width = to_i32(u64::from(v.width));
                (*ctx).height = to_i32(u64::from(v.height));
                &v.sequence_header
            }
            DecoderConfig::Aac(a) => {
                (*ctx).sample_rate = to_i32(u64::from(a.output_rate));
                ff::av_channel_layout_default(&mut (*ctx).ch_layout, i32::from(a.channels));
                &a.full_asc
            }
            DecoderConfig::Wma(w) => {
                (*ctx).sample_rate = to_i32(u64::from(w.sample_rate));
                ff::av_channel_layout_default(&mut (*ctx).ch_layout, i32::from(w.channels));
                (*ctx).block_align = i32::from(w.block_align);
                (*ctx).bit_rate = i64::try_from(w.bitrate).unwrap_or(i64::MAX);
                (*ctx).bits_per_coded_sample = i32::from(w.bits_per_sample);
                &w.extra
            }
            DecoderConfig::Dolby(d) => {
                (*ctx).sample_rate = to_i32(u64::from(d.sample_rate));
                ff::av_channel_layout_default(&mut (*ctx).ch_layout, i32::from(d.channels));
                &[]
            }
        };
        set_extradata(ctx, extradata).map_err(|()| init("extradata"))
    }
}
