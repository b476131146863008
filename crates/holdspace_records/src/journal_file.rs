//! Appending to a session journal on disk: each entry is written as one line, flushed and
//! synced to the device before `append` returns, so a turn the trainee has seen answered
//! is a turn a crash cannot take back.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use holdspace_core::engine::coach::CoachRecord;
use holdspace_core::engine::events::SessionEvent;
use holdspace_core::engine::journal::{Journal, JournalEntry, SessionMeta};
use holdspace_core::engine::record::{OutcomeRecord, ReflectionAnswer, SessionRecord, TurnRecord};

use crate::RecordsError;
use crate::error::io;

/// The journal file's name inside a session folder.
pub const JOURNAL_FILE: &str = "journal.jsonl";

/// An open journal, appended to as the session goes.
#[derive(Debug)]
pub struct JournalWriter {
    file: File,
    path: PathBuf,
    started: Instant,
    meta: SessionMeta,
    closed: bool,
}

impl JournalWriter {
    /// Creates the journal (it must not exist) and writes the start of `record`: the
    /// opening, and any turns it already has (a retry starts with the replayed ones).
    pub fn create(path: &Path, record: &SessionRecord, meta: SessionMeta) -> Result<JournalWriter, RecordsError> {
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(path)
            .map_err(io(path))?;
        if let Some(dir) = path.parent() {
            crate::paths::sync_dir(dir);
        }
        let mut writer = JournalWriter {
            file,
            path: path.to_path_buf(),
            started: Instant::now(),
            meta: meta.clone(),
            closed: false,
        };
        let mut text = String::new();
        for entry in Journal::lines_for(record, &meta) {
            if !matches!(entry, JournalEntry::End { .. }) {
                text.push_str(&line(&entry, path)?);
            }
        }
        writer.write(&text)?;
        Ok(writer)
    }

    /// The session's identity.
    pub fn meta(&self) -> &SessionMeta {
        &self.meta
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Milliseconds since the journal was created.
    pub fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Whether an end entry has been written.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Records a completed turn and its events.
    pub fn turn(&mut self, turn: &TurnRecord, events: &[SessionEvent]) -> Result<(), RecordsError> {
        let entry = JournalEntry::Turn {
            at_ms: self.elapsed_ms(),
            turn: Box::new(turn.clone()),
            events: events.to_vec(),
        };
        self.write(&line(&entry, &self.path)?)
    }

    /// Records that the trainee took turn `turn` (the last) back: on reading, the record
    /// goes on as if it had not been taken, and the turn is kept aside.
    pub fn taken_back(&mut self, turn: u32) -> Result<(), RecordsError> {
        let entry = JournalEntry::TakenBack {
            at_ms: self.elapsed_ms(),
            turn,
        };
        self.write(&line(&entry, &self.path)?)
    }

    /// Records what a coach did and what it caused.
    pub fn coach(&mut self, coach: &CoachRecord, events: &[SessionEvent]) -> Result<(), RecordsError> {
        let entry = JournalEntry::Coach {
            at_ms: self.elapsed_ms(),
            coach: coach.clone(),
            events: events.to_vec(),
        };
        self.write(&line(&entry, &self.path)?)
    }

    /// Records a reflection answer (allowed after the end).
    pub fn reflection(&mut self, answer: ReflectionAnswer) -> Result<(), RecordsError> {
        let entry = JournalEntry::Reflection {
            at_ms: self.elapsed_ms(),
            answer,
        };
        self.write(&line(&entry, &self.path)?)
    }

    /// Records the end: with the outcome, or `None` when the trainee left mid-conversation.
    pub fn end(&mut self, outcome: Option<&OutcomeRecord>) -> Result<(), RecordsError> {
        if self.closed {
            return Ok(());
        }
        let entry = JournalEntry::End {
            at_ms: self.elapsed_ms(),
            outcome: outcome.cloned(),
        };
        self.write(&line(&entry, &self.path)?)?;
        self.closed = true;
        Ok(())
    }

    fn write(&mut self, text: &str) -> Result<(), RecordsError> {
        self.file.write_all(text.as_bytes()).map_err(io(&self.path))?;
        self.file.flush().map_err(io(&self.path))?;
        // fdatasync: the data and the new length reach the device, which is what a reader after a
        // power cut needs; the mtime can lag.
        self.file.sync_data().map_err(io(&self.path))
    }
}

/// An entry as a journal line, or a format error naming the journal.
pub(crate) fn line(entry: &JournalEntry, path: &Path) -> Result<String, RecordsError> {
    entry.to_line().map_err(|e| RecordsError::Format {
        path: path.to_path_buf(),
        message: format!("cannot encode a journal entry: {e}"),
    })
}

/// Reads a journal file.
pub fn read_journal(path: &Path) -> Result<Journal, RecordsError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    Journal::read(&text).map_err(|source| RecordsError::Journal {
        path: path.to_path_buf(),
        source,
    })
}
