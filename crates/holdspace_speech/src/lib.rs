//! Holdspace's speech input, offline: where an utterance starts and ends (`vad`), which
//! offered reply the trainee said (PocketSphinx listening for a grammar of the options),
//! what they said in free words (Whisper tiny.en), the decision between the two
//! (`listen`), the pronouncing dictionary that scenario validation checks option words
//! against, and the generated test set the tests and benchmark score on.
//!
//! No Bevy here; the app's speech plugin runs a [`Listener`] on a worker thread.

pub mod error;
pub mod listen;
pub mod mel;
pub mod options;
pub mod pronounce;
pub mod resample;
pub mod sphinx;
pub mod testset;
pub mod turn;
pub mod turnset;
pub mod vad;
pub mod whisper;

pub use error::SpeechError;
pub use listen::{Heard, Listener};
pub use options::{OptionRecogniser, Picked};
pub use pronounce::Dictionary;

#[cfg(test)]
mod delivery_tests;
#[cfg(test)]
mod recognition_tests;
