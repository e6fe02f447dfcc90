//! The window's drawing surface: the GPU device, the video renderer and egui's renderer, and
//! one `render` that draws a frame (black, the letterboxed picture, the overlay) and presents it.

use std::sync::Arc;

use winit::window::Window;

use crate::gpu::{self, Gpu, GpuError};
use crate::video_renderer::{VideoRenderer, letterbox};

/// Everything needed to draw into the window.
pub struct Screen {
    /// The window drawn into.
    pub window: Arc<Window>,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    view_format: wgpu::TextureFormat,
    /// The device and queue.
    pub gpu: Gpu,
    /// The picture.
    pub video: VideoRenderer,
    egui: egui_wgpu::Renderer,
}

impl Screen {
    /// Sets up the GPU for `window`.
    pub fn new(window: Arc<Window>) -> Result<Screen, GpuError> {
        let instance = gpu::instance();
        let surface = instance.create_surface(window.clone())?;
        let gpu = Gpu::new(instance, Some(&surface))?;
        let size = window.inner_size();
        let (config, view_format) =
            gpu::surface_config(&surface, &gpu.adapter, (size.width, size.height))?;
        surface.configure(&gpu.device, &config);
        let video = VideoRenderer::new(&gpu.device, view_format);
        let egui = egui_wgpu::Renderer::new(
            &gpu.device,
            view_format,
            egui_wgpu::RendererOptions::default(),
        );
        Ok(Screen {
            window,
            surface,
            config,
            view_format,
            gpu,
            video,
            egui,
        })
    }

    /// Follows the window's new size in physical pixels.
    pub fn resize(&mut self, width: u32, height: u32) {
        if width == 0 || height == 0 {
            return;
        }
        self.config.width = width;
        self.config.height = height;
        self.surface.configure(&self.gpu.device, &self.config);
    }

    /// The surface size in physical pixels.
    pub fn size(&self) -> (u32, u32) {
        (self.config.width, self.config.height)
    }

    /// Draws one frame: the current picture letterboxed on black, then egui's output.
    pub fn render(
        &mut self,
        jobs: &[egui::ClippedPrimitive],
        textures: &mut egui::TexturesDelta,
        pixels_per_point: f32,
    ) {
        let (device, queue) = (&self.gpu.device, &self.gpu.queue);
        for (id, deltas) in &textures.set {
            for delta in deltas {
                self.egui.update_texture(device, queue, *id, delta);
            }
        }
        let frame = match self.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(t)
            | wgpu::CurrentSurfaceTexture::Suboptimal(t) => t,
            wgpu::CurrentSurfaceTexture::Outdated | wgpu::CurrentSurfaceTexture::Lost => {
                // Reconfigure and draw again on the next frame.
                self.surface.configure(device, &self.config);
                self.free(textures);
                return;
            }
            other => {
                tracing::debug!("no surface texture this frame: {other:?}");
                self.free(textures);
                return;
            }
        };
        let view = frame.texture.create_view(&wgpu::TextureViewDescriptor {
            format: Some(self.view_format),
            ..Default::default()
        });
        let screen = egui_wgpu::ScreenDescriptor {
            size_in_pixels: [self.config.width, self.config.height],
            pixels_per_point,
        };
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("smoothplay frame"),
        });
        let extra = self
            .egui
            .update_buffers(device, queue, &mut encoder, jobs, &screen);
        {
            let mut pass =
                crate::gpu::black_pass(&mut encoder, &view, "smoothplay frame").forget_lifetime();
            if let Some(picture) = self.video.picture_size() {
                self.video.draw(&mut pass, letterbox(picture, self.size()));
            }
            pass.set_viewport(
                0.0,
                0.0,
                self.config.width as f32,
                self.config.height as f32,
                0.0,
                1.0,
            );
            self.egui.render(&mut pass, jobs, &screen);
        }
        queue.submit(extra.into_iter().chain([encoder.finish()]));
        self.window.pre_present_notify();
        queue.present(frame);
        self.free(textures);
    }

    /// Frees what egui no longer uses; the delta is then fully applied.
    fn free(&mut self, textures: &mut egui::TexturesDelta) {
        for id in &textures.free {
            self.egui.free_texture(id);
        }
        textures.clear();
    }
}
