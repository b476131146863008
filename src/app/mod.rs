//! The desktop app: Bevy plugins over the pure core. `run` builds the app from an
//! [`AppConfig`]; `plugin` lists every part in the order they depend on each other.

pub mod config;
pub mod customer;
pub mod dev;
pub mod library;
pub mod notice;
pub mod platform;
pub mod screens;
pub mod session;
pub mod theme;
pub mod trainee;

use anyhow::{Result, bail};
use bevy::prelude::*;
use bevy::render::RenderPlugin;
use bevy::window::WindowResolution;

pub use config::AppConfig;

/// The order every frame's systems run in. Each variant is a stage the next relies on.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppSystems {
    /// Timers and frame counters advance (screen transitions, captures, folder watching).
    TickTimers,
    /// Trainee input becomes messages: clicks, keys, typed text, scripted turns, speech
    /// ([`trainee::reply::ReplyGiven`]).
    RecordInput,
    /// Each reply given is completed with what was measured around it (interruption,
    /// gaze) and sent to the runner as one [`session::runner::TraineeReplied`].
    AssembleReply,
    /// The scenario runner feeds replies to the engine and emits what it reports.
    Drive,
    /// Everything that shows the result: HUD, customer, notices.
    Present,
}

/// The order inside [`AppSystems::Present`]: the voice first (it publishes the mouth
/// shape and the words said so far), then the customer's body and face (they read the
/// mouth), then the interface (the subtitle reads the words said).
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PresentSystems {
    /// The customer's voice: lines start, barge-in, the mouth shape and subtitle timing.
    Voice,
    /// The customer's body: posture, gestures, face and mouth, on the avatar or stand-in.
    Animate,
    /// What the trainee reads and clicks: HUD, notices, screens, indicators.
    Ui,
}

/// A seed from the clock, for sessions started without `--seed` (the seed is recorded,
/// so the session can still be replayed).
pub fn random_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// Orders the [`AppSystems`] sets in `Update`; tests that add single plugins call it too.
pub fn configure_sets(app: &mut App) {
    app.configure_sets(
        Update,
        (
            AppSystems::TickTimers,
            AppSystems::RecordInput,
            AppSystems::AssembleReply,
            AppSystems::Drive,
            AppSystems::Present,
        )
            .chain(),
    );
    app.configure_sets(
        Update,
        (PresentSystems::Voice, PresentSystems::Animate, PresentSystems::Ui)
            .chain()
            .in_set(AppSystems::Present),
    );
}

/// Every part of the app, in dependency order. Rendering and windowing come from
/// `DefaultPlugins`, added by [`run`]; tests add only what they exercise. The settings
/// come first ([`AppConfig::insert`]); each plugin defaults what was not set.
pub fn plugin(app: &mut App) {
    configure_sets(app);
    app.add_plugins((
        theme::plugin,
        notice::plugin,
        session::plugin,
        customer::plugin,
        trainee::plugin,
        screens::plugin,
        dev::capture::plugin,
    ));
    app.add_systems(Startup, session::scene::spawn_camera)
        .add_systems(Update, session::scene::frame_close_up.after(AppSystems::TickTimers));
}

/// Whether a display is available for a window. Bevy would panic while building its
/// plugins without one; this lets `run` say what to do instead.
fn display_available() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// Opens the app and runs it until the window closes, the headset session ends, or a
/// headless run ends: in VR when an OpenXR runtime and headset are there (unless
/// `--desktop`), else on the desktop with a notice (or, with `--xr`, not at all).
pub fn run(config: AppConfig) -> Result<AppExit> {
    use config::Platform;
    let display = display_available();
    let no_display = "no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set). On a server, run under Xvfb: xvfb-run -a holdspace run …; to play in a terminal instead: holdspace play";
    if config.platform == Platform::Desktop && !display {
        bail!("{no_display}");
    }
    let mut app = App::new();
    // `avatars://` must exist before the asset plugin starts.
    customer::avatar::register_source(&mut app, &config.casting.avatar_dir);
    let mut fallback = None;
    if config.platform == Platform::Desktop {
        app.add_plugins(desktop_plugins(&config));
        app.insert_resource(platform::xr::Presentation::Desktop);
    } else {
        // winit only where a desktop window may be needed: in `--xr` mode, or with no
        // display, it would have nothing to do (and without a display it panics).
        app.add_plugins(platform::xr::plugins(
            &config,
            display && config.platform == Platform::Auto,
        ));
        if !platform::xr::headset_available(&app) {
            let reason = platform::xr::probe::why_unavailable();
            if config.platform == Platform::Xr {
                bail!("VR was asked for (--xr) but cannot start: {reason}");
            }
            if !display {
                bail!("no VR headset ({reason}) and {no_display}");
            }
            fallback = Some(reason);
        }
    }
    config.insert(&mut app);
    app.insert_resource(ClearColor(theme::BACKGROUND))
        .insert_resource(session::scene::ambient())
        .add_plugins(plugin);
    if config.marks {
        app.add_plugins(dev::marks::plugin);
    }
    match fallback {
        Some(reason) => platform::xr::fall_back_to_desktop(&mut app, &config, &reason),
        None if config.platform != config::Platform::Desktop => {
            app.add_plugins(platform::xr::plugin);
        }
        None => {}
    }
    Ok(app.run())
}

/// Bevy's default plugins with the desktop window.
fn desktop_plugins(config: &AppConfig) -> bevy::app::PluginGroupBuilder {
    let (w, h) = config.resolution;
    DefaultPlugins
        .set(WindowPlugin {
            primary_window: Some(Window {
                title: "Holdspace".to_owned(),
                resolution: WindowResolution::new(w, h),
                ..default()
            }),
            ..default()
        })
        // Screenshots must show every mesh on the frame they are taken.
        .set(RenderPlugin {
            synchronous_pipeline_compilation: config.capture.screenshot.is_some(),
            ..default()
        })
}
