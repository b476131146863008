//! Loading: reads the scenario library, then opens the select screen, or goes straight
//! into a session when `--scenario` named a playable one.

use bevy::prelude::*;

use super::Screen;
use crate::app::config::AppConfig;
use crate::app::library::ScenarioLibrary;
use crate::app::notice::Notice;
use crate::app::runner::ActiveSession;

/// Registers the loading step.
pub fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Loading), load_library);
}

/// Reads the scenarios folder and moves on.
pub fn load_library(
    mut commands: Commands,
    config: Res<AppConfig>,
    mut next: ResMut<NextState<Screen>>,
    mut notices: MessageWriter<Notice>,
) {
    let library = ScenarioLibrary::load(&config.scenarios_dir);
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
