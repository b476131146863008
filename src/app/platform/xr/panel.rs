//! The UI in the room: in a headset every screen (scenario select, subtitles and
//! options, the debrief) is drawn into an image by its own UI camera and shown on a
//! panel floating above the counter, between the trainee and the customer, tilted to
//! face the trainee's eyes. It is transparent where the UI is, so the customer is seen
//! through it. Each controller casts a ray: the button it points at is hovered (and the
//! ray lights up), the trigger presses it, and the hand gets a haptic tick.
//!
//! The UI is laid out at the desktop's 1280 × 720 logical size and drawn at 1.5× into a
//! 1920 × 1080 image, so text is as sharp on the panel as on a full-HD screen: on a
//! 1.12 m panel a 16-pixel line is about 14 mm, readable at arm's length.

use bevy::camera::{ImageRenderTarget, RenderTarget};
use bevy::prelude::*;
use bevy::render::render_resource::{TextureFormat, TextureUsages};
use bevy::ui::{FocusPolicy, IsDefaultUiCamera, UiGlobalTransform, UiStack};

use crate::app::platform::xr::controls::{Controllers, ControlsSystems, Hand, HapticTick};
use crate::app::platform::xr::stance::{HeadPose, Recenter};
use crate::app::session::scene::TRAINEE_Z;
use crate::app::theme;

/// The UI's logical size (the desktop layout) and the scale it is drawn at.
pub const UI_SIZE: UVec2 = UVec2::new(1280, 720);
const UI_SCALE: f32 = 1.5;
/// The panel's size in metres (16:9) and its distance in front of the trainee's eyes.
pub const PANEL_SIZE: Vec2 = Vec2::new(1.12, 0.63);
const PANEL_DISTANCE: f32 = 0.95;
/// How far below the eyes the panel's centre sits: the subtitle and options are then
/// at a comfortable downward glance and the customer's face is above the panel's
/// busiest part.
const PANEL_DROP: f32 = 0.18;
/// How far a ray reaches when it hits nothing.
const RAY_REACH: f32 = 3.0;
const RAY_WIDTH: f32 = 0.004;

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

/// One hand's pointing ray (a thin beam) and its dot where it meets the panel.
#[derive(Component, Debug, Clone, Copy)]
pub struct PointerRay(pub Hand);

/// What a hand points at on the panel this frame.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq)]
pub struct Pointing {
    /// Per hand, when its ray meets the panel.
    pub hands: [Option<PanelHit>; 2],
}

/// Where a ray meets the panel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PanelHit {
    /// The point in the UI's physical pixels.
    pub point: Vec2,
    /// How far along the ray, metres.
    pub distance: f32,
    /// The button under it.
    pub button: Option<Entity>,
}

/// A button was selected with a controller (for logs and the smoke run).
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PanelSelected {
    /// The hand that selected.
    pub hand: Hand,
    /// The button.
    pub button: Entity,
}

/// Registers the panel, its camera, the rays and pointing.
pub fn plugin(app: &mut App) {
    app.init_resource::<Pointing>()
        .add_message::<PanelSelected>()
        .add_message::<Recenter>()
        .init_resource::<HeadPose>()
        .add_systems(Startup, spawn_panel)
        .add_systems(PreUpdate, point_and_select.in_set(ControlsSystems::Use))
        .add_systems(Update, (place_panel, draw_rays));
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

/// Where a ray meets the panel, in the UI's physical pixels (top-left origin), if it
/// does, and how far along the ray.
pub fn hit_panel(ray: Ray3d, panel: &GlobalTransform) -> Option<(Vec2, f32)> {
    let normal = panel.rotation() * Vec3::Z;
    let distance = ray.intersect_plane(panel.translation(), InfinitePlane3d::new(normal))?;
    let local = panel.affine().inverse().transform_point3(ray.get_point(distance));
    let uv = Vec2::new(local.x / PANEL_SIZE.x + 0.5, 0.5 - local.y / PANEL_SIZE.y);
    ((0.0..=1.0).contains(&uv.x) && (0.0..=1.0).contains(&uv.y)).then(|| (uv * UI_SIZE.as_vec2() * UI_SCALE, distance))
}

/// What the hit test reads of a UI node: its box, where it is, whether it is shown, whether
/// it stops the search, whether it is a button.
type UiNodeHit = (
    &'static ComputedNode,
    &'static UiGlobalTransform,
    &'static InheritedVisibility,
    Option<&'static FocusPolicy>,
    Has<Interaction>,
);

/// The point on the panel (world space) under a spot of the UI, in the UI's physical
/// pixels: the inverse of [`hit_panel`].
pub fn point_on_panel(panel: &GlobalTransform, ui_px: Vec2) -> Vec3 {
    let uv = ui_px / (UI_SIZE.as_vec2() * UI_SCALE);
    panel.transform_point(Vec3::new((uv.x - 0.5) * PANEL_SIZE.x, (0.5 - uv.y) * PANEL_SIZE.y, 0.0))
}

/// The topmost button under `point`, as Bevy's own focus pass would pick it: nodes are
/// visited front to back; the first with an `Interaction` wins, and a node that blocks
/// focus stops the search.
fn button_at(point: Vec2, stack: &UiStack, nodes: &Query<UiNodeHit>) -> Option<Entity> {
    for &entity in stack.uinodes.iter().rev() {
        let Ok((node, transform, visible, policy, interactive)) = nodes.get(entity) else {
            continue;
        };
        if !visible.get() || !node.contains_point(*transform, point) {
            continue;
        }
        if interactive {
            return Some(entity);
        }
        if policy == Some(&FocusPolicy::Block) {
            return None;
        }
    }
    None
}

/// Hovers the button each ray points at and presses it on the trigger, after Bevy's
/// focus pass (which, with no cursor on the panel's camera, has just cleared them).
pub fn point_and_select(
    controllers: Res<Controllers>,
    panels: Query<&GlobalTransform, With<PanelSurface>>,
    stack: Res<UiStack>,
    nodes: Query<UiNodeHit>,
    mut interactions: Query<&mut Interaction>,
    mut pointing: ResMut<Pointing>,
    mut ticks: MessageWriter<HapticTick>,
    mut selected: MessageWriter<PanelSelected>,
) {
    let panel = panels.iter().next();
    for hand in Hand::BOTH {
        let state = controllers.hand(hand);
        let hit = state.aim.zip(panel).and_then(|(ray, panel)| hit_panel(ray, panel));
        let target = hit.and_then(|(point, _)| button_at(point, &stack, &nodes));
        pointing.hands[hand.index()] = hit.map(|(point, distance)| PanelHit {
            point,
            distance,
            button: target,
        });
        let Some(button) = target else {
            continue;
        };
        let Ok(mut interaction) = interactions.get_mut(button) else {
            continue;
        };
        if state.select_pressed {
            *interaction = Interaction::Pressed;
            ticks.write(HapticTick(hand));
            selected.write(PanelSelected { hand, button });
        } else if *interaction == Interaction::None {
            *interaction = Interaction::Hovered;
        }
    }
}

/// Draws each tracked hand's ray up to the panel (or a short way), lit when it is on a
/// button; where it meets the panel was found by the pointing pass this frame.
fn draw_rays(
    controllers: Res<Controllers>,
    pointing: Res<Pointing>,
    mut rays: Query<(
        &PointerRay,
        &mut Transform,
        &mut Visibility,
        &MeshMaterial3d<StandardMaterial>,
    )>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    for (PointerRay(hand), mut transform, mut visibility, material) in &mut rays {
        let Some(ray) = controllers.hand(*hand).aim else {
            visibility.set_if_neq(Visibility::Hidden);
            continue;
        };
        let hit = pointing.hands[hand.index()];
        let reach = hit.map_or(RAY_REACH, |h| h.distance);
        let on_button = hit.is_some_and(|h| h.button.is_some());
        *transform = Transform::from_translation(ray.origin + *ray.direction * reach / 2.0)
            .looking_to(*ray.direction, Vec3::Y)
            .with_scale(Vec3::new(1.0, 1.0, reach));
        visibility.set_if_neq(Visibility::Visible);
        let colour = if on_button { theme::ACCENT } else { theme::MUTED };
        // Only touch the material when the colour changes (a change re-uploads it).
        if materials.get(&material.0).is_some_and(|m| m.base_color != colour)
            && let Some(mut m) = materials.get_mut(&material.0)
        {
            m.base_color = colour;
        }
    }
}
