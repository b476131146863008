//! How the customer's state shows: body language and face (`body`), involuntary habits
//! such as blinks and glances (`habits`), the mouth's timeline for a line (`lipsync`) and
//! the voice's pitch, pace and loudness (`prosody`), and how they listen while the trainee
//! talks (`listening`).

pub mod body;
pub mod habits;
pub mod lipsync;
pub mod listening;
pub mod prosody;
