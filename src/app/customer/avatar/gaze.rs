//! The code layers on top of the body clips: eye contact with the trainee (the camera),
//! with natural glances away and longer aversion when the customer is hurt or evasive;
//! nods and head shakes from the line's tags; restless hands when fidgeting.
//!
//! They run after Bevy's animation has written the clips' pose and before transforms
//! propagate, adding rotations to the animated head and neck (so a lowered head stays
//! lowered while it turns towards you) and writing the eyes, which no clip keys, from
//! their rest pose.

use bevy::app::AnimationSystems;
use bevy::prelude::*;
use holdspace_core::expression::body::ease;
use holdspace_core::expression::habits::{Gestures, Glances};

use crate::app::customer::avatar::body::BodyState;
use crate::app::customer::avatar::rig::{AvatarRig, Joint};
use crate::app::session::scene::MainCamera;

/// How far the eyes turn from where the head points, radians (about 25°).
const EYE_LIMIT: f32 = 0.45;
/// How far the head and neck turn towards the trainee, radians.
const HEAD_YAW_LIMIT: f32 = 0.6;
/// How far the head pitches up or down to look at the trainee, radians.
const HEAD_PITCH_LIMIT: f32 = 0.35;

/// How long the trainee has been looking away while the customer talks (measured from a
/// headset; always 0 on the desktop). A customer who is not being looked at looks for
/// the trainee's eyes: no glances away, head raised and turned to find them.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq)]
pub struct TraineeAttention {
    /// Seconds, reset when the trainee looks back or the customer stops talking.
    pub looking_away_s: f32,
}

/// After this long unlooked-at, the customer starts seeking the trainee's eyes, fully so
/// a second and a half later.
const IGNORED_AFTER_S: f32 = 1.5;

/// 0..1: how strongly the customer seeks attention.
pub fn seeking(attention: Option<&TraineeAttention>) -> f32 {
    attention.map_or(0.0, |a| ((a.looking_away_s - IGNORED_AFTER_S) / 1.5).clamp(0.0, 1.0))
}

/// Where the avatar is looking and its gaze habits.
#[derive(Component, Debug, Default)]
pub struct GazeState {
    /// Eye direction now: yaw (towards +x) and pitch (down), radians, in the avatar's frame.
    pub eyes: Vec2,
    /// Head direction now (slower than the eyes).
    pub head: Vec2,
    /// The nod, shake or breath playing now: the head's (yaw, pitch-down) offset, radians.
    pub gesture: Vec2,
    /// Glances away.
    glances: Glances,
    /// Nods and shakes.
    gestures: Gestures,
    /// Seconds since the avatar appeared (for fidgeting).
    clock: f32,
}

/// Registers the code layers, between animation and transform propagation.
pub fn plugin(app: &mut App) {
    app.add_systems(
        PostUpdate,
        look_and_gesture
            .after(AnimationSystems)
            .before(TransformSystems::Propagate),
    );
}

/// The rotation that turns a direction by `yaw` (towards +x) and `pitch` (down) in the
/// avatar's frame, where the avatar faces +z.
fn turn(angles: Vec2) -> Quat {
    Quat::from_rotation_y(angles.x) * Quat::from_rotation_x(angles.y)
}

/// (yaw, pitch) of a direction in the avatar's frame.
fn angles_of(d: Vec3) -> Vec2 {
    Vec2::new(d.x.atan2(d.z), (-d.y).atan2(Vec2::new(d.x, d.z).length()))
}

/// Turns the animated head and neck and the eyes towards the trainee, with glances,
/// aversion and gestures; shakes the hands a little when fidgeting.
pub fn look_and_gesture(
    time: Res<Time>,
    attention: Option<Res<TraineeAttention>>,
    cameras: Query<&GlobalTransform, With<MainCamera>>,
    mut avatars: Query<(&GlobalTransform, &AvatarRig, &mut BodyState, &mut GazeState)>,
    globals: Query<&GlobalTransform>,
    parents: Query<&ChildOf>,
    mut transforms: Query<&mut Transform>,
) {
    let dt = time.delta_secs();
    let Some(camera) = cameras.iter().next() else {
        return;
    };
    for (root, rig, mut body, mut gaze) in &mut avatars {
        gaze.clock += dt;
        for gesture in std::mem::take(&mut body.gestures) {
            gaze.gestures.play(gesture);
        }
        if std::mem::take(&mut body.look_back) {
            gaze.glances.look_back();
        }
        // Work in the avatar's own frame (it faces +z), from last frame's global poses:
        // one frame behind, which no one can see, and no feedback within the frame.
        let to_root = root.affine().inverse();
        let root_rot = root.rotation().inverse();
        let Ok(head_at) = globals.get(rig.head.entity) else {
            continue;
        };
        let target = to_root.transform_point3(camera.translation());
        let head_pos = to_root.transform_point3(head_at.translation());
        let straight = angles_of(target - head_pos);

        // Ignored, they stop glancing away and look straight for the trainee's eyes,
        // head up and a little forward-tilted.
        let seek = seeking(attention.as_deref());
        let aversion = body.now.gaze_aversion * (1.0 - seek);
        let glance = Vec2::from(gaze.glances.step(dt, aversion)) * (1.0 - seek);
        // Aversion pulls the gaze down and aside (the side the glance chose, or left).
        let away = Vec2::new(if glance.x < 0.0 { -0.45 } else { 0.45 }, 0.3) * aversion;
        let wanted = straight + glance + away + Vec2::new(0.0, -0.12) * seek;
        gaze.eyes = Vec2::new(
            ease(gaze.eyes.x, wanted.x, 0.05, dt),
            ease(gaze.eyes.y, wanted.y, 0.05, dt),
        );
        gaze.head = Vec2::new(
            ease(gaze.head.x, wanted.x, 0.35, dt),
            ease(gaze.head.y, wanted.y, 0.35, dt),
        );
        let gesture = Vec2::from(gaze.gestures.step(dt));
        gaze.gesture = gesture;
        let head_turn = Vec2::new(
            (gaze.head.x * 0.75).clamp(-HEAD_YAW_LIMIT, HEAD_YAW_LIMIT),
            (gaze.head.y * 0.6).clamp(-HEAD_PITCH_LIMIT, HEAD_PITCH_LIMIT),
        ) + gesture;

        let parent_rot = |joint: &Joint| -> Option<Quat> {
            let parent = parents.get(joint.entity).ok()?.parent();
            Some(root_rot * globals.get(parent).ok()?.rotation())
        };
        // Neck takes 40 % of the turn, head the rest; each as a rotation in the avatar's
        // frame applied on top of the clip's pose: L' = P⁻¹·D·P·L.
        for (joint, share) in [(&rig.neck, 0.4), (&rig.head, 0.6)] {
            let (Some(p), Ok(mut t)) = (parent_rot(joint), transforms.get_mut(joint.entity)) else {
                continue;
            };
            let d = turn(head_turn * share);
            t.rotation = (p.inverse() * d * p * t.rotation).normalize();
        }
        // Eyes: from rest, turned so their forward axis (the bone's +y) points along the
        // gaze, within what eyes can do relative to the head.
        for eye in &rig.eyes {
            let (Some(p), Ok(mut t)) = (parent_rot(eye), transforms.get_mut(eye.entity)) else {
                continue;
            };
            let rest_forward = (p * eye.rest * Vec3::Y).normalize();
            let wanted_dir = turn(gaze.eyes + gesture) * Vec3::Z;
            let angle = rest_forward.angle_between(wanted_dir);
            let dir = if angle > EYE_LIMIT {
                rest_forward.slerp(wanted_dir, EYE_LIMIT / angle)
            } else {
                wanted_dir
            };
            let r = Quat::from_rotation_arc(rest_forward, dir.normalize());
            t.rotation = (p.inverse() * r * p * eye.rest).normalize();
        }
        // Restless hands: a small, irregular roll of the wrists on top of the arms' clip.
        let fidget = body.now.fidget;
        if fidget > 0.02 {
            let c = gaze.clock;
            for (i, wrist) in rig.wrists.iter().enumerate() {
                if let Ok(mut t) = transforms.get_mut(wrist.entity) {
                    let phase = i as f32 * 1.7;
                    let wobble = (1.9 * c + phase).sin() * (0.67 * c + 2.0 * phase).sin();
                    t.rotation *= Quat::from_rotation_x(0.25 * fidget * wobble);
                }
            }
        }
    }
}
