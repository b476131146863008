//! Turn analysis: what a trainee's reply does (intents), how much of the customer's own
//! words it reflects back (paraphrase score), and how it was delivered.

pub mod delivery;
pub mod disowning;
pub mod intent;
pub mod lexicon;
pub mod matching;
pub mod numbers;
pub mod scope;
pub mod signal;
pub mod spoken;
pub mod text;
pub mod topic;

use serde::{Deserialize, Serialize};

use crate::analysis::intent::Intent;
use crate::analysis::lexicon::{Hit, Lexicon};
use crate::analysis::text::{Clause, clauses, content_stems, is_filler, stem, words};

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
    /// 0..1: how sure the recogniser was of the words (speech only; absent when typed or
    /// clicked). Below [`TurnInput::MISHEARD`], words that match no reply are taken as
    /// misheard rather than meant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// What the sentence encoder heard in the words, computed before the turn reaches
    /// the engine (the core runs no model) and kept with the turn, so a replay decides
    /// the same without the model. Absent when typed words had no encoder (lexicon only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub understanding: Option<Understanding>,
}

/// What the sentence encoder heard in a reply (see `holdspace_understanding`). Every
/// number is rounded to three decimals, so the engine's thresholds decide the same on
/// every machine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Understanding {
    /// Intents heard in its meaning, each with its probability and the nearest labelled
    /// example of that intent (an explanation a trainee can read).
    #[serde(default)]
    pub intents: Vec<HeardIntent>,
    /// Closeness in meaning (0..1) to each reply on offer: its id, the score and the
    /// reply text or example it was closest to.
    #[serde(default)]
    pub replies: Vec<(String, f32, String)>,
    /// Closeness in meaning (0..1) to what the customer had just said.
    #[serde(default)]
    pub reflects: f32,
    /// The harms heard in each statement read alone ([`disowning::statements`] of the
    /// words, in order), when a harm was heard and some statement disowns one: empty
    /// otherwise. Tells "I won't rush you, but that's the process" (a wall after the
    /// disowning) from "I'm not rushing you, I'm staying right here" (none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_statement: Vec<Vec<Intent>>,
    /// The harms the ear hears in an offered reply's own text, for the replies where
    /// they differ from the harms its author listed (its id and the harms heard, perhaps
    /// none). Saying a reply's text must match that reply: "I'll escalate it to a
    /// manager and make sure they call you back" is heard as passing them on, and so is
    /// the trainee who says it; "I just need a yes or no: refund or redelivery?" is
    /// listed as a wall and heard as a plain question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub heard_in_replies: Vec<(String, Vec<Intent>)>,
}

/// One intent the encoder heard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeardIntent {
    /// The intent.
    pub intent: Intent,
    /// Its probability, 0..1.
    pub probability: f32,
    /// The nearest labelled example of it, and how close (0..1).
    #[serde(default)]
    pub like: Option<(String, f32)>,
}

impl TurnInput {
    /// Recognition confidence below which unmatched words count as misheard. Whisper
    /// tiny.en's mean token probability was 0.60–0.92 on 36 clear synthetic replies
    /// (some with a wrong word), 0.61 and up on 23 more said at a fifth of the loudness,
    /// and 0.21–0.48 on noise and 400-words-a-minute gabble; a quiet "mm hmm er well"
    /// came out as "and I'm familiar well" at 0.51 with the offered replies as the prompt.
    /// The line sits in the gap between.
    pub const MISHEARD: f32 = 0.55;

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
    /// The customer cut in after the trainee had talked this many seconds without
    /// stopping (a hostile customer who had heard enough).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut_off_after_s: Option<f32>,
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
        if let Some(s) = self.cut_off_after_s {
            how.push(format!("cut off after {s:.0} s of talk"));
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

/// Which layer of understanding decided that an intent was there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Layer {
    /// A phrase of the lexicon, in scope (not negated or reported).
    Lexicon,
    /// The shape of a clause: a question's first word, a refusal, "why didn't you…",
    /// a reply of nothing but fillers.
    Shape,
    /// The customer's own content reflected back.
    Overlap,
    /// The option the trainee clicked or the recogniser picked.
    Option,
    /// The moment: off-topic talk, judged against what the scenario is about.
    Context,
    /// The sentence encoder: the nearest labelled examples in meaning.
    Encoder,
}

impl Layer {
    /// Plain words for explanations ("heard from the words").
    pub fn describe(self) -> &'static str {
        match self {
            Layer::Lexicon => "a phrase",
            Layer::Shape => "how it was put",
            Layer::Overlap => "their words reflected",
            Layer::Option => "the option chosen",
            Layer::Context => "the moment",
            Layer::Encoder => "its meaning",
        }
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
    /// For each intent found, the layer that decided it (absent in records made before
    /// layers were recorded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<(Intent, Layer)>,
    /// Phrases heard but not counted, and why ("calm down", negated by "not").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_aside: Vec<(Intent, String)>,
    /// Helpful moves that a later "but" took back ("I'm sorry, but that's our policy"):
    /// they count for half.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undercut: Vec<Intent>,
    /// Why free words were taken as one of the replies on offer, when they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched: Option<MatchEvidence>,
    /// The recogniser was not sure what it heard: the customer asked "Sorry?" and the
    /// turn moved nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub misheard: bool,
    /// The trainee said they were saying it again ("like I said"): these words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeats: Option<String>,
}

/// Why free words were taken as an authored reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchEvidence {
    /// The reply's id.
    pub reply: String,
    /// 0..1: how close in meaning (rounded to 3 decimals, so the decision is the same on
    /// every machine).
    pub similarity: f32,
    /// The reply's text or example it was closest to.
    pub like: String,
    /// The layer that judged it.
    pub layer: Layer,
}

impl Analysis {
    /// The probability the encoder needs to add a move that contradicts what the phrases
    /// and shapes heard.
    pub const SURE_AGAINST: f32 = 0.6;

    /// Records an intent with its evidence and layer, once (the first evidence stands).
    pub fn add(&mut self, intent: Intent, layer: Layer, why: String) {
        if !self.evidence.iter().any(|(i, _)| *i == intent) {
            self.evidence.push((intent, why));
            self.layers.push((intent, layer));
            self.intents.push(intent);
            self.intents.sort_unstable();
        }
    }

    /// Removes an intent and its evidence.
    pub fn remove(&mut self, intent: Intent) {
        self.intents.retain(|i| *i != intent);
        self.evidence.retain(|(i, _)| *i != intent);
        self.layers.retain(|(i, _)| *i != intent);
        self.undercut.retain(|i| *i != intent);
    }

    /// The layer that decided an intent, if recorded.
    pub fn layer_of(&self, intent: Intent) -> Option<Layer> {
        self.layers.iter().find(|(i, _)| *i == intent).map(|(_, l)| *l)
    }

    /// The evidence for an intent, if any.
    pub fn evidence_for(&self, intent: Intent) -> Option<&str> {
        self.evidence
            .iter()
            .find(|(i, _)| *i == intent)
            .map(|(_, e)| e.as_str())
    }

    /// Adds what the sentence encoder heard: intents the phrases and shapes did not find,
    /// unless the words negated or reported them ("I'm not going to tell you to calm
    /// down" stays free of minimising whatever the encoder thinks). A question's kind
    /// read from its first word gives way to the encoder's reading. A harm heard only in
    /// statements of `text` that disown it ("I'm not passing you on") is set aside
    /// ([`disowning`]).
    pub fn hear_meaning(&mut self, text: &str, understanding: &Understanding) {
        let statements = disowning::statements(text);
        // An acknowledgement read from a disowned harm stands for want of anything else:
        // the encoder's reading comes first ("I won't rush you, what would help?" asks),
        // and it is read again after.
        if self
            .evidence_for(Intent::Acknowledge)
            .is_some_and(|e| e.starts_with(DISOWNING))
        {
            self.remove(Intent::Acknowledge);
        }
        // What the phrases and shapes heard is precise; the encoder fills gaps. Where it
        // contradicts them (a harm in a reply they heard only help in, or the reverse) it
        // must be sure.
        // Only a close reflection of their own words counts as help heard for sure ("I
        // understand, but…" is no evidence against a harm).
        let helpful = self.intents.contains(&Intent::Paraphrase) && self.paraphrase >= 0.75;
        let harmful = self.has_harm();
        // A trainee who disowns a harm ("I'm not going to tell you it's only a fee") is
        // careful with words; the encoder reads the harm's words but not the "not".
        let disowned = self.set_aside.iter().any(|(i, _)| i.is_harmful());
        // "I'll have to pass you over to security" sounds like a refusal to the encoder;
        // the handing over is the harm, and only the words may add a wall to it ("I'm not
        // authorised to, so I'll put you through").
        let sure_of = |wanted: Intent| {
            understanding
                .intents
                .iter()
                .find(|h| h.intent == wanted)
                .map(|h| h.probability)
        };
        let passing_on = if self.intents.contains(&Intent::Transfer) {
            Some(1.0)
        } else {
            sure_of(Intent::Transfer)
        };
        // Read once for the rules below: the words, whether they name the customer or
        // take the fault, and whether the phrases and shapes heard help (the encoder's
        // own additions are not phrases, so this holds for the whole loop).
        let said = words(text);
        let names_customer = said.iter().any(|w| SECOND_PERSON.contains(&w.as_str()));
        let owned = owns_fault(text);
        let helped_in_words = self
            .intents
            .iter()
            .any(|i| i.is_helpful() && matches!(self.layer_of(*i), Some(Layer::Lexicon | Layer::Shape)));
        for heard in &understanding.intents {
            let intent = heard.intent;
            if intent == Intent::PolicyWall && passing_on.is_some_and(|p| p >= heard.probability) {
                continue;
            }
            // The words offer to do something and refuse nothing: a wall the encoder
            // half-hears in "what we can do instead is…" must be sure.
            if intent == Intent::PolicyWall
                && self.layer_of(Intent::Solution) == Some(Layer::Shape)
                && !self
                    .set_aside
                    .iter()
                    .any(|(i, w)| *i == Intent::Solution && w.starts_with("refused"))
                && heard.probability < Self::SURE_AGAINST
            {
                continue;
            }
            let contradicts = intent.is_harmful() && helpful && !harmful;
            if contradicts && heard.probability < Self::SURE_AGAINST {
                continue;
            }
            if intent.is_harmful() && disowned && !harmful {
                continue;
            }
            // Blame points at the customer: in words that never name them and that the
            // phrases heard as help ("the tracking says out for delivery, but that's not
            // good enough" owns a failure) it must be sure. Without the help it may be
            // blame by implication ("there needed to be money in the account"). Nor is
            // the trainee who takes the fault ("…and it wasn't, that's on us") unsurely
            // blaming the customer for it.
            if intent == Intent::Blame
                && !self.intents.contains(&intent)
                && heard.probability < Self::SURE_AGAINST
                && ((helped_in_words && !names_customer) || owned)
            {
                continue;
            }
            // Passing someone on needs somewhere to pass them: "it'll be on its way within
            // the hour, you'll have it Thursday" names nobody else, whatever it sounds like.
            if intent == Intent::Transfer && !self.intents.contains(&intent) && !points_elsewhere(&said) {
                continue;
            }
            // Asking about what the customer just said is not off-topic ("Jean sounds like
            // she was a lovely lady"), unless the encoder is sure.
            if intent == Intent::OffTopic && !self.reflected.is_empty() && heard.probability < Self::SURE_AGAINST {
                continue;
            }
            // Nor is warmth the words name as help ("I'm not going anywhere, Arthur, I'm
            // happy to have a chat"): the encoder must be sure it left the call. An
            // acknowledgement's words are too common to say so ("is that a dog I can hear?").
            let helped_by_words = self
                .intents
                .iter()
                .any(|i| i.is_helpful() && *i != Intent::Acknowledge && self.layer_of(*i) == Some(Layer::Lexicon));
            if intent == Intent::OffTopic && helped_by_words && !harmful && heard.probability < Self::SURE_AGAINST {
                continue;
            }
            // Nor is a harm done to the customer's own problem ("it's only sixty-three
            // quid, everyone's bill goes up in the winter" minimises the bill, whatever the
            // weather in it sounds like), heard in the words or more surely than leaving
            // the call: the reply is about the call.
            let surer_harm = understanding
                .intents
                .iter()
                .any(|h| h.intent.is_harmful() && h.intent != Intent::OffTopic && h.probability > heard.probability);
            if intent == Intent::OffTopic && (harmful || surer_harm) && heard.probability < Self::SURE_AGAINST {
                continue;
            }
            if intent.is_harmful()
                && !self.intents.contains(&intent)
                && let Some(by) = only_where_disowned(intent, &statements, &understanding.by_statement)
            {
                if !self.set_aside.iter().any(|(i, _)| *i == intent) {
                    self.set_aside
                        .push((intent, format!("heard only where it was disowned (\"{by}\")")));
                }
                continue;
            }
            if self.intents.contains(&intent)
                || intent == Intent::Silence
                || self.set_aside.iter().any(|(i, _)| *i == intent)
                || (self.intents.contains(&Intent::Silence) && self.words == 0)
            {
                continue;
            }
            if intent == Intent::OpenQuestion {
                if self.layer_of(Intent::ClosedQuestion) == Some(Layer::Shape) {
                    self.remove(Intent::ClosedQuestion);
                } else if self.intents.contains(&Intent::ClosedQuestion) || self.intents.contains(&Intent::Blame) {
                    continue;
                }
            }
            if intent == Intent::ClosedQuestion && self.intents.contains(&Intent::OpenQuestion) {
                continue;
            }
            // "Um, right" is a non-answer by its shape; a move the encoder hears in it is not.
            if self.intents == [Intent::Silence] {
                continue;
            }
            let why = match &heard.like {
                Some((example, _)) => format!("like \"{example}\" ({:.0} % sure)", heard.probability * 100.0),
                None => format!("{:.0} % sure", heard.probability * 100.0),
            };
            self.add(intent, Layer::Encoder, why);
        }
        self.drop_reflected_refusal();
        // Read again now that the encoder has spoken: its moves come first.
        self.acknowledge_disowning(&statements);
    }

    /// A reply whose only move is to disown a harm ("you didn't do anything wrong", "calm
    /// down is the last thing I'd say", "I won't pretend to know what it's been like")
    /// acknowledges the customer: the labelling guide's reading of these, and how they
    /// land.
    fn acknowledge_disowning(&mut self, statements: &[disowning::Statement]) {
        if self.intents.iter().any(|i| i.is_helpful() || i.is_harmful()) {
            return;
        }
        let disowned = statements
            .iter()
            .find_map(|s| s.disowns.clone())
            .map(|words| format!("\"{words} …\""))
            .or_else(|| {
                self.set_aside
                    .iter()
                    .find(|(i, why)| {
                        // "Not" and "never" disown; "no fault found" states a finding.
                        i.is_harmful()
                            && ["negated by \"not\"", "negated by \"never\"", "the last thing"]
                                .iter()
                                .any(|n| why.contains(n))
                    })
                    .map(|(_, why)| why.clone())
            });
        if let Some(words) = disowned {
            self.add(Intent::Acknowledge, Layer::Shape, format!("{DISOWNING}{words}"));
        }
    }

    /// "So you can't get into your banking, and the deadline's today": a refusal whose
    /// subject is the customer, said while reflecting what they said, is their situation
    /// given back, not a rule.
    fn drop_reflected_refusal(&mut self) {
        if self.intents.contains(&Intent::Paraphrase)
            && self.layer_of(Intent::PolicyWall) == Some(Layer::Shape)
            && self
                .evidence_for(Intent::PolicyWall)
                .is_some_and(|e| e.starts_with(REFUSED_BY_YOU))
        {
            self.remove(Intent::PolicyWall);
            self.set_aside.push((
                Intent::PolicyWall,
                "their own situation said back (\"you can't …\" while reflecting)".to_owned(),
            ));
        }
    }

    /// Whether any harmful move was heard.
    pub fn has_harm(&self) -> bool {
        self.intents.iter().any(|i| i.is_harmful())
    }
}

/// When `intent` was heard only in statements that disown it, the words that disowned
/// it. When every statement disowns, the whole reading is theirs; otherwise the encoder's
/// reading of each alone (`by_statement`) says where the harm is, and without that
/// reading the harm stands.
fn only_where_disowned(
    intent: Intent,
    statements: &[disowning::Statement],
    by_statement: &[Vec<Intent>],
) -> Option<String> {
    let first = statements.iter().find_map(|s| s.disowns.clone())?;
    let everywhere = statements.iter().all(|s| s.disowns.is_some());
    let read_alone = by_statement.len() == statements.len();
    let only_there = read_alone
        && statements
            .iter()
            .zip(by_statement)
            .all(|(s, heard)| s.disowns.is_some() || !heard.contains(&intent));
    (everywhere || only_there).then_some(first)
}

/// How the evidence begins for an acknowledgement read from a disowned harm.
const DISOWNING: &str = "disowning a harm: ";

/// How a refusal's evidence begins (its words follow, in quotes).
const REFUSAL: &str = "a refusal: ";
/// The evidence of a refusal whose subject is the customer ("you can't get in").
const REFUSED_BY_YOU: &str = "a refusal: \"you ";

/// Words that open a factual (closed) question even when no phrase in the lexicon matched.
const CLOSED_OPENERS: &[&str] = &[
    "am", "are", "can", "could", "did", "do", "does", "has", "have", "is", "may", "shall", "should", "was", "were",
    "when", "where", "which", "who", "will", "would",
];

/// Words that name or point to someone or somewhere else: every way of passing a
/// customer on in the training files has one ("the fraud team", "my supervisor", "their
/// number", "speak to customer relations", "a bereavement charity").
const ELSEWHERE: &[&str] = &[
    "across",
    "advice",
    "agency",
    "another",
    "app",
    "bank",
    "banks",
    "billing",
    "branch",
    "charity",
    "colleague",
    "colleagues",
    "collections",
    "company",
    "complaints",
    "courier",
    "department",
    "departments",
    "depot",
    "desk",
    "else",
    "elsewhere",
    "email",
    "engineer",
    "engineers",
    "guys",
    "lads",
    "line",
    "lot",
    "manager",
    "managers",
    "number",
    "office",
    "ombudsman",
    "online",
    "other",
    "over",
    "people",
    "provider",
    "refer",
    "referral",
    "relations",
    "security",
    "service",
    "side",
    "somebody",
    "someone",
    "speak",
    "speaking",
    "specialist",
    "specialists",
    "supervisor",
    "support",
    "talk",
    "talking",
    "team",
    "teams",
    "tech",
    "technical",
    "their",
    "them",
    "they",
    "theyll",
    "theyre",
    "through",
    "transfer",
    "transferring",
    "unit",
    "website",
];

/// Whether a word points to someone or somewhere else (see [`ELSEWHERE`]).
fn elsewhere(word: &str) -> bool {
    ELSEWHERE.binary_search(&word).is_ok()
}

/// Whether the words point to someone or somewhere else the customer is passed to. Three
/// of [`ELSEWHERE`]'s words also have other uses: "through" passes someone on only as
/// "put you through" ("I'll send the payment through" does not), an engineer the
/// trainee books or sends comes to the customer ("I can book an engineer for Thursday"),
/// and "email you" is the trainee writing to them ("email them" passes them on).
fn points_elsewhere(words: &[String]) -> bool {
    words.iter().enumerate().any(|(i, w)| {
        let before = &words[i.saturating_sub(3)..i];
        match w.as_str() {
            "through" => before
                .last()
                .is_some_and(|b| matches!(b.as_str(), "you" | "them" | "him" | "her")),
            "engineer" | "engineers" => !before.iter().any(|b| {
                matches!(
                    b.as_str(),
                    "book" | "booked" | "booking" | "send" | "sending" | "arrange" | "arranged" | "get" | "getting"
                )
            }),
            // "I'll email you the new price" is the trainee writing to them.
            "email" => words.get(i + 1).is_none_or(|n| n != "you"),
            _ => elsewhere(w),
        }
    })
}

/// Words that take the fault for the company.
const OWNING: &[&[&str]] = &[
    &["that", "is", "on", "us"],
    &["our", "fault"],
    &["our", "mistake"],
    &["we", "got", "it", "wrong"],
    &["we", "got", "that", "wrong"],
    &["we", "messed", "up"],
    &["we", "let", "you", "down"],
];

/// Whether a clause of `text` takes the fault for the company ([`OWNING`]); "it's not
/// our fault" denies it.
fn owns_fault(text: &str) -> bool {
    clauses(text).iter().any(|c| {
        let w = &c.words;
        OWNING.iter().any(|o| {
            w.windows(o.len()).enumerate().any(|(i, x)| {
                x.iter().zip(o.iter()).all(|(a, b)| a == b) && !(i > 0 && matches!(w[i - 1].as_str(), "not" | "never"))
            })
        })
    })
}

/// The words that name the customer.
const SECOND_PERSON: &[&str] = &[
    "you", "youd", "youll", "your", "youre", "yours", "yourself", "youve", "ya",
];

/// Single-word fillers.
const FILLER_WORDS: &[&str] = &["ah", "er", "erm", "hmm", "uh", "uhh", "uhm", "um", "umm"];
/// Multi-word fillers.
const FILLER_PHRASES: &[&[&str]] = &[&["you", "know"], &["i", "mean"], &["sort", "of"], &["kind", "of"]];

/// Analyses a reply against what the customer just said.
///
/// Each clause is read on its own: lexicon phrases in scope (a negation or a report
/// before them sets them aside), then the clause's shape (questions, refusals,
/// blaming "why" questions). A "but" followed by a harmful move takes back the helpful
/// moves before it. `key_points` are the author's words a paraphrase should reflect;
/// when empty, the content words of `customer_line` are used instead.
pub fn analyse(text: &str, lexicon: &Lexicon, customer_line: &str, key_points: &[String]) -> Analysis {
    let clauses = clauses(text);
    let all_words = words(text);
    let mut a = Analysis::default();
    // (sentence, after_contrast, intent) for the "but" rule.
    let mut placed: Vec<(usize, bool, Intent)> = Vec::new();

    for (k, clause) in clauses.iter().enumerate() {
        let mut here: Vec<(Intent, Layer, String)> = Vec::new();
        // What this clause's own words disowned: "I'm not saying it's your fault, but you
        // needed to update the card" disowns blame in one clause and blames in the next.
        let mut aside_here: Vec<Intent> = Vec::new();
        for hit in longest_hits(lexicon.find(clause)) {
            match scope::set_aside(clause, &hit) {
                // Not that move at all ("you should have it Thursday"): nothing was
                // disowned, so the encoder's reading still counts.
                Some(scope::SetAside::Meant(_)) => {}
                Some(why) => {
                    aside_here.push(hit.intent);
                    if !a.set_aside.iter().any(|(i, _)| *i == hit.intent) {
                        a.set_aside
                            .push((hit.intent, format!("\"{}\" ({})", hit.phrase, why.describe())));
                    }
                }
                None => here.push((hit.intent, Layer::Lexicon, format!("\"{}\"", hit.phrase))),
            }
        }
        let refused = scope::refusal(clause);
        if let Some(words) = &refused {
            here.push((Intent::PolicyWall, Layer::Shape, format!("{REFUSAL}\"{words}\"")));
            // "I can't send it today" refuses the fix it names: no phrase or encoder may
            // hear that fix as offered.
            here.retain(|(i, _, _)| *i != Intent::Solution);
            if !a.set_aside.iter().any(|(i, _)| *i == Intent::Solution) {
                a.set_aside.push((Intent::Solution, format!("refused (\"{words}\")")));
            }
        }
        if let Some(words) = scope::should_have(clause)
            && !here.iter().any(|(i, _, _)| *i == Intent::Blame)
            && !aside_here.contains(&Intent::Blame)
            && !clause
                .words
                .iter()
                .take(3)
                .take_while(|w| *w != "you")
                .any(|w| w == "not" || w == "never")
        {
            here.push((
                Intent::Blame,
                Layer::Shape,
                format!("telling them what they should have done: \"{words}\""),
            ));
        }
        if let Some(words) = scope::offer(clause)
            && refused.is_none()
            && !here.iter().any(|(i, _, _)| *i == Intent::Solution)
        {
            here.push((Intent::Solution, Layer::Shape, format!("an offer: \"{words}\"")));
        }
        let faults: [(fn(&Clause) -> Option<String>, &str); 2] = [
            (scope::failed_to, "what they failed to do"),
            (scope::did_wrong, "what they did wrong"),
        ];
        for (shape, what) in faults {
            if !here.iter().any(|(i, _, _)| *i == Intent::Blame)
                && let Some(words) = shape(clause)
            {
                here.push((Intent::Blame, Layer::Shape, format!("telling them {what}: \"{words}\"")));
            }
        }
        // "I'm not saying you're lying, but it shows as delivered": the disclaimer says
        // it, unless what follows the "but" is the trainee helping ("…, but I'll sort it").
        let accusing_after = clauses.get(k + 1).is_some_and(|next| {
            next.after_contrast
                && next.sentence == clause.sentence
                && !next
                    .words
                    .first()
                    .is_some_and(|w| matches!(w.as_str(), "i" | "we" | "let" | "ill" | "well" | "lets"))
        });
        if accusing_after
            && !here.iter().any(|(i, _, _)| *i == Intent::Blame)
            && let Some(words) = scope::disclaimed_blame(clause)
        {
            here.push((
                Intent::Blame,
                Layer::Shape,
                format!("a disclaimer before a \"but\": \"{words} …, but\""),
            ));
        }
        if let Some(words) = scope::blaming_question(clause) {
            here.push((
                Intent::Blame,
                Layer::Shape,
                format!("a question that blames: \"{words}\""),
            ));
            here.retain(|(i, _, _)| !matches!(i, Intent::OpenQuestion | Intent::ClosedQuestion));
        }
        resolve_question(clause, &mut here);
        for (intent, layer, why) in here {
            placed.push((clause.sentence, clause.after_contrast, intent));
            a.add(intent, layer, why);
        }
    }

    // "You've been patient, but it's only a dress": the harm after the "but" is what lands.
    for &(sentence, _, intent) in placed.iter().filter(|(_, after, i)| !after && i.is_helpful()) {
        let harm_after = placed
            .iter()
            .any(|(s, after, i)| *s == sentence && *after && i.is_harmful());
        let also_after = placed
            .iter()
            .any(|(s, after, i)| *s == sentence && *after && *i == intent);
        if harm_after && !also_after && !a.undercut.contains(&intent) {
            a.undercut.push(intent);
        }
    }

    let (paraphrase, reflected) = paraphrase_score(text, customer_line, key_points);
    a.paraphrase = paraphrase;
    a.reflected = reflected;
    // Their own words turned against them are blame, not reflection.
    let signalled = a.intents.contains(&Intent::Paraphrase);
    if !signalled && !a.intents.contains(&Intent::Blame) && a.reflected.len() >= 2 && paraphrase >= 0.5 {
        let why = format!("reflected \"{}\"", a.reflected.join("\", \""));
        a.add(Intent::Paraphrase, Layer::Overlap, why);
    }
    if all_words.is_empty() {
        a.add(Intent::Silence, Layer::Shape, "no words".to_owned());
    } else if all_words
        .iter()
        .all(|w| is_filler(w) || FILLER_WORDS.contains(&w.as_str()))
        && a.intents.is_empty()
    {
        a.add(
            Intent::Silence,
            Layer::Shape,
            format!("only filler words (\"{}\"): a non-answer", all_words.join(" ")),
        );
    }
    a.acknowledge_disowning(&disowning::statements(text));
    a.fillers = count_fillers(&all_words);
    a.words = u32::try_from(all_words.len()).unwrap_or(u32::MAX);
    a.repeats = scope::repeating(&all_words);
    a
}

/// Where phrases of different intents overlap, the longer one is what was said: "I
/// understand how you feel" is assumptive empathy, not the "I understand" inside it.
/// Equal lengths both stand.
fn longest_hits(hits: Vec<Hit>) -> Vec<Hit> {
    let overlaps = |a: &Hit, b: &Hit| a.start < b.start + b.len && b.start < a.start + a.len;
    hits.iter()
        .filter(|h| {
            !hits
                .iter()
                .any(|o| o.intent != h.intent && o.len > h.len && overlaps(o, h))
        })
        .cloned()
        .collect()
}

/// Decides open or closed for one clause. When a clause reads as both, the longer of
/// the phrases wins (ties go to open): "would you tell me" is open although "would you"
/// opens closed questions; "can you tell me your" asks for a fact. A question whose
/// first word asks for a fact is closed when no phrase said otherwise.
fn resolve_question(clause: &Clause, here: &mut Vec<(Intent, Layer, String)>) {
    // "What we can do instead is verify you by text": a statement of what will be done,
    // shaped like a question only in its first word.
    if scope::cleft_offer(clause).is_some() {
        here.retain(|(i, _, _)| !matches!(i, Intent::OpenQuestion | Intent::ClosedQuestion));
        return;
    }
    let length = |intent: Intent, here: &[(Intent, Layer, String)]| {
        here.iter()
            .filter(|(i, _, _)| *i == intent)
            .map(|(_, _, p)| p.split(' ').count())
            .max()
    };
    let (open_len, closed_len) = (length(Intent::OpenQuestion, here), length(Intent::ClosedQuestion, here));
    let open_here = open_len.is_some() && open_len >= closed_len;
    here.retain(|(i, _, _)| match i {
        Intent::ClosedQuestion => !open_here,
        Intent::OpenQuestion => open_here,
        _ => true,
    });
    let first = clause.core().first().map(String::as_str).unwrap_or_default();
    let blamed = here.iter().any(|(i, _, _)| *i == Intent::Blame);
    if clause.in_question && !open_here && !blamed && closed_len.is_none() && CLOSED_OPENERS.contains(&first) {
        here.push((
            Intent::ClosedQuestion,
            Layer::Shape,
            format!("a question starting \"{first}\""),
        ));
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

    // The failure families seen when trainees spoke naturally (issue: understanding).

    #[test]
    fn negated_harm_is_not_heard_as_harm() {
        let heard = intents("I'm not going to tell you to calm down, you've every right to be upset.");
        assert!(!heard.contains(&Intent::Minimising), "{heard:?}");
        assert!(heard.contains(&Intent::Acknowledge), "{heard:?}");
        assert!(!intents("I won't pass you on to anyone else").contains(&Intent::Transfer));
        assert!(!intents("I'd never say it was your fault").contains(&Intent::Blame));
    }

    #[test]
    fn reported_words_are_not_said() {
        let heard = intents("It doesn't sound like it's just a deposit to you.");
        assert!(!heard.contains(&Intent::Minimising), "{heard:?}");
        let heard = intents("You said it's just a dress, but it sounds like it's more than that.");
        assert!(!heard.contains(&Intent::Minimising), "{heard:?}");
    }

    #[test]
    fn taking_the_fault_off_them_is_acknowledging_and_how_a_fault_happens_is_no_shrug() {
        let heard = intents("you weren't to know the card had expired, it happens without any warning");
        assert_eq!(heard, vec![Intent::Acknowledge]);
        let heard = intents("it happens, these things do");
        assert!(heard.contains(&Intent::Minimising), "{heard:?}");
    }

    #[test]
    fn a_disowned_harm_is_not_heard_again_from_its_meaning() {
        let text = "It doesn't sound like it's just a fee to you.";
        let mut a = analyse(text, &Lexicon::builtin(), "", &[]);
        // The encoder reads "fee" and "not" and hears a wall; the words said none.
        a.hear_meaning(
            text,
            &Understanding {
                intents: vec![
                    HeardIntent {
                        intent: Intent::PolicyWall,
                        probability: 0.97,
                        like: None,
                    },
                    HeardIntent {
                        intent: Intent::Acknowledge,
                        probability: 0.8,
                        like: None,
                    },
                ],
                ..Understanding::default()
            },
        );
        assert_eq!(a.intents, vec![Intent::Acknowledge]);
    }

    fn heard(intent: Intent, probability: f32) -> HeardIntent {
        HeardIntent {
            intent,
            probability,
            like: None,
        }
    }

    /// The intents heard in `text` when the encoder hears `intents` in it.
    fn with_encoder(text: &str, intents: Vec<HeardIntent>) -> Vec<Intent> {
        let mut a = analyse(text, &Lexicon::builtin(), "", &[]);
        a.hear_meaning(
            text,
            &Understanding {
                intents,
                ..Understanding::default()
            },
        );
        a.intents
    }

    #[test]
    fn warmth_the_words_name_as_help_is_not_off_topic_unless_the_encoder_is_sure() {
        let hear = |text: &str, p: f32| with_encoder(text, vec![heard(Intent::OffTopic, p)]);
        let warm = hear("I'm not going anywhere, Arthur, I'm happy to have a chat", 0.18);
        assert!(!warm.contains(&Intent::OffTopic), "{warm:?}");
        assert!(warm.contains(&Intent::TakeYourTime), "{warm:?}");
        // Sure it left the call: off-topic, whatever kindness came first.
        let chat = hear("take your time, did you see the match last night?", 0.9);
        assert!(chat.contains(&Intent::OffTopic), "{chat:?}");
        // "I can hear" acknowledges in words too common to vouch for the topic.
        let dog = hear("sorry quick one is that a dog I can hear in the background", 0.3);
        assert!(dog.contains(&Intent::OffTopic), "{dog:?}");
    }

    #[test]
    fn a_harm_done_to_the_customers_own_problem_is_not_also_off_topic() {
        let hear = |text: &str, p: f32| with_encoder(text, vec![heard(Intent::OffTopic, p)]);
        let winter = hear(
            "honestly it's only sixty three quid and everyone's bill goes up in the winter",
            0.13,
        );
        assert!(winter.contains(&Intent::Minimising), "{winter:?}");
        assert!(!winter.contains(&Intent::OffTopic), "{winter:?}");
        // Sure it left the call: both.
        let match_talk = hear("calm down, did you see the match last night?", 0.9);
        assert!(match_talk.contains(&Intent::OffTopic), "{match_talk:?}");
        // The encoder surer of the harm than of leaving the call.
        let deposit = "If you do miss it, agents usually hold things for a day or two anyway.";
        let surer = with_encoder(
            deposit,
            vec![heard(Intent::Minimising, 0.64), heard(Intent::OffTopic, 0.1)],
        );
        assert!(surer.contains(&Intent::Minimising), "{surer:?}");
        assert!(!surer.contains(&Intent::OffTopic), "{surer:?}");
        let unsure = with_encoder(
            deposit,
            vec![heard(Intent::Minimising, 0.2), heard(Intent::OffTopic, 0.3)],
        );
        assert!(unsure.contains(&Intent::OffTopic), "{unsure:?}");
    }

    #[test]
    fn a_transfer_is_not_also_a_wall_unless_the_words_or_a_surer_reading_say_so() {
        let hear = |text: &str, understood: Vec<HeardIntent>| {
            let mut a = analyse(text, &Lexicon::builtin(), "", &[]);
            a.hear_meaning(
                text,
                &Understanding {
                    intents: understood,
                    ..Understanding::default()
                },
            );
            a.intents
        };
        // The encoder hears "I'll have to pass you over" as a refusal too.
        let passed = hear(
            "sorry, I'll have to pass you over to security for this one",
            vec![heard(Intent::Transfer, 0.93), heard(Intent::PolicyWall, 0.87)],
        );
        assert!(passed.contains(&Intent::Transfer), "{passed:?}");
        assert!(!passed.contains(&Intent::PolicyWall), "{passed:?}");
        // Surer of the wall than of the handing over: both.
        let both = hear(
            "that has to go to billing, they'll ring you",
            vec![heard(Intent::Transfer, 0.6), heard(Intent::PolicyWall, 0.9)],
        );
        assert!(both.contains(&Intent::PolicyWall), "{both:?}");
        // A refusal in the words stands whatever the encoder says.
        let refused = hear(
            "I'm not authorised to unlock it, so I'll put you through",
            vec![heard(Intent::Transfer, 0.95)],
        );
        assert!(refused.contains(&Intent::PolicyWall), "{refused:?}");
    }

    #[test]
    fn blame_words_that_go_on_to_a_promise_or_an_offer_are_not_blame() {
        for said in [
            "I'm sorry about all this, I'll ship a replacement today and you should have it Thursday",
            "you should have been listened to the first time",
            "you should've been told about the fee",
            "I can see if a supervisor's free, if you'd rather talk to them",
            "it's only a dress, you must have something else in the wardrobe",
        ] {
            assert!(!intents(said).contains(&Intent::Blame), "{said}: {:?}", intents(said));
        }
        for said in [
            "you should have checked the tracking",
            "you should have been more careful with your passcode",
            "you really should have it set up properly by now",
        ] {
            assert!(intents(said).contains(&Intent::Blame), "{said}: {:?}", intents(said));
        }
    }

    #[test]
    fn their_own_situation_said_back_is_not_a_refusal() {
        let text = "so you can't get into your banking, the deadline's today, and the reader is at home";
        let mut a = analyse(text, &Lexicon::builtin(), "", &[]);
        a.hear_meaning(
            text,
            &Understanding {
                intents: vec![heard(Intent::Paraphrase, 0.99)],
                ..Understanding::default()
            },
        );
        assert_eq!(a.intents, vec![Intent::Paraphrase], "{:?}", a.evidence);
        // The same words without a reflection are still heard as the rule they state.
        assert!(intents("you can't get a refund on that one").contains(&Intent::PolicyWall));
    }

    #[test]
    fn a_harm_heard_only_where_it_was_disowned_is_set_aside() {
        let hear = |text: &str, understood: Vec<HeardIntent>, by_statement: Vec<Vec<Intent>>| {
            let mut a = analyse(text, &Lexicon::builtin(), "", &[]);
            a.hear_meaning(
                text,
                &Understanding {
                    intents: understood,
                    by_statement,
                    ..Understanding::default()
                },
            );
            a
        };
        // One statement that disowns: the encoder's "hold" and "passing on" are not said.
        let a = hear(
            "I'm not putting you on hold and I'm not passing you on",
            vec![heard(Intent::PolicyWall, 0.9), heard(Intent::Transfer, 0.8)],
            vec![],
        );
        assert!(!a.has_harm(), "{:?}", a.intents);
        assert!(
            a.set_aside
                .iter()
                .any(|(i, why)| *i == Intent::PolicyWall && why.contains("disowned"))
        );
        // Several: the reading of each alone says whether the wall is in the one that
        // disowns or in the one after.
        let text = "I won't rush you, but that's just how the process works";
        let wall = vec![heard(Intent::PolicyWall, 0.9)];
        let after = hear(text, wall.clone(), vec![vec![], vec![Intent::PolicyWall]]);
        assert!(after.intents.contains(&Intent::PolicyWall), "{:?}", after.intents);
        let nowhere = hear(text, wall.clone(), vec![vec![Intent::PolicyWall], vec![]]);
        assert!(!nowhere.intents.contains(&Intent::PolicyWall), "{:?}", nowhere.intents);
        // Not read alone: the harm stands.
        assert!(hear(text, wall, vec![]).intents.contains(&Intent::PolicyWall));
        // A refusal is the wall, however it is put.
        let refused = hear(
            "I won't be able to waive it",
            vec![heard(Intent::PolicyWall, 0.9)],
            vec![],
        );
        assert!(refused.intents.contains(&Intent::PolicyWall), "{:?}", refused.intents);
        // Their own words turned on them are not disowned.
        let reported = hear(
            "you said you're no good with it, so maybe that's why it keeps going off",
            vec![heard(Intent::Blame, 0.8)],
            vec![],
        );
        assert!(reported.intents.contains(&Intent::Blame), "{:?}", reported.intents);
        // What they said, then doubted: the harm read in their words is theirs.
        let doubted = hear(
            "you said it's nothing, but Jean's clearly a big part of it",
            vec![heard(Intent::Blame, 0.5)],
            vec![vec![Intent::Blame], vec![]],
        );
        assert!(!doubted.has_harm(), "{:?}", doubted.intents);
        assert!(doubted.intents.contains(&Intent::Acknowledge), "{:?}", doubted.intents);
    }

    #[test]
    fn a_disclaimed_accusation_before_a_but_accuses() {
        let heard = |text: &str| {
            analyse(text, &Lexicon::builtin(), "", &[])
                .intents
                .contains(&Intent::Blame)
        };
        assert!(heard(
            "I'm not saying you're lying, but it shows as delivered to a safe place"
        ));
        assert!(heard(
            "I'm not accusing you of anything, but the code was entered wrong three times"
        ));
        assert!(!heard("I'm not saying you're lying"));
        assert!(!heard("I'm not saying it's your fault, but I'll get it sorted now"));
        assert!(!heard(
            "I'm not saying you have to decide now, but it would help to know"
        ));
    }

    #[test]
    fn blame_that_never_names_the_customer_must_be_sure() {
        let hear = |text: &str, p: f32| {
            let mut a = analyse(text, &Lexicon::builtin(), "", &[]);
            a.hear_meaning(
                text,
                &Understanding {
                    intents: vec![heard(Intent::Blame, p)],
                    ..Understanding::default()
                },
            );
            a.intents.contains(&Intent::Blame)
        };
        assert!(!hear(
            "the tracking might say out for delivery but that's clearly not good enough",
            0.51
        ));
        assert!(hear(
            "the tracking might say out for delivery but that's clearly not good enough",
            0.7
        ));
        assert!(hear("well that's what happens when your payment bounces", 0.51));
        // Nothing heard as help: blame by implication stands.
        assert!(hear("there needed to be money in the account on the third", 0.51));
        // Taking the fault is not blaming them for it; denying it is no taking.
        assert!(!hear(
            "someone told you it'd be there Tuesday and it wasn't, that's on us",
            0.55
        ));
        assert!(hear(
            "it's not our fault, the courier says nobody was in to take it",
            0.55
        ));
    }

    #[test]
    fn disowning_a_harm_and_nothing_else_acknowledges() {
        for said in [
            "you didn't do anything wrong, the lock's there to protect you",
            "calm down is the last thing I'd say",
            "I won't pretend to know what the last six months have been like",
        ] {
            assert_eq!(intents(said), [Intent::Acknowledge], "{said}");
        }
        // With another move, that move is what it does.
        let text = "I won't rush you, what would help most this week?";
        let mut a = analyse(text, &Lexicon::builtin(), "", &[]);
        assert!(!a.intents.contains(&Intent::Acknowledge), "{:?}", a.intents);
        a.hear_meaning(
            text,
            &Understanding {
                intents: vec![heard(Intent::TakeYourTime, 0.9)],
                ..Understanding::default()
            },
        );
        assert!(!a.intents.contains(&Intent::Acknowledge), "{:?}", a.intents);
        // The encoder's acknowledgement stands beside its other moves.
        let text = "I'm not going to tell you that's normal, let's have a proper look at it together";
        let mut a = analyse(text, &Lexicon::builtin(), "", &[]);
        a.hear_meaning(
            text,
            &Understanding {
                intents: vec![heard(Intent::Acknowledge, 0.7), heard(Intent::Solution, 0.9)],
                ..Understanding::default()
            },
        );
        assert_eq!(a.intents, [Intent::Acknowledge, Intent::Solution]);
        assert_eq!(a.layer_of(Intent::Acknowledge), Some(Layer::Encoder));
        // A refusal disowns nothing, nor does a finding.
        assert!(!intents("I won't waive the fee").contains(&Intent::Acknowledge));
        assert!(!intents("once it's been marked no fault found my hands are tied").contains(&Intent::Acknowledge));
    }

    #[test]
    fn a_transfer_needs_someone_to_pass_them_to() {
        let hear = |text: &str| {
            let mut a = analyse(text, &Lexicon::builtin(), "", &[]);
            a.hear_meaning(
                text,
                &Understanding {
                    intents: vec![heard(Intent::Transfer, 0.9)],
                    ..Understanding::default()
                },
            );
            a.intents
        };
        assert!(!hear("it'll be on its way within the hour, you'll have it Thursday").contains(&Intent::Transfer));
        for passed in [
            "let me get my supervisor for you",
            "you'd be better off ringing the number on the back of your card",
            "I'll raise it and they'll call you within two days",
        ] {
            assert!(hear(passed).contains(&Intent::Transfer), "{passed}");
        }
    }

    #[test]
    fn elsewhere_is_sorted_for_its_search() {
        assert!(ELSEWHERE.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn through_and_engineer_point_elsewhere_only_when_the_customer_goes_there() {
        let says = |t: &str| points_elsewhere(&words(t));
        assert!(says("I'll put you through to billing"));
        assert!(!says("I'll send the payment through for you now"));
        assert!(!says("I can book an engineer to come on Thursday"));
        assert!(says("you'll need to speak to an engineer about that"));
        assert!(says("the fraud team will call you"));
        assert!(!says("I'll email you the new price in writing now"));
        assert!(says("you'll need to email them"));
    }

    #[test]
    fn harm_that_is_a_negation_still_counts() {
        assert!(intents("I can't do anything about that").contains(&Intent::PolicyWall));
        assert!(intents("Don't worry about it.").contains(&Intent::Minimising));
        assert!(intents("Don't you worry about it, it'll get there.").contains(&Intent::Minimising));
        assert!(intents("it's not a big deal honestly").contains(&Intent::Minimising));
    }

    #[test]
    fn a_refusal_is_a_wall_not_a_fix() {
        let heard = intents("I'm not permitted to unlock it, I'm afraid.");
        assert!(heard.contains(&Intent::PolicyWall), "{heard:?}");
        assert!(!heard.contains(&Intent::Solution), "{heard:?}");
    }

    #[test]
    fn why_didnt_you_is_blame_not_an_open_question() {
        let heard = intents("Why didn't you ring us sooner?");
        assert_eq!(heard, [Intent::Blame]);
        assert_eq!(intents("Why is Friday so important?"), [Intent::OpenQuestion]);
        let heard = intents("have you been pressing the wrong button on the remote again");
        assert!(heard.contains(&Intent::Blame), "{heard:?}");
        assert!(!intents("have you tried turning it off and on again?").contains(&Intent::Blame));
        assert!(intents("did you not get the email telling you about the price change").contains(&Intent::Blame));
        assert!(intents("didn't you get the letter?").contains(&Intent::Blame));
        assert!(!intents("did you get the email I sent?").contains(&Intent::Blame));
    }

    #[test]
    fn blame_after_a_disowned_blame_still_counts() {
        // The first clause disowns blame; the second blames all the same.
        let heard = intents("I'm not saying it's your fault, but you really needed to update the card.");
        assert!(heard.contains(&Intent::Blame), "{heard:?}");
        assert!(intents("You can't have read the letter properly.").contains(&Intent::Blame));
        assert!(!intents("I'm not saying you should have checked.").contains(&Intent::Blame));
    }

    #[test]
    fn what_we_can_do_is_an_offer_not_a_question() {
        let heard = intents("what we can do instead is verify you with a one-time code to your mobile");
        assert_eq!(heard, [Intent::Solution]);
        assert!(intents("what can we do to put this right?").contains(&Intent::OpenQuestion));
    }

    #[test]
    fn asking_for_one_fact_is_closed_however_it_is_put() {
        assert_eq!(intents("Can you tell me your date of birth?"), [Intent::ClosedQuestion]);
        assert_eq!(
            intents("Can you tell me a bit more about that?"),
            [Intent::OpenQuestion]
        );
        assert_eq!(intents("Okay, so what happened next?"), [Intent::OpenQuestion]);
        // A demand for a one-word answer is a closed question without a question's shape.
        assert_eq!(
            intents("I just need a quick yes or no, refund or redelivery"),
            [Intent::ClosedQuestion]
        );
        assert!(!intents("I'm not after a yes or no, tell me what's going on").contains(&Intent::ClosedQuestion));
    }

    #[test]
    fn fillers_alone_are_a_non_answer() {
        assert_eq!(intents("um... right"), [Intent::Silence]);
        assert_eq!(intents("erm, okay"), [Intent::Silence]);
        assert!(!intents("um, take your time").contains(&Intent::Silence));
    }

    #[test]
    fn an_apology_then_a_wall_is_both_and_the_but_takes_the_apology_back() {
        let a = analyse("I'm sorry, but that's our policy.", &Lexicon::builtin(), "", &[]);
        assert_eq!(a.intents, [Intent::Apology, Intent::PolicyWall]);
        assert_eq!(a.undercut, [Intent::Apology]);
        let a = analyse(
            "You've been really patient, but it's only a dress.",
            &Lexicon::builtin(),
            "",
            &[],
        );
        assert!(a.intents.contains(&Intent::Minimising), "{a:?}");
        assert_eq!(a.undercut, [Intent::Acknowledge]);
    }

    #[test]
    fn kind_sounding_assumptive_empathy_is_heard() {
        for said in [
            "I totally get how annoying that must be.",
            "Oh I'd be fuming too, honestly.",
            "I know exactly what you mean, the same happened to my sister.",
        ] {
            assert!(intents(said).contains(&Intent::AssumptiveEmpathy), "{said}");
        }
    }

    #[test]
    fn blame_that_reuses_their_words_is_not_a_paraphrase() {
        let customer = "I set up the direct debit in March and the bill still doubled.";
        let a = analyse(
            "You set up the direct debit in March, so you should have checked the bill.",
            &Lexicon::builtin(),
            customer,
            &[],
        );
        assert!(a.intents.contains(&Intent::Blame), "{a:?}");
        assert!(!a.intents.contains(&Intent::Paraphrase), "{a:?}");
    }

    #[test]
    fn spoken_numbers_reflect_written_ones() {
        let customer = "I've been without it for 24 hours and rent is due on the 28th.";
        let a = analyse(
            "So it's been twenty-four hours, and the rent goes out on the twenty-eighth?",
            &Lexicon::builtin(),
            customer,
            &[],
        );
        assert!(a.reflected.contains(&"24".to_owned()), "{a:?}");
        assert!(a.reflected.contains(&"28".to_owned()), "{a:?}");
        assert!(a.intents.contains(&Intent::Paraphrase), "{a:?}");
    }

    #[test]
    fn scripted_lines_are_heard() {
        assert!(intents("Is there anything else I can help you with today?").contains(&Intent::Scripted));
        assert!(intents("Is there anything else that's worrying you?").contains(&Intent::OpenQuestion));
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
