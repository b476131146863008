//! The intent lexicon: phrases that signal intents, shared in `scenarios/lexicon.ron`
//! and extended per scenario.

use serde::{Deserialize, Serialize};

use crate::intent::Intent;
use crate::model::{LexiconEntry, ScenarioLexicon};
use crate::text::{Sentence, contains_phrase, words};

/// The shared lexicon file as shipped; used when no `lexicon.ron` sits beside the scenarios.
pub const DEFAULT_LEXICON_RON: &str = include_str!("../../../scenarios/lexicon.ron");

/// The shared lexicon file (`scenarios/lexicon.ron`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexiconFile {
    /// Format version; must equal [`crate::model::FORMAT_VERSION`].
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

    /// Intents whose phrases occur in the sentences, each with the first phrase that matched,
    /// in lexicon order.
    pub fn find(&self, sentences: &[Sentence]) -> Vec<(Intent, String)> {
        let mut found: Vec<(Intent, String)> = Vec::new();
        for pattern in &self.patterns {
            if found.iter().any(|(i, _)| *i == pattern.intent) {
                continue;
            }
            let hit = sentences.iter().any(|s| {
                if pattern.sentence_start {
                    s.words.starts_with(&pattern.words)
                } else {
                    contains_phrase(&s.words, &pattern.words)
                }
            });
            if hit {
                found.push((pattern.intent, pattern.words.join(" ")));
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::sentences;

    #[test]
    fn shipped_lexicon_parses_and_covers_every_spoken_intent() {
        let file: LexiconFile = ron::from_str(DEFAULT_LEXICON_RON).expect("scenarios/lexicon.ron parses");
        for intent in Intent::ALL {
            if intent == Intent::Silence || intent == Intent::Paraphrase {
                continue; // detected from the text's shape, not phrases
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
        let found = lex.find(&sentences("Please CALM DOWN. Thats our policy, Im afraid."));
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
        assert_eq!(lex.find(&sentences("Tell me more.")).len(), 1);
        assert!(lex.find(&sentences("Did she tell me?")).is_empty());
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
