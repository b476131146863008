//! The scenario file format: the types an L&D author writes in RON (see `docs/authoring.md`).
//!
//! Every struct denies unknown fields so a typo such as `tittle:` is a located error
//! rather than a silently ignored line. Optional fields have defaults that make a
//! plain, believable customer, so a short scenario stays short.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::analysis::intent::Intent;
use crate::engine::state::{Band, Disclosure};

/// The scenario format version this build reads. Bump it when a change would make an
/// older file mean something different; adding an optional field does not need a bump.
pub const FORMAT_VERSION: u32 = 1;

/// One training scenario: a customer, what they say they want, what they really need,
/// and the conversation graph the trainee moves through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Format version; must equal [`FORMAT_VERSION`].
    pub version: u32,
    /// Stable id used on the command line, in records and by coaches across attempts.
    pub id: String,
    /// Title shown on the scenario list.
    pub title: String,
    /// One or two sentences for the scenario list: the situation, not the hidden need.
    pub summary: String,
    /// How hard the customer is to reach.
    #[serde(default)]
    pub difficulty: Difficulty,
    /// Who the trainee is talking to.
    pub customer: Customer,
    /// What the customer says the problem is.
    pub presenting_issue: String,
    /// "The thing behind the thing": what is really going on.
    pub hidden_need: HiddenNeed,
    /// Hints the customer drops about the hidden need.
    #[serde(default)]
    pub cues: Vec<Cue>,
    /// Phrases (beyond the shared lexicon) that this customer reacts to.
    #[serde(default)]
    pub lexicon: ScenarioLexicon,
    /// Per-intent effects that override the defaults for this customer.
    #[serde(default)]
    pub intent_effects: BTreeMap<Intent, Effect>,
    /// How much the trainee's pace, loudness, interruptions, silence and fillers move this customer.
    #[serde(default)]
    pub delivery: DeliverySensitivity,
    /// Trainee turns before the conversation times out.
    #[serde(default = "default_max_turns")]
    pub max_turns: u32,
    /// Id of the first step.
    pub start: String,
    /// The conversation graph.
    pub steps: Vec<Step>,
    /// What the customer says to words they did not catch: recognition was unsure and
    /// they match no reply on offer (a built-in "Sorry, you what?" by band when empty).
    #[serde(default)]
    pub unclear: BandLines,
    /// What the customer says to a reply that was understood but that no reply at the
    /// step stands for (an apology where none was written, say): a reaction in their band,
    /// after which the step's question stands. The step's own line is repeated when empty.
    #[serde(default)]
    pub generic: BandLines,
    /// What the customer says to talk that has nothing to do with them ("What's that got
    /// to do with my parcel?"). The step's own line is repeated when empty.
    #[serde(default)]
    pub off_topic: BandLines,
    /// Utterances with what the engine must hear in them, checked by `validate`: the
    /// author's tests of how open mode understands this customer.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// How the conversation can end, in priority order.
    pub outcomes: Vec<Outcome>,
    /// Reflection questions for the debrief.
    #[serde(default)]
    pub reflection: Vec<String>,
    /// The skills this scenario is written to practise; coaching suggests it to trainees
    /// weakest at one of them (all four when empty).
    #[serde(default)]
    pub practises: Vec<crate::debrief::skills::Skill>,
}

fn default_max_turns() -> u32 {
    12
}

/// Difficulty shown on the scenario list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Difficulty {
    /// A first scenario: the customer responds quickly to good listening.
    Introductory,
    /// Needs deliberate listening to find the hidden need.
    #[default]
    Intermediate,
    /// A volatile or guarded customer; small mistakes are costly.
    Advanced,
}

impl Difficulty {
    /// Lower-case name for lists.
    pub fn label(self) -> &'static str {
        match self {
            Difficulty::Introductory => "introductory",
            Difficulty::Intermediate => "intermediate",
            Difficulty::Advanced => "advanced",
        }
    }
}

/// The customer the trainee is talking to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    /// Display name.
    pub name: String,
    /// Background for authors and coaches; never shown to the trainee before the debrief.
    pub persona: String,
    /// Which avatar look to cast (used by the 3-D app): one of [`crate::expression::body::LOOKS`].
    #[serde(default = "default_look")]
    pub look: String,
    /// How this customer's body carries their feelings (confronts or withdraws when upset,
    /// how expressive they are).
    #[serde(default)]
    pub body: crate::expression::body::BodyStyle,
    /// Voice settings for speech synthesis.
    #[serde(default)]
    pub voice: Voice,
    /// Starting state and how quickly this customer moves.
    #[serde(default)]
    pub temperament: Temperament,
    /// How they listen while the trainee talks: their backchannels, and whether and when
    /// they cut in once hostile.
    #[serde(default)]
    pub listening: crate::expression::listening::ListeningStyle,
}

fn default_look() -> String {
    crate::expression::body::LOOKS[0].to_owned()
}

/// Voice settings for the customer's synthesised speech.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Voice {
    /// Voice name: one of Kokoro's English voices ([`NEURAL_VOICES`], e.g. "bf_emma"),
    /// or a flite voice ([`VOICES`]) to use flite alone.
    #[serde(default = "default_voice")]
    pub voice: String,
    /// The flite voice said with when the neural voice is not installed (a neural voice
    /// only; by default "slt" for a female voice, "awb" for a male one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    /// Median pitch when calm, in hertz, of a flite voice. A neural voice keeps its own
    /// pitch; the bands move both by the same proportions.
    #[serde(default = "default_pitch")]
    pub base_pitch_hz: f32,
    /// Speaking rate multiplier (1.0 = the voice's normal pace).
    #[serde(default = "one")]
    pub pace: f32,
    /// How words the voice's lexicon lacks are said (names, places): each word, as
    /// written in the lines, and ordinary words that sound like it ("Sade": "Shar day").
    /// The subtitle keeps the written word.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub say_as: std::collections::BTreeMap<String, String>,
}

impl Default for Voice {
    fn default() -> Self {
        Voice {
            voice: default_voice(),
            say_as: std::collections::BTreeMap::new(),
            fallback: None,
            base_pitch_hz: default_pitch(),
            pace: 1.0,
        }
    }
}

impl Voice {
    /// Whether this names a neural (Kokoro) voice.
    pub fn is_neural(&self) -> bool {
        NEURAL_VOICES.contains(&self.voice.as_str())
    }

    /// `text` with each word of [`Voice::say_as`] replaced by how it is said (whole
    /// words, as written).
    pub fn respelled(&self, text: &str) -> String {
        if self.say_as.is_empty() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            out.push_str(self.say_as.get(word.as_str()).map_or(word.as_str(), String::as_str));
            word.clear();
        };
        for c in text.chars() {
            if c.is_alphanumeric() || c == '\'' || c == '’' {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }

    /// The flite voice this is said with when flite speaks: the voice itself, or a
    /// neural voice's fallback.
    pub fn flite_voice(&self) -> &str {
        if !self.is_neural() {
            return &self.voice;
        }
        match &self.fallback {
            Some(f) => f,
            None if self.voice.as_bytes().get(1) == Some(&b'm') => "awb",
            None => "slt",
        }
    }
}

/// The flite voices the app ships, by the name `Voice(voice: …)` uses.
pub const VOICES: [&str; 4] = ["slt", "rms", "awb", "kal"];

/// Kokoro-82M's English voices: American (`a`) or British (`b`), female (`f`) or male
/// (`m`). `scripts/voice-model.sh` installs them.
pub const NEURAL_VOICES: [&str; 28] = [
    "af_alloy",
    "af_aoede",
    "af_bella",
    "af_heart",
    "af_jessica",
    "af_kore",
    "af_nicole",
    "af_nova",
    "af_river",
    "af_sarah",
    "af_sky",
    "am_adam",
    "am_echo",
    "am_eric",
    "am_fenrir",
    "am_liam",
    "am_michael",
    "am_onyx",
    "am_puck",
    "am_santa",
    "bf_alice",
    "bf_emma",
    "bf_isabella",
    "bf_lily",
    "bm_daniel",
    "bm_fable",
    "bm_george",
    "bm_lewis",
];

fn default_voice() -> String {
    "slt".to_owned()
}
fn default_pitch() -> f32 {
    170.0
}
fn one() -> f32 {
    1.0
}

/// How a customer starts and how readily they escalate or calm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Temperament {
    /// Escalation (0 calm … 1 hostile) at the first line.
    #[serde(default = "default_start_escalation")]
    pub start_escalation: f32,
    /// Trust (0 … 1) at the first line.
    #[serde(default = "default_start_trust")]
    pub start_trust: f32,
    /// The lowest escalation this customer can reach in this conversation.
    #[serde(default)]
    pub min_escalation: f32,
    /// The highest escalation this customer can reach.
    #[serde(default = "one")]
    pub max_escalation: f32,
    /// Multiplies every rise in escalation (1.5 = quick to anger).
    #[serde(default = "one")]
    pub volatility: f32,
    /// Multiplies every fall in escalation (0.5 = slow to calm).
    #[serde(default = "one")]
    pub receptiveness: f32,
    /// Size of the seeded turn-to-turn wobble in escalation (0 = none).
    #[serde(default = "default_variation")]
    pub variation: f32,
}

impl Default for Temperament {
    fn default() -> Self {
        Temperament {
            start_escalation: default_start_escalation(),
            start_trust: default_start_trust(),
            min_escalation: 0.0,
            max_escalation: 1.0,
            volatility: 1.0,
            receptiveness: 1.0,
            variation: default_variation(),
        }
    }
}

fn default_start_escalation() -> f32 {
    0.4
}
fn default_start_trust() -> f32 {
    0.3
}
fn default_variation() -> f32 {
    0.02
}

/// The need behind the presenting issue, how it can come out, and what meets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HiddenNeed {
    /// Stable id.
    pub id: String,
    /// What was really going on, in a sentence for the debrief.
    pub summary: String,
    /// When the customer opens up.
    pub reveal: Reveal,
    /// What the customer says when the need comes out.
    pub revealed_line: Line,
    /// Replies that meet the need once it is known.
    #[serde(default)]
    pub addressed_by: Vec<String>,
    /// The step the conversation moves to once the need is out, so the trainee is offered
    /// replies that fit what was just said. A `Finish` reply on the turn of the reveal
    /// continues here instead of ending (the customer's disclosure gets an answer);
    /// `End("…")` and `Anytime` outcomes still end the session.
    #[serde(default)]
    pub after_reveal: Option<String>,
}

/// The conditions under which the customer discloses the hidden need.
///
/// A turn can reveal it when it has one of `intents`, chooses one of `options`, or
/// (with `on_cue_response`) picks up a cue the customer gave; and, after that turn's
/// effects, trust is at least `min_trust` and escalation at most `max_escalation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reveal {
    /// Trainee intents that can open the customer up (e.g. `OpenQuestion`, `Paraphrase`).
    #[serde(default)]
    pub intents: Vec<Intent>,
    /// Reply ids that can open the customer up.
    #[serde(default)]
    pub options: Vec<String>,
    /// A turn that picks up a cue can reveal the need.
    #[serde(default = "yes")]
    pub on_cue_response: bool,
    /// Only after at least one cue has been shown (the need is hinted first).
    #[serde(default = "yes")]
    pub after_cue: bool,
    /// Trust needed for the customer to open up.
    #[serde(default = "default_min_trust")]
    pub min_trust: f32,
    /// The customer will not open up while more escalated than this.
    #[serde(default = "default_max_escalation")]
    pub max_escalation: f32,
}

fn yes() -> bool {
    true
}
fn default_min_trust() -> f32 {
    0.45
}
fn default_max_escalation() -> f32 {
    0.6
}

/// A hint about the hidden need: a pause, "fine" said flatly, an oddly specific question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cue {
    /// Stable id, referenced from lines (`cue: Some("…")`).
    pub id: String,
    /// What a good listener would have noticed, for the debrief.
    pub description: String,
    /// Words in the trainee's reply that show they picked the cue up: matched on word stems,
    /// only in a turn with a listening move; function words ("why", "for") never match.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Replies that respond to this cue.
    #[serde(default)]
    pub responded_by: Vec<String>,
}

/// Scenario-specific phrases that add to (or replace) the shared lexicon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioLexicon {
    /// Start from the shared `scenarios/lexicon.ron`.
    #[serde(default = "yes")]
    pub extends_default: bool,
    /// Extra phrase lists.
    #[serde(default)]
    pub entries: Vec<LexiconEntry>,
}

impl Default for ScenarioLexicon {
    fn default() -> Self {
        ScenarioLexicon {
            extends_default: true,
            entries: Vec::new(),
        }
    }
}

/// Phrases that signal one intent. A phrase starting with `^` only matches at the
/// start of a sentence; matching ignores case, punctuation and apostrophes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexiconEntry {
    /// The intent these phrases signal.
    pub intent: Intent,
    /// The phrases.
    pub phrases: Vec<String>,
}

/// A change to the customer's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effect {
    /// Added to escalation (negative calms).
    #[serde(default)]
    pub escalation: f32,
    /// Added to trust.
    #[serde(default)]
    pub trust: f32,
}

/// Multipliers for how much the trainee's delivery moves this customer (1.0 = typical).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverySensitivity {
    /// Speaking fast, or jumping in without a pause.
    #[serde(default = "one")]
    pub pace: f32,
    /// Raised or very quiet voice.
    #[serde(default = "one")]
    pub loudness: f32,
    /// Talking over the customer.
    #[serde(default = "one")]
    pub interruptions: f32,
    /// Long dead air before replying.
    #[serde(default = "one")]
    pub silence: f32,
    /// "Um", "uh", "you know".
    #[serde(default = "one")]
    pub fillers: f32,
    /// Looking away while they speak (VR: measured from the headset).
    #[serde(default = "one")]
    pub eye_contact: f32,
}

impl Default for DeliverySensitivity {
    fn default() -> Self {
        DeliverySensitivity {
            pace: 1.0,
            loudness: 1.0,
            interruptions: 1.0,
            silence: 1.0,
            fillers: 1.0,
            eye_contact: 1.0,
        }
    }
}

/// One point in the conversation: the customer speaks, the trainee replies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Stable id, the target of `Goto("…")`.
    pub id: String,
    /// What the customer says here, by escalation band.
    pub say: BandLines,
    /// Words a paraphrase of this step should reflect back (defaults to the line's own content words).
    #[serde(default)]
    pub key_points: Vec<String>,
    /// The trainee's replies (2–5).
    pub replies: Vec<Reply>,
}

/// Customer lines keyed by band. `Any` serves every band without its own lines; a band
/// with no lines and no `Any` borrows from the nearest band that has some.
pub type BandLines = BTreeMap<BandKey, Vec<Line>>;

/// A key in [`BandLines`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BandKey {
    /// Used for every band that has no lines of its own.
    Any,
    /// See [`Band::Calm`].
    Calm,
    /// See [`Band::Uneasy`].
    Uneasy,
    /// See [`Band::Frustrated`].
    Frustrated,
    /// See [`Band::Angry`].
    Angry,
    /// See [`Band::Hostile`].
    Hostile,
}

impl BandKey {
    /// Lower-case name used in line ids (`calm`, …, `any`).
    pub fn label(self) -> &'static str {
        self.band().map(Band::label).unwrap_or("any")
    }

    /// The band this key stands for (`None` for `Any`).
    pub fn band(self) -> Option<Band> {
        match self {
            BandKey::Any => None,
            BandKey::Calm => Some(Band::Calm),
            BandKey::Uneasy => Some(Band::Uneasy),
            BandKey::Frustrated => Some(Band::Frustrated),
            BandKey::Angry => Some(Band::Angry),
            BandKey::Hostile => Some(Band::Hostile),
        }
    }

    /// The key for a band.
    pub fn of(band: Band) -> BandKey {
        match band {
            Band::Calm => BandKey::Calm,
            Band::Uneasy => BandKey::Uneasy,
            Band::Frustrated => BandKey::Frustrated,
            Band::Angry => BandKey::Angry,
            Band::Hostile => BandKey::Hostile,
        }
    }
}

/// One thing the customer can say, with how they look while saying it.
///
/// A line with `after` or `after_intents` answers a route: it is said only after one of
/// those replies, or a turn heard as one of those intents, and then in preference to
/// lines for any route (see `engine::lines::candidates` and `docs/authoring.md`, "Lines
/// that follow the route").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// The words.
    pub text: String,
    /// Body language, emotion and non-verbal sounds for the avatar and voice.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// The cue this line gives, if any.
    #[serde(default)]
    pub cue: Option<String>,
    /// Only say this line when the hidden need is at this stage.
    #[serde(default)]
    pub disclosure: Option<Disclosure>,
    /// A recorded WAV file to play instead of synthesised speech, relative to the
    /// scenario's folder (it may not leave that folder).
    #[serde(default)]
    pub audio: Option<String>,
    /// Say this line only after one of these replies (by id): it answers them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
    /// Say this line only after a turn heard as one of these intents (whichever reply
    /// it matched, or none): it answers that kind of move.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after_intents: Vec<Intent>,
}

impl Line {
    /// Whether the line answers particular routes rather than any that reaches it.
    pub fn follows_route(&self) -> bool {
        !self.after.is_empty() || !self.after_intents.is_empty()
    }
}

/// Body language, emotion and sound tags on a customer line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[expect(
    missing_docs,
    reason = "the variant names are the documentation; authoring.md lists them"
)]
pub enum Tag {
    Neutral,
    Smile,
    Frown,
    Sad,
    Tearful,
    Anxious,
    Panicked,
    Flat,
    Relieved,
    Embarrassed,
    ArmsCrossed,
    PointsAtYou,
    LeansIn,
    HandsOnCounter,
    OpenPosture,
    TurnsAway,
    LooksDown,
    HeadInHands,
    Fidgets,
    Nods,
    ShakesHead,
    AvoidsGaze,
    RaisedVoice,
    Quiet,
    Pause,
    Sigh,
    Tut,
    Breath,
}

/// A reply the trainee can give at a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    /// Stable id, unique in the scenario.
    pub id: String,
    /// What the option button shows.
    pub text: String,
    /// Other ways a trainee might say it (used to recognise speech and free text).
    #[serde(default)]
    pub phrasings: Vec<String>,
    /// Natural ways a trainee might say it in their own words, for matching free speech
    /// by meaning ("so it should've turned up Tuesday and Friday's the deadline"). Unlike
    /// `phrasings` they are not added to the speech grammar of guided mode.
    #[serde(default)]
    pub examples: Vec<String>,
    /// What the reply does conversationally; drives the customer's reaction.
    pub intents: Vec<Intent>,
    /// Extra effect on top of the intents', for this reply at this moment.
    #[serde(default)]
    pub effect: Effect,
    /// Where the conversation goes next.
    pub next: Next,
    /// Only offered when all of these hold.
    #[serde(default)]
    pub requires: Vec<Condition>,
    /// What the customer says straight back to this reply, by band, before the line of
    /// the step it leads to ("Yes. That's it exactly."); nothing when empty.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub answer: BandLines,
    /// For the debrief: why this reply helps or hurts here.
    #[serde(default)]
    pub coach: String,
}

/// An author's test of understanding: at a step, this utterance must be heard as
/// these intents, match this reply, or move the customer this way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// The step the customer is at.
    pub step: String,
    /// What the trainee says.
    pub say: String,
    /// The intents it must be heard as (exactly these), when given.
    #[serde(default)]
    pub intents: Option<Vec<Intent>>,
    /// The reply it must match; `Some("")` for "no reply", absent to not check.
    #[serde(default)]
    pub reply: Option<String>,
    /// Which way it must move the customer, when given.
    #[serde(default)]
    pub direction: Option<Direction>,
}

/// Which way a reply moves the customer (their escalation, before the turn's random
/// variation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Direction {
    /// Escalation falls.
    Calms,
    /// Escalation stays where it was.
    Neutral,
    /// Escalation rises.
    Escalates,
}

impl Direction {
    /// The direction of a change in escalation.
    pub fn of(delta: f32) -> Direction {
        if delta > 0.0005 {
            Direction::Escalates
        } else if delta < -0.0005 {
            Direction::Calms
        } else {
            Direction::Neutral
        }
    }

    /// Lower-case name, as in the corpus ("calms").
    pub fn name(self) -> &'static str {
        match self {
            Direction::Calms => "calms",
            Direction::Neutral => "neutral",
            Direction::Escalates => "escalates",
        }
    }

    /// Parses a lower-case name.
    pub fn from_name(name: &str) -> Option<Direction> {
        [Direction::Calms, Direction::Neutral, Direction::Escalates]
            .into_iter()
            .find(|d| d.name() == name)
    }
}

/// Where a reply leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Next {
    /// Go to a step (which may be the current one).
    Goto(String),
    /// End the conversation with the first `OnFinish` outcome whose conditions hold (the
    /// last `OnFinish` outcome when none does). On the turn the hidden need comes out it
    /// continues at `after_reveal` instead.
    Finish,
    /// End the conversation with this outcome.
    End(String),
}

/// A state test used by outcomes and reply gating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Condition {
    /// The hidden need has come out.
    NeedRevealed,
    /// The hidden need has not come out.
    NeedNotRevealed,
    /// A reply that meets the hidden need was chosen after it came out.
    NeedAddressed,
    /// The hidden need was not met.
    NeedNotAddressed,
    /// Escalation ≥ the value.
    EscalationAtLeast(f32),
    /// Escalation < the value.
    EscalationBelow(f32),
    /// Trust ≥ the value.
    TrustAtLeast(f32),
    /// Trust < the value.
    TrustBelow(f32),
    /// At least this many trainee turns have been taken.
    TurnsAtLeast(u32),
    /// The step has been visited.
    Visited(String),
}

/// The state a [`Condition`] is tested against: the engine's session, or a situation
/// `validate` imagines when it counts the replies on offer together.
pub struct Facts<'a> {
    /// The hidden need has come out.
    pub revealed: bool,
    /// A reply that meets it was chosen after it came out.
    pub addressed: bool,
    /// Escalation now.
    pub escalation: f32,
    /// Trust now.
    pub trust: f32,
    /// Trainee turns taken.
    pub turns: u32,
    /// Whether a step (by id) has been visited.
    pub visited: &'a dyn Fn(&str) -> bool,
}

impl Condition {
    /// Whether the condition holds in this state.
    pub fn holds(&self, facts: &Facts<'_>) -> bool {
        match self {
            Condition::NeedRevealed => facts.revealed,
            Condition::NeedNotRevealed => !facts.revealed,
            Condition::NeedAddressed => facts.addressed,
            Condition::NeedNotAddressed => !facts.addressed,
            Condition::EscalationAtLeast(v) => facts.escalation >= *v,
            Condition::EscalationBelow(v) => facts.escalation < *v,
            Condition::TrustAtLeast(v) => facts.trust >= *v,
            Condition::TrustBelow(v) => facts.trust < *v,
            Condition::TurnsAtLeast(n) => facts.turns >= *n,
            Condition::Visited(id) => (facts.visited)(id),
        }
    }
}

/// How a conversation ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// Stable id.
    pub id: String,
    /// The kind of ending, for records and colours.
    pub kind: OutcomeKind,
    /// Short title for the debrief.
    pub title: String,
    /// The outcome in plain words, addressed to the trainee.
    pub debrief: String,
    /// When this outcome is considered.
    #[serde(default)]
    pub trigger: Trigger,
    /// All must hold for the trigger to pick this outcome. Ignored when a reply names it
    /// with `End("…")`, and when it is the fallback (last `OnFinish`/`OnTimeout` outcome).
    #[serde(default)]
    pub when: Vec<Condition>,
    /// The customer's last words.
    #[serde(default)]
    pub line: Option<Line>,
}

/// Kinds of ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutcomeKind {
    /// The presenting issue was fixed and the hidden need met.
    Resolved,
    /// The presenting issue was fixed but the hidden need was missed.
    SurfaceOnly,
    /// The customer demanded a supervisor.
    Supervisor,
    /// The customer hung up or walked away.
    HungUp,
    /// The conversation ran out of time.
    TimedOut,
    /// A coach watching the session ended it (never an authored outcome: `validate`
    /// refuses it in a scenario).
    Stopped,
}

impl OutcomeKind {
    /// Plain-words name.
    pub fn label(self) -> &'static str {
        match self {
            OutcomeKind::Resolved => "resolved",
            OutcomeKind::SurfaceOnly => "resolved on the surface only",
            OutcomeKind::Supervisor => "asked for a supervisor",
            OutcomeKind::HungUp => "hung up",
            OutcomeKind::TimedOut => "timed out",
            OutcomeKind::Stopped => "stopped by the coach",
        }
    }

    /// Whether this counts as a pass in learning records.
    pub fn is_success(self) -> bool {
        self == OutcomeKind::Resolved
    }
}

/// When an outcome is considered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Trigger {
    /// When a reply with `next: Finish` is chosen (outcomes are tried in file order).
    #[default]
    OnFinish,
    /// After every trainee turn (e.g. hanging up when escalation gets too high).
    Anytime,
    /// When the turn limit is reached.
    OnTimeout,
    /// Only through a reply's `next: End("…")`.
    Named,
}

/// A customer line with the stable id the engine gives it when spoken
/// (`step/band/index`, `answer/reply/band/index`, `unclear/band/index`,
/// `generic/band/index`, `off_topic/band/index`, `need/revealed`, `outcome/id`).
#[derive(Debug, Clone, PartialEq)]
pub struct LineRef<'a> {
    /// The line's id; the `CustomerSpoke` message carries the same one.
    pub id: String,
    /// The line.
    pub line: &'a Line,
    /// The band it is written for (`None` for `Any`, the reveal and outcome lines).
    pub band: Option<Band>,
}

impl Scenario {
    /// Every line the customer can say, with its id, in file order.
    pub fn lines(&self) -> Vec<LineRef<'_>> {
        fn keyed<'a>(prefix: &str, lines: &'a BandLines, out: &mut Vec<LineRef<'a>>) {
            for (key, list) in lines {
                for (i, line) in list.iter().enumerate() {
                    out.push(LineRef {
                        id: format!("{prefix}/{}/{i}", key.label()),
                        line,
                        band: key.band(),
                    });
                }
            }
        }
        let mut out = Vec::new();
        for step in &self.steps {
            keyed(&step.id, &step.say, &mut out);
            for reply in &step.replies {
                keyed(&format!("answer/{}", reply.id), &reply.answer, &mut out);
            }
        }
        keyed("unclear", &self.unclear, &mut out);
        keyed("generic", &self.generic, &mut out);
        keyed("off_topic", &self.off_topic, &mut out);
        out.push(LineRef {
            id: "need/revealed".to_owned(),
            line: &self.hidden_need.revealed_line,
            band: None,
        });
        for outcome in &self.outcomes {
            if let Some(line) = &outcome.line {
                out.push(LineRef {
                    id: format!("outcome/{}", outcome.id),
                    line,
                    band: None,
                });
            }
        }
        out
    }

    /// The line with this id, if there is one.
    pub fn line(&self, id: &str) -> Option<&Line> {
        self.lines().into_iter().find(|l| l.id == id).map(|l| l.line)
    }
}
