//! Holdspace's customer voice: every line is synthesised at run time with Kokoro-82M, a
//! neural voice (or flite when it is not installed), shaped by the customer's state
//! (pitch, pace, loudness, pauses, a sigh or a tut), cached, and played through kira from
//! the avatar's mouth, with a mouth-shape track for lip sync.
//!
//! No Bevy here: the app's voice plugin owns a [`Speaker`] and reacts to
//! session messages; tests drive the same types with kira's mock backend.

pub mod ambience;
pub mod cache;
pub mod capture;
pub mod disk;
pub mod error;
pub mod flite;
pub mod kokoro;
pub mod nonverbal;
pub mod onnx;
pub mod player;
pub mod render;
pub mod wav;

pub use cache::{LineRequest, VoiceCache};
pub use error::VoiceError;
pub use player::Speaker;
pub use render::{Engine, Speech, TimedWord, render_line, render_line_with};

#[cfg(test)]
mod shipped_tests;
