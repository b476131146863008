//! Turn analysis: what a trainee's reply does (intents), how much of the customer's own
//! words it reflects back (paraphrase score), and how it was delivered.

use serde::{Deserialize, Serialize};

use crate::intent::Intent;
use crate::lexicon::Lexicon;
use crate::text::{content_stems, sentences, stem, words};

/// One trainee turn as it reaches the engine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TurnInput {
    /// What the trainee said or typed (empty for silence, or for a click with no words).
    #[serde(default)]
    pub text: String,
    /// The reply id the trainee clicked or the recogniser picked, if any.
    #[serde(default)]
    pub chosen_option: Option<String>,
    /// How it was said; all fields optional because typed replies have no voice.
    #[serde(default)]
    pub delivery: Delivery,
}

impl TurnInput {
    /// A clicked reply.
    pub fn choose(id: impl Into<String>) -> TurnInput {
        TurnInput {
            chosen_option: Some(id.into()),
            ..TurnInput::default()
        }
    }

    /// A typed or spoken reply with no option picked.
    pub fn say(text: impl Into<String>) -> TurnInput {
        TurnInput {
            text: text.into(),
            ..TurnInput::default()
        }
    }
}

/// How a reply was delivered, as measured by the speech pipeline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    /// Speaking rate.
    #[serde(default)]
    pub words_per_min: Option<f32>,
    /// Speech level in dBFS (about −20 for normal speech at a headset microphone).
    #[serde(default)]
    pub loudness_db: Option<f32>,
    /// Seconds between the customer finishing and the trainee starting.
    #[serde(default)]
    pub pause_before_s: Option<f32>,
    /// The trainee started while the customer was still talking.
    #[serde(default)]
    pub interrupted: bool,
    /// Filler words counted by the recogniser ("um", "uh", "you know"); counted from the
    /// text when absent (a click with no words has none).
    #[serde(default)]
    pub fillers: Option<u32>,
    /// Loudness relative to the trainee's own earlier replies in this session, in dB
    /// (positive = louder than their usual). Absent until there is a baseline.
    #[serde(default)]
    pub loudness_vs_baseline_db: Option<f32>,
    /// Spread of the voice's pitch, in semitones (about 2–6 for lively speech; under 1.5
    /// sounds flat).
    #[serde(default)]
    pub pitch_spread_st: Option<f32>,
    /// Where the trainee looked, from the headset's pose (VR only; absent on the desktop).
    #[serde(default)]
    pub gaze: Option<Gaze>,
}

/// Eye contact in one turn, measured from the headset: the share of the time the
/// trainee's head pointed at the customer's face.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gaze {
    /// 0..1 while the customer was speaking (absent if they said nothing this turn).
    #[serde(default)]
    pub while_listening: Option<f32>,
    /// 0..1 from the end of their line until the reply was given.
    #[serde(default)]
    pub while_replying: Option<f32>,
}

impl Gaze {
    /// Below this share of the customer's line spent looking at them, they feel unheard.
    pub const LOOKED_AWAY: f32 = 0.4;
    /// At or above this share, the trainee held eye contact.
    pub const HELD: f32 = 0.7;
}

impl Delivery {
    /// What was measured, in words ("210 words/min", "talked over them"); empty when
    /// nothing was (a clicked or typed reply).
    pub fn describe(&self) -> Vec<String> {
        let mut how = Vec::new();
        if let Some(v) = self.words_per_min {
            how.push(format!("{v:.0} words/min"));
        }
        if let Some(v) = self.loudness_db {
            how.push(format!("{v:.1} dBFS"));
        }
        if let Some(v) = self.loudness_vs_baseline_db.filter(|v| v.abs() >= 3.0) {
            how.push(format!("{v:+.0} dB against your usual"));
        }
        if let Some(v) = self.pitch_spread_st {
            how.push(format!("pitch range {v:.1} semitones"));
        }
        if let Some(v) = self.pause_before_s {
            how.push(format!("{v:.1} s pause first"));
        }
        if self.interrupted {
            how.push("talked over them".to_owned());
        }
        if let Some(f) = self.fillers.filter(|f| *f > 0) {
            how.push(format!("{f} filler word{}", if f == 1 { "" } else { "s" }));
        }
        if let Some(g) = self.gaze {
            let pct = |v: f32| (v.clamp(0.0, 1.0) * 100.0).round();
            match (g.while_listening, g.while_replying) {
                (Some(l), Some(r)) => how.push(format!(
                    "eyes on them {:.0} % while they spoke, {:.0} % while you replied",
                    pct(l),
                    pct(r)
                )),
                (Some(l), None) => how.push(format!("eyes on them {:.0} % while they spoke", pct(l))),
                (None, Some(r)) => how.push(format!("eyes on them {:.0} % while you replied", pct(r))),
                (None, None) => {}
            }
        }
        how
    }
}

/// What the analysis found in one reply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Intents found, sorted, without repeats.
    pub intents: Vec<Intent>,
    /// For each intent found in the words, the phrase or shape that showed it.
    pub evidence: Vec<(Intent, String)>,
    /// 0..1: how much of the customer's key content the reply reflected back.
    pub paraphrase: f32,
    /// The customer's content words the reply reflected.
    pub reflected: Vec<String>,
    /// Filler words counted in the text.
    pub fillers: u32,
    /// Words in the reply.
    pub words: u32,
}

/// Words that open a factual (closed) question even when no phrase in the lexicon matched.
const CLOSED_OPENERS: &[&str] = &[
    "am", "are", "can", "could", "did", "do", "does", "has", "have", "is", "may", "shall", "should", "was", "were",
    "when", "where", "which", "who", "will", "would",
];

/// Single-word fillers.
const FILLER_WORDS: &[&str] = &["ah", "er", "erm", "hmm", "uh", "uhh", "uhm", "um", "umm"];
/// Multi-word fillers.
const FILLER_PHRASES: &[&[&str]] = &[&["you", "know"], &["i", "mean"], &["sort", "of"], &["kind", "of"]];

/// Analyses a reply against what the customer just said.
///
/// `key_points` are the author's words a paraphrase should reflect; when empty, the
/// content words of `customer_line` are used instead.
pub fn analyse(text: &str, lexicon: &Lexicon, customer_line: &str, key_points: &[String]) -> Analysis {
    let sentences = sentences(text);
    let all_words = words(text);
    let mut evidence: Vec<(Intent, String)> = Vec::new();
    let add = |intent: Intent, why: String, evidence: &mut Vec<(Intent, String)>| {
        if !evidence.iter().any(|(i, _)| *i == intent) {
            evidence.push((intent, why));
        }
    };

    for sentence in &sentences {
        let found = lexicon.find(std::slice::from_ref(sentence));
        // When a sentence reads as both, the longer of the first phrases found for each wins
        // (ties go to open): "would you tell me" is open
        // although "would you" opens closed questions; "what's your" asks for a fact.
        let length = |intent: Intent| {
            found
                .iter()
                .find(|(i, _)| *i == intent)
                .map(|(_, p)| p.split(' ').count())
        };
        let (open_len, closed_len) = (length(Intent::OpenQuestion), length(Intent::ClosedQuestion));
        let open_here = open_len.is_some() && open_len >= closed_len;
        for (intent, phrase) in found {
            if intent == Intent::ClosedQuestion && open_here {
                continue;
            }
            if intent == Intent::OpenQuestion && !open_here {
                continue;
            }
            add(intent, format!("\"{phrase}\""), &mut evidence);
        }
        let first = sentence.words.first().map(String::as_str).unwrap_or_default();
        if sentence.question_mark && !open_here && CLOSED_OPENERS.contains(&first) {
            add(
                Intent::ClosedQuestion,
                format!("a question starting \"{first}\""),
                &mut evidence,
            );
        }
    }

    let (paraphrase, reflected) = paraphrase_score(text, customer_line, key_points);
    let signalled = evidence.iter().any(|(i, _)| *i == Intent::Paraphrase);
    if !signalled && reflected.len() >= 2 && paraphrase >= 0.5 {
        add(
            Intent::Paraphrase,
            format!("reflected \"{}\"", reflected.join("\", \"")),
            &mut evidence,
        );
    }
    if all_words.is_empty() {
        add(Intent::Silence, "no words".to_owned(), &mut evidence);
    }

    let mut intents: Vec<Intent> = evidence.iter().map(|(i, _)| *i).collect();
    intents.sort_unstable();
    Analysis {
        intents,
        evidence,
        paraphrase,
        reflected,
        fillers: count_fillers(&all_words),
        words: u32::try_from(all_words.len()).unwrap_or(u32::MAX),
    }
}

/// Scores how much of the customer's content the reply reflects: matched key points
/// over three (or content words over four), capped at 1, so a short, accurate
/// paraphrase scores fully without parroting everything.
pub fn paraphrase_score(text: &str, customer_line: &str, key_points: &[String]) -> (f32, Vec<String>) {
    let said = content_stems(text);
    let mut reflected = Vec::new();
    let denominator = if key_points.is_empty() {
        let target = content_stems(customer_line);
        for stem in &target {
            if said.contains(stem) {
                reflected.push(stem.clone());
            }
        }
        target.len().min(4)
    } else {
        for point in key_points {
            let stems: Vec<String> = words(point).iter().map(|w| stem(w)).collect();
            if stems.iter().any(|s| said.contains(s)) {
                reflected.push(point.clone());
            }
        }
        key_points.len().min(3)
    };
    if denominator == 0 {
        return (0.0, reflected);
    }
    let score = (reflected.len() as f32 / denominator as f32).min(1.0);
    (score, reflected)
}

fn count_fillers(words: &[String]) -> u32 {
    let single = words.iter().filter(|w| FILLER_WORDS.contains(&w.as_str())).count();
    let multi: usize = FILLER_PHRASES
        .iter()
        .map(|phrase| {
            words
                .windows(phrase.len())
                .filter(|w| w.iter().zip(phrase.iter()).all(|(a, b)| a == b))
                .count()
        })
        .sum();
    u32::try_from(single + multi).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intents(text: &str) -> Vec<Intent> {
        analyse(text, &Lexicon::builtin(), "", &[]).intents
    }

    #[test]
    fn recognises_the_moves_contact_centres_teach() {
        assert!(intents("That must be really frustrating for you.").contains(&Intent::AssumptiveEmpathy));
        assert!(intents("Calm down, please.").contains(&Intent::Minimising));
        assert!(intents("I'm afraid it's our policy.").contains(&Intent::PolicyWall));
        assert!(intents("Take your time, there's no rush.").contains(&Intent::TakeYourTime));
        assert!(intents("I'm so sorry.").contains(&Intent::Apology));
        assert!(intents("What's happening on Friday?").contains(&Intent::OpenQuestion));
        assert_eq!(intents("Is your postcode still the same?"), [Intent::ClosedQuestion]);
        assert_eq!(intents(""), [Intent::Silence]);
    }

    #[test]
    fn asking_for_a_fact_is_closed_even_with_what() {
        let found = intents("What's your account number?");
        assert_eq!(found, [Intent::ClosedQuestion]);
    }

    #[test]
    fn would_you_tell_me_is_open_not_closed() {
        let found = intents("Would you tell me a bit more about it?");
        assert!(found.contains(&Intent::OpenQuestion));
        assert!(!found.contains(&Intent::ClosedQuestion));
    }

    #[test]
    fn paraphrase_scores_reflected_content() {
        let customer = "It was meant to arrive on Tuesday and I need it by Friday.";
        let good = analyse(
            "So it should have arrived Tuesday, and Friday is the deadline?",
            &Lexicon::builtin(),
            customer,
            &[],
        );
        assert!(good.paraphrase >= 0.5, "{good:?}");
        assert!(good.intents.contains(&Intent::Paraphrase));
        let generic = analyse("Let me look into that for you.", &Lexicon::builtin(), customer, &[]);
        assert!(generic.paraphrase < 0.3);
        assert!(!generic.intents.contains(&Intent::Paraphrase));
    }

    #[test]
    fn key_points_replace_the_line_as_the_target() {
        let keys = vec!["Friday".to_owned(), "dress".to_owned(), "funeral".to_owned()];
        let (score, reflected) = paraphrase_score("You need the dress for Friday", "whatever", &keys);
        assert_eq!(reflected, ["Friday", "dress"]);
        assert!((score - 2.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn counts_fillers() {
        let a = analyse(
            "Um, so, uh, you know, I mean it's, er, fine",
            &Lexicon::builtin(),
            "",
            &[],
        );
        assert_eq!(a.fillers, 5);
    }
}
