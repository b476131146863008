//! Test helpers shared by the core's unit tests: the shipped scenarios, loaded.

use std::sync::Arc;

use crate::Lexicon;
use crate::scenario::load::{LoadedScenario, check};

fn scenarios_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

/// Every shipped scenario, loaded (a test fails if one does not load).
pub(crate) fn shipped() -> Vec<Arc<LoadedScenario>> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(scenarios_dir())
        .expect("scenarios/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron") && !p.ends_with("lexicon.ron"))
        .collect();
    paths.sort();
    for path in paths {
        let source = std::fs::read_to_string(&path).expect("readable scenario");
        let checked = check(&source, &Lexicon::builtin());
        let errors: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| d.headline(&path.display().to_string(), &source))
            .collect();
        let loaded = checked
            .scenario
            .unwrap_or_else(|| panic!("{} does not load: {errors:#?}", path.display()));
        out.push(Arc::new(loaded));
    }
    assert!(
        out.len()
            >= std::env::var("HS_MIN_SCENARIOS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(5),
        "expected at least five shipped scenarios, found {}",
        out.len()
    );
    out
}

pub(crate) fn by_id(id: &str) -> Arc<LoadedScenario> {
    shipped()
        .into_iter()
        .find(|s| s.scenario.id == id)
        .unwrap_or_else(|| panic!("no scenario {id}"))
}
