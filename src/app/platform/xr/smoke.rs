//! `--xr-smoke N`: a real session in the headset for N submitted frames, then a clean
//! exit, with a verdict a script can check. It logs (prefix `holdspace-xr`) each session
//! state, the first pose read from each controller, one scripted controller selection of
//! the first option on the panel, the frames submitted and their timing, and
//! `exit clean` only when the session reached FOCUSED, frames were submitted and the
//! selection reached the engine. The exit status follows the verdict.
//!
//! The selection is scripted after the controllers are read, because a simulated
//! runtime's controllers cannot press their buttons: the right hand's aim is pointed at
//! the option's centre on the panel and its trigger goes down for one frame. From there
//! it is the trainee's path: the panel hit test, the button's `Interaction`, the HUD's
//! reply, the engine.

use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::ui::UiGlobalTransform;
use bevy_mod_xr::session::{XrRequestExitMessage, XrSessionDestroyedMessage};

use crate::app::platform::xr::actions::read_controllers;
use crate::app::platform::xr::controls::{Controllers, ControlsSystems, Hand};
use crate::app::platform::xr::lifecycle::{PREFIX, SessionLog, SubmittedFrames};
use crate::app::platform::xr::panel::{PanelSurface, point_on_panel};
use crate::app::platform::xr::stance::HeadPose;
use bevy::camera::RenderTarget;
use bevy::render::render_resource::{TextureFormat, TextureUsages};
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy_mod_xr::camera::XrCamera;

use crate::app::dev::capture::{CaptureSettings, write_png};
use crate::app::platform::xr::XrSettings;
use crate::app::screens::Screen;
use crate::app::session::hud::ReplyButton;
use crate::app::session::runner::TraineeReplied;

/// How long the run may take before it is declared stuck: a start-up allowance plus a
/// generous time per frame (software rendering on two cores is slow).
fn time_limit(frames: u32) -> Duration {
    Duration::from_secs(120) + Duration::from_secs(5) * frames
}

/// The smoke run's progress.
#[derive(Resource, Debug)]
pub struct SmokeRun {
    frames: u32,
    started: Instant,
    poses_logged: [bool; 2],
    /// The reply the scripted selection aimed at.
    aimed_at: Option<String>,
    /// The reply that reached the engine from it.
    selected: Option<String>,
    exit_requested: bool,
    finished: bool,
}

/// Registers the smoke run.
pub fn plugin(app: &mut App) {
    let frames = app
        .world()
        .get_resource::<XrSettings>()
        .and_then(|c| c.smoke)
        .unwrap_or(60);
    app.insert_resource(SmokeRun {
        frames,
        started: Instant::now(),
        poses_logged: [false; 2],
        aimed_at: None,
        selected: None,
        exit_requested: false,
        finished: false,
    })
    .add_systems(
        PreUpdate,
        (
            // Straight from the headset, before anything scripted.
            log_poses.after(read_controllers).in_set(ControlsSystems::Read),
            // A trainee can act once the session has the input focus.
            select_first_option
                .run_if(in_state(Screen::Session).and_then(|log: Res<SessionLog>| log.focused))
                .in_set(ControlsSystems::Script),
        ),
    )
    .add_systems(Update, (note_selection, request_exit, finish).chain());
    if let Some(path) = app
        .world()
        .get_resource::<CaptureSettings>()
        .and_then(|c| c.screenshot.clone())
    {
        app.insert_resource(EyeShot {
            path,
            image: None,
            taken: false,
        })
        .add_systems(Update, shoot_left_eye);
    }
}

/// `--screenshot` in a smoke run: what the left eye sees near the end, from its pose,
/// at a size a person can look at (the simulated headset's own images are 320 × 240).
#[derive(Resource, Debug)]
struct EyeShot {
    path: std::path::PathBuf,
    image: Option<Handle<Image>>,
    taken: bool,
}

const SHOT_SIZE: UVec2 = UVec2::new(1280, 960);

/// A camera rides on the left eye for the last frames, then its image is saved.
fn shoot_left_eye(
    mut commands: Commands,
    frames: Res<SubmittedFrames>,
    run: Res<SmokeRun>,
    mut shot: ResMut<EyeShot>,
    eyes: Query<(Entity, &XrCamera)>,
    mut images: ResMut<Assets<Image>>,
) {
    let count = frames.0.count();
    let last = u64::from(run.frames);
    if shot.image.is_none() && count + 8 >= last {
        let Some((eye, _)) = eyes.iter().find(|(_, c)| c.0 == 0) else {
            return;
        };
        let mut image = Image::new_target_texture(SHOT_SIZE.x, SHOT_SIZE.y, TextureFormat::Rgba8UnormSrgb, None);
        image.texture_descriptor.usage |= TextureUsages::COPY_SRC;
        let image = images.add(image);
        commands.spawn((
            Name::new("Left eye capture"),
            Camera3d::default(),
            Camera { order: 5, ..default() },
            RenderTarget::Image(image.clone().into()),
            Projection::Perspective(PerspectiveProjection {
                fov: 75f32.to_radians(),
                ..default()
            }),
            Transform::IDENTITY,
            ChildOf(eye),
        ));
        shot.image = Some(image);
    }
    if let Some(image) = shot.image.clone()
        && !shot.taken
        && count + 3 >= last
    {
        shot.taken = true;
        let path = shot.path.clone();
        commands
            .spawn(Screenshot::image(image))
            .observe(
                move |captured: On<ScreenshotCaptured>| match write_png(&captured, &path) {
                    Ok(()) => info!("{PREFIX} left eye's view saved to {}", path.display()),
                    Err(e) => error!("{PREFIX} cannot save the left eye's view to {}: {e}", path.display()),
                },
            );
    }
}

/// Logs each controller's pose the first time the headset reports it.
fn log_poses(controllers: Res<Controllers>, mut run: ResMut<SmokeRun>) {
    for hand in Hand::BOTH {
        if let Some(ray) = controllers.hand(hand).aim
            && !run.poses_logged[hand.index()]
        {
            run.poses_logged[hand.index()] = true;
            info!(
                "{PREFIX} controller {} pose at {:.2?} pointing {:.2?}",
                hand.name(),
                ray.origin,
                *ray.direction
            );
        }
    }
}

/// Once the first option is on the panel, points the right hand at it and pulls the trigger.
fn select_first_option(
    mut run: ResMut<SmokeRun>,
    mut controllers: ResMut<Controllers>,
    head: Res<HeadPose>,
    buttons: Query<(&ReplyButton, &ComputedNode, &UiGlobalTransform, &InheritedVisibility)>,
    panels: Query<&GlobalTransform, With<PanelSurface>>,
) {
    if run.aimed_at.is_some() {
        return;
    }
    let Some(panel) = panels.iter().next() else {
        return;
    };
    // The first option laid out and shown (the topmost, as a trainee reads them).
    let Some((ReplyButton(id), _, at, _)) = buttons
        .iter()
        .filter(|(_, node, _, visible)| visible.get() && node.size().x > 1.0)
        .min_by(|a, b| a.2.translation.y.total_cmp(&b.2.translation.y))
    else {
        return;
    };
    let target = point_on_panel(panel, at.translation);
    // From the right hand if it is tracked, else from where a right hand would be.
    let origin = controllers.hand(Hand::Right).aim.map(|r| r.origin).unwrap_or_else(|| {
        head.0
            .map_or(Vec3::new(0.2, 1.2, 0.8), |h| h.translation + Vec3::new(0.2, -0.4, -0.3))
    });
    let Ok(direction) = Dir3::new(target - origin) else {
        return;
    };
    let hand = controllers.hand_mut(Hand::Right);
    hand.aim = Some(Ray3d { origin, direction });
    hand.select = true;
    hand.select_pressed = true;
    info!("{PREFIX} scripted selection: right trigger on option \"{id}\" at {target:.2?}");
    run.aimed_at = Some(id.clone());
}

/// Notes the reply that the selection sent.
fn note_selection(mut replies: MessageReader<TraineeReplied>, mut run: ResMut<SmokeRun>) {
    for TraineeReplied(input) in replies.read() {
        if let (Some(chosen), Some(aimed)) = (&input.chosen_option, &run.aimed_at)
            && chosen == aimed
            && run.selected.is_none()
        {
            info!("{PREFIX} selected \"{chosen}\" with the right controller");
            run.selected = Some(chosen.clone());
        }
    }
}

/// After N frames, asks the runtime to end the session (it then goes STOPPING, IDLE,
/// EXITING and the session is destroyed).
fn request_exit(
    frames: Res<SubmittedFrames>,
    mut run: ResMut<SmokeRun>,
    mut exit: MessageWriter<XrRequestExitMessage>,
) {
    if !run.exit_requested && frames.0.count() >= u64::from(run.frames) {
        run.exit_requested = true;
        info!("{PREFIX} {} frames submitted: requesting exit", frames.0.count());
        exit.write_default();
    }
}

/// The verdict, once the session is gone (or the time is up).
fn finish(
    mut destroyed: MessageReader<XrSessionDestroyedMessage>,
    log: Res<SessionLog>,
    frames: Res<SubmittedFrames>,
    mut run: ResMut<SmokeRun>,
    mut exit: MessageWriter<AppExit>,
) {
    if run.finished {
        return;
    }
    let gone = destroyed.read().count() > 0;
    let late = run.started.elapsed() > time_limit(run.frames);
    if !gone && !late {
        return;
    }
    run.finished = true;
    let count = frames.0.count();
    info!("{PREFIX} frames-submitted {count}");
    info!("{PREFIX} states {}", log.states.join(" → "));
    let mut gaps = frames.0.gaps_ms();
    // The first frames compile pipelines; leave them out when there are enough.
    if gaps.len() > 10 {
        gaps.drain(..3);
    }
    if !gaps.is_empty() {
        gaps.sort_by(f32::total_cmp);
        let at = |q: f32| gaps[((gaps.len() - 1) as f32 * q).round() as usize];
        info!(
            "{PREFIX} frame-time p50 {:.1} ms p95 {:.1} ms max {:.1} ms over {} frames",
            at(0.5),
            at(0.95),
            at(1.0),
            gaps.len()
        );
    }
    let mut problems = Vec::new();
    if late {
        problems.push(format!("timed out after {:.0} s", run.started.elapsed().as_secs_f32()));
    }
    if !log.focused {
        problems.push("the session never reached FOCUSED".to_owned());
    }
    if count == 0 {
        problems.push("no frames were submitted".to_owned());
    }
    if run.selected.is_none() {
        problems.push("the scripted controller selection did not reach the session".to_owned());
    }
    if problems.is_empty() {
        info!("{PREFIX} exit clean");
        exit.write(AppExit::Success);
    } else {
        error!("{PREFIX} smoke failed: {}", problems.join("; "));
        exit.write(AppExit::error());
    }
}
