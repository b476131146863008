//! Holdspace's customer voice: every line is synthesised at run time with flite, shaped
//! by the customer's state (pitch, pace, loudness, pauses, a sigh or a tut), cached, and
//! played through kira from the avatar's mouth, with a mouth-shape track for lip sync.
//!
//! No Bevy here: the app's voice plugin owns a [`Speaker`](player::Speaker) and reacts to
//! session messages; tests drive the same types with kira's mock backend.

pub mod error;
pub mod flite;
pub mod nonverbal;
pub mod render;

pub use error::VoiceError;
pub use render::{Speech, TimedWord, render_line};
