//! The coach's console: a local web server a coach opens in a browser on a laptop or a
//! tablet.
//!
//! - [`live`]: a session as it happens (the conversation, what the engine heard and why,
//!   the escalation and trust curves, cues, the hidden need, delivery), fed from the
//!   session's journal, and the coach's controls back to the session.
//! - [`cohort`]: every trainee in a data folder: skills over time, scenarios attempted,
//!   cues most often missed, steps where sessions escalate, with filters and CSV.
//! - [`access`]: open on loopback; elsewhere a coach token or a read-only viewer token.
//! - [`server`]: the HTTP routes (axum), the pages (embedded, no CDN) and the server's
//!   thread, which the app starts with `run --console` and the CLI with `holdspace console`.
//! - [`scripted`]: a scripted, steerable session and a seeded cohort, for tests and
//!   `bench console`.
//!
//! No Bevy: the app's adapter attaches its session to the [`live::LiveHub`] and applies
//! the commands it receives.

pub mod access;
#[cfg(test)]
mod browser_tests;
pub mod cohort;
pub mod live;
pub mod scripted;
pub mod server;
#[cfg(test)]
mod testing;

pub use access::{Access, Role};
pub use cohort::{Cohort, Filter};
pub use live::{CoachCommand, LiveHub, Steering};
pub use server::{ConsoleConfig, ConsoleError, RunningConsole, start};
