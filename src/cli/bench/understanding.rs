//! `holdspace bench understanding`: how well the customer hears trainees, on the
//! development set (`crates/holdspace_understanding/corpus/dev.tsv`, never trained or
//! tuned on): the lexicon alone beside the lexicon with the tuned sentence encoder.
//! Prints a Markdown table for docs/performance.md.

use std::path::Path;

use anyhow::{Result, anyhow};
use holdspace_understanding::corpus::{DEV, TRAIN, load};
use holdspace_understanding::evaluate::Report;

use holdspace::loader::{load_scenario, scenario_paths};

/// Measures and prints. `train` also measures the training files (for reference only:
/// the adapter was fitted to them).
pub fn run(dir: &Path, train: bool) -> Result<()> {
    let mut scenarios = Vec::new();
    for path in scenario_paths(dir)? {
        let id = path.to_string_lossy().into_owned();
        scenarios.push(load_scenario(&id, dir)?);
    }
    let hearing = holdspace::hearing::load(false);
    let mut sets = vec![("development set", load(DEV)?)];
    if train {
        sets.push(("training files (fitted to)", load(TRAIN)?));
    }
    for (name, rows) in sets {
        let lexicon = Report::of(&rows, &scenarios, None).map_err(|e| anyhow!(e))?;
        let tuned = match &hearing {
            Some(h) => {
                Some(Report::of(&rows, &scenarios, Some(h as &dyn holdspace_core::Listener)).map_err(|e| anyhow!(e))?)
            }
            None => None,
        };
        println!("\n### Understanding, {name} ({} utterances)\n", rows.len());
        println!("| measure | lexicon alone | lexicon + tuned encoder |");
        println!("|---|---|---|");
        let with = tuned
            .as_ref()
            .map(|t| t.summary_rows().into_iter().chain(t.intent_rows()).collect::<Vec<_>>());
        for (i, (k, v)) in lexicon
            .summary_rows()
            .into_iter()
            .chain(lexicon.intent_rows())
            .enumerate()
        {
            let other = with
                .as_ref()
                .and_then(|w| w.get(i))
                .map_or("(no encoder)".to_owned(), |(_, v)| v.clone());
            println!("| {k} | {v} | {other} |");
        }
    }
    Ok(())
}
