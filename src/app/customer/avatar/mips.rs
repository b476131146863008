//! Mipmaps for the avatar's textures, made when they load.
//!
//! The avatar build packs its generated tiles (skin relief, knit and weave, hair and lash
//! strands) into the GLB as PNG, and glTF asks for trilinear minification, but a PNG holds
//! one level and Bevy makes no others. Seen from the counter, a tile's texels are finer
//! than the pixels they land on, so they alias: the shirt weave drew moiré rings across
//! the chest. This builds the chain on the CPU when an image from the `avatars://` source
//! arrives: the tiles are 64 to 256 texels, a few hundred microseconds all told.
//!
//! Textures with alpha (the hair, brow and lash cards, cut at 0.5) get a short chain
//! that keeps their coverage. Averaged alone, strands fall under the cut level by level
//! and the hair goes bald; with each level's alpha scaled so as many texels pass the cut
//! as at the top, they hold. Only [`CUT_LEVELS`] levels, though: deeper, a whole card is
//! a few texels and turns into a solid patch (seen on the crown of a bowed head). With
//! no levels at all the strands sparkled and the brows broke into dots.

use bevy::asset::{AssetEvent, AssetEventSystems};
use bevy::image::{Image, ImageFilterMode, ImageSampler};
use bevy::prelude::*;
use bevy::render::render_resource::TextureFormat;

use super::SOURCE;

/// The alpha cut-off of the avatar's masked materials (`alphaCutoff` in the GLB).
pub const CUTOFF: f32 = 0.5;

/// How many levels a cut-out texture gets (the full size, a half and a quarter).
pub const CUT_LEVELS: u32 = 3;

/// Adds the system that gives the avatar's textures their mipmaps.
pub fn plugin(app: &mut App) {
    // Right after the frame's asset events are written and before the render world
    // extracts the new images: the first upload already carries the chain. (Changed a
    // frame later, the image is uploaded afresh but the materials stay bound to the
    // texture they were first given.)
    app.add_systems(PostUpdate, add_mips.after(AssetEventSystems));
}

fn add_mips(mut events: MessageReader<AssetEvent<Image>>, assets: Res<AssetServer>, mut images: ResMut<Assets<Image>>) {
    for event in events.read() {
        let AssetEvent::Added { id } = event else { continue };
        let from_avatar = assets
            .get_path(*id)
            .is_some_and(|path| path.source().as_str() == Some(SOURCE));
        if !from_avatar || !images.get(*id).is_some_and(wants_mips) {
            continue;
        }
        if let Some(mut image) = images.get_mut(*id) {
            let Some(data) = image.data.as_deref() else { continue };
            let cut = data.chunks_exact(4).any(|p| p[3] < 255).then_some(CUTOFF);
            let size = image.texture_descriptor.size;
            let srgb = image.texture_descriptor.format == TextureFormat::Rgba8UnormSrgb;
            let (chain, levels) = mip_chain(data, size.width, size.height, srgb, cut);
            image.data = Some(chain);
            image.texture_descriptor.mip_level_count = levels;
        }
    }
}

/// Whether an image asks for mipmaps it lacks: one level, 8-bit RGBA holding exactly its
/// texels (anything else is left as it came, never indexed past its end), a sampler that
/// filters between levels (or the default, which for glTF textures is trilinear).
pub fn wants_mips(image: &Image) -> bool {
    let descriptor = &image.texture_descriptor;
    let rgba8 = matches!(
        descriptor.format,
        TextureFormat::Rgba8Unorm | TextureFormat::Rgba8UnormSrgb
    );
    let filters_levels = match &image.sampler {
        ImageSampler::Descriptor(sampler) => sampler.mipmap_filter == ImageFilterMode::Linear,
        ImageSampler::Default => true,
    };
    let texels = descriptor.size.width as usize * descriptor.size.height as usize;
    descriptor.mip_level_count == 1
        && descriptor.size.depth_or_array_layers == 1
        && rgba8
        && filters_levels
        && image.data.as_ref().is_some_and(|d| d.len() == texels * 4)
}

/// The mip chain of an RGBA8 image (`data`, `width` x `height`), level 0 first, each level
/// a 2x2 box filter of the one above (colour in linear light when `srgb`; alpha always
/// linear); and how many levels there are. Down to 1x1, or, for a texture alpha-tested
/// at `cut`, [`CUT_LEVELS`] levels whose alpha is scaled to keep level 0's share of texels
/// at or above the cut.
pub fn mip_chain(data: &[u8], width: u32, height: u32, srgb: bool, cut: Option<f32>) -> (Vec<u8>, u32) {
    let decode = |v: u8| if srgb { srgb_to_linear(v) } else { f32::from(v) / 255.0 };
    let encode = |v: f32| if srgb { linear_to_srgb(v) } else { unorm8(v) };
    let mut out = data.to_vec();
    let mut level: Vec<[f32; 4]> = data
        .chunks_exact(4)
        .map(|p| [decode(p[0]), decode(p[1]), decode(p[2]), f32::from(p[3]) / 255.0])
        .collect();
    let coverage = cut.map(|c| coverage_at(&level, c, 1.0));
    let (mut w, mut h) = (width.max(1) as usize, height.max(1) as usize);
    let mut levels = 1;
    while (w > 1 || h > 1) && (cut.is_none() || levels < CUT_LEVELS) {
        let (nw, nh) = ((w / 2).max(1), (h / 2).max(1));
        let mut next = vec![[0.0f32; 4]; nw * nh];
        for y in 0..nh {
            for x in 0..nw {
                let mut sum = [0.0f32; 4];
                // The 2x2 block above, clamped where a side is already one texel.
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let sx = (2 * x + dx).min(w - 1);
                    let sy = (2 * y + dy).min(h - 1);
                    let p = level[sy * w + sx];
                    for c in 0..4 {
                        sum[c] += p[c];
                    }
                }
                next[y * nw + x] = sum.map(|s| s / 4.0);
            }
        }
        if let (Some(cut), Some(coverage)) = (cut, coverage) {
            let scale = alpha_scale_for(&next, cut, coverage);
            for p in &mut next {
                p[3] = (p[3] * scale).min(1.0);
            }
        }
        out.extend(
            next.iter()
                .flat_map(|p| [encode(p[0]), encode(p[1]), encode(p[2]), unorm8(p[3])]),
        );
        level = next;
        (w, h) = (nw, nh);
        levels += 1;
    }
    (out, levels)
}

/// The share of texels whose alpha, times `scale`, passes `cut`.
fn coverage_at(level: &[[f32; 4]], cut: f32, scale: f32) -> f32 {
    let passing = level.iter().filter(|p| p[3] * scale >= cut).count();
    passing as f32 / level.len().max(1) as f32
}

/// The alpha scale (1 to 8) at which `level`'s coverage first reaches `target`, by
/// bisection (coverage only grows with the scale).
fn alpha_scale_for(level: &[[f32; 4]], cut: f32, target: f32) -> f32 {
    let (mut lo, mut hi) = (1.0f32, 8.0f32);
    if coverage_at(level, cut, lo) >= target {
        return lo;
    }
    for _ in 0..16 {
        let mid = (lo + hi) / 2.0;
        if coverage_at(level, cut, mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// 0..1 to a byte.
fn unorm8(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0).round() as u8
}

fn srgb_to_linear(v: u8) -> f32 {
    Srgba::gamma_function(f32::from(v) / 255.0)
}

fn linear_to_srgb(v: f32) -> u8 {
    unorm8(Srgba::gamma_function_inverse(v.clamp(0.0, 1.0)))
}
