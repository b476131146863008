//! Where the customer's face is, whichever body is shown: the rigged avatar's eyes, or
//! the stand-in's head. The voice comes from [`CustomerFace::mouth`] and the headset's
//! eye contact is judged against [`CustomerFace::eyes`], so both follow the customer
//! wherever the body stands or leans.

use bevy::prelude::*;

use crate::app::AppSystems;

/// Marks the entity the customer's face is found from.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub enum FaceAnchor {
    /// The avatar's left and right eye joints: the mouth is a fixed drop below them.
    Eyes([Entity; 2]),
    /// This entity is the stand-in's neck pivot: the eyes and mouth sit at these offsets
    /// in its own frame (they nod and turn with it).
    Offsets {
        /// Between the eyes.
        eyes: Vec3,
        /// The mouth.
        mouth: Vec3,
    },
}

/// The customer's face this frame, in world space (`None` before any body is shown).
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq)]
pub struct CustomerFace {
    /// Between the eyes: where a trainee looks to make eye contact.
    pub eyes: Option<Vec3>,
    /// The mouth: where the voice comes from.
    pub mouth: Option<Vec3>,
}

/// How far the mouth sits below the eyes on an adult face (world metres).
pub const MOUTH_BELOW_EYES: f32 = 0.075;

/// Registers the face and keeps it where the body is.
pub fn plugin(app: &mut App) {
    app.init_resource::<CustomerFace>()
        .add_systems(Update, locate_face.in_set(AppSystems::TickTimers));
}

/// Finds the face from its anchor, preferring the avatar's eyes to the stand-in when both
/// exist (the stand-in is hidden once the avatar is ready). Transforms are last frame's
/// (Bevy propagates them after `Update`), a frame behind at most.
pub fn locate_face(
    anchors: Query<(&FaceAnchor, &GlobalTransform)>,
    globals: Query<&GlobalTransform>,
    mut face: ResMut<CustomerFace>,
) {
    let mut found = None;
    for (anchor, at) in &anchors {
        match anchor {
            FaceAnchor::Eyes([left, right]) => {
                if let (Ok(l), Ok(r)) = (globals.get(*left), globals.get(*right)) {
                    let eyes = (l.translation() + r.translation()) / 2.0;
                    found = Some((eyes, eyes - Vec3::Y * MOUTH_BELOW_EYES));
                    break;
                }
            }
            FaceAnchor::Offsets { eyes, mouth } => {
                found = Some((at.transform_point(*eyes), at.transform_point(*mouth)));
            }
        }
    }
    let next = CustomerFace {
        eyes: found.map(|(e, _)| e),
        mouth: found.map(|(_, m)| m),
    };
    // Leave the resource untouched when nothing moved, so its change flag means something.
    face.set_if_neq(next);
}
