//! Pointing at the panel with the controllers: each hand casts a ray; the button it
//! points at is hovered (and the ray lights up), the trigger presses it, and the hand
//! gets a haptic tick. The hit test picks buttons as Bevy's own focus pass would.

use bevy::prelude::*;
use bevy::ui::{FocusPolicy, UiGlobalTransform, UiStack};

use crate::app::platform::xr::controls::{Controllers, ControlsSystems, Hand, HapticTick};
use crate::app::platform::xr::panel::{PANEL_SIZE, PanelSurface, UI_SCALE, UI_SIZE};
use crate::app::theme;

/// How far a ray reaches when it hits nothing.
const RAY_REACH: f32 = 3.0;
/// The beam's thickness, metres.
pub const RAY_WIDTH: f32 = 0.004;

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

/// Registers pointing and the rays.
pub fn plugin(app: &mut App) {
    app.init_resource::<Pointing>()
        .add_message::<PanelSelected>()
        .add_systems(PreUpdate, point_and_select.in_set(ControlsSystems::Use))
        .add_systems(Update, draw_rays);
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
