//! `holdspace bench frame`: frame time of a real session scene, rendered offscreen. The
//! whole app runs (runner, voice on the mock backend, avatar, HUD, scripted replies
//! every two seconds, so the customer changes mood and talks) and renders into images
//! instead of a window: desktop mono, and stereo as a headset asks for it (two eyes of
//! 2064 × 2208, 64 mm apart, 90° vertical field each; the HUD is drawn in the left eye,
//! as the XR build's panels are one more quad in the scene).
//!
//! Rendering is not pipelined here, so per frame:
//! - CPU is one `App::update`: the app's systems, extraction, and the render world's
//!   preparing, queueing and encoding, up to submission;
//! - GPU is the wait from submission until the device is idle, which is the GPU's work
//!   that the CPU did not overlap. On lavapipe (no GPU) the "GPU" is the same CPU cores.
//!
//! A frame that pipelines both takes about the larger of the two; one that does not,
//! their sum (given as "frame"). The CPU part is also split into the app's own systems
//! (the main world) and what rendering costs the CPU (extraction, the render world, and
//! the submission). Lavapipe rasterises inside the submission, so there its drawing is
//! counted under "extract, render world, submit", not under GPU.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bevy::camera::RenderTarget;
use bevy::prelude::*;
use bevy::render::render_resource::PollType;
use bevy::render::renderer::{RenderAdapterInfo, RenderDevice};
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::time::TimeUpdateStrategy;
use bevy::ui::IsDefaultUiCamera;
use holdspace::app::config::AppConfig;
use holdspace::app::customer::avatar::CastingSettings;
use holdspace::app::customer::avatar::{self, CustomerReady};
use holdspace::app::customer::voice::VoiceSettings;
use holdspace::app::platform::windowless::{self, Gpu};
use holdspace::app::screens::loading::StartSettings;
use holdspace::app::session::scene;
use holdspace::app::session::scene::MainCamera;
use holdspace::app::theme;
use holdspace::app::trainee::script::ScriptSettings;
use holdspace::app::trainee::speech::{HearingSettings, Listen};
use holdspace_core::TurnInput;

use super::Row;
use super::voice::distribution;

/// A headset's per-eye resolution (the Quest 2's recommended render size).
pub(super) const EYE: UVec2 = UVec2::new(2064, 2208);
/// The desktop window measured.
pub(super) const DESKTOP: UVec2 = UVec2::new(1920, 1080);
/// Distance between the eyes, metres.
const IPD: f32 = 0.064;
/// Game time per frame: a 90 Hz headset's, whatever the machine manages, so every run
/// plays the same session.
const STEP: f64 = 1.0 / 90.0;
/// Frames between scripted replies (two seconds at 90 Hz).
const REPLY_EVERY: u32 = 180;
/// The session's seed.
const SEED: u64 = 7;

/// How the session is viewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum View {
    /// One image of the desktop's size.
    Mono,
    /// Two eyes of a headset's size.
    Stereo,
}

/// When the app's own schedule (First … Last) finished this frame: what follows in the
/// same `update` is extraction and the render world.
#[derive(Resource, Default)]
struct MainDone(Option<Instant>);

fn stamp_main_done(mut done: ResMut<MainDone>) {
    done.0 = Some(Instant::now());
}

/// The images the eyes render into, for the camera set-up system.
#[derive(Resource, Clone)]
struct Eyes(Vec<Handle<Image>>);

/// Points the main camera (mono) or two eye cameras under it (stereo) at the images.
fn aim_eyes(mut commands: Commands, eyes: Res<Eyes>, mut main: Query<(Entity, &mut Camera), With<MainCamera>>) {
    let Some((head, mut camera)) = main.iter_mut().next() else {
        return;
    };
    match eyes.0.as_slice() {
        [only] => {
            commands
                .entity(head)
                .insert((RenderTarget::Image(only.clone().into()), IsDefaultUiCamera));
        }
        [left, right] => {
            // The head stays where the app puts it (the avatar looks at it); the eyes
            // hang either side of it.
            camera.is_active = false;
            commands.entity(head).insert(RenderTarget::None { size: UVec2::ONE });
            for (i, image) in [left, right].into_iter().enumerate() {
                let side = if i == 0 { -0.5 } else { 0.5 };
                let mut eye = commands.spawn((
                    Name::new(if i == 0 { "Left eye" } else { "Right eye" }),
                    Camera3d::default(),
                    Camera {
                        order: i as isize,
                        ..default()
                    },
                    RenderTarget::Image(image.clone().into()),
                    Projection::Perspective(PerspectiveProjection {
                        fov: 90f32.to_radians(),
                        ..default()
                    }),
                    Transform::from_xyz(side * IPD, 0.0, 0.0),
                    ChildOf(head),
                ));
                if i == 0 {
                    eye.insert(IsDefaultUiCamera);
                }
            }
        }
        _ => {}
    }
}

fn target(images: &mut Assets<Image>, size: UVec2) -> Handle<Image> {
    images.add(windowless::render_target(size))
}

/// The whole app rendering a scripted session offscreen.
fn build(dir: &std::path::Path, view: View) -> Result<(App, Vec<Handle<Image>>)> {
    let avatar_dir = avatar::default_dir();
    let mut app = windowless::new_app(&avatar_dir, Gpu::Offscreen);
    let scenario = holdspace::loader::load_scenario(super::latency::SCENARIO, dir)?;
    let script = super::latency::first_replies(&scenario, SEED)
        .into_iter()
        .map(|(id, _)| TurnInput::choose(id))
        .collect();
    // The bench's own records stay out of the trainee's.
    let scratch = std::env::temp_dir().join(format!("holdspace-bench-frame-{}", std::process::id()));
    AppConfig {
        start: StartSettings {
            scenarios_dir: dir.to_path_buf(),
            scenario: Some(super::latency::SCENARIO.to_owned()),
            seed: Some(SEED),
            ..StartSettings::default()
        },
        script: ScriptSettings {
            turns: script,
            interval: REPLY_EVERY,
        },
        voice: VoiceSettings { audio: false },
        hearing: HearingSettings {
            listen: Listen::Off,
            ..HearingSettings::default()
        },
        casting: CastingSettings {
            avatar_dir,
            ..CastingSettings::default()
        },
        records: holdspace::records::RecordsArgs {
            profile: Some("bench".to_owned()),
            settings: Some(scratch.join("settings.ron")),
            data_dir: Some(scratch),
        },
        ..AppConfig::default()
    }
    .insert(&mut app);
    app.insert_resource(ClearColor(theme::BACKGROUND))
        .insert_resource(scene::ambient())
        .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs_f64(STEP)))
        .add_plugins(holdspace::app::plugin)
        .init_resource::<MainDone>()
        .add_systems(PostStartup, aim_eyes)
        .add_systems(Last, stamp_main_done);
    let sizes: &[UVec2] = match view {
        View::Mono => &[DESKTOP],
        View::Stereo => &[EYE, EYE],
    };
    let handles: Vec<Handle<Image>> = {
        let mut images = app.world_mut().resource_mut::<Assets<Image>>();
        sizes.iter().map(|s| target(&mut images, *s)).collect()
    };
    app.insert_resource(Eyes(handles.clone()));
    windowless::finish(&mut app);
    Ok((app, handles))
}

/// Runs until the customer is posed on the session screen (the GLB loads in the
/// background; pipelines compile on first use).
fn warm_up(app: &mut App, frames_after: usize) -> Result<()> {
    let started = Instant::now();
    while !app.world().get_resource::<CustomerReady>().is_some_and(|c| c.0) {
        if started.elapsed() > Duration::from_secs(180) {
            bail!(
                "the customer was not ready within 180 s (is the avatar in {}? build it with `bash scripts/avatar.sh`)",
                avatar::default_dir().display()
            );
        }
        app.update();
    }
    for _ in 0..frames_after {
        app.update();
    }
    Ok(())
}

/// Saves what an eye sees as PNG (to check the benchmark renders the session).
fn save_png(app: &mut App, image: Handle<Image>, path: &std::path::Path) -> Result<()> {
    let saved = std::sync::Arc::new(std::sync::Mutex::new(None));
    let slot = std::sync::Arc::clone(&saved);
    let out = path.to_path_buf();
    app.world_mut()
        .spawn(Screenshot::image(image))
        .observe(move |captured: On<ScreenshotCaptured>| {
            let result = holdspace::app::dev::capture::write_png(&captured, &out);
            if let Ok(mut s) = slot.lock() {
                *s = Some(result);
            }
        });
    for _ in 0..10 {
        app.update();
        if let Some(result) = saved.lock().ok().and_then(|mut s| s.take()) {
            return result.map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
        }
    }
    bail!("the screenshot of {} never arrived", path.display())
}

/// Measures one view for `frames` frames (by default 600 on a GPU; on a software
/// renderer, where a stereo frame takes seconds, 20 mono and 8 stereo, so the whole
/// benchmark stays within minutes); returns the rows and the adapter's name.
pub(super) fn measure(
    dir: &std::path::Path,
    view: View,
    frames: Option<usize>,
    png: Option<&std::path::Path>,
) -> Result<(Vec<Row>, String)> {
    let (mut app, eyes) = build(dir, view)?;
    let info = app
        .world()
        .get_resource::<RenderAdapterInfo>()
        .context("no render adapter: is a Vulkan driver installed (mesa-vulkan-drivers)?")?;
    let adapter = format!("{} ({:?})", info.name, info.backend);
    // Bevy does not re-export wgpu's `DeviceType`; its debug name is stable.
    let software = format!("{:?}", info.device_type) == "Cpu";
    let (frames, warm) = match (frames, software, view) {
        (Some(n), _, _) => (n, if software { 5 } else { 60 }),
        (None, false, _) => (600, 60),
        (None, true, View::Mono) => (20, 5),
        (None, true, View::Stereo) => (8, 3),
    };
    let device = app.world().resource::<RenderDevice>().clone();
    warm_up(&mut app, warm)?;
    let (mut main, mut render, mut cpu, mut gpu, mut total) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..frames {
        let t0 = Instant::now();
        app.update();
        let t1 = Instant::now();
        let done = app.world().resource::<MainDone>().0.unwrap_or(t1).clamp(t0, t1);
        main.push((done - t0).as_secs_f64() * 1000.0);
        render.push((t1 - done).as_secs_f64() * 1000.0);
        device
            .poll(PollType::wait_indefinitely())
            .map_err(|e| anyhow::anyhow!("waiting for the GPU: {e}"))?;
        let t2 = Instant::now();
        cpu.push((t1 - t0).as_secs_f64() * 1000.0);
        gpu.push((t2 - t1).as_secs_f64() * 1000.0);
        total.push((t2 - t0).as_secs_f64() * 1000.0);
    }
    if let (Some(path), Some(first)) = (png, eyes.first()) {
        save_png(&mut app, first.clone(), path)?;
    }
    let label = match view {
        View::Mono => format!("mono {}×{}", DESKTOP.x, DESKTOP.y),
        View::Stereo => format!("stereo 2×{}×{}", EYE.x, EYE.y),
    };
    Ok((
        vec![
            distribution(&format!("{label}: app systems (main world)"), main),
            distribution(&format!("{label}: extract, render world, submit"), render),
            distribution(&format!("{label}: CPU"), cpu),
            distribution(&format!("{label}: GPU after submit"), gpu),
            distribution(&format!("{label}: frame (CPU + GPU)"), total),
        ],
        adapter,
    ))
}
