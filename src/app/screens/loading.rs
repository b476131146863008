//! Loading: reads the scenario library, then opens the select screen, or goes straight
//! into a session when `--scenario` named a playable one, or into a recorded session's
//! debrief (`--open-interrupted`) or replay (`--replay`).

use std::path::PathBuf;

use bevy::prelude::*;

use crate::app::library::ScenarioLibrary;
use crate::app::notice::Notice;
use crate::app::screens::Screen;
use crate::app::screens::debrief::DebriefSubject;
use crate::app::session::hud::PlayOptions;
use crate::app::session::journal::AppRecords;
use crate::app::session::runner::ActiveSession;

/// What the app opens first, and the seed its sessions start from.
#[derive(Resource, Debug, Clone)]
pub struct StartSettings {
    /// Folder of scenario files.
    pub scenarios_dir: PathBuf,
    /// Go straight into this scenario (by id), skipping the select screen.
    pub scenario: Option<String>,
    /// Seed for the customer's variation (random when absent).
    pub seed: Option<u64>,
    /// Open the debrief of the latest session a crash cut short, straight away.
    pub open_interrupted: bool,
    /// Replay this recorded session ("latest" or an id) from the customer's seat, straight away.
    pub replay: Option<String>,
}

impl Default for StartSettings {
    fn default() -> Self {
        StartSettings {
            scenarios_dir: PathBuf::from(crate::loader::DEFAULT_DIR),
            scenario: None,
            seed: None,
            open_interrupted: false,
            replay: None,
        }
    }
}

impl StartSettings {
    /// The seed for a new session: the one asked for, else one from the clock.
    pub fn session_seed(&self) -> u64 {
        self.seed.unwrap_or_else(crate::app::random_seed)
    }
}

/// Registers the loading step.
pub fn plugin(app: &mut App) {
    app.init_resource::<StartSettings>()
        .add_systems(OnEnter(Screen::Loading), load_library);
}

/// Reads the scenarios folder and moves on.
pub fn load_library(
    mut commands: Commands,
    config: Res<StartSettings>,
    options: Res<PlayOptions>,
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
            commands.insert_resource(ActiveSession::start(scenario, config.session_seed(), options.mode));
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
