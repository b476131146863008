//! What a trainee's reply does conversationally, and the default effect of each on a customer.

use serde::{Deserialize, Serialize};

use crate::model::Effect;

/// A conversational move recognised in a trainee's reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Intent {
    /// "I can see this has been a real problem for you."
    Acknowledge,
    /// Reflecting the customer's own words back ("So the parcel was meant to arrive Tuesday…").
    Paraphrase,
    /// A question that invites more than yes or no ("What's happening on Friday?").
    OpenQuestion,
    /// A yes/no or one-fact question ("Is your order number 4471?").
    ClosedQuestion,
    /// "I'm sorry."
    Apology,
    /// Claiming to know how they feel ("That must be really frustrating", "The same happened to me").
    AssumptiveEmpathy,
    /// Shrinking the problem or the feeling, including "calm down".
    Minimising,
    /// Hiding behind rules ("It's our policy", "There's nothing I can do").
    PolicyWall,
    /// Putting it on the customer ("You should have…").
    Blame,
    /// "Take your time", "There's no rush."
    TakeYourTime,
    /// A concrete next action ("What I can do is…").
    Solution,
    /// Passing them on ("I'll transfer you").
    Transfer,
    /// Saying nothing.
    Silence,
}

impl Intent {
    /// Every intent, in declaration order.
    pub const ALL: [Intent; 13] = [
        Intent::Acknowledge,
        Intent::Paraphrase,
        Intent::OpenQuestion,
        Intent::ClosedQuestion,
        Intent::Apology,
        Intent::AssumptiveEmpathy,
        Intent::Minimising,
        Intent::PolicyWall,
        Intent::Blame,
        Intent::TakeYourTime,
        Intent::Solution,
        Intent::Transfer,
        Intent::Silence,
    ];

    /// Plain-words name for the debrief.
    pub fn label(self) -> &'static str {
        match self {
            Intent::Acknowledge => "acknowledging",
            Intent::Paraphrase => "paraphrasing",
            Intent::OpenQuestion => "an open question",
            Intent::ClosedQuestion => "a closed question",
            Intent::Apology => "an apology",
            Intent::AssumptiveEmpathy => "assumptive empathy",
            Intent::Minimising => "minimising",
            Intent::PolicyWall => "a policy wall",
            Intent::Blame => "blaming the customer",
            Intent::TakeYourTime => "\"take your time\"",
            Intent::Solution => "offering a concrete action",
            Intent::Transfer => "passing them on",
            Intent::Silence => "silence",
        }
    }

    /// The effect on a typical customer, from contact-centre practice: listening and
    /// reflecting calm and build trust; telling people how they feel, minimising and
    /// policy walls escalate. Scenarios override these per customer.
    pub fn default_effect(self) -> Effect {
        let (escalation, trust) = match self {
            Intent::Acknowledge => (-0.06, 0.06),
            Intent::Paraphrase => (-0.10, 0.10),
            Intent::OpenQuestion => (-0.05, 0.06),
            Intent::ClosedQuestion => (0.0, 0.0),
            Intent::Apology => (-0.04, 0.02),
            Intent::AssumptiveEmpathy => (0.08, -0.06),
            Intent::Minimising => (0.15, -0.12),
            Intent::PolicyWall => (0.14, -0.10),
            Intent::Blame => (0.15, -0.12),
            Intent::TakeYourTime => (-0.07, 0.06),
            Intent::Solution => (-0.06, 0.04),
            Intent::Transfer => (0.05, -0.05),
            Intent::Silence => (0.04, -0.03),
        };
        Effect { escalation, trust }
    }

    /// Whether this move shows listening (used for cue responses and the debrief).
    pub fn is_listening(self) -> bool {
        matches!(
            self,
            Intent::Acknowledge | Intent::Paraphrase | Intent::OpenQuestion | Intent::TakeYourTime
        )
    }
}
