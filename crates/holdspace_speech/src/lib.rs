//! Holdspace's speech input, offline: which offered reply the trainee said
//! (PocketSphinx listening for a grammar of the options) and the pronouncing dictionary
//! that scenario validation checks option words against.
//!
//! No Bevy here; the app's speech plugin will own an [`OptionRecogniser`].

pub mod error;
pub mod options;
pub mod pronounce;
pub mod sphinx;

pub use error::SpeechError;
pub use options::{OptionRecogniser, Picked};
pub use pronounce::Dictionary;

#[cfg(test)]
mod recognition_tests;
