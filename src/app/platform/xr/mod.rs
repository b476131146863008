//! VR: choosing the platform at start-up and presenting the session in a headset.
//!
//! `bevy_mod_openxr::add_xr_plugins` decides at run time: when OpenXR initialises (a
//! loader, a runtime, a headset, Vulkan) the app renders into the headset's swapchain;
//! when it does not, the plugin adds a flat renderer and marks XR unavailable, and the
//! app opens its desktop window with a notice saying why. Only this module talks to
//! OpenXR: `actions` (controller bindings, poses, haptics), `probe` (why there is no
//! headset) and `lifecycle` (the session's states and frames). The rest works on plain
//! Bevy data: `controls` (what the hands are doing), `panel` (the UI on a world-space
//! panel, pointed at with the controllers), `stance` (where the trainee stands) and
//! `eye_contact` (where the trainee looks), so tests drive them without a headset.

pub mod actions;
pub mod controls;
pub mod eye_contact;
pub mod lifecycle;
pub mod panel;
pub mod pointer;
pub mod probe;
pub mod smoke;
pub mod stance;

use std::time::Duration;

use bevy::app::{PluginGroupBuilder, ScheduleRunnerPlugin};
use bevy::prelude::*;
use bevy::window::{ExitCondition, PrimaryWindow, WindowResolution, exit_on_primary_closed};
use bevy::winit::WinitPlugin;
use bevy_mod_openxr::add_xr_plugins;
use bevy_mod_openxr::exts::OxrExtensions;
use bevy_mod_openxr::features::handtracking::HandTrackingPlugin;
use bevy_mod_openxr::init::OxrInitPlugin;
use bevy_mod_openxr::resources::OxrSessionConfig;
use bevy_mod_openxr::types::AppInfo;
use bevy_mod_xr::session::XrState;

use crate::app::config::AppConfig;
use crate::app::notice::Notice;

/// Headset options from the command line.
#[derive(Resource, Debug, Clone, Copy, Default)]
pub struct XrSettings {
    /// `--xr-smoke N`: run N headset frames of a scripted session, then exit (0 only if
    /// the session reached FOCUSED and frames were submitted).
    pub smoke: Option<u32>,
    /// Per-eye image size to ask the runtime for (default: its recommendation).
    pub resolution: Option<(u32, u32)>,
}

/// How the session is being shown, decided once at start-up.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presentation {
    /// In a desktop window (or offscreen, in tests).
    Desktop,
    /// In a headset: no window, the UI on a world-space panel, controllers to point.
    Headset,
}

/// Bevy's default plugins with OpenXR's. There is never a primary window to begin
/// with: in a headset a mirror window only costs frames (bevy_oxr users measured
/// 20 → 70 fps on Quest from dropping it), and the desktop fallback opens its own.
/// `windowing` keeps winit for that fallback; without a display it must go.
pub fn plugins(config: &AppConfig, windowing: bool) -> PluginGroupBuilder {
    let defaults = DefaultPlugins.build().set(WindowPlugin {
        primary_window: None,
        exit_condition: ExitCondition::DontExit,
        ..default()
    });
    let group = add_xr_plugins(defaults)
        // Hands are the controllers' job here; tracked hands would only cost frames.
        .disable::<HandTrackingPlugin>()
        .set(OxrInitPlugin {
            app_info: AppInfo {
                name: "Holdspace".into(),
                ..AppInfo::default()
            },
            // Screenshots (desktop fallback) must show every mesh on the frame they are taken.
            synchronous_pipeline_compilation: config.capture.screenshot.is_some(),
            // No extensions beyond Vulkan: hand tracking is not used.
            exts: OxrExtensions::default(),
            ..default()
        });
    if windowing {
        group
    } else {
        // Without winit nothing drives the frames: loop, and let the runtime's
        // xrWaitFrame pace them (the 1 ms floor only stops a spin before the session).
        group
            .disable::<WinitPlugin>()
            .add(ScheduleRunnerPlugin::run_loop(Duration::from_millis(1)))
    }
}

/// Whether OpenXR came up while the plugins were added.
pub fn headset_available(app: &App) -> bool {
    app.world()
        .get_resource::<XrState>()
        .is_some_and(|s| *s != XrState::Unavailable)
}

/// The headset presentation: controllers, panel, rig, eye contact, session logging and,
/// with `--xr-smoke`, the smoke run.
pub fn plugin(app: &mut App) {
    let settings = app.world().get_resource::<XrSettings>().copied().unwrap_or_default();
    if let Some((w, h)) = settings.resolution {
        app.insert_resource(OxrSessionConfig {
            resolutions: Some(vec![UVec2::new(w, h)]),
            ..default()
        });
    }
    // When the session ends, bevy_mod_openxr despawns what belonged to it while pipelined
    // extraction may still hold commands for it. With hand tracking on, such a command
    // panicked in the render world in about one smoke-run exit in six; with it off (see
    // `plugins`) 8 of 8 exits were clean. A command on an entity that is already gone is
    // not worth a crash on the way out of the headset: warn instead.
    app.set_error_handler(bevy::ecs::error::warn);
    app.insert_resource(Presentation::Headset).add_plugins((
        controls::plugin,
        actions::plugin,
        lifecycle::plugin,
        stance::plugin,
        panel::plugin,
        pointer::plugin,
        eye_contact::plugin,
    ));
    if settings.smoke.is_some() {
        app.add_plugins(smoke::plugin);
    }
}

/// No headset: open the desktop window the plugins left out, exit when it closes, and
/// say why VR did not start.
pub fn fall_back_to_desktop(app: &mut App, config: &AppConfig, reason: &str) {
    let (w, h) = config.resolution;
    app.world_mut().spawn((
        Window {
            title: "Holdspace".to_owned(),
            resolution: WindowResolution::new(w, h),
            ..default()
        },
        PrimaryWindow,
    ));
    app.insert_resource(Presentation::Desktop)
        .add_systems(Last, exit_on_primary_closed);
    // The notice is logged when shown.
    app.world_mut().write_message(Notice::info(format!(
        "No VR headset: {reason}. Running on the desktop (--desktop skips the check)."
    )));
}
