//! Holdspace's pure core, in five groups: the `scenario` format and its authoring tools,
//! turn `analysis` (what a reply does and how it was delivered), the escalation `engine`
//! (session, events, state, record, journal), the customer's `expression` (body, face,
//! habits, lip sync, voice prosody) and the `debrief` (debrief data, skills, xAPI).
//!
//! Text in, structs and events out: no Bevy, no audio, no file system, no clock.
//! Randomness comes only from the seed given to [`Session::new`], so the same scenario,
//! seed and inputs always give the same session.

pub mod analysis;
pub mod debrief;
pub mod engine;
pub mod expression;
pub mod scenario;

pub use analysis::intent::Intent;
pub use analysis::lexicon::Lexicon;
pub use analysis::{Analysis, Delivery, Gaze, TurnInput};
pub use debrief::Debrief;
pub use engine::events::{Cause, Reason, SessionEvent};
pub use engine::record::SessionRecord;
pub use engine::state::{Band, Disclosure};
pub use engine::{Listener, Mode, Session, TurnError};
pub use scenario::diagnostic::{Diagnostic, Severity};
pub use scenario::load::{Checked, LoadedScenario, check};
pub use scenario::model::Scenario;

#[cfg(test)]
mod testing;
