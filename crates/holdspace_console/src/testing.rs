//! Test helpers: the shipped scenarios, loaded, and a scripted session in a temporary store.

use std::path::Path;
use std::sync::Arc;

use holdspace_core::scenario::load::check;
use holdspace_core::{Lexicon, LoadedScenario, Mode};
use holdspace_records::{Locations, Store};

use crate::scripted::ScriptedSession;

/// Every shipped scenario.
pub(crate) fn all_scenarios() -> Vec<Arc<LoadedScenario>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron") && !p.ends_with("lexicon.ron"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let source = std::fs::read_to_string(p).unwrap();
            Arc::new(
                check(&source, &Lexicon::builtin())
                    .scenario
                    .expect("a shipped scenario loads"),
            )
        })
        .collect()
}

/// One shipped scenario.
pub(crate) fn scenario(id: &str) -> Arc<LoadedScenario> {
    all_scenarios().into_iter().find(|s| s.scenario.id == id).unwrap()
}

/// A scripted session of `scenario` for `profile`, recorded under `data`.
pub(crate) fn scripted(data: &Path, scenario: &Arc<LoadedScenario>, profile: &str) -> Running {
    let store = Store::new(Locations::resolve(Some(data), Some(&data.join("settings.ron"))));
    Running(ScriptedSession::begin(&store, Arc::clone(scenario), profile, 7, Mode::Open).unwrap())
}

/// A scripted session that panics on errors (tests only).
pub(crate) struct Running(pub ScriptedSession);

impl std::ops::Deref for Running {
    type Target = ScriptedSession;
    fn deref(&self) -> &ScriptedSession {
        &self.0
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut ScriptedSession {
        &mut self.0
    }
}

impl Running {
    pub(crate) fn say(&mut self, text: &str) {
        self.0.say(text).unwrap();
    }
}
