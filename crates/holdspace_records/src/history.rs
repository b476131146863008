//! A trainee's attempts across sessions, read from their session folders.
//!
//! Files, not a database: each session folder already holds its journal, which is the
//! source of truth; an index would be a second copy that can disagree with it after a
//! crash. A trainee has tens or hundreds of attempts, and reading them is measured by
//! `holdspace bench records`.

use holdspace_core::debrief::skills::{Attempt, Progress, ScenarioInfo};
use holdspace_core::engine::journal::instant;

use crate::{RecordsError, Store, StoredSession};

fn attempt(s: &StoredSession) -> Attempt {
    Attempt::of(&s.id, &s.journal.meta.started_at, s.record())
}

/// Every attempt of a profile with at least one turn, oldest first.
pub fn attempts(store: &Store, profile: &str) -> Result<Vec<Attempt>, RecordsError> {
    let (sessions, _unreadable) = store.sessions(profile)?;
    Ok(sessions
        .iter()
        .filter(|s| !s.record().turns.is_empty())
        .map(attempt)
        .collect())
}

/// Attempts that started before `session` (for "against your earlier attempts").
pub fn attempts_before(store: &Store, profile: &str, session: &StoredSession) -> Result<Vec<Attempt>, RecordsError> {
    let key = (instant(&session.journal.meta.started_at), session.id.as_str());
    Ok(attempts(store, profile)?
        .into_iter()
        .filter(|a| a.session_id != session.id && (instant(&a.started_at), a.session_id.as_str()) < key)
        .collect())
}

/// Progress of a profile against the scenarios on offer.
pub fn progress(store: &Store, profile: &str, catalogue: &[ScenarioInfo]) -> Result<Progress, RecordsError> {
    Ok(Progress::build(attempts(store, profile)?, catalogue))
}
