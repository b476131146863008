//! Start-up milestones (`--marks`, for `holdspace bench startup`): each is printed once
//! to standard error as `holdspace-mark NAME UNIX_MS` when the app reaches it, so a
//! parent process that noted the time it started the app can tell how long each took.
//! Wall-clock time (not `Instant`) because the two processes share only that clock.

use std::time::{SystemTime, UNIX_EPOCH};

use bevy::prelude::*;
use bevy::render::view::ViewTarget;
use bevy::render::view::window::ExtractedWindows;
use bevy::render::{Render, RenderApp, RenderSystems};

use crate::app::customer::avatar::CustomerReady;
use crate::app::customer::voice::CustomerVoiceStarted;
use crate::app::session::runner::CustomerSpoke;

/// The prefix of every mark line.
pub const PREFIX: &str = "holdspace-mark";

/// Milliseconds since the Unix epoch, now.
pub fn unix_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Prints one mark.
pub fn mark(name: &str) {
    eprintln!("{PREFIX} {name} {:.1}", unix_ms());
}

/// Which milestones have been printed.
#[derive(Resource, Debug, Default)]
struct Marked {
    ready: bool,
    line: bool,
    voice: bool,
}

/// Registers the marks (only added with `--marks`).
pub fn plugin(app: &mut App) {
    app.init_resource::<Marked>().add_systems(Last, mark_session);
    if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
        render_app.add_systems(Render, mark_first_frame.in_set(RenderSystems::Cleanup));
    }
}

/// The first frame presented to a window (after the render system submitted and
/// presented it).
fn mark_first_frame(mut done: Local<bool>, windows: Res<ExtractedWindows>, views: Query<(), With<ViewTarget>>) {
    if !*done && !windows.is_empty() && !views.is_empty() {
        *done = true;
        mark("first_frame");
    }
}

/// The customer on screen and their first line: said by the engine, then heard.
fn mark_session(
    mut marked: ResMut<Marked>,
    ready: Option<Res<CustomerReady>>,
    mut spoke: MessageReader<CustomerSpoke>,
    mut voiced: MessageReader<CustomerVoiceStarted>,
) {
    if !marked.ready && ready.is_some_and(|r| r.0) {
        marked.ready = true;
        mark("customer_ready");
    }
    if !marked.line && spoke.read().next().is_some() {
        marked.line = true;
        mark("first_line");
    }
    if !marked.voice && voiced.read().next().is_some() {
        marked.voice = true;
        mark("first_voice");
    }
}

/// The process's peak resident memory in KiB (Linux's `VmHWM`), if the system says.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
