//! The UI in the room: in a headset every screen (scenario select, subtitles and
//! options, the debrief) is drawn into an image by its own UI camera and shown on a
//! panel floating above the counter, between the trainee and the customer, tilted to
//! face the trainee's eyes. It is transparent where the UI is, so the customer is seen
//! through it. The controllers point at it with rays (`pointer`).
//!
//! The UI is laid out at the desktop's 1280 × 720 logical size and drawn at 1.5× into a
//! 1920 × 1080 image, so text is as sharp on the panel as on a full-HD screen: on a
//! 1.12 m panel a 16-pixel line is about 14 mm, readable at arm's length.

use bevy::camera::{ImageRenderTarget, RenderTarget};
use bevy::prelude::*;
use bevy::render::render_resource::{TextureFormat, TextureUsages};
use bevy::ui::IsDefaultUiCamera;

use crate::app::platform::xr::controls::Hand;
use crate::app::platform::xr::pointer::{PointerRay, RAY_WIDTH};
use crate::app::platform::xr::stance::{HeadPose, Recenter};
use crate::app::session::scene::TRAINEE_Z;
use crate::app::theme;

/// The UI's logical size (the desktop layout).
pub const UI_SIZE: UVec2 = UVec2::new(1280, 720);
/// The scale the UI is drawn at into the panel's image.
pub const UI_SCALE: f32 = 1.5;
/// The panel's size in metres (16:9) and its distance in front of the trainee's eyes.
pub const PANEL_SIZE: Vec2 = Vec2::new(1.12, 0.63);
const PANEL_DISTANCE: f32 = 0.95;
/// How far below the eyes the panel's centre sits: the subtitle and options are then a
/// downward glance (about 20 to 33 degrees) and the customer above them, face and hands:
/// her face crosses the panel's clear top middle, her hands on the counter pass above
/// the subtitle. At 0.18 the subtitle sat over her hands.
const PANEL_DROP: f32 = 0.33;

/// The panel: its image and where it is.
#[derive(Resource, Debug, Clone)]
pub struct Panel {
    /// What the UI camera draws into.
    pub image: Handle<Image>,
    /// The panel's entity.
    pub entity: Entity,
}

/// The panel's quad.
#[derive(Component, Debug)]
pub struct PanelSurface;

/// Registers the panel and its camera (the rays and pointing are `pointer`'s).
pub fn plugin(app: &mut App) {
    app.add_message::<Recenter>()
        .init_resource::<HeadPose>()
        .add_systems(Startup, spawn_panel)
        .add_systems(Update, place_panel);
}

/// Where the panel goes for a trainee whose eyes are at `eye`: in front of them towards
/// the customer, a little low, tilted back to face the eyes.
pub fn panel_transform(eye_height: f32) -> Transform {
    let tilt = (PANEL_DROP / PANEL_DISTANCE).atan();
    Transform::from_xyz(0.0, eye_height - PANEL_DROP, TRAINEE_Z - PANEL_DISTANCE)
        .with_rotation(Quat::from_rotation_x(-tilt))
}

fn spawn_panel(
    mut commands: Commands,
    mut images: ResMut<Assets<Image>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let size = (UI_SIZE.as_vec2() * UI_SCALE).as_uvec2();
    let mut image = Image::new_target_texture(size.x, size.y, TextureFormat::Rgba8UnormSrgb, None);
    image.texture_descriptor.usage |= TextureUsages::TEXTURE_BINDING;
    let image = images.add(image);
    commands.spawn((
        Name::new("Panel UI camera"),
        Camera2d,
        Camera {
            // Before the eyes, which show the image in the same frame.
            order: -1,
            clear_color: ClearColorConfig::Custom(Color::NONE),
            ..default()
        },
        RenderTarget::Image(ImageRenderTarget {
            handle: image.clone(),
            scale_factor: UI_SCALE,
        }),
        IsDefaultUiCamera,
    ));
    let entity = commands
        .spawn((
            Name::new("UI panel"),
            PanelSurface,
            Mesh3d(meshes.add(Rectangle::from_size(PANEL_SIZE))),
            MeshMaterial3d(materials.add(StandardMaterial {
                base_color_texture: Some(image.clone()),
                unlit: true,
                alpha_mode: AlphaMode::Blend,
                ..default()
            })),
            panel_transform(crate::app::session::scene::EYE_HEIGHT),
        ))
        .id();
    for hand in Hand::BOTH {
        commands.spawn((
            Name::new(format!("{} pointer", hand.name())),
            PointerRay(hand),
            Mesh3d(meshes.add(Cuboid::new(RAY_WIDTH, RAY_WIDTH, 1.0))),
            MeshMaterial3d(materials.add(StandardMaterial {
                base_color: theme::ACCENT,
                unlit: true,
                ..default()
            })),
            Transform::default(),
            Visibility::Hidden,
        ));
    }
    commands.insert_resource(Panel { image, entity });
}

/// Keeps the panel at the trainee's eye height, set when the space is recentred.
fn place_panel(
    mut recentred: MessageReader<Recenter>,
    head: Res<HeadPose>,
    mut placed: Local<bool>,
    mut panels: Query<&mut Transform, With<PanelSurface>>,
) {
    let asked = recentred.read().count() > 0;
    let Some(head) = head.0 else {
        return;
    };
    if *placed && !asked {
        return;
    }
    for mut t in &mut panels {
        *t = panel_transform(head.translation.y);
    }
    *placed = true;
}

/// The point on the panel (world space) under a spot of the UI, in the UI's physical
/// pixels: the inverse of [`super::pointer::hit_panel`].
pub fn point_on_panel(panel: &GlobalTransform, ui_px: Vec2) -> Vec3 {
    let uv = ui_px / (UI_SIZE.as_vec2() * UI_SCALE);
    panel.transform_point(Vec3::new((uv.x - 0.5) * PANEL_SIZE.x, (0.5 - uv.y) * PANEL_SIZE.y, 0.0))
}
