//! Exports of a session: `record.json` (the core's record), `statements.json` (xAPI,
//! checked against cmi5 before it is written), `report.html`, and, when an LRS is
//! configured, a copy of the statements in the upload queue.

use std::path::PathBuf;

use holdspace_core::debrief::xapi::{self, Timing};
use holdspace_core::{Debrief, LoadedScenario};

use crate::history::attempts_before;
use crate::lrs::{QueuedBatch, enqueue};
use crate::paths::write_atomic;
use crate::{RecordsError, Settings, Store, StoredSession};

/// Record file name.
pub const RECORD_FILE: &str = "record.json";
/// xAPI statements file name.
pub const STATEMENTS_FILE: &str = "statements.json";
/// HTML report file name.
pub const REPORT_FILE: &str = "report.html";

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// The record.
    pub record: PathBuf,
    /// The statements.
    pub statements: PathBuf,
    /// The report (needs the scenario, for the debrief).
    pub report: Option<PathBuf>,
    /// The queued upload, when an LRS is configured and the session is over.
    pub queued: Option<PathBuf>,
}

fn json_bytes<T: serde::Serialize>(value: &T, path: &std::path::Path) -> Result<Vec<u8>, RecordsError> {
    serde_json::to_vec_pretty(value).map_err(|e| RecordsError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Writes every export of `session` into its folder (rewriting earlier ones: a reflection
/// answered later updates them).
pub fn export(
    store: &Store,
    session: &StoredSession,
    scenario: Option<&LoadedScenario>,
    settings: &Settings,
) -> Result<Exported, RecordsError> {
    let journal = &session.journal;
    let record_path = session.dir.join(RECORD_FILE);
    write_atomic(&record_path, &json_bytes(&journal.record, &record_path)?)?;

    let statements = xapi::statements(
        &journal.record,
        &journal.meta,
        Timing {
            turn_times_ms: &journal.turn_times_ms,
            ended_at_ms: journal.ended_at_ms,
        },
        &settings.xapi,
    )
    .map_err(|e| RecordsError::Statements(e.to_string()))?;
    let problems = xapi::problems(&statements);
    if !problems.is_empty() {
        return Err(RecordsError::Statements(problems.join("; ")));
    }
    let statements_path = session.dir.join(STATEMENTS_FILE);
    write_atomic(&statements_path, &json_bytes(&statements, &statements_path)?)?;

    let report = match scenario {
        Some(scenario) => {
            let debrief = Debrief::build(scenario, &journal.record);
            let skills = holdspace_core::debrief::skills::SkillScores::of(&journal.record);
            let earlier = attempts_before(store, &journal.meta.profile, session)?;
            let html = crate::html::report(&debrief, &journal.record, &journal.meta, &skills, &earlier);
            let path = session.dir.join(REPORT_FILE);
            write_atomic(&path, html.as_bytes())?;
            Some(path)
        }
        None => None,
    };

    let queued = match settings.active_lrs() {
        Some(_) if journal.closed => Some(enqueue(
            &store.locations().lrs_queue(),
            &QueuedBatch {
                profile: journal.meta.profile.clone(),
                session_id: journal.meta.session_id.clone(),
                statements,
                attempts: 0,
                last_error: None,
            },
        )?),
        _ => None,
    };
    Ok(Exported {
        record: record_path,
        statements: statements_path,
        report,
        queued,
    })
}
