//! Rendering a picture without a window and reading the pixels back (shader tests,
//! snapshots).

use player_core::decode::VideoFrame;

use crate::colour::Colour;
use crate::gpu::{Gpu, GpuError};
use crate::video_renderer::{VideoRenderer, letterbox};

/// The format offscreen pictures are rendered in.
const FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// Renders `frame` with `colour` into a black `width`×`height` target (letterboxed) and
/// returns its pixels as tightly packed RGBA rows.
pub fn render_rgba(
    gpu: &Gpu,
    frame: &VideoFrame,
    colour: Colour,
    (width, height): (u32, u32),
) -> Result<Vec<u8>, GpuError> {
    let (device, queue) = (&gpu.device, &gpu.queue);
    let target = device.create_texture(&wgpu::TextureDescriptor {
        label: Some("smoothplay offscreen"),
        size: wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: FORMAT,
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
        view_formats: &[],
    });
    let view = target.create_view(&wgpu::TextureViewDescriptor::default());
    let mut renderer = VideoRenderer::new(device, FORMAT);
    renderer.upload(device, queue, frame, colour);
    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
        label: Some("smoothplay offscreen"),
    });
    {
        let mut pass = crate::gpu::black_pass(&mut encoder, &view, "smoothplay offscreen");
        renderer.draw(
            &mut pass,
            letterbox((frame.width, frame.height), (width, height)),
        );
    }
    // Buffer copies need rows aligned to 256 bytes.
    let row = width * 4;
    let padded =
        row.div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT) * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
    let buffer = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("smoothplay readback"),
        size: u64::from(padded) * u64::from(height),
        usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
        mapped_at_creation: false,
    });
    encoder.copy_texture_to_buffer(
        wgpu::TexelCopyTextureInfo {
            texture: &target,
            mip_level: 0,
            origin: wgpu::Origin3d::ZERO,
            aspect: wgpu::TextureAspect::All,
        },
        wgpu::TexelCopyBufferInfo {
            buffer: &buffer,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(padded),
                rows_per_image: Some(height),
            },
        },
        wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
    );
    queue.submit([encoder.finish()]);
    let (tx, rx) = std::sync::mpsc::channel();
    buffer.map_async(wgpu::MapMode::Read, .., move |r| {
        let _ = tx.send(r);
    });
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|e| GpuError::Readback(e.to_string()))?;
    rx.recv()
        .map_err(|e| GpuError::Readback(e.to_string()))?
        .map_err(|e| GpuError::Readback(e.to_string()))?;
    let mapped = buffer
        .get_mapped_range(..)
        .map_err(|e| GpuError::Readback(e.to_string()))?;
    let mut out = Vec::with_capacity((row * height) as usize);
    for r in mapped.chunks(padded as usize).take(height as usize) {
        out.extend_from_slice(r.get(..row as usize).unwrap_or(&[]));
    }
    Ok(out)
}
