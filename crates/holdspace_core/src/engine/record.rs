//! The session record: everything a session did, serializable, usable mid-session.

use serde::{Deserialize, Serialize};

use crate::analysis::{Analysis, TurnInput};
use crate::engine::Mode;
use crate::engine::events::{Reason, SessionEvent};
use crate::engine::state::Band;
use crate::scenario::model::OutcomeKind;

/// Record format version, bumped when a field changes meaning.
pub const RECORD_FORMAT: u32 = 1;

/// A whole session: inputs, what the engine did with them, and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// [`RECORD_FORMAT`].
    pub format: u32,
    /// Scenario id.
    pub scenario_id: String,
    /// Scenario title at the time.
    pub scenario_title: String,
    /// The seed: with the scenario and inputs it replays the session exactly.
    pub seed: u64,
    /// Guided or open.
    pub mode: Mode,
    /// The customer's state before the first line.
    pub start: StatePoint,
    /// Every trainee turn.
    pub turns: Vec<TurnRecord>,
    /// Every event, opening line included, in order.
    pub events: Vec<SessionEvent>,
    /// How it ended (`None` while in progress).
    pub outcome: Option<OutcomeRecord>,
    /// The trainee's answers to the debrief's reflection questions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reflections: Vec<ReflectionAnswer>,
    /// What a coach watching the session did, in order (none when nobody steered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coach: Vec<crate::engine::coach::CoachRecord>,
}

impl SessionRecord {
    /// The trainee's inputs, in order: with the scenario, seed and mode they replay the session.
    pub fn inputs(&self) -> Vec<TurnInput> {
        self.turns.iter().map(|t| t.input.clone()).collect()
    }
}

/// A reflection question and the trainee's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReflectionAnswer {
    /// The question as shown.
    pub question: String,
    /// What the trainee wrote (or said).
    pub answer: String,
}

/// Escalation, trust and band at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StatePoint {
    /// 0 calm … 1 hostile.
    pub escalation: f32,
    /// 0 … 1.
    pub trust: f32,
    /// The band of `escalation`.
    pub band: Band,
}

/// One trainee turn and its consequences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnRecord {
    /// 1-based.
    pub turn: u32,
    /// The step the customer was at.
    pub step: String,
    /// What the customer had just said.
    pub customer_said: String,
    /// The cue in that line, if any.
    pub customer_cue: Option<String>,
    /// What the trainee gave.
    pub input: TurnInput,
    /// The reply it was taken as.
    pub reply: Option<String>,
    /// That reply's button text.
    pub reply_text: Option<String>,
    /// What was found in the words.
    pub analysis: Analysis,
    /// Why the state moved.
    pub reasons: Vec<Reason>,
    /// State before the reply.
    pub before: StatePoint,
    /// State after the reply.
    pub after: StatePoint,
    /// Cues this turn picked up.
    pub cues_noticed: Vec<String>,
    /// The hidden need came out on this turn.
    pub revealed: bool,
}

impl TurnRecord {
    /// The trainee's words as said, or the clicked option's text.
    pub fn words(&self) -> &str {
        if self.input.text.trim().is_empty() {
            self.reply_text.as_deref().unwrap_or("(silence)")
        } else {
            &self.input.text
        }
    }
}

/// How a session ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeRecord {
    /// Outcome id.
    pub id: String,
    /// Kind.
    pub kind: OutcomeKind,
    /// Title.
    pub title: String,
    /// The author's plain-words explanation.
    pub debrief: String,
}
