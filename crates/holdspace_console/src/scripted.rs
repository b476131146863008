//! Sessions without the app: one driven by a script and steerable from the console (the
//! browser tests and `bench console` run one while watchers look on), and a seeded
//! cohort of finished sessions written the way the app writes them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use holdspace_core::engine::coach::CoachAction;
use holdspace_core::engine::journal::SessionMeta;
use holdspace_core::{LoadedScenario, Mode, Session, SessionEvent, TurnError, TurnInput};
use holdspace_records::journal_file::JOURNAL_FILE;
use holdspace_records::store::NewSession;
use holdspace_records::{JournalWriter, RecordsError, Store};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::live::CoachCommand;

/// Why a scripted turn or coach action was not taken.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// The engine refused it.
    #[error(transparent)]
    Engine(#[from] TurnError),
    /// The journal could not be written.
    #[error(transparent)]
    Records(#[from] RecordsError),
    /// The coach has paused the session.
    #[error("the coach has paused the session")]
    Paused,
}

/// A session driven by typed turns, journaled as the app journals, and steerable.
#[derive(Debug)]
pub struct ScriptedSession {
    /// The session's id (its folder's name).
    pub id: String,
    /// Its journal.
    pub journal_path: PathBuf,
    /// The engine.
    pub session: Session,
    writer: JournalWriter,
    paused: bool,
}

impl ScriptedSession {
    /// Starts a session of `scenario` for `profile` in `store`.
    pub fn begin(
        store: &Store,
        scenario: Arc<LoadedScenario>,
        profile: &str,
        seed: u64,
        mode: Mode,
    ) -> Result<ScriptedSession, RecordsError> {
        let (session, _) = Session::new(scenario, seed, mode);
        let writer = store.begin(
            &session.record(),
            NewSession {
                profile,
                origin: "script",
                retried_from: None,
            },
        )?;
        Ok(ScriptedSession {
            id: writer.meta().session_id.clone(),
            journal_path: writer.path().to_path_buf(),
            session,
            writer,
            paused: false,
        })
    }

    /// Takes a typed turn and journals it (refused while the coach has it paused).
    pub fn say(&mut self, text: &str) -> Result<Vec<SessionEvent>, ScriptError> {
        if self.paused {
            return Err(ScriptError::Paused);
        }
        let events = self.session.respond(TurnInput::say(text))?;
        if let Some(turn) = self.session.last_turn() {
            self.writer.turn(turn, &events)?;
        }
        self.close_if_ended()?;
        Ok(events)
    }

    /// Applies a coach action and journals it.
    pub fn coach(&mut self, action: CoachAction) -> Result<Vec<SessionEvent>, ScriptError> {
        let events = self.session.coach(action.clone())?;
        if let Some(record) = self.session.coached().last() {
            self.writer.coach(record, &events)?;
        }
        match action {
            CoachAction::Pause => self.paused = true,
            CoachAction::Resume => self.paused = false,
            _ => {}
        }
        self.close_if_ended()?;
        Ok(events)
    }

    /// Applies a command from the console and answers it.
    pub fn apply(&mut self, command: CoachCommand) {
        let result = self.coach(command.action).map(|_| ()).map_err(|e| e.to_string());
        // The console may have stopped waiting; the action stands either way.
        let _ = command.done.send(result);
    }

    /// Whether the coach has it paused.
    pub fn is_paused(&self) -> bool {
        self.paused
    }

    fn close_if_ended(&mut self) -> Result<(), RecordsError> {
        if self.session.is_ended() && !self.writer.is_closed() {
            self.writer.end(self.session.outcome())?;
        }
        Ok(())
    }

    /// Writes the end line: with the outcome if the conversation ended, abandoned if not.
    pub fn finish(mut self) -> Result<(), RecordsError> {
        let outcome = self.session.outcome().cloned();
        self.writer.end(outcome.as_ref())
    }
}

/// How big a seeded cohort is.
#[derive(Debug, Clone, Copy)]
pub struct CohortSize {
    /// Trainee profiles.
    pub trainees: usize,
    /// Sessions per trainee.
    pub sessions: usize,
}

/// Writes a cohort of finished sessions into `data`: each trainee plays the scenarios in
/// turn, one session a day from 2026-09-01, choosing among the offered replies at random
/// (seeded), better on later attempts. Returns the number of sessions written.
pub fn seed_cohort(
    data: &Path,
    scenarios: &[Arc<LoadedScenario>],
    size: CohortSize,
    seed: u64,
) -> Result<usize, RecordsError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut written = 0;
    // 2026-09-01 09:00 UTC.
    let start = time::OffsetDateTime::from_unix_timestamp(1_788_253_200).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    for t in 0..size.trainees {
        let profile = format!("trainee-{t:03}");
        let sessions = data.join("profiles").join(&profile).join("sessions");
        for n in 0..size.sessions {
            let Some(scenario) = scenarios.get((t + n) % scenarios.len().max(1)) else {
                break;
            };
            let session_seed = rng.random::<u32>() as u64;
            let (mut session, _) = Session::new(Arc::clone(scenario), session_seed, Mode::Guided);
            // Later attempts pick the listening replies more often.
            let skill = (n as f32 + 1.0) / (size.sessions as f32 + 1.0);
            while !session.is_ended() {
                let replies = session.available_replies();
                let good: Vec<_> = replies
                    .iter()
                    .filter(|r| r.intents.iter().any(|i| i.is_helpful()))
                    .collect();
                let pick = if !good.is_empty() && rng.random::<f32>() < skill {
                    good[rng.random_range(0..good.len())].id.clone()
                } else if let Some(r) = replies.get(rng.random_range(0..replies.len().max(1))) {
                    r.id.clone()
                } else {
                    break;
                };
                if session.respond(TurnInput::choose(pick)).is_err() {
                    break;
                }
            }
            let when = start + time::Duration::days(n as i64) + time::Duration::minutes(t as i64);
            let id = format!("{}-{}-{session_seed}", when.unix_timestamp(), scenario.scenario.id);
            let dir = sessions.join(&id);
            std::fs::create_dir_all(&dir).map_err(|source| RecordsError::Io {
                path: dir.clone(),
                source,
            })?;
            let meta = SessionMeta {
                session_id: id,
                profile: profile.clone(),
                started_at: when
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                app_version: env!("CARGO_PKG_VERSION").to_owned(),
                pid: 0,
                origin: "seed".to_owned(),
                retried_from: None,
            };
            let record = session.record();
            let mut writer = JournalWriter::create(&dir.join(JOURNAL_FILE), &record, meta)?;
            writer.end(record.outcome.as_ref())?;
            written += 1;
        }
    }
    Ok(written)
}
