//! Light under the skin: the avatar's skin lets a little light through, tinted by blood.
//!
//! Skin is not a painted surface: light enters it, scatters and leaves a few millimetres
//! away, mostly red. Without that the shadow side of a face falls off to grey like clay and
//! the terminator is a hard line. Bevy's diffuse transmission gives a second, inward-facing
//! Lambert lobe; with no transmitted-shadow receiver on the mesh it acts as a soft wrap
//! that lights the side turned from a light faintly, and its volume attenuation (thin,
//! absorbing blue and green first) turns that light warm. The cost is one more light
//! evaluation per light on skin pixels only.
//!
//! glTF's diffuse-transmission extension is newer than Blender 3.4's exporter and Bevy
//! 0.19's loader, so the avatar build cannot carry it: it is set here, on the material of
//! every mesh the GLB names `skin`, as the avatar's scene spawns.

use bevy::gltf::GltfMaterialName;
use bevy::prelude::*;

/// The share of diffuse light that goes into the skin rather than off it.
pub const TRANSMISSION: f32 = 0.22;

/// The skin material's name in the avatar GLB.
pub const MATERIAL: &str = "skin";

/// Adds the system that makes the avatar's skin translucent.
pub fn plugin(app: &mut App) {
    app.add_systems(Update, translucent_skin);
}

fn translucent_skin(
    spawned: Query<(&GltfMaterialName, &MeshMaterial3d<StandardMaterial>), Added<GltfMaterialName>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    for (name, material) in &spawned {
        if name.0 == MATERIAL
            && let Some(mut skin) = materials.get_mut(&material.0)
        {
            make_translucent(&mut skin);
        }
    }
}

/// Makes `skin` translucent, keeping its lit side as bright as before: the transmitted
/// share is taken from the reflected one, so the base colour is raised to match.
pub fn make_translucent(skin: &mut StandardMaterial) {
    if skin.diffuse_transmission > 0.0 {
        return;
    }
    let base = skin.base_color.to_linear();
    let lift = 1.0 / (1.0 - TRANSMISSION);
    skin.base_color = Color::linear_rgba(base.red * lift, base.green * lift, base.blue * lift, base.alpha);
    skin.diffuse_transmission = TRANSMISSION;
    // A thin volume, so light comes back out near where it went in; what survives it is
    // mostly red (blood absorbs green and blue first).
    skin.thickness = 0.004;
    skin.attenuation_distance = 0.004;
    skin.attenuation_color = Color::srgb(0.95, 0.45, 0.35);
}
