//! The records folder: `profiles/<profile>/sessions/<session id>/`, each session holding
//! its journal (`journal.jsonl`) and, once exported, `record.json`, `statements.json` and
//! `report.html`.

use std::path::{Path, PathBuf};

use holdspace_core::SessionRecord;
use holdspace_core::engine::journal::{Journal, RetriedFrom, SessionMeta, instant};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::io;
use crate::journal_file::{JOURNAL_FILE, JournalWriter, read_journal};
use crate::{Locations, RecordsError};

/// A session found on disk.
#[derive(Debug, Clone)]
pub struct StoredSession {
    /// Its id (the folder name).
    pub id: String,
    /// Its folder.
    pub dir: PathBuf,
    /// Its journal, read back.
    pub journal: Journal,
}

impl StoredSession {
    /// The session as recorded so far.
    pub fn record(&self) -> &SessionRecord {
        &self.journal.record
    }

    /// A journal that was never closed and whose writer is gone: the app crashed or was killed.
    pub fn is_interrupted(&self) -> bool {
        !self.journal.closed && !process_alive(self.journal.meta.pid)
    }
}

/// Whether a Holdspace process with this id is running (on Linux; elsewhere, assume
/// not): a journal with no end whose writer runs is live, not crashed.
pub fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc_dir = Path::new("/proc").join(pid.to_string());
    // A recycled pid belongs to some other program: only a Holdspace process counts.
    std::fs::read(proc_dir.join("cmdline")).is_ok_and(|c| String::from_utf8_lossy(&c).contains("holdspace"))
}

/// The records of every profile.
#[derive(Debug, Clone)]
pub struct Store {
    locations: Locations,
}

/// What a new session is, besides its record.
#[derive(Debug, Clone, Default)]
pub struct NewSession<'a> {
    /// Trainee profile.
    pub profile: &'a str,
    /// "app", "simulate", "play".
    pub origin: &'a str,
    /// For a retry: where it branched from.
    pub retried_from: Option<RetriedFrom>,
}

impl Store {
    /// The store at `locations`.
    pub fn new(locations: Locations) -> Store {
        Store { locations }
    }

    /// Where it lives.
    pub fn locations(&self) -> &Locations {
        &self.locations
    }

    /// Starts a session's journal; `record` is the engine's record right after starting
    /// (and, for a retry, after replaying the turns before the retried one).
    pub fn begin(&self, record: &SessionRecord, new: NewSession<'_>) -> Result<JournalWriter, RecordsError> {
        let sessions = self.locations.profile(new.profile)?.join("sessions");
        std::fs::create_dir_all(&sessions).map_err(io(&sessions))?;
        let now = OffsetDateTime::now_utc();
        let stamp = format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            now.year(),
            u8::from(now.month()),
            now.day(),
            now.hour(),
            now.minute(),
            now.second()
        );
        let base = format!("{stamp}-{}-{}", record.scenario_id, record.seed);
        // Two sessions in the same second (a quick retry) get a suffix; create_dir is the lock.
        let mut n = 1;
        let (id, dir) = loop {
            let id = if n == 1 { base.clone() } else { format!("{base}-{n}") };
            let dir = sessions.join(&id);
            match std::fs::create_dir(&dir) {
                Ok(()) => break (id, dir),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
                Err(e) => return Err(RecordsError::Io { path: dir, source: e }),
            }
        };
        let meta = SessionMeta {
            session_id: id,
            profile: new.profile.to_owned(),
            // Always three fraction digits: the same width for every session, so the text
            // reads (and sorts) in order as well as the instant does.
            started_at: format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                now.year(),
                u8::from(now.month()),
                now.day(),
                now.hour(),
                now.minute(),
                now.second(),
                now.millisecond()
            ),
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            pid: std::process::id(),
            origin: new.origin.to_owned(),
            retried_from: new.retried_from,
        };
        JournalWriter::create(&dir.join(JOURNAL_FILE), record, meta)
    }

    /// Profiles with records, sorted.
    pub fn profiles(&self) -> Vec<String> {
        let dir = self.locations.data.join("profiles");
        let mut out: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .collect();
        out.sort();
        out
    }

    /// A profile's sessions, oldest first, with the journals that could not be read.
    pub fn sessions(&self, profile: &str) -> Result<(Vec<StoredSession>, Vec<RecordsError>), RecordsError> {
        let dir = self.locations.profile(profile)?.join("sessions");
        let mut ok = Vec::new();
        let mut bad = Vec::new();
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((ok, bad)),
            Err(e) => return Err(RecordsError::Io { path: dir, source: e }),
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let journal = path.join(JOURNAL_FILE);
            if !journal.is_file() {
                continue;
            }
            match read_journal(&journal) {
                Ok(j) => ok.push(StoredSession {
                    id: entry.file_name().to_string_lossy().into_owned(),
                    dir: path,
                    journal: j,
                }),
                Err(e) => bad.push(e),
            }
        }
        ok.sort_by_cached_key(|s| (instant(&s.journal.meta.started_at), s.id.clone()));
        Ok((ok, bad))
    }

    /// One session by id, or the latest with `"latest"`.
    pub fn session(&self, profile: &str, id: &str) -> Result<StoredSession, RecordsError> {
        let (sessions, _) = self.sessions(profile)?;
        let found = if id == "latest" {
            sessions.into_iter().last()
        } else {
            sessions.into_iter().find(|s| s.id == id)
        };
        found.ok_or_else(|| RecordsError::NoSession {
            profile: profile.to_owned(),
            id: id.to_owned(),
        })
    }

    /// Sessions cut short by a crash or kill, newest first: offered for debrief on the next start.
    pub fn interrupted(&self, profile: &str) -> Result<Vec<StoredSession>, RecordsError> {
        let (sessions, _) = self.sessions(profile)?;
        let mut out: Vec<StoredSession> = sessions.into_iter().filter(StoredSession::is_interrupted).collect();
        out.reverse();
        Ok(out)
    }

    /// Appends a reflection answer to a session's journal (after its end is fine).
    pub fn append_reflection(
        &self,
        session: &StoredSession,
        answer: holdspace_core::engine::record::ReflectionAnswer,
    ) -> Result<(), RecordsError> {
        let at_ms = OffsetDateTime::parse(&session.journal.meta.started_at, &Rfc3339)
            .map(|start| (OffsetDateTime::now_utc() - start).whole_milliseconds().max(0) as u64)
            .unwrap_or(0);
        self.append_line(
            session,
            &holdspace_core::engine::journal::JournalEntry::Reflection { at_ms, answer },
        )
    }

    fn append_line(
        &self,
        session: &StoredSession,
        entry: &holdspace_core::engine::journal::JournalEntry,
    ) -> Result<(), RecordsError> {
        use std::io::Write;
        let path = session.dir.join(JOURNAL_FILE);
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        // A torn last line (the writer died mid-write) is cut off first, so the new entry
        // starts on a line of its own and every complete line before it stays readable.
        let complete = text.rfind('\n').map_or(0, |i| i + 1);
        if complete < text.len() {
            file.set_len(complete as u64).map_err(io(&path))?;
        }
        let line = crate::journal_file::line(entry, &path)?;
        file.write_all(line.as_bytes()).map_err(io(&path))?;
        file.sync_data().map_err(io(&path))
    }

    /// Marks an interrupted session as dealt with (its journal gets an end line with no
    /// outcome), so it is not offered again.
    pub fn close_interrupted(&self, session: &StoredSession) -> Result<(), RecordsError> {
        let at_ms = session.journal.turn_times_ms.last().copied().unwrap_or(0);
        self.append_line(
            session,
            &holdspace_core::engine::journal::JournalEntry::End { at_ms, outcome: None },
        )
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use holdspace_core::{Lexicon, Mode, Session, TurnInput, check};

    use super::*;

    pub(crate) fn scenario() -> Arc<holdspace_core::LoadedScenario> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/delivery_bereavement.ron");
        let text = std::fs::read_to_string(path).unwrap();
        Arc::new(check(&text, &Lexicon::builtin()).scenario.unwrap())
    }

    fn store(dir: &Path) -> Store {
        Store::new(Locations::resolve(Some(dir), Some(&dir.join("settings.ron"))))
    }

    /// A guided session for "sam", journaled turn by turn with the given clicks.
    fn play(store: &Store, choices: &[&str]) -> (Session, JournalWriter) {
        let (mut session, _) = Session::new(scenario(), 3, Mode::Guided);
        let new = NewSession {
            profile: "sam",
            origin: "test",
            retried_from: None,
        };
        let mut writer = store.begin(&session.record(), new).unwrap();
        for id in choices {
            let events = session.respond(TurnInput::choose(*id)).unwrap();
            writer.turn(session.last_turn().unwrap(), &events).unwrap();
        }
        (session, writer)
    }

    #[test]
    fn a_journal_written_turn_by_turn_reads_back_as_the_session() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let (session, mut writer) = play(&store, &["order_number", "check_tracking"]);
        // The writer is still "running" (this process): not offered as interrupted.
        assert!(store.interrupted("sam").unwrap().is_empty());
        let stored = store.session("sam", "latest").unwrap();
        assert_eq!(stored.record(), &session.record());
        assert!(!stored.journal.closed);
        writer.end(session.outcome()).unwrap();
        assert!(store.session("sam", &stored.id).unwrap().journal.closed);
    }

    #[test]
    fn a_journal_whose_writer_died_is_offered_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let (_, writer) = play(&store, &["order_number"]);
        let path = writer.path().to_path_buf();
        drop(writer);
        // Pretend the writer was a process that is gone, and died mid-line.
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace(&format!("\"pid\":{}", std::process::id()), "\"pid\":4000000");
        std::fs::write(&path, format!("{text}{{\"entry\":\"turn\",\"at")).unwrap();
        let interrupted = store.interrupted("sam").unwrap();
        assert_eq!(interrupted.len(), 1);
        assert!(interrupted[0].journal.torn_tail);
        assert_eq!(interrupted[0].record().turns.len(), 1);
        store.close_interrupted(&interrupted[0]).unwrap();
        assert!(store.interrupted("sam").unwrap().is_empty());
        assert_eq!(
            store.session("sam", "latest").unwrap().record().turns.len(),
            1,
            "nothing lost"
        );
    }

    #[test]
    fn a_reflection_answer_lands_in_the_record_and_the_report() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let (session, mut writer) = play(&store, &["order_number", "check_tracking", "express_thursday"]);
        writer.end(session.outcome()).unwrap();
        let stored = store.session("sam", "latest").unwrap();
        let debrief = holdspace_core::Debrief::build(&scenario(), stored.record());
        let question = debrief.reflection[0].clone();
        let answer = holdspace_core::engine::record::ReflectionAnswer {
            question: question.clone(),
            answer: "I never asked why Friday mattered <at all>.".into(),
        };
        store.append_reflection(&stored, answer.clone()).unwrap();
        let stored = store.session("sam", "latest").unwrap();
        assert_eq!(stored.record().reflections, vec![answer]);
        assert!(stored.journal.closed, "answering after the end keeps it closed");
        let out = crate::export::export(&store, &stored, Some(&scenario()), &crate::Settings::default()).unwrap();
        let html = std::fs::read_to_string(out.report.unwrap()).unwrap();
        assert!(
            html.contains("I never asked why Friday mattered &lt;at all&gt;."),
            "escaped answer in the report"
        );
        let record: holdspace_core::SessionRecord =
            serde_json::from_slice(&std::fs::read(out.record).unwrap()).unwrap();
        assert_eq!(record.reflections.len(), 1);
    }

    #[test]
    fn sessions_in_the_same_second_get_their_own_folders() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let (session, _) = Session::new(scenario(), 3, Mode::Guided);
        let new = || NewSession {
            profile: "sam",
            origin: "test",
            retried_from: None,
        };
        let a = store.begin(&session.record(), new()).unwrap();
        let b = store.begin(&session.record(), new()).unwrap();
        assert_ne!(a.meta().session_id, b.meta().session_id);
        assert_eq!(store.sessions("sam").unwrap().0.len(), 2);
        assert!(
            store
                .begin(
                    &session.record(),
                    NewSession {
                        profile: "../x",
                        ..new()
                    }
                )
                .is_err()
        );
    }
}
