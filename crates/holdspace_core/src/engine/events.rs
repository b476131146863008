//! What the engine reports: session events and the reasons behind every state change.

use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;
use crate::analysis::intent::Intent;
use crate::engine::state::Band;
use crate::scenario::model::{OutcomeKind, Tag};

/// Something that happened in a session, as a past-tense fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SessionEvent {
    /// The customer said a line.
    CustomerSpoke(Spoken),
    /// The engine read the trainee's reply.
    ReplyInterpreted {
        /// Turn number (1-based).
        turn: u32,
        /// The reply it was taken as (`None`: it matched none; the customer stays put).
        reply: Option<String>,
        /// What was found in the words.
        analysis: Analysis,
    },
    /// Escalation and trust moved (reported every turn, with the reasons, even when they cancel out).
    EscalationChanged(StateChange),
    /// The trainee picked up on a cue.
    CueNoticed {
        /// Turn number.
        turn: u32,
        /// Cue id.
        cue: String,
    },
    /// The customer gave their first cue about the hidden need.
    NeedHinted {
        /// Turn number (0 for the opening line).
        turn: u32,
        /// Cue id.
        cue: String,
    },
    /// The customer told the trainee what is really going on.
    NeedRevealed {
        /// Turn number.
        turn: u32,
        /// What opened them up.
        by: String,
    },
    /// The trainee met the hidden need.
    NeedAddressed {
        /// Turn number.
        turn: u32,
        /// The reply that met it.
        reply: String,
    },
    /// Replies on offer for the next turn (guided mode only).
    OptionsOffered {
        /// Turn number of the reply being awaited.
        turn: u32,
        /// Options in display order.
        options: Vec<OfferedReply>,
    },
    /// A coach watching the session acted (see [`crate::engine::coach`]).
    Coached {
        /// Trainee turns taken when the coach acted.
        turn: u32,
        /// What they did.
        action: crate::engine::coach::CoachAction,
    },
    /// The conversation is over.
    SessionEnded {
        /// Turns taken.
        turn: u32,
        /// Outcome id.
        outcome: String,
        /// Kind of ending.
        kind: OutcomeKind,
        /// The outcome's title.
        title: String,
    },
}

/// A line the customer said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spoken {
    /// Turn the line answers (0 for the opening line).
    pub turn: u32,
    /// Stable line id (`step/band/index`, `need/revealed`, `outcome/id`, `unclear/band/index`),
    /// used to cache and look up its audio.
    pub line_id: String,
    /// The words.
    pub text: String,
    /// The customer's band while saying it.
    pub band: Band,
    /// Body language and sound tags.
    pub tags: Vec<Tag>,
    /// The cue this line gives, if any.
    pub cue: Option<String>,
    /// What in the turn before it the line was written to answer (`None`: a line for any
    /// route into its step).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answering: Option<Answering>,
}

/// Why the customer said a line written for a route: what the turn before it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answering {
    /// The reply's own answer (`answer:` on the reply).
    Reply(String),
    /// A step line written for this reply (`after: ["…"]`).
    AfterReply(String),
    /// A step line written for a turn heard as this intent (`after_intents: […]`).
    AfterIntent(crate::analysis::intent::Intent),
}

impl Answering {
    /// In plain words, for the debrief and the coach's report, after the line: "Margaret
    /// answered: "Yes. That's it." (written for paraphrasing)".
    pub fn describe(&self) -> String {
        match self {
            Answering::Reply(_) => "their own answer to that reply".to_owned(),
            Answering::AfterReply(_) => "written for that reply".to_owned(),
            Answering::AfterIntent(intent) => format!("written for {}", intent.label()),
        }
    }
}

/// A reply on offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferedReply {
    /// Reply id.
    pub id: String,
    /// Button text.
    pub text: String,
}

/// A change of escalation and trust with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateChange {
    /// Turn number.
    pub turn: u32,
    /// Escalation before.
    pub from: f32,
    /// Escalation after.
    pub to: f32,
    /// Trust before.
    pub trust_from: f32,
    /// Trust after.
    pub trust_to: f32,
    /// Band before.
    pub band_from: Band,
    /// Band after.
    pub band_to: Band,
    /// Every contribution, after the customer's temperament scaled it.
    pub reasons: Vec<Reason>,
}

impl StateChange {
    /// The change from `before` to `after` on `turn`, with its reasons.
    pub fn between(
        turn: u32,
        before: crate::engine::record::StatePoint,
        after: crate::engine::record::StatePoint,
        reasons: Vec<Reason>,
    ) -> StateChange {
        StateChange {
            turn,
            from: before.escalation,
            to: after.escalation,
            trust_from: before.trust,
            trust_to: after.trust,
            band_from: before.band,
            band_to: after.band,
            reasons,
        }
    }
}

/// One contribution to a state change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// What caused it.
    pub cause: Cause,
    /// Change in escalation.
    pub escalation: f32,
    /// Change in trust.
    pub trust: f32,
    /// Plain-words explanation for the debrief.
    pub note: String,
}

/// What moved the customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cause {
    /// A conversational move.
    Intent(Intent),
    /// The author's extra effect for this reply here.
    Reply(String),
    /// Speaking fast.
    Pace,
    /// Jumping in with no pause.
    Rushed,
    /// Raised voice.
    Loudness,
    /// Too quiet to hear easily.
    Quiet,
    /// Talking over the customer.
    Interruption,
    /// Talking on until the customer cut in.
    TalkedOn,
    /// Long dead air.
    LongPause,
    /// Filler words.
    Fillers,
    /// Looking away from the customer (VR).
    LookedAway,
    /// Holding eye contact while the customer opened up (VR).
    EyeContact,
    /// Picking up a cue.
    CueNoticed(String),
    /// The seeded turn-to-turn wobble.
    Variation,
    /// What the moment made of the reply: a script to someone who wants to be heard, the
    /// same promise again, a procedural question just after they hinted at something.
    Moment,
    /// A coach watching the session nudged the customer's mood.
    Coach,
}

impl Cause {
    /// Whether the cause is about how something was said rather than what.
    pub fn is_delivery(&self) -> bool {
        matches!(
            self,
            Cause::Pace
                | Cause::Rushed
                | Cause::Loudness
                | Cause::Quiet
                | Cause::Interruption
                | Cause::TalkedOn
                | Cause::LongPause
                | Cause::Fillers
                | Cause::LookedAway
                | Cause::EyeContact
        )
    }
}
