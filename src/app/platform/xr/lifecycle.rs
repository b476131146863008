//! The OpenXR session as the app sees it: every state it enters (logged, and kept for the
//! smoke run's verdict), how many frames reached the compositor and how far apart, and
//! leaving the app when the runtime ends the session (the trainee quit from the
//! headset's own menu).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bevy::prelude::*;
use bevy::render::{Render, RenderApp};
use bevy_mod_openxr::init::should_run_frame_loop;
use bevy_mod_openxr::poll_events::{OxrEventHandlerExt, OxrEventIn};
use bevy_mod_openxr::render::end_frame;
use bevy_mod_openxr::resources::OxrFrameState;
use bevy_mod_xr::session::{XrRenderSystems, XrSessionDestroyedMessage};

/// What the log lines start with, so scripts can find them among Bevy's.
pub const PREFIX: &str = "holdspace-xr";

/// The OpenXR session states seen so far.
#[derive(Resource, Debug, Default, Clone)]
pub struct SessionLog {
    /// Every state, in order ("READY", "SYNCHRONIZED", "VISIBLE", "FOCUSED", …).
    pub states: Vec<String>,
    /// The session reached FOCUSED (the app had the headset and the controllers).
    pub focused: bool,
}

/// Frames handed to the compositor, counted in the render world.
#[derive(Resource, Debug, Clone, Default)]
pub struct SubmittedFrames(pub Arc<FrameCounter>);

/// The count and the gaps between submissions, shared by both worlds.
#[derive(Debug, Default)]
pub struct FrameCounter {
    count: AtomicU64,
    gaps_ms: Mutex<Vec<f32>>,
    last: Mutex<Option<Instant>>,
}

/// Gaps kept for the timing summary; the first ones (pipelines compiling) are dropped
/// when there are enough.
const GAPS_KEPT: usize = 4096;

impl FrameCounter {
    /// Frames submitted with content so far.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Milliseconds between consecutive submissions, in order.
    pub fn gaps_ms(&self) -> Vec<f32> {
        self.gaps_ms.lock().map(|g| g.clone()).unwrap_or_default()
    }

    fn record(&self) {
        self.count.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        if let (Ok(mut last), Ok(mut gaps)) = (self.last.lock(), self.gaps_ms.lock())
            && let Some(before) = last.replace(now)
            && gaps.len() < GAPS_KEPT
        {
            gaps.push((now - before).as_secs_f32() * 1000.0);
        }
    }
}

/// Registers the state log, the frame counter and exiting with the session.
pub fn plugin(app: &mut App) {
    let counter = SubmittedFrames::default();
    if let Ok(mut gaps) = counter.0.gaps_ms.lock() {
        // Allocated once: the render world's counter must not allocate per frame.
        gaps.reserve(GAPS_KEPT);
    }
    app.init_resource::<SessionLog>()
        .insert_resource(counter.clone())
        .add_oxr_event_handler(log_state)
        .add_systems(Update, leave_with_session);
    if let Some(render) = app.get_sub_app_mut(RenderApp) {
        render.insert_resource(counter).add_systems(
            Render,
            count_frame
                .after(end_frame)
                .in_set(XrRenderSystems::PostRender)
                .run_if(should_run_frame_loop),
        );
    }
}

/// Logs the session's states, and recentres when the runtime recentres the trainee (its
/// own recenter gesture or menu).
fn log_state(
    event: OxrEventIn,
    mut log: ResMut<SessionLog>,
    mut recenter: MessageWriter<crate::app::platform::xr::stance::Recenter>,
) {
    match *event {
        openxr::Event::SessionStateChanged(change) => {
            let state = format!("{:?}", change.state());
            info!("{PREFIX} session {state}");
            if change.state() == openxr::SessionState::FOCUSED {
                log.focused = true;
            }
            log.states.push(state);
        }
        openxr::Event::ReferenceSpaceChangePending(_) => {
            info!("{PREFIX} the runtime recentred: recentring at the counter");
            recenter.write(crate::app::platform::xr::stance::Recenter);
        }
        _ => {}
    }
}

fn count_frame(counter: Res<SubmittedFrames>, state: Option<Res<OxrFrameState>>) {
    if state.is_some_and(|s| s.should_render) {
        counter.0.record();
    }
}

/// The runtime ended the session (or the app asked it to): leave. The smoke run
/// decides its own exit status, so it takes over this.
fn leave_with_session(
    mut destroyed: MessageReader<XrSessionDestroyedMessage>,
    smoke: Option<Res<crate::app::platform::xr::smoke::SmokeRun>>,
    mut exit: MessageWriter<AppExit>,
) {
    if destroyed.read().count() > 0 && smoke.is_none() {
        info!("{PREFIX} session ended: leaving");
        exit.write(AppExit::Success);
    }
}
