//! Parsing and checking a scenario source, and the loaded form the engine runs on.

use std::collections::BTreeMap;

use crate::analysis::intent::Intent;
use crate::analysis::lexicon::{Lexicon, LexiconFile};
use crate::scenario::diagnostic::{Diagnostic, offset_of};
use crate::scenario::model::{Cue, Effect, Outcome, Reply, Scenario, Step};
use crate::scenario::validate::validate;

/// A scenario that passed validation, with its lexicon compiled and ids indexed.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedScenario {
    /// The scenario as written.
    pub scenario: Scenario,
    /// The shared lexicon (if extended) plus the scenario's own phrases.
    pub lexicon: Lexicon,
    steps: BTreeMap<String, usize>,
    vocabulary: std::collections::BTreeSet<String>,
}

impl LoadedScenario {
    /// Indexes a scenario. Call [`check`] instead unless the scenario is already validated:
    /// the engine never panics on a bad scenario, but it may end sessions early.
    pub fn new(scenario: Scenario, shared: &Lexicon) -> LoadedScenario {
        let lexicon = Lexicon::for_scenario(shared, &scenario.lexicon);
        let steps = scenario
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let vocabulary = crate::analysis::topic::vocabulary(&scenario);
        LoadedScenario {
            scenario,
            lexicon,
            steps,
            vocabulary,
        }
    }

    /// Content-word stems of everything the scenario is about (its lines, replies,
    /// persona, issue and need): what on-topic talk shares with it.
    pub fn vocabulary(&self) -> &std::collections::BTreeSet<String> {
        &self.vocabulary
    }

    /// Index of a step.
    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.get(id).copied()
    }

    /// A step by id.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.step_index(id).and_then(|i| self.scenario.steps.get(i))
    }

    /// A reply by id, with its step.
    pub fn reply(&self, id: &str) -> Option<(&Step, &Reply)> {
        self.scenario
            .steps
            .iter()
            .find_map(|s| s.replies.iter().find(|r| r.id == id).map(|r| (s, r)))
    }

    /// An outcome by id.
    pub fn outcome(&self, id: &str) -> Option<&Outcome> {
        self.scenario.outcomes.iter().find(|o| o.id == id)
    }

    /// A cue by id.
    pub fn cue(&self, id: &str) -> Option<&Cue> {
        self.scenario.cues.iter().find(|c| c.id == id)
    }

    /// The effect of an intent on this customer.
    pub fn intent_effect(&self, intent: Intent) -> Effect {
        self.scenario
            .intent_effects
            .get(&intent)
            .copied()
            .unwrap_or_else(|| intent.default_effect())
    }
}

/// The result of checking one scenario source.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The loaded scenario, when there were no errors (warnings allowed).
    pub scenario: Option<LoadedScenario>,
    /// Every problem found, errors first, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// RON options for every file authors write: `cue: "x"` may stand for `cue: Some("x")`.
fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// Parses RON into `T`, turning a syntax or shape error into a located diagnostic.
pub fn parse_ron<T: serde::de::DeserializeOwned>(source: &str) -> Result<T, Diagnostic> {
    ron_options().from_str::<T>(source).map_err(|e| {
        let start = offset_of(source, e.span.start.line, e.span.start.col);
        let end = offset_of(source, e.span.end.line, e.span.end.col).max(start);
        let end = if end == start {
            next_char_end(source, start)
        } else {
            end
        };
        let slip = match &e.code {
            ron::Error::NoSuchEnumVariant { expected, found, .. }
            | ron::Error::NoSuchStructField { expected, found, .. } => {
                crate::scenario::suggest::did_you_mean(found, expected.iter().copied())
            }
            _ => None,
        };
        let help = slip.unwrap_or_else(|| {
            "check the brackets, commas and field names around this point against docs/authoring.md".to_owned()
        });
        Diagnostic::error(e.code.to_string(), start..end, "here").with_help(help)
    })
}

fn next_char_end(source: &str, start: usize) -> usize {
    source
        .get(start..)
        .and_then(|s| s.chars().next())
        .map_or(start, |c| start + c.len_utf8())
}

/// Parses and validates a scenario source against the shared lexicon.
pub fn check(source: &str, shared: &Lexicon) -> Checked {
    let scenario: Scenario = match parse_ron(source) {
        Ok(s) => s,
        Err(d) => {
            return Checked {
                scenario: None,
                diagnostics: vec![d],
            };
        }
    };
    let mut diagnostics = validate(&scenario, source);
    let scenario = (!diagnostics.iter().any(Diagnostic::is_error)).then(|| LoadedScenario::new(scenario, shared));
    if let Some(loaded) = &scenario {
        diagnostics.extend(crate::scenario::validate::lexicon_conflicts(loaded, source));
    }
    diagnostics.sort_by_key(|d| (d.severity, d.span.start));
    Checked { scenario, diagnostics }
}

/// Parses the shared lexicon file.
pub fn parse_lexicon(source: &str) -> Result<Lexicon, Diagnostic> {
    let file: LexiconFile = parse_ron(source)?;
    if file.version != crate::scenario::model::FORMAT_VERSION {
        let at = source.find("version").unwrap_or(0);
        return Err(Diagnostic::error(
            format!(
                "lexicon format version {} is not supported (this build reads {})",
                file.version,
                crate::scenario::model::FORMAT_VERSION
            ),
            at..at + 7,
            "version",
        ));
    }
    Ok(Lexicon::from_entries(&file.entries))
}
