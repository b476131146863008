//! Headless runs: `--screenshot <png> --frames N` saves the window after N frames and
//! exits; `--exit-after-debrief` exits once the debrief is on screen (after saving the
//! screenshot, if one was asked for). This is how tests and people look at the app.

use std::path::PathBuf;

use bevy::diagnostic::FrameCount;
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};

use crate::app::AppSystems;
use crate::app::screens::Screen;

/// Frames the debrief is shown before it is captured, so its layout has settled.
const DEBRIEF_SETTLE_FRAMES: u32 = 8;
/// Frames the customer is drawn before a session screenshot: the frame the avatar
/// appears in can still be black while its shaders compile (lavapipe is slow at it).
const CUSTOMER_SETTLE_FRAMES: u32 = 6;

/// What a headless run captures and when it exits.
#[derive(Resource, Debug, Clone, Default)]
pub struct CaptureSettings {
    /// Save a screenshot here…
    pub screenshot: Option<PathBuf>,
    /// …after this many frames (or when the debrief shows, with `exit_after_debrief`), then exit.
    pub frames: Option<u32>,
    /// Exit once the debrief has been shown (after its screenshot, if one was asked for).
    pub exit_after_debrief: bool,
}

/// Whether a capture has been requested (only one per run).
#[derive(Resource, Debug, Default)]
pub struct CaptureState {
    requested: bool,
    debrief_frames: u32,
    customer_frames: u32,
    blank_frames: u32,
}

/// Black frames a capture waits through before saving one anyway: until the renderer's
/// shaders have compiled nothing is drawn at all, and on a busy machine under lavapipe
/// that can take longer than any fixed frame count.
const MAX_BLANK_FRAMES: u32 = 300;

/// Registers capture and exit.
pub fn plugin(app: &mut App) {
    app.init_resource::<CaptureSettings>()
        .init_resource::<CaptureState>()
        .add_systems(Update, capture_when_due.in_set(AppSystems::TickTimers));
}

/// Takes the screenshot (or exits) at the requested frame or once the debrief has settled.
pub fn capture_when_due(
    mut commands: Commands,
    config: Res<CaptureSettings>,
    frames: Res<FrameCount>,
    screen: Res<State<Screen>>,
    mut state: ResMut<CaptureState>,
    customer: Option<Res<crate::app::customer::avatar::CustomerReady>>,
    mut exit: MessageWriter<AppExit>,
) {
    if state.requested {
        return;
    }
    // A session screenshot waits for the customer (the avatar's GLB loads in the
    // background; the stand-in is ready at once) and a few frames more.
    if *screen.get() == Screen::Session && config.screenshot.is_some() {
        if !customer.is_some_and(|c| c.0) {
            return;
        }
        state.customer_frames += 1;
        if state.customer_frames < CUSTOMER_SETTLE_FRAMES {
            return;
        }
    }
    let due = if config.exit_after_debrief {
        if *screen.get() == Screen::Debrief {
            state.debrief_frames += 1;
        }
        state.debrief_frames >= DEBRIEF_SETTLE_FRAMES
    } else {
        config.frames.is_some_and(|n| frames.0 >= n)
    };
    if !due {
        return;
    }
    state.requested = true;
    match &config.screenshot {
        Some(path) => {
            commands
                .spawn(Screenshot::primary_window())
                .observe(save_and_exit(path.clone()));
        }
        None => {
            exit.write(AppExit::Success);
        }
    }
}

/// Writes a captured image as an RGB PNG (window screenshots and the frame benchmark's
/// offscreen eyes).
pub fn write_png(captured: &ScreenshotCaptured, path: &std::path::Path) -> Result<(), String> {
    captured
        .image
        .clone()
        .try_into_dynamic()
        .map_err(|e| e.to_string())
        .and_then(|img| img.to_rgb8().save(path).map_err(|e| e.to_string()))
}

/// Whether nothing at all was drawn: every pixel black (the clear colour is not black).
fn blank(captured: &ScreenshotCaptured) -> bool {
    captured
        .image
        .data
        .as_ref()
        .is_some_and(|d| d.chunks(4).all(|p| p.iter().take(3).all(|&c| c == 0)))
}

/// An observer that writes the captured image as PNG, then asks the app to exit
/// (with an error code if the file could not be written). A black frame is taken again
/// on a later frame instead (see [`MAX_BLANK_FRAMES`]).
fn save_and_exit(path: PathBuf) -> impl FnMut(On<ScreenshotCaptured>, MessageWriter<AppExit>, ResMut<CaptureState>) {
    move |captured: On<ScreenshotCaptured>, mut exit: MessageWriter<AppExit>, mut state: ResMut<CaptureState>| {
        if blank(&captured) && state.blank_frames < MAX_BLANK_FRAMES {
            state.blank_frames += 1;
            state.requested = false;
            return;
        }
        save(&captured, &path, &mut exit);
    }
}

/// Writes the PNG and exits.
fn save(captured: &ScreenshotCaptured, path: &std::path::Path, exit: &mut MessageWriter<AppExit>) {
    match write_png(captured, path) {
        Ok(()) => {
            info!("screenshot saved to {}", path.display());
            exit.write(AppExit::Success);
        }
        Err(e) => {
            error!("cannot save the screenshot to {}: {e}", path.display());
            exit.write(AppExit::error());
        }
    }
}
