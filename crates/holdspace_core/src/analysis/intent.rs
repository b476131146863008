//! What a trainee's reply does conversationally (its effect on a customer is the engine's:
//! see `engine/reactions.rs`).

use serde::{Deserialize, Serialize};

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
    /// Saying nothing, or nothing but fillers ("um… right"): a non-answer.
    Silence,
    /// Stock phrases that fill the turn without answering ("Is there anything else I can
    /// help you with today?", "I hope you're having a lovely day").
    Scripted,
    /// Nothing to do with the customer or their problem ("Did you see the match?").
    OffTopic,
}

impl Intent {
    /// Every intent, in declaration order.
    pub const ALL: [Intent; 15] = [
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
        Intent::Scripted,
        Intent::OffTopic,
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
            Intent::Scripted => "a scripted line",
            Intent::OffTopic => "going off-topic",
        }
    }

    /// Whether this move harms on its own: the customer hears it whatever else was said
    /// ("sorry, but that's our policy" is heard as the policy).
    pub fn is_harmful(self) -> bool {
        matches!(
            self,
            Intent::AssumptiveEmpathy
                | Intent::Minimising
                | Intent::PolicyWall
                | Intent::Blame
                | Intent::Transfer
                | Intent::OffTopic
        )
    }

    /// Whether this move helps a typical customer.
    pub fn is_helpful(self) -> bool {
        matches!(
            self,
            Intent::Acknowledge
                | Intent::Paraphrase
                | Intent::OpenQuestion
                | Intent::Apology
                | Intent::TakeYourTime
                | Intent::Solution
        )
    }

    /// The name as written in scenario files and the corpus (`PolicyWall`).
    pub fn name(self) -> &'static str {
        match self {
            Intent::Acknowledge => "Acknowledge",
            Intent::Paraphrase => "Paraphrase",
            Intent::OpenQuestion => "OpenQuestion",
            Intent::ClosedQuestion => "ClosedQuestion",
            Intent::Apology => "Apology",
            Intent::AssumptiveEmpathy => "AssumptiveEmpathy",
            Intent::Minimising => "Minimising",
            Intent::PolicyWall => "PolicyWall",
            Intent::Blame => "Blame",
            Intent::TakeYourTime => "TakeYourTime",
            Intent::Solution => "Solution",
            Intent::Transfer => "Transfer",
            Intent::Silence => "Silence",
            Intent::Scripted => "Scripted",
            Intent::OffTopic => "OffTopic",
        }
    }

    /// Parses a name as written by [`Intent::name`].
    pub fn from_name(name: &str) -> Option<Intent> {
        Intent::ALL.into_iter().find(|i| i.name() == name)
    }

    /// Whether this move shows listening (used for cue responses and the debrief).
    pub fn is_listening(self) -> bool {
        matches!(
            self,
            Intent::Acknowledge | Intent::Paraphrase | Intent::OpenQuestion | Intent::TakeYourTime
        )
    }
}
