//! The avatar's face: the eased expression from `body`, the brows' flash as the trainee
//! stops, the mouth shape the voice publishes through the lip-sync hook, and blinks,
//! written into the head mesh's face units (ARKit names) every frame.

use bevy::prelude::*;
use holdspace_core::expression::habits::Blinks;
use holdspace_core::expression::lipsync::MouthShape;

use crate::app::PresentSystems;
use crate::app::customer::avatar::body::BodyState;
use crate::app::customer::avatar::rig::AvatarRig;
use crate::app::customer::lipsync::CustomerMouth;
use crate::app::screens::Screen;

/// The blink clock of one avatar.
#[derive(Component, Debug, Default)]
pub struct Blinking(pub Blinks);

/// Registers the face system.
pub fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        drive_face
            .after(crate::app::customer::avatar::body::ease_body)
            .in_set(PresentSystems::Animate)
            .run_if(in_state(Screen::Session)),
    );
}

/// The face units a mouth shape moves, as (ARKit name, weight).
pub fn mouth_units(m: &MouthShape) -> [(&'static str, f32); 8] {
    [
        ("jawOpen", m.jaw_open),
        ("mouthClose", (m.lips_closed * m.jaw_open).clamp(0.0, 1.0)),
        ("mouthFunnel", m.funnel),
        ("mouthPucker", m.pucker),
        ("mouthStretchLeft", 0.6 * m.stretch),
        ("mouthStretchRight", 0.6 * m.stretch),
        ("mouthRollLower", m.lower_lip_tuck),
        ("mouthPressLeft", 0.3 * m.lips_closed),
    ]
}

/// Writes expression, lip sync and blinks into the face units.
pub fn drive_face(
    mut commands: Commands,
    time: Res<Time>,
    mouth: Res<CustomerMouth>,
    mut avatars: Query<(Entity, &mut BodyState, &AvatarRig, Option<&mut Blinking>)>,
    mut faces: Query<&mut MorphWeights>,
) {
    let dt = time.delta_secs();
    for (entity, mut body, rig, blinking) in &mut avatars {
        let Some((face_entity, names)) = &rig.face else {
            continue;
        };
        let Ok(mut weights) = faces.get_mut(*face_entity) else {
            continue;
        };
        let lids = match blinking {
            Some(mut b) => b.0.step(dt, body.now.blinks_per_minute),
            None => {
                commands.entity(entity).insert(Blinking::default());
                0.0
            }
        };
        let brows = body.brows.step(dt);
        let w = weights.weights_mut();
        w.iter_mut().for_each(|x| *x = 0.0);
        let mut add = |name: &str, v: f32| {
            if let Some(i) = names.iter().position(|n| n == name)
                && let Some(slot) = w.get_mut(i)
            {
                *slot = (*slot + v).clamp(0.0, 1.0);
            }
        };
        for (name, v) in body.now.face.units() {
            add(name, v);
        }
        // Paired units the expression sets on one side only.
        add("mouthUpperUpRight", body.now.face.upper_lip_up);
        for (name, v) in mouth_units(&mouth.0) {
            add(name, v);
        }
        add("mouthPressRight", 0.3 * mouth.0.lips_closed);
        // The flash of the brows as the trainee stops, over the mood's own.
        add("browInnerUp", brows.inner_up);
        add("browOuterUpLeft", brows.outer_up);
        add("browOuterUpRight", brows.outer_up);
        add("browDownLeft", brows.down);
        add("browDownRight", brows.down);
        // A squint half-closes the lids already; a blink closes the rest.
        add("eyeBlinkLeft", lids);
        add("eyeBlinkRight", lids);
    }
}
