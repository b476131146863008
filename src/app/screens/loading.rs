//! Loading: reads the scenario library, then opens the select screen, or goes straight
//! into a session when `--scenario` named a playable one, or into a recorded session's
//! debrief (`--open-interrupted`) or replay (`--replay`).

use bevy::prelude::*;

use crate::app::config::AppConfig;
use crate::app::library::ScenarioLibrary;
use crate::app::notice::Notice;
use crate::app::screens::Screen;
use crate::app::screens::debrief::DebriefSubject;
use crate::app::session::journal::AppRecords;
use crate::app::session::runner::ActiveSession;

/// Registers the loading step.
pub fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Loading), load_library);
}

/// Reads the scenarios folder and moves on.
pub fn load_library(
    mut commands: Commands,
    config: Res<AppConfig>,
    records: Res<AppRecords>,
    mut next: ResMut<NextState<Screen>>,
    mut notices: MessageWriter<Notice>,
) {
    let library = ScenarioLibrary::load(&config.scenarios_dir);
    // A recorded session asked for on the command line opens before anything else.
    let recorded = if config.open_interrupted {
        Some(("interrupted", Screen::Debrief))
    } else {
        config.replay.as_deref().map(|id| (id, Screen::Replay))
    };
    if let Some((which, screen)) = recorded {
        match records.0.as_ref().map(|r| DebriefSubject::recorded(r, which, &library)) {
            Some(Ok(subject)) => {
                commands.insert_resource(subject);
                commands.insert_resource(library);
                next.set(screen);
                return;
            }
            Some(Err(e)) => {
                notices.write(Notice::error(format!("Cannot open that session: {e}")));
            }
            None => {
                notices.write(Notice::error("Sessions are not being saved, so there is none to open."));
            }
        }
    }
    let start = config.scenario.as_deref().map(|id| (id, library.find(id)));
    match start {
        Some((_, Some(scenario))) => {
            commands.insert_resource(ActiveSession::start(
                scenario,
                config.seed.unwrap_or_else(crate::app::random_seed),
                config.mode,
            ));
            next.set(Screen::Session);
        }
        Some((id, None)) => {
            notices.write(Notice::error(format!(
                "No playable scenario \"{id}\" in {}: choose one below.",
                config.scenarios_dir.display()
            )));
            next.set(Screen::ScenarioSelect);
        }
        None => next.set(Screen::ScenarioSelect),
    }
    commands.insert_resource(library);
}
