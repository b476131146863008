//! Holdspace's pure core: the scenario format, its validator, the escalation engine,
//! turn analysis and debrief data.
//!
//! Text in, structs and events out: no Bevy, no audio, no file system, no clock.
//! Randomness comes only from the seed given to [`Session::new`], so the same scenario,
//! seed and inputs always give the same session.

pub mod analysis;
pub mod body;
pub mod checks;
pub mod debrief;
pub mod delivery;
pub mod diagnostic;
pub mod engine;
pub mod events;
pub mod explore;
pub mod graph;
pub mod habits;
pub mod intent;
pub mod journal;
pub mod lexicon;
pub mod lipsync;
pub mod load;
pub mod locate;
pub mod matching;
pub mod model;
pub mod numbers;
pub mod probe;
pub mod prosody;
pub mod record;
pub mod scope;
pub mod script;
pub mod signal;
pub mod skills;
pub mod spoken;
pub mod state;
pub mod text;
pub mod topic;
pub mod validate;
pub mod xapi;

pub use analysis::{Analysis, Delivery, Gaze, TurnInput};
pub use debrief::Debrief;
pub use diagnostic::{Diagnostic, Severity};
pub use engine::{Listener, Mode, Session, TurnError};
pub use events::{Cause, Reason, SessionEvent};
pub use intent::Intent;
pub use lexicon::Lexicon;
pub use load::{Checked, LoadedScenario, check};
pub use model::Scenario;
pub use record::SessionRecord;
pub use state::{Band, Disclosure};

#[cfg(test)]
mod golden_tests;
#[cfg(test)]
mod robustness_tests;
#[cfg(test)]
mod testing;
