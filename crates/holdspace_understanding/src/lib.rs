//! Holdspace's understanding layer: what the customer hears in a trainee's words, and
//! how well.
//!
//! - [`corpus`]: the labelled trainee replies (`corpus/train/*.tsv` to tune on,
//!   `corpus/dev.tsv` to measure on, never tuned on), written to `docs/labelling.md`.
//! - [`evaluate`]: plays every row through the engine at its step, as a trainee's
//!   typed or spoken reply, and measures intents, direction and reply matching.
//!
//! No Bevy and no clock: the benchmark times itself through a closure its caller gives.

pub mod bert;
pub mod corpus;
pub mod encoder;
pub mod evaluate;
pub mod listener;
