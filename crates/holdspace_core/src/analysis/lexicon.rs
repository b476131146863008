//! The intent lexicon: phrases that signal intents, shared in `scenarios/lexicon.ron`
//! and extended per scenario.

use serde::{Deserialize, Serialize};

use crate::analysis::intent::Intent;
use crate::analysis::text::{Clause, words};
use crate::scenario::model::{LexiconEntry, ScenarioLexicon};

/// The shared lexicon file as shipped; used when no `lexicon.ron` sits beside the scenarios.
pub const DEFAULT_LEXICON_RON: &str = include_str!("../../../../scenarios/lexicon.ron");

/// The shared lexicon file (`scenarios/lexicon.ron`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexiconFile {
    /// Format version; must equal [`crate::scenario::model::FORMAT_VERSION`].
    pub version: u32,
    /// Phrase lists.
    pub entries: Vec<LexiconEntry>,
}

/// A phrase ready to match: normalised words, optionally anchored at a sentence start.
#[derive(Debug, Clone, PartialEq)]
struct Pattern {
    words: Vec<String>,
    sentence_start: bool,
    intent: Intent,
}

/// A compiled lexicon: finds intents in a reply.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lexicon {
    patterns: Vec<Pattern>,
}

impl Lexicon {
    /// Compiles phrase lists.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a LexiconEntry>) -> Lexicon {
        let mut lexicon = Lexicon::default();
        lexicon.extend(entries);
        lexicon
    }

    /// The shared lexicon as shipped with this build.
    ///
    /// # Panics
    /// Never for a released build: a test parses the shipped file.
    pub fn builtin() -> Lexicon {
        match ron::from_str::<LexiconFile>(DEFAULT_LEXICON_RON) {
            Ok(file) => Lexicon::from_entries(&file.entries),
            Err(_) => Lexicon::default(),
        }
    }

    /// The lexicon a scenario uses: `shared` (if the scenario extends it) plus its own entries.
    pub fn for_scenario(shared: &Lexicon, own: &ScenarioLexicon) -> Lexicon {
        let mut lexicon = if own.extends_default {
            shared.clone()
        } else {
            Lexicon::default()
        };
        lexicon.extend(&own.entries);
        lexicon
    }

    fn extend<'a>(&mut self, entries: impl IntoIterator<Item = &'a LexiconEntry>) {
        for entry in entries {
            for phrase in &entry.phrases {
                let trimmed = phrase.trim();
                let (sentence_start, body) = match trimmed.strip_prefix('^') {
                    Some(rest) => (true, rest),
                    None => (false, trimmed),
                };
                let words = words(body);
                if !words.is_empty() {
                    self.patterns.push(Pattern {
                        words,
                        sentence_start,
                        intent: entry.intent,
                    });
                }
            }
        }
    }

    /// Number of phrases.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// Whether there are no phrases.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Every phrase found in a clause, with where it starts, in lexicon order. A phrase
    /// marked `^` matches at the clause's start, after any leading "so", "okay", "well".
    pub fn find(&self, clause: &Clause) -> Vec<Hit> {
        let mut found = Vec::new();
        for pattern in &self.patterns {
            let n = pattern.words.len();
            let starts: Vec<usize> = if pattern.sentence_start {
                let core = clause.lead;
                (clause.words.get(core..core + n) == Some(pattern.words.as_slice()))
                    .then_some(core)
                    .into_iter()
                    .collect()
            } else {
                (0..=clause.words.len().saturating_sub(n))
                    .filter(|&i| clause.words.get(i..i + n) == Some(pattern.words.as_slice()))
                    .collect()
            };
            for start in starts {
                found.push(Hit {
                    intent: pattern.intent,
                    phrase: pattern.words.join(" "),
                    start,
                    len: n,
                    anchored: pattern.sentence_start,
                });
            }
        }
        found
    }
}

/// A lexicon phrase found in a clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The intent the phrase signals.
    pub intent: Intent,
    /// The phrase, as normalised words.
    pub phrase: String,
    /// Index of its first word in the clause.
    pub start: usize,
    /// Its length in words.
    pub len: usize,
    /// The phrase must open the clause (`^`).
    pub anchored: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::text::clauses;

    fn found(lex: &Lexicon, text: &str) -> Vec<(Intent, String)> {
        clauses(text)
            .iter()
            .flat_map(|c| lex.find(c))
            .map(|h| (h.intent, h.phrase))
            .collect()
    }

    #[test]
    fn shipped_lexicon_parses_and_covers_every_spoken_intent() {
        let file: LexiconFile = ron::from_str(DEFAULT_LEXICON_RON).expect("scenarios/lexicon.ron parses");
        for intent in Intent::ALL {
            if matches!(intent, Intent::Silence | Intent::Paraphrase | Intent::OffTopic) {
                continue; // detected from the shape, overlap or context, not phrases
            }
            assert!(
                file.entries.iter().any(|e| e.intent == intent && !e.phrases.is_empty()),
                "no phrases for {intent:?}"
            );
        }
    }

    #[test]
    fn finds_phrases_ignoring_case_and_apostrophes() {
        let lex = Lexicon::builtin();
        let found = found(&lex, "Please CALM DOWN. Thats our policy, Im afraid.");
        let intents: Vec<Intent> = found.iter().map(|(i, _)| *i).collect();
        assert!(intents.contains(&Intent::Minimising), "{found:?}");
        assert!(intents.contains(&Intent::PolicyWall), "{found:?}");
    }

    #[test]
    fn anchored_phrases_only_match_sentence_starts() {
        let entry = LexiconEntry {
            intent: Intent::OpenQuestion,
            phrases: vec!["^tell me".into()],
        };
        let lex = Lexicon::from_entries([&entry]);
        assert_eq!(found(&lex, "Tell me more.").len(), 1);
        assert_eq!(found(&lex, "So, okay, tell me more.").len(), 1);
        assert!(found(&lex, "Did she tell me?").is_empty());
    }

    #[test]
    fn scenario_entries_extend_or_replace_the_shared_lexicon() {
        let shared = Lexicon::builtin();
        let own = ScenarioLexicon {
            extends_default: true,
            entries: vec![LexiconEntry {
                intent: Intent::Acknowledge,
                phrases: vec!["fair enough".into()],
            }],
        };
        assert_eq!(Lexicon::for_scenario(&shared, &own).len(), shared.len() + 1);
        let alone = ScenarioLexicon {
            extends_default: false,
            ..own
        };
        assert_eq!(Lexicon::for_scenario(&shared, &alone).len(), 1);
    }
}
