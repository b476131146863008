//! The coach's console from inside the app (`run --console`): starts the console's
//! server, attaches each session once its journal is open, and applies the coach's
//! actions through the runner (so they are journaled and replayed like turns). The
//! trainee is told that a coach can watch, sees a hint as a notice, and sees a banner
//! while the coach has the session paused (their replies wait). On the desktop the coach
//! also sees what the trainee sees: a small copy of the window every two seconds.

use std::net::SocketAddr;

use bevy::prelude::*;
use holdspace_console::live::Steering;
use holdspace_console::{ConsoleConfig, RunningConsole};
use holdspace_core::engine::coach::CoachAction;

use crate::app::AppSystems;
use crate::app::notice::Notice;
use crate::app::screens::loading::StartSettings;
use crate::app::session::journal::{AppRecords, open_journal};
use crate::app::session::runner::{ActiveSession, JournalState, drive_session};
use crate::app::theme::{ACCENT, HEADING, PANEL, label};

/// How long a coach's hint stays on screen.
const HINT_SECONDS: f32 = 15.0;

/// How often the coach's copy of the trainee's view is taken.
const VIEW_SECONDS: f32 = 2.0;
/// Its width in pixels (a tablet's side panel; the height follows the window's shape).
const VIEW_WIDTH: u32 = 640;

/// Whether to run the console, and where.
#[derive(Resource, Debug, Clone, Copy, Default)]
pub struct ConsoleSettings {
    /// The address to listen on; `None`: no console.
    pub listen: Option<SocketAddr>,
}

/// The running console (dropped with the app, which stops it).
#[derive(Resource)]
pub struct CoachConsole(pub RunningConsole);

/// The session the console shows, and the coach's commands for it.
#[derive(Resource)]
pub struct CoachLink {
    session_id: String,
    steering: Steering,
}

/// Whether the coach has paused the session (replies wait until they resume it).
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CoachPause(pub bool);

/// The banner shown while paused.
#[derive(Component, Debug)]
pub struct PausedBanner;

/// Registers the console, when asked for, and the pause state (always: the runner reads it).
pub fn plugin(app: &mut App) {
    app.init_resource::<ConsoleSettings>()
        .init_resource::<CoachPause>()
        .add_systems(Startup, start_console)
        .add_systems(
            Update,
            (
                (attach_session, apply_coach_actions)
                    .chain()
                    .in_set(AppSystems::Drive)
                    .after(open_journal)
                    .before(drive_session)
                    .run_if(resource_exists::<CoachConsole>)
                    .run_if(resource_exists::<ActiveSession>),
                show_pause.in_set(AppSystems::Present),
                send_view
                    .in_set(AppSystems::Present)
                    .run_if(resource_exists::<CoachLink>),
            ),
        );
}

/// Starts the console's server on its own thread and tells the trainee a coach can watch.
pub fn start_console(
    mut commands: Commands,
    settings: Res<ConsoleSettings>,
    records: Option<Res<AppRecords>>,
    start: Option<Res<StartSettings>>,
    mut notices: MessageWriter<Notice>,
) {
    let Some(addr) = settings.listen else {
        return;
    };
    let Some(records) = records.as_ref().and_then(|r| r.0.as_ref()) else {
        notices.write(Notice::error(
            "The coach console needs session records, and they are off: it was not started.",
        ));
        return;
    };
    let scenarios_dir = start
        .map(|s| s.scenarios_dir.clone())
        .unwrap_or_else(|| crate::loader::DEFAULT_DIR.into());
    let config = ConsoleConfig {
        addr,
        data: records.store.locations().data.clone(),
        scenarios: crate::records::all_scenarios(&scenarios_dir),
        access: None,
    };
    match holdspace_console::start(config) {
        Ok(console) => {
            // The person who started the app needs the address (and tokens) to give the coach.
            println!("{}", console.banner());
            info!("coach console on {}", console.addr());
            notices.write(Notice::lasting(
                "A coach can watch this session and steer the customer from the coach console.",
                8.0,
            ));
            commands.insert_resource(CoachConsole(console));
        }
        Err(e) => {
            notices.write(Notice::error(format!("The coach console could not start: {e}")));
        }
    }
}

/// Shows each session on the console once its journal is open (a retry or a new
/// scenario is a new session).
pub fn attach_session(
    mut commands: Commands,
    console: Res<CoachConsole>,
    active: Res<ActiveSession>,
    link: Option<Res<CoachLink>>,
    mut pause: ResMut<CoachPause>,
) {
    let JournalState::Open(writer) = &active.journal else {
        return;
    };
    let id = &writer.meta().session_id;
    if link.as_ref().is_some_and(|l| &l.session_id == id) {
        return;
    }
    let steering = console.0.hub().attach(id, &writer.meta().profile, writer.path());
    commands.insert_resource(CoachLink {
        session_id: id.clone(),
        steering,
    });
    pause.set_if_neq(CoachPause(false));
}

/// Applies the coach's actions in the order they came and answers each.
pub fn apply_coach_actions(
    link: Option<Res<CoachLink>>,
    mut active: ResMut<ActiveSession>,
    mut pause: ResMut<CoachPause>,
    mut notices: MessageWriter<Notice>,
) {
    let Some(link) = link else {
        return;
    };
    // A command for a session that has been replaced goes unanswered (the console says so).
    if active.session_id() != Some(link.session_id.as_str()) {
        return;
    }
    for command in link.steering.take() {
        let action = command.action.clone();
        let result = active.coach(action.clone());
        if result.is_ok() {
            match &action {
                CoachAction::Pause => {
                    pause.0 = true;
                    notices.write(Notice::info("Your coach has paused the session."));
                }
                CoachAction::Resume => {
                    pause.0 = false;
                    notices.write(Notice::info("Your coach has resumed the session: carry on."));
                }
                CoachAction::Hint { text } => {
                    notices.write(Notice::lasting(format!("Your coach: {text}"), HINT_SECONDS));
                }
                CoachAction::End => {
                    pause.0 = false;
                    notices.write(Notice::info("Your coach has ended the session."));
                }
                // The customer's mood and cues are the coach's to move quietly: the debrief
                // tells the trainee afterwards.
                CoachAction::NudgeUp | CoachAction::NudgeDown | CoachAction::GiveCue => {}
            }
        }
        // The console may have stopped waiting; the action stands either way.
        let _ = command.done.send(result.map(|_| ()).map_err(|e| e.to_string()));
    }
}

/// A banner while the coach has the session paused: across the counter's edge, below the
/// customer's face and hands and above the subtitle and replies.
pub fn show_pause(mut commands: Commands, pause: Res<CoachPause>, banners: Query<Entity, With<PausedBanner>>) {
    if !pause.is_changed() {
        return;
    }
    for e in &banners {
        commands.entity(e).despawn();
    }
    if pause.0 {
        commands.spawn((
            Name::new("Paused by the coach"),
            PausedBanner,
            GlobalZIndex(90),
            Node {
                position_type: PositionType::Absolute,
                top: percent(54.0),
                left: percent(30.0),
                width: percent(40.0),
                padding: UiRect::all(px(10.0)),
                justify_content: JustifyContent::Center,
                border_radius: BorderRadius::all(px(8.0)),
                ..default()
            },
            BackgroundColor(PANEL),
            children![label("Paused by your coach", HEADING, ACCENT)],
        ));
    }
}

/// Takes a copy of the window every two seconds for the console: encoded as a small
/// PNG on a thread of its own, so the frame that took it does not wait. In a headset
/// there is no window to copy, and the console shows no view.
pub fn send_view(
    mut commands: Commands,
    time: Res<Time>,
    mut timer: Local<Option<Timer>>,
    link: Res<CoachLink>,
    windows: Query<(), With<bevy::window::PrimaryWindow>>,
    presentation: Option<Res<crate::app::platform::xr::Presentation>>,
) {
    if windows.is_empty() || presentation.is_some_and(|p| *p != crate::app::platform::xr::Presentation::Desktop) {
        return;
    }
    let timer = timer.get_or_insert_with(|| Timer::from_seconds(VIEW_SECONDS, TimerMode::Repeating));
    if !timer.tick(time.delta()).just_finished() {
        return;
    }
    let sink = link.steering.view_sink();
    commands
        .spawn(bevy::render::view::screenshot::Screenshot::primary_window())
        .observe(
            move |captured: On<bevy::render::view::screenshot::ScreenshotCaptured>| {
                let image = captured.image.clone();
                let sink = sink.clone();
                let spawned =
                    std::thread::Builder::new()
                        .name("coach-view".into())
                        .spawn(move || match encode_view(image) {
                            Ok(png) => sink.set(png),
                            Err(e) => warn!("the coach's view could not be encoded: {e}"),
                        });
                if let Err(e) = spawned {
                    warn!("the coach's view could not be encoded: {e}");
                }
            },
        );
}

/// A window capture, scaled to 640 pixels wide, as PNG bytes.
fn encode_view(image: Image) -> Result<Vec<u8>, String> {
    let dynamic = image.try_into_dynamic().map_err(|e| e.to_string())?;
    let small = dynamic.thumbnail(VIEW_WIDTH, VIEW_WIDTH).to_rgb8();
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, small.width(), small.height());
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(small.as_raw()).map_err(|e| e.to_string())?;
    }
    Ok(out)
}
