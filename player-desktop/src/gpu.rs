//! Finding a GPU (or Mesa's software renderers) and setting up a device and a window surface.

use std::sync::Arc;

/// Why no GPU could be used.
#[derive(Debug, thiserror::Error)]
pub enum GpuError {
    /// The window's surface could not be created.
    #[error("cannot create a drawing surface for the window: {0}")]
    Surface(#[from] wgpu::CreateSurfaceError),
    /// No adapter (GPU or software renderer) is usable.
    #[error("no usable GPU or software renderer: {0}")]
    Adapter(#[from] wgpu::RequestAdapterError),
    /// The adapter refused to create a device.
    #[error("the GPU refused to create a device: {0}")]
    Device(#[from] wgpu::RequestDeviceError),
    /// The surface offers no format the player can draw to.
    #[error("the window surface offers no usable pixel format")]
    NoFormat,
    /// Reading a rendered picture back failed.
    #[error("reading the rendered picture back failed: {0}")]
    Readback(String),
}

/// An adapter, its device and queue.
pub struct Gpu {
    /// The instance the adapter came from.
    pub instance: wgpu::Instance,
    /// The adapter.
    pub adapter: wgpu::Adapter,
    /// The device.
    pub device: wgpu::Device,
    /// Its queue.
    pub queue: wgpu::Queue,
}

/// A new instance over every backend this platform has (Vulkan first, GL as a fallback:
/// both find Mesa's software renderers when there is no GPU). `WGPU_BACKEND` overrides.
pub fn instance() -> wgpu::Instance {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    if std::env::var_os("WGPU_BACKEND").is_none() {
        desc.backends = wgpu::Backends::PRIMARY | wgpu::Backends::GL;
    }
    wgpu::Instance::new(desc)
}

impl Gpu {
    /// An adapter able to present to `surface` (or any adapter without one) and its device.
    pub fn new(
        instance: wgpu::Instance,
        surface: Option<&wgpu::Surface<'_>>,
    ) -> Result<Gpu, GpuError> {
        let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::LowPower,
            force_fallback_adapter: false,
            compatible_surface: surface,
            apply_limit_buckets: false,
        }))?;
        let info = adapter.get_info();
        tracing::info!(
            "GPU: {} ({:?}, driver {} {})",
            info.name,
            info.backend,
            info.driver,
            info.driver_info
        );
        let limits = wgpu::Limits::downlevel_webgl2_defaults().using_resolution(adapter.limits());
        let (device, queue) =
            pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
                label: Some("smoothplay"),
                required_features: wgpu::Features::empty(),
                required_limits: limits,
                ..Default::default()
            }))?;
        // A wgpu validation error must not take the player down: log it and carry on.
        device.on_uncaptured_error(Arc::new(|e| tracing::error!("GPU error: {e}")));
        device.set_device_lost_callback(|reason, message| {
            tracing::error!("GPU device lost ({reason:?}): {message}");
        });
        Ok(Gpu {
            instance,
            adapter,
            device,
            queue,
        })
    }

    /// A readable description of the adapter: `llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan)`.
    pub fn describe(&self) -> String {
        let info = self.adapter.get_info();
        format!("{} ({:?})", info.name, info.backend)
    }
}

/// The surface configuration for a window of `size` physical pixels: a gamma-space format
/// (the video shader and egui both write gamma-encoded values), vsync.
pub fn surface_config(
    surface: &wgpu::Surface<'_>,
    adapter: &wgpu::Adapter,
    size: (u32, u32),
) -> Result<(wgpu::SurfaceConfiguration, wgpu::TextureFormat), GpuError> {
    let caps = surface.get_capabilities(adapter);
    let plain = caps.formats.iter().copied().find(|f| {
        matches!(
            f,
            wgpu::TextureFormat::Bgra8Unorm | wgpu::TextureFormat::Rgba8Unorm
        )
    });
    // Without a plain format, draw through a non-sRGB view of an sRGB surface.
    let (format, view_format) = match plain {
        Some(f) => (f, f),
        None => {
            let f = caps.formats.first().copied().ok_or(GpuError::NoFormat)?;
            (f, f.remove_srgb_suffix())
        }
    };
    let config = wgpu::SurfaceConfiguration {
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
        format,
        color_space: wgpu::SurfaceColorSpace::Auto,
        width: size.0.max(1),
        height: size.1.max(1),
        present_mode: wgpu::PresentMode::AutoVsync,
        desired_maximum_frame_latency: 2,
        alpha_mode: wgpu::CompositeAlphaMode::Auto,
        view_formats: if view_format == format {
            vec![]
        } else {
            vec![view_format]
        },
    };
    Ok((config, view_format))
}

/// A render pass over `view` that starts from black (the letterbox bars).
pub fn black_pass<'e>(
    encoder: &'e mut wgpu::CommandEncoder,
    view: &wgpu::TextureView,
    label: &str,
) -> wgpu::RenderPass<'e> {
    encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
        label: Some(label),
        color_attachments: &[Some(wgpu::RenderPassColorAttachment {
            view,
            depth_slice: None,
            resolve_target: None,
            ops: wgpu::Operations {
                load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                store: wgpu::StoreOp::Store,
            },
        })],
        depth_stencil_attachment: None,
        timestamp_writes: None,
        occlusion_query_set: None,
        multiview_mask: None,
    })
}
