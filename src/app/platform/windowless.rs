//! The app without a window, the desktop window's headless twin: Bevy's default plugins
//! minus winit, either with no GPU at all (animation, speech and voice run on the CPU;
//! the avatar's tests and the latency benchmark) or rendering offscreen into images
//! (the frame-time benchmark).

use std::path::Path;

use bevy::app::{PluginGroupBuilder, PluginsState};
use bevy::log::LogPlugin;
use bevy::prelude::*;
use bevy::render::RenderPlugin;
use bevy::render::pipelined_rendering::PipelinedRenderingPlugin;
use bevy::render::settings::WgpuSettings;
use bevy::window::ExitCondition;
use bevy::winit::WinitPlugin;

/// What a headless app renders with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gpu {
    /// Nothing: no adapter is opened, so it runs on machines without Vulkan.
    None,
    /// The machine's adapter (lavapipe without a GPU), into images. Rendering is not
    /// pipelined, so one `update` is one whole frame, simulation and render encoding.
    Offscreen,
}

/// Bevy's default plugins for a headless app. The caller's process may hold a logger
/// already (tests, the command line), so Bevy's own is left out.
pub fn default_plugins(gpu: Gpu) -> PluginGroupBuilder {
    let plugins = DefaultPlugins
        .build()
        .disable::<WinitPlugin>()
        .disable::<LogPlugin>()
        .set(WindowPlugin {
            primary_window: None,
            exit_condition: ExitCondition::DontExit,
            ..default()
        });
    match gpu {
        Gpu::None => plugins.set(RenderPlugin {
            render_creation: WgpuSettings {
                backends: None,
                ..default()
            }
            .into(),
            ..default()
        }),
        // Every pipeline compiles on the frame that first needs it, so no measured frame
        // skips a mesh that is still compiling.
        Gpu::Offscreen => plugins.disable::<PipelinedRenderingPlugin>().set(RenderPlugin {
            synchronous_pipeline_compilation: true,
            ..default()
        }),
    }
}

/// A new app with the `avatars://` source on `avatar_dir` and the headless plugins.
pub fn new_app(avatar_dir: &Path, gpu: Gpu) -> App {
    let mut app = App::new();
    // The source must exist before the asset plugin starts.
    crate::app::customer::avatar::register_source(&mut app, avatar_dir);
    app.add_plugins(default_plugins(gpu));
    app
}

/// Finishes building an app that is stepped by hand (`App::run` would do this).
pub fn finish(app: &mut App) {
    while app.plugins_state() == PluginsState::Adding {
        bevy::tasks::tick_global_task_pools_on_main_thread();
    }
    app.finish();
    app.cleanup();
}

/// An image a camera can render into and a screenshot can read back (the frame
/// benchmark's eyes, the contact sheet's close-up).
pub fn render_target(size: UVec2) -> Image {
    use bevy::render::render_resource::{TextureFormat, TextureUsages};
    let mut image = Image::new_target_texture(size.x, size.y, TextureFormat::Rgba8UnormSrgb, None);
    image.texture_descriptor.usage |= TextureUsages::COPY_SRC;
    image
}
