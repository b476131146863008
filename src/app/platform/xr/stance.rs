//! Where the trainee stands: the headset's tracking space is placed so that the trainee
//! is at the counter, facing the customer at conversational distance, at their own real
//! eye height (a seated trainee is seen seated). There is no locomotion, for comfort;
//! the space is recentred at the start, on the recenter button and when the runtime
//! recentres (its recenter gesture or menu; see `session`). The head's pose is published
//! as [`HeadPose`] and moves the app's [`MainCamera`] (which no longer renders), so the
//! avatar's gaze finds the trainee.

use bevy::prelude::*;
use bevy::transform::TransformSystems;
use bevy_mod_openxr::render::update_views;
use bevy_mod_xr::camera::XrCamera;
use bevy_mod_xr::session::XrTrackingRoot;

use crate::app::platform::xr::controls::Controllers;
use crate::app::session::scene::{EYE_HEIGHT, MainCamera, TRAINEE_Z};

/// The trainee's head in world space (between the eyes, looking along its forward).
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq)]
pub struct HeadPose(pub Option<Transform>);

/// Ask for the tracking space to be recentred on the trainee's head.
#[derive(Message, Debug, Clone, Copy, Default)]
pub struct Recenter;

/// Below this the runtime's origin is not the floor (a "local" space starts at the
/// head), so a standing eye height is assumed instead of the measured one.
const FLOOR_SPACE_MIN_HEAD_Y: f32 = 0.5;

/// Registers the recentring and the head pose.
pub fn plugin(app: &mut App) {
    app.init_resource::<HeadPose>()
        .add_message::<Recenter>()
        .add_systems(PostStartup, stop_desktop_camera)
        .add_systems(Update, request_recenter)
        .add_systems(
            PostUpdate,
            (recenter, follow_head)
                .chain()
                .after(update_views)
                .before(TransformSystems::Propagate),
        );
}

/// The app's camera stays (the avatar looks at it) but the eyes render now.
fn stop_desktop_camera(mut cameras: Query<&mut Camera, With<MainCamera>>) {
    for mut camera in &mut cameras {
        camera.is_active = false;
    }
}

fn request_recenter(controllers: Res<Controllers>, mut recenter: MessageWriter<Recenter>) {
    if controllers.recenter_pressed {
        recenter.write(Recenter);
    }
}

/// The head in the tracking space: between the two eye views, facing as the first does.
fn head_in_space(eyes: &Query<(&XrCamera, &Transform)>) -> Option<Transform> {
    let mut sum = Vec3::ZERO;
    let mut n = 0.0;
    let mut rotation = None;
    for (XrCamera(index), t) in eyes {
        sum += t.translation;
        n += 1.0;
        if *index == 0 || rotation.is_none() {
            rotation = Some(t.rotation);
        }
    }
    let rotation = rotation?;
    // Eyes that were never located sit at the origin with no rotation.
    if sum == Vec3::ZERO && rotation == Quat::IDENTITY {
        return None;
    }
    Some(Transform::from_translation(sum / n).with_rotation(rotation))
}

/// Where the tracking root must be so that `head` (in the tracking space) stands at the
/// trainee's spot facing the customer (−z). Only the heading is corrected: the trainee's
/// own pitch and roll, and their real height above a floor-level origin, are kept.
pub fn root_for(head: Transform) -> Transform {
    let forward = head.rotation * Vec3::NEG_Z;
    let heading = forward.x.atan2(-forward.z);
    // Turn the space so the head faces −z: rotate by +heading about y.
    let rotation = Quat::from_rotation_y(heading);
    let turned = rotation * head.translation;
    let y = if head.translation.y < FLOOR_SPACE_MIN_HEAD_Y {
        EYE_HEIGHT - head.translation.y
    } else {
        0.0
    };
    Transform::from_translation(Vec3::new(-turned.x, y, TRAINEE_Z - turned.z)).with_rotation(rotation)
}

/// Recentres on request, and once as soon as the head is tracked.
fn recenter(
    mut requests: MessageReader<Recenter>,
    mut done_once: Local<bool>,
    eyes: Query<(&XrCamera, &Transform)>,
    mut roots: Query<&mut Transform, (With<XrTrackingRoot>, Without<XrCamera>)>,
) {
    let asked = requests.read().count() > 0;
    if !asked && *done_once {
        return;
    }
    let Some(head) = head_in_space(&eyes) else {
        return;
    };
    for mut root in &mut roots {
        *root = root_for(head);
    }
    *done_once = true;
    info!(
        "{} recentred: head at {:.2?}",
        crate::app::platform::xr::lifecycle::PREFIX,
        head.translation
    );
}

/// Publishes the head's world pose and puts the app's camera there.
fn follow_head(
    eyes: Query<(&XrCamera, &Transform)>,
    roots: Query<&Transform, (With<XrTrackingRoot>, Without<XrCamera>)>,
    mut main: Query<&mut Transform, (With<MainCamera>, Without<XrCamera>, Without<XrTrackingRoot>)>,
    mut pose: ResMut<HeadPose>,
) {
    let (Some(head), Some(root)) = (head_in_space(&eyes), roots.iter().next()) else {
        return;
    };
    let world = root.mul_transform(head);
    pose.0 = Some(world);
    for mut t in &mut main {
        *t = world;
    }
}
