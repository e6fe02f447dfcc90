//! Hardware decoding through libavcodec: a VA-API device (Intel/AMD GPUs, set-top SoCs with
//! a VA driver) attached to the software decoder, whose pictures are downloaded as NV12; on
//! ARM boxes first the V4L2 memory-to-memory decoders. Any failure is the caller's cue to
//! fall back to software.

use std::ffi::CString;
use std::ptr;

use ffmpeg_sys_next as ff;

use super::video::LibavVideo;
use super::{Codec, codec_name};
use crate::decode::{DecodeError, VideoDecoder};
use crate::demux::DecoderConfig;

/// Overrides the VA-API render node (default: the first `/dev/dri/renderD*`).
pub const VAAPI_DEVICE_ENV: &str = "SMOOTHPLAY_VAAPI_DEVICE";

/// A hardware device context.
pub(crate) struct Device {
    buf: *mut ff::AVBufferRef,
}

impl Device {
    /// Opens the VA-API device at `path`.
    pub fn vaapi(path: &str) -> Result<Device, String> {
        let c_path = CString::new(path).map_err(|_| "device path with a NUL byte")?;
        let mut buf = ptr::null_mut();
        // SAFETY: `buf` receives a new reference on success; the path outlives the call.
        let rc = unsafe {
            ff::av_hwdevice_ctx_create(
                &mut buf,
                ff::AVHWDeviceType::AV_HWDEVICE_TYPE_VAAPI,
                c_path.as_ptr(),
                ptr::null_mut(),
                0,
            )
        };
        if rc < 0 || buf.is_null() {
            return Err(format!("VA-API device {path}: {}", super::error_text(rc)));
        }
        Ok(Device { buf })
    }

    /// Makes the (unopened) context decode on this device.
    ///
    /// # Safety
    /// `ctx` is a valid, unopened codec context.
    pub unsafe fn attach(&self, ctx: *mut ff::AVCodecContext) {
        // SAFETY: the context takes its own reference to the device, freed with it.
        unsafe {
            (*ctx).hw_device_ctx = ff::av_buffer_ref(self.buf);
            (*ctx).get_format = Some(pick_vaapi);
        }
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        // SAFETY: our reference, released once.
        unsafe { ff::av_buffer_unref(&mut self.buf) }
    }
}

/// Chooses the VA-API surface format when libavcodec offers it.
unsafe extern "C" fn pick_vaapi(
    _ctx: *mut ff::AVCodecContext,
    formats: *const ff::AVPixelFormat,
) -> ff::AVPixelFormat {
    let mut first = ff::AVPixelFormat::AV_PIX_FMT_NONE;
    let mut i = 0;
    loop {
        // SAFETY: libavcodec passes a list terminated by AV_PIX_FMT_NONE.
        let f = unsafe { *formats.add(i) };
        if f == ff::AVPixelFormat::AV_PIX_FMT_NONE {
            return first;
        }
        if f == ff::AVPixelFormat::AV_PIX_FMT_VAAPI {
            return f;
        }
        if i == 0 {
            first = f;
        }
        i += 1;
    }
}

/// The VA-API render node to use, if any.
fn vaapi_path() -> Option<String> {
    if let Ok(p) = std::env::var(VAAPI_DEVICE_ENV) {
        return Some(p);
    }
    let mut nodes: Vec<String> = std::fs::read_dir("/dev/dri")
        .ok()?
        .flatten()
        .map(|e| e.path().to_string_lossy().into_owned())
        .filter(|p| p.contains("renderD"))
        .collect();
    nodes.sort();
    nodes.into_iter().next()
}

/// A hardware video decoder for `config`, or why there is none.
pub(crate) fn hardware_video(
    config: &DecoderConfig,
    timescale: u64,
) -> Result<Box<dyn VideoDecoder>, DecodeError> {
    super::quiet_library_log();
    let unavailable = |why: String| DecodeError::Unavailable(why);
    if !config.is_video() {
        return Err(unavailable(format!("{} is not video", codec_name(config))));
    }
    if let Some(d) = v4l2_m2m(config, timescale) {
        return Ok(d);
    }
    let path =
        vaapi_path().ok_or_else(|| unavailable("no VA-API render node in /dev/dri".into()))?;
    let device = Device::vaapi(&path).map_err(unavailable)?;
    let codec = Codec::open(config, 1, Some(&device))?;
    Ok(Box::new(LibavVideo::new(
        codec,
        timescale,
        "libav (VA-API)",
    )))
}

/// ARM set-top boxes: the V4L2 memory-to-memory decoder, when its driver opens.
#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
fn v4l2_m2m(config: &DecoderConfig, timescale: u64) -> Option<Box<dyn VideoDecoder>> {
    let name = match config {
        DecoderConfig::H264(_) => c"h264_v4l2m2m",
        DecoderConfig::Vc1(_) => c"vc1_v4l2m2m",
        _ => return None,
    };
    // SAFETY: a lookup in libavcodec's static table by a NUL-terminated name.
    let codec = unsafe { ff::avcodec_find_decoder_by_name(name.as_ptr()) };
    if codec.is_null() {
        return None;
    }
    match Codec::open_codec(codec, config, 1, None) {
        Ok(c) => Some(Box::new(LibavVideo::new(c, timescale, "libav (V4L2)"))),
        Err(e) => {
            tracing::debug!(error = %e, "V4L2 memory-to-memory decoder unavailable");
            None
        }
    }
}

#[cfg(not(any(target_arch = "aarch64", target_arch = "arm")))]
fn v4l2_m2m(_: &DecoderConfig, _: u64) -> Option<Box<dyn VideoDecoder>> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_device_is_an_error_not_a_crash() {
        let e = Device::vaapi("/nonexistent/renderD128")
            .err()
            .expect("no device");
        assert!(e.contains("/nonexistent/renderD128"), "{e}");
    }
}
