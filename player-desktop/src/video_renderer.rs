//! Draws decoded I420 pictures with wgpu: three R8 plane textures uploaded as the decoder
//! left them (padded strides as `bytes_per_row`, no CPU colour conversion), converted to
//! R'G'B' in a WGSL shader, scaled with linear filtering into a letterboxed viewport.
//!
//! The render target must be a non-sRGB (gamma-space) format: video samples are already
//! gamma-encoded, so the shader's output is stored as it is.

use player_core::decode::VideoFrame;

use crate::colour::{Colour, Conversion};

const SHADER: &str = r#"
struct Params {
    r: vec4<f32>,
    g: vec4<f32>,
    b: vec4<f32>,
    // xy: offset added to the luma coordinate to sample chroma (left-sited chroma).
    chroma_offset: vec4<f32>,
};

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var plane_sampler: sampler;
@group(0) @binding(2) var tex_y: texture_2d<f32>;
@group(0) @binding(3) var tex_u: texture_2d<f32>;
@group(0) @binding(4) var tex_v: texture_2d<f32>;

struct VsOut {
    @builtin(position) pos: vec4<f32>,
    @location(0) uv: vec2<f32>,
};

// One triangle covering the viewport; uv (0,0) is the picture's top-left corner.
@vertex
fn vs_main(@builtin(vertex_index) i: u32) -> VsOut {
    let x = f32((i << 1u) & 2u);
    let y = f32(i & 2u);
    var out: VsOut;
    out.pos = vec4<f32>(x * 2.0 - 1.0, 1.0 - y * 2.0, 0.0, 1.0);
    out.uv = vec2<f32>(x, y);
    return out;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    let y = textureSample(tex_y, plane_sampler, in.uv).r;
    let c = in.uv + params.chroma_offset.xy;
    let cb = textureSample(tex_u, plane_sampler, c).r;
    let cr = textureSample(tex_v, plane_sampler, c).r;
    let ycc = vec4<f32>(y, cb, cr, 1.0);
    let rgb = vec3<f32>(dot(params.r, ycc), dot(params.g, ycc), dot(params.b, ycc));
    return vec4<f32>(clamp(rgb, vec3<f32>(0.0), vec3<f32>(1.0)), 1.0);
}
"#;

/// A rectangle in target pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

/// The largest rectangle of the picture's aspect ratio centred in the target (black bars
/// above/below or left/right fill the rest).
pub fn letterbox(picture: (u32, u32), target: (u32, u32)) -> Viewport {
    let (pw, ph) = (picture.0.max(1) as f32, picture.1.max(1) as f32);
    let (tw, th) = (target.0 as f32, target.1 as f32);
    let scale = (tw / pw).min(th / ph);
    let (w, h) = ((pw * scale).round(), (ph * scale).round());
    Viewport {
        x: ((tw - w) / 2.0).floor(),
        y: ((th - h) / 2.0).floor(),
        width: w,
        height: h,
    }
}

/// The shader's bindings: the colour parameters (0), the sampler (1), the Y, U and V planes
/// (2-4).
fn bind_group_layout(device: &wgpu::Device) -> wgpu::BindGroupLayout {
    let texture_entry = |binding| wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::FRAGMENT,
        ty: wgpu::BindingType::Texture {
            sample_type: wgpu::TextureSampleType::Float { filterable: true },
            view_dimension: wgpu::TextureViewDimension::D2,
            multisampled: false,
        },
        count: None,
    };
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("smoothplay yuv"),
        entries: &[
            wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
                count: None,
            },
            wgpu::BindGroupLayoutEntry {
                binding: 1,
                visibility: wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                count: None,
            },
            texture_entry(2),
            texture_entry(3),
            texture_entry(4),
        ],
    })
}

/// The YUV-to-RGB pipeline: one full-viewport triangle, no blending, into `format`.
fn render_pipeline(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    format: wgpu::TextureFormat,
) -> wgpu::RenderPipeline {
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("smoothplay yuv"),
        source: wgpu::ShaderSource::Wgsl(SHADER.into()),
    });
    let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some("smoothplay yuv"),
        bind_group_layouts: &[Some(layout)],
        immediate_size: 0,
    });
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some("smoothplay yuv"),
        layout: Some(&pipeline_layout),
        vertex: wgpu::VertexState {
            module: &module,
            entry_point: Some("vs_main"),
            compilation_options: Default::default(),
            buffers: &[],
        },
        primitive: wgpu::PrimitiveState::default(),
        depth_stencil: None,
        multisample: wgpu::MultisampleState::default(),
        fragment: Some(wgpu::FragmentState {
            module: &module,
            entry_point: Some("fs_main"),
            compilation_options: Default::default(),
            targets: &[Some(wgpu::ColorTargetState {
                format,
                blend: None,
                write_mask: wgpu::ColorWrites::ALL,
            })],
        }),
        multiview_mask: None,
        cache: None,
    })
}

struct Planes {
    size: (u32, u32),
    textures: [wgpu::Texture; 3],
    bind_group: wgpu::BindGroup,
}

/// The video pipeline and the textures of the picture on screen.
pub struct VideoRenderer {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
    params: wgpu::Buffer,
    planes: Option<Planes>,
    colour: Option<Colour>,
}

impl VideoRenderer {
    /// Builds the pipeline for render targets of `format` (a non-sRGB format).
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> VideoRenderer {
        let layout = bind_group_layout(device);
        let pipeline = render_pipeline(device, &layout, format);
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("smoothplay planes"),
            address_mode_u: wgpu::AddressMode::ClampToEdge,
            address_mode_v: wgpu::AddressMode::ClampToEdge,
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        let params = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("smoothplay yuv params"),
            size: 64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        VideoRenderer {
            pipeline,
            layout,
            sampler,
            params,
            planes: None,
            colour: None,
        }
    }

    /// The size of the picture being shown, if any.
    pub fn picture_size(&self) -> Option<(u32, u32)> {
        self.planes.as_ref().map(|p| p.size)
    }

    /// Uploads `frame` (converted with `colour`) as the picture to draw.
    pub fn upload(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        frame: &VideoFrame,
        colour: Colour,
    ) {
        let (w, h) = (frame.width, frame.height);
        if w == 0 || h == 0 {
            return;
        }
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        if self.planes.as_ref().map(|p| p.size) != Some((w, h)) {
            self.planes = Some(self.create_planes(device, (w, h)));
            // New textures: the parameters (chroma offset) depend on the size.
            self.colour = None;
        }
        if self.colour != Some(colour) {
            queue.write_buffer(&self.params, 0, &params_bytes(colour, cw));
            self.colour = Some(colour);
        }
        let Some(planes) = &self.planes else { return };
        let sources = [
            (&frame.y, frame.y_stride, w, h),
            (&frame.u, frame.uv_stride, cw, ch),
            (&frame.v, frame.uv_stride, cw, ch),
        ];
        for (texture, (data, stride, pw, ph)) in planes.textures.iter().zip(sources) {
            // A plane shorter than its stated size (never from openh264) is not uploaded.
            let needed = stride * (ph as usize - 1) + pw as usize;
            if stride < pw as usize || data.len() < needed {
                tracing::warn!(
                    "picture plane of {} bytes too short for {pw}x{ph} at stride {stride}",
                    data.len()
                );
                continue;
            }
            queue.write_texture(
                wgpu::TexelCopyTextureInfo {
                    texture,
                    mip_level: 0,
                    origin: wgpu::Origin3d::ZERO,
                    aspect: wgpu::TextureAspect::All,
                },
                data,
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: u32::try_from(stride).ok(),
                    rows_per_image: Some(ph),
                },
                wgpu::Extent3d {
                    width: pw,
                    height: ph,
                    depth_or_array_layers: 1,
                },
            );
        }
    }

    /// Draws the current picture into `viewport` of the pass's target (nothing without one).
    pub fn draw(&self, pass: &mut wgpu::RenderPass<'_>, viewport: Viewport) {
        let Some(planes) = &self.planes else { return };
        if viewport.width < 1.0 || viewport.height < 1.0 {
            return;
        }
        pass.set_viewport(
            viewport.x,
            viewport.y,
            viewport.width,
            viewport.height,
            0.0,
            1.0,
        );
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &planes.bind_group, &[]);
        pass.draw(0..3, 0..1);
    }

    fn create_planes(&self, device: &wgpu::Device, (w, h): (u32, u32)) -> Planes {
        let plane = |label, width, height| {
            device.create_texture(&wgpu::TextureDescriptor {
                label: Some(label),
                size: wgpu::Extent3d {
                    width,
                    height,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: wgpu::TextureFormat::R8Unorm,
                usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
                view_formats: &[],
            })
        };
        let textures = [
            plane("smoothplay Y", w, h),
            plane("smoothplay Cb", w.div_ceil(2), h.div_ceil(2)),
            plane("smoothplay Cr", w.div_ceil(2), h.div_ceil(2)),
        ];
        let views = textures
            .each_ref()
            .map(|t| t.create_view(&wgpu::TextureViewDescriptor::default()));
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("smoothplay yuv"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: self.params.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::Sampler(&self.sampler),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::TextureView(&views[0]),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: wgpu::BindingResource::TextureView(&views[1]),
                },
                wgpu::BindGroupEntry {
                    binding: 4,
                    resource: wgpu::BindingResource::TextureView(&views[2]),
                },
            ],
        });
        Planes {
            size: (w, h),
            textures,
            bind_group,
        }
    }
}

/// The shader's uniform block: three conversion rows and the chroma sampling offset.
fn params_bytes(colour: Colour, chroma_width: u32) -> [u8; 64] {
    let rows = Conversion::new(colour).rows;
    // H.264's default chroma siting is co-sited with the left luma sample: a quarter of a
    // chroma texel to the right of where plain scaling would sample.
    let offset = 0.25 / chroma_width.max(1) as f32;
    let values: [f32; 16] = [
        rows[0][0], rows[0][1], rows[0][2], rows[0][3], rows[1][0], rows[1][1], rows[1][2],
        rows[1][3], rows[2][0], rows[2][1], rows[2][2], rows[2][3], offset, 0.0, 0.0, 0.0,
    ];
    let mut out = [0u8; 64];
    for (chunk, v) in out.chunks_exact_mut(4).zip(values) {
        chunk.copy_from_slice(&v.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letterbox_keeps_the_aspect_ratio() {
        assert_eq!(
            letterbox((1280, 720), (1280, 720)),
            Viewport {
                x: 0.0,
                y: 0.0,
                width: 1280.0,
                height: 720.0
            }
        );
        // A 4:3 window: bars above and below.
        let v = letterbox((1280, 720), (800, 600));
        assert_eq!((v.x, v.width, v.height), (0.0, 800.0, 450.0));
        assert_eq!(v.y, 75.0);
        // A tall picture in a wide window: bars left and right.
        let v = letterbox((320, 480), (1280, 720));
        assert_eq!((v.y, v.height, v.width), (0.0, 720.0, 480.0));
        assert_eq!(v.x, 400.0);
    }

    #[test]
    fn params_hold_the_conversion_rows() {
        let c = Colour::for_height(720);
        let bytes = params_bytes(c, 640);
        let first = f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        assert!((first - 255.0 / 219.0).abs() < 1e-6);
        let off = f32::from_le_bytes([bytes[48], bytes[49], bytes[50], bytes[51]]);
        assert!((off - 0.25 / 640.0).abs() < 1e-9);
    }
}
