//! The app's and command line's door to session records: opens the store for the chosen
//! profile, reads the settings (a broken file is reported and the defaults are used), and
//! finishes sessions (exports, then the LRS queue on a background thread).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use holdspace_core::debrief::skills::ScenarioInfo;
use holdspace_core::{Lexicon, LoadedScenario};
use holdspace_records::export::{Exported, export};
use holdspace_records::lrs::{FlushReport, flush};
use holdspace_records::store::NewSession;
use holdspace_records::{JournalWriter, Locations, RecordsError, Settings, Store, StoredSession};

use crate::loader::{check_file, scenario_paths, shared_lexicon};

/// Where records go and for whom.
#[derive(Debug, Clone)]
pub struct Records {
    /// The store.
    pub store: Store,
    /// The settings in force.
    pub settings: Settings,
    /// The trainee profile.
    pub profile: String,
    /// Problems worth showing the user (a broken settings file).
    pub warnings: Vec<String>,
}

/// Command-line choices about records.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RecordsArgs {
    /// Trainee profile to record under (default: the settings file's, else $USER).
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Records folder (default: $HOLDSPACE_DATA_DIR, else ~/.local/share/holdspace).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Settings file (default: $HOLDSPACE_SETTINGS, else ~/.config/holdspace/settings.ron).
    #[arg(long, global = true)]
    pub settings: Option<PathBuf>,
}

impl Records {
    /// Opens the records for the command line's choices.
    pub fn open(args: &RecordsArgs) -> Result<Records> {
        let locations = Locations::resolve(args.data_dir.as_deref(), args.settings.as_deref());
        let mut warnings = Vec::new();
        let settings = Settings::load(&locations.settings).unwrap_or_else(|e| {
            warnings.push(format!("settings not used: {e}"));
            Settings::default()
        });
        warnings.extend(settings.exposure_warning(&locations.settings));
        let profile = settings.profile(args.profile.as_deref());
        holdspace_records::paths::check_profile(&profile)?;
        Ok(Records {
            store: Store::new(locations),
            settings,
            profile,
            warnings,
        })
    }

    /// Starts a journal for a session whose engine record is `record`.
    pub fn begin(
        &self,
        record: &holdspace_core::SessionRecord,
        origin: &str,
        retried_from: Option<holdspace_core::engine::journal::RetriedFrom>,
    ) -> Result<JournalWriter, RecordsError> {
        self.store.begin(
            record,
            NewSession {
                profile: &self.profile,
                origin,
                retried_from,
            },
        )
    }

    /// Writes a session's exports and, if an LRS is configured, queues its statements
    /// (the caller then sends them: [`Records::sync`] or [`Records::sync_in_background`]).
    pub fn finish(&self, session_id: &str, scenario: Option<&LoadedScenario>) -> Result<Exported, RecordsError> {
        let session = self.store.session(&self.profile, session_id)?;
        export(&self.store, &session, scenario, &self.settings)
    }

    /// Sends queued statements now, if an LRS is configured.
    pub fn sync(&self) -> Option<FlushReport> {
        self.settings
            .active_lrs()
            .map(|lrs| flush(&self.store.locations().lrs_queue(), lrs))
    }

    /// [`Records::sync`] on its own thread; failures stay queued for next time.
    pub fn sync_in_background(&self) -> Option<std::thread::JoinHandle<Option<FlushReport>>> {
        self.settings.active_lrs()?;
        let me = self.clone();
        std::thread::Builder::new()
            .name("lrs-sync".into())
            .spawn(move || me.sync())
            .ok()
    }

    /// Sessions a crash or kill cut short, newest first.
    pub fn interrupted(&self) -> Vec<StoredSession> {
        self.store.interrupted(&self.profile).unwrap_or_default()
    }
}

/// The scenarios in `dir` as coaching sees them (files that do not load are skipped).
pub fn catalogue(dir: &Path) -> Vec<ScenarioInfo> {
    let shared = shared_lexicon(dir).unwrap_or_else(|_| Lexicon::builtin());
    scenario_paths(dir)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| check_file(p, &shared).checked.scenario)
        .map(|s| info(&s))
        .collect()
}

/// Every scenario in `dir` that loads (the coach's console reads names, cues and the
/// hidden need from them; a broken file is the validator's to report).
pub fn all_scenarios(dir: &Path) -> Vec<Arc<LoadedScenario>> {
    let shared = shared_lexicon(dir).unwrap_or_else(|_| Lexicon::builtin());
    scenario_paths(dir)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| check_file(p, &shared).checked.scenario)
        .map(Arc::new)
        .collect()
}

/// One scenario as coaching sees it.
pub fn info(s: &LoadedScenario) -> ScenarioInfo {
    ScenarioInfo {
        id: s.scenario.id.clone(),
        title: s.scenario.title.clone(),
        practises: s.scenario.practises.clone(),
    }
}

/// Finds the scenario a record was made with, by id, in `dir`.
pub fn scenario_for(id: &str, dir: &Path) -> Option<Arc<LoadedScenario>> {
    crate::loader::load_scenario(id, dir).ok()
}
