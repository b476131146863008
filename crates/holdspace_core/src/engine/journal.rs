//! The session journal's format: one JSON object per line, appended as the session goes,
//! so that whatever was written before a crash can be read back into a [`SessionRecord`].
//!
//! This module only encodes and decodes; writing (with flush and fsync) belongs to the
//! records crate. A torn last line (the process died mid-write) is dropped and reported,
//! never fatal: everything before it survives.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::engine::Mode;
use crate::engine::events::SessionEvent;
use crate::engine::record::{OutcomeRecord, RECORD_FORMAT, ReflectionAnswer, SessionRecord, StatePoint, TurnRecord};

/// Who, where and when a session ran: facts the engine cannot know (it has no clock),
/// supplied by whoever writes the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionMeta {
    /// Unique id, also the session's folder name.
    pub session_id: String,
    /// Trainee profile the session belongs to.
    pub profile: String,
    /// Start time, RFC 3339 (UTC).
    pub started_at: String,
    /// Program version that wrote the journal.
    pub app_version: String,
    /// Process id of the writer: a journal with no end whose process still runs is live, not crashed.
    pub pid: u32,
    /// What produced the session: "app", "simulate", "play".
    pub origin: String,
    /// For a retry: the session and turn it restarted from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retried_from: Option<RetriedFrom>,
}

/// The instant an RFC 3339 start time names, for ordering sessions: text comparison is
/// wrong once fractions differ in length (`05Z` sorts after `05.123Z`). `None` when it
/// does not parse; such times sort first.
pub fn instant(started_at: &str) -> Option<i128> {
    time::OffsetDateTime::parse(started_at, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(time::OffsetDateTime::unix_timestamp_nanos)
}

/// Where a retried session branched off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetriedFrom {
    /// The original session.
    pub session_id: String,
    /// The turn the trainee chose to replay (turns before it were replayed unchanged).
    pub turn: u32,
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub enum JournalEntry {
    /// The first line: what is being played and the customer's opening.
    Start {
        /// [`RECORD_FORMAT`].
        format: u32,
        /// Scenario id.
        scenario_id: String,
        /// Scenario title.
        scenario_title: String,
        /// Seed.
        seed: u64,
        /// Guided or open.
        mode: Mode,
        /// State before the first line.
        start: StatePoint,
        /// The opening events (first line, first options).
        opening: Vec<SessionEvent>,
        /// Who, when, where.
        meta: SessionMeta,
    },
    /// A completed trainee turn and everything it caused.
    Turn {
        /// Milliseconds since the session started.
        at_ms: u64,
        /// The turn (boxed: it carries the analysis and understanding, several times the
        /// size of the other entries).
        turn: Box<TurnRecord>,
        /// Its events, in order.
        events: Vec<SessionEvent>,
    },
    /// The trainee took their last turn back (Esc, or "no, sorry, I meant…" as the
    /// customer began to answer): the session went on as if it had not been taken. The
    /// turn's own line stays above this one, so the journal keeps what was said.
    TakenBack {
        /// Milliseconds since the session started.
        at_ms: u64,
        /// The turn taken back (1-based).
        turn: u32,
    },
    /// A coach watching the session acted (see [`crate::engine::coach`]).
    Coach {
        /// Milliseconds since the session started.
        at_ms: u64,
        /// What they did, after which turn.
        coach: crate::engine::coach::CoachRecord,
        /// What it caused, in order.
        events: Vec<SessionEvent>,
    },
    /// The trainee answered a reflection question (after the session).
    Reflection {
        /// Milliseconds since the session started.
        at_ms: u64,
        /// The answer.
        answer: ReflectionAnswer,
    },
    /// The conversation ended (with an outcome) or was abandoned (without).
    End {
        /// Milliseconds since the session started.
        at_ms: u64,
        /// How it ended.
        outcome: Option<OutcomeRecord>,
    },
}

impl JournalEntry {
    /// The entry as one line of JSON, newline included.
    pub fn to_line(&self) -> Result<String, serde_json::Error> {
        let mut line = serde_json::to_string(self)?;
        line.push('\n');
        Ok(line)
    }
}

/// A journal read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Journal {
    /// From the start line.
    pub meta: SessionMeta,
    /// The session so far, rebuilt.
    pub record: SessionRecord,
    /// Milliseconds since start of each turn, in order.
    pub turn_times_ms: Vec<u64>,
    /// Whether the journal has an end line (ended or abandoned on purpose).
    pub closed: bool,
    /// Milliseconds since start of the end line, if any.
    pub ended_at_ms: Option<u64>,
    /// A last line was cut short (the writer died mid-line) and was dropped.
    pub torn_tail: bool,
    /// Turns the trainee took back, in the order they were taken back: kept for the
    /// coach, not part of the record (nothing in them is scored).
    pub taken_back: Vec<TurnRecord>,
    /// Milliseconds since start of each coach action, in the record's order.
    pub coach_times_ms: Vec<u64>,
}

/// Why a journal could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum JournalError {
    /// No start line.
    #[error("the journal is empty")]
    Empty,
    /// The first line is not a start entry.
    #[error("line 1: the journal does not begin with a start entry")]
    NoStart,
    /// A line other than the last could not be read: the file was edited or corrupted.
    #[error("line {line}: {message}")]
    Corrupt {
        /// 1-based line.
        line: usize,
        /// What was wrong.
        message: String,
    },
}

impl Journal {
    /// Reads a journal's text. Lines after the start are applied in order; a bad last line
    /// without its newline is a torn write and is dropped, a bad line elsewhere is an error.
    pub fn read(text: &str) -> Result<Journal, JournalError> {
        let complete = text.ends_with('\n');
        let lines: Vec<&str> = text.lines().collect();
        let mut entries = Vec::with_capacity(lines.len());
        let mut torn_tail = false;
        for (i, line) in lines.iter().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<JournalEntry>(line) {
                Ok(entry) => entries.push((i + 1, entry)),
                Err(_) if i + 1 == lines.len() && !complete => torn_tail = true,
                Err(e) => {
                    return Err(JournalError::Corrupt {
                        line: i + 1,
                        message: e.to_string(),
                    });
                }
            }
        }
        let mut entries = entries.into_iter();
        let Some((_, first)) = entries.next() else {
            return Err(JournalError::Empty);
        };
        let JournalEntry::Start {
            format,
            scenario_id,
            scenario_title,
            seed,
            mode,
            start,
            opening,
            meta,
        } = first
        else {
            return Err(JournalError::NoStart);
        };
        let mut record = SessionRecord {
            format,
            scenario_id,
            scenario_title,
            seed,
            mode,
            start,
            turns: Vec::new(),
            events: opening,
            outcome: None,
            reflections: Vec::new(),
            coach: Vec::new(),
        };
        let mut turn_times_ms = Vec::new();
        let mut coach_times_ms = Vec::new();
        // Where each turn's events began, to take the last one back.
        let mut turn_starts = Vec::new();
        let mut taken_back = Vec::new();
        let mut ended_at_ms = None;
        for (line, entry) in entries {
            match entry {
                JournalEntry::Start { .. } => {
                    return Err(JournalError::Corrupt {
                        line,
                        message: "a second start entry (two sessions in one journal)".to_owned(),
                    });
                }
                JournalEntry::Turn { at_ms, turn, events } => {
                    turn_times_ms.push(at_ms);
                    turn_starts.push(record.events.len());
                    record.turns.push(*turn);
                    record.events.extend(events);
                }
                JournalEntry::Coach { at_ms, coach, events } => {
                    coach_times_ms.push(at_ms);
                    record.coach.push(coach);
                    record.events.extend(events);
                }
                JournalEntry::TakenBack { turn, .. } => {
                    if record.turns.last().map(|t| t.turn) != Some(turn) {
                        return Err(JournalError::Corrupt {
                            line,
                            message: format!("turn {turn} taken back, but it is not the last turn"),
                        });
                    }
                    let start = turn_starts.pop().unwrap_or(record.events.len());
                    record.events.truncate(start);
                    turn_times_ms.pop();
                    // What the coach did after the turn goes with it (as the engine does).
                    while record.coach.last().is_some_and(|c| c.after_turn >= turn) {
                        record.coach.pop();
                        coach_times_ms.pop();
                    }
                    taken_back.extend(record.turns.pop());
                }
                JournalEntry::Reflection { answer, .. } => {
                    // A later answer to the same question replaces the earlier one.
                    record.reflections.retain(|a| a.question != answer.question);
                    record.reflections.push(answer);
                }
                JournalEntry::End { at_ms, outcome } => {
                    ended_at_ms = Some(at_ms);
                    record.outcome = outcome;
                }
            }
        }
        Ok(Journal {
            meta,
            record,
            turn_times_ms,
            closed: ended_at_ms.is_some(),
            ended_at_ms,
            torn_tail,
            taken_back,
            coach_times_ms,
        })
    }

    /// The journal lines that reproduce `record` (used by tests and by `simulate --save`).
    pub fn lines_for(record: &SessionRecord, meta: &SessionMeta) -> Vec<JournalEntry> {
        // Events run in segments: the opening, then one per turn (from its
        // ReplyInterpreted) or coach action (from its Coached), in order.
        let starts_segment =
            |e: &SessionEvent| matches!(e, SessionEvent::ReplyInterpreted { .. } | SessionEvent::Coached { .. });
        let opening_len = record
            .events
            .iter()
            .position(starts_segment)
            .unwrap_or(record.events.len());
        let mut out = vec![JournalEntry::Start {
            format: RECORD_FORMAT,
            scenario_id: record.scenario_id.clone(),
            scenario_title: record.scenario_title.clone(),
            seed: record.seed,
            mode: record.mode,
            start: record.start,
            opening: record.events[..opening_len].to_vec(),
            meta: meta.clone(),
        }];
        let mut rest = &record.events[opening_len..];
        let mut turns = record.turns.iter();
        let mut coach = record.coach.iter();
        while let Some(first) = rest.first() {
            let end = rest
                .iter()
                .skip(1)
                .position(starts_segment)
                .map_or(rest.len(), |p| p + 1);
            let events = rest[..end].to_vec();
            let entry = match first {
                SessionEvent::Coached { .. } => coach.next().map(|c| JournalEntry::Coach {
                    at_ms: 0,
                    coach: c.clone(),
                    events,
                }),
                _ => turns.next().map(|t| JournalEntry::Turn {
                    at_ms: 0,
                    turn: Box::new(t.clone()),
                    events,
                }),
            };
            out.extend(entry);
            rest = &rest[end..];
        }
        for answer in &record.reflections {
            out.push(JournalEntry::Reflection {
                at_ms: 0,
                answer: answer.clone(),
            });
        }
        if record.outcome.is_some() {
            out.push(JournalEntry::End {
                at_ms: 0,
                outcome: record.outcome.clone(),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TurnInput;
    use crate::engine::Session;
    use crate::testing::by_id;

    fn meta() -> SessionMeta {
        SessionMeta {
            session_id: "s1".into(),
            profile: "default".into(),
            started_at: "2026-11-22T10:00:00Z".into(),
            app_version: "test".into(),
            pid: 1,
            origin: "test".into(),
            retried_from: None,
        }
    }

    fn played() -> SessionRecord {
        let (mut s, _) = Session::new(by_id("delivery_bereavement"), 7, Mode::Open);
        for words in [
            "Take your time.",
            "So the parcel still has not come?",
            "What is the parcel for?",
        ] {
            if s.is_ended() {
                break;
            }
            let _ = s.respond(TurnInput::say(words));
        }
        s.record()
    }

    fn text_of(entries: &[JournalEntry]) -> String {
        entries.iter().map(|e| e.to_line().unwrap()).collect()
    }

    #[test]
    fn start_times_order_by_instant_not_by_text() {
        let (a, b) = ("2026-11-22T10:00:05Z", "2026-11-22T10:00:05.123Z");
        assert!(a > b, "as text, the whole second sorts after its fraction");
        assert!(instant(a) < instant(b));
        assert_eq!(instant("yesterday"), None);
    }

    #[test]
    fn a_journal_rebuilds_the_record_exactly() {
        let record = played();
        assert!(record.turns.len() >= 2);
        let journal = Journal::read(&text_of(&Journal::lines_for(&record, &meta()))).unwrap();
        assert_eq!(journal.record, record);
        assert_eq!(journal.meta, meta());
        assert!(!journal.torn_tail);
    }

    #[test]
    fn a_turn_taken_back_leaves_the_record_as_if_it_was_never_taken() {
        let record = played();
        let n = record.turns.len();
        // The session as it would have been with only the turns before the last.
        let (mut shorter, _) = Session::new(by_id("delivery_bereavement"), record.seed, record.mode);
        for input in &record.inputs()[..n - 1] {
            shorter.respond(input.clone()).unwrap();
        }
        let mut entries = Journal::lines_for(&record, &meta());
        entries.push(JournalEntry::TakenBack {
            at_ms: 9,
            turn: record.turns[n - 1].turn,
        });
        let journal = Journal::read(&text_of(&entries)).unwrap();
        assert_eq!(journal.record, shorter.record());
        assert_eq!(journal.taken_back, vec![record.turns[n - 1].clone()]);
        assert_eq!(journal.turn_times_ms.len(), n - 1);
        // Only the last turn can be taken back.
        let mut entries = Journal::lines_for(&record, &meta());
        entries.push(JournalEntry::TakenBack { at_ms: 9, turn: 1 });
        entries.push(JournalEntry::End {
            at_ms: 10,
            outcome: None,
        });
        assert!(matches!(
            Journal::read(&text_of(&entries)),
            Err(JournalError::Corrupt { .. })
        ));
    }

    #[test]
    fn a_torn_last_line_loses_only_that_line() {
        let record = played();
        let mut text = text_of(&Journal::lines_for(&record, &meta()));
        text.push_str("{\"entry\":\"turn\",\"at_ms\":12,\"tu");
        let journal = Journal::read(&text).unwrap();
        assert!(journal.torn_tail);
        assert_eq!(journal.record.turns, record.turns);
    }

    #[test]
    fn a_bad_line_in_the_middle_is_an_error_naming_it() {
        let record = played();
        let entries = Journal::lines_for(&record, &meta());
        let mut text = entries[0].to_line().unwrap();
        text.push_str("not json\n");
        text.push_str(&entries[1].to_line().unwrap());
        assert!(matches!(
            Journal::read(&text),
            Err(JournalError::Corrupt { line: 2, .. })
        ));
        assert_eq!(Journal::read(""), Err(JournalError::Empty));
    }

    #[test]
    fn a_later_reflection_answer_replaces_the_earlier() {
        let record = played();
        let mut entries = Journal::lines_for(&record, &meta());
        for text in ["first thought", "second thought"] {
            entries.push(JournalEntry::Reflection {
                at_ms: 5,
                answer: ReflectionAnswer {
                    question: "What did you notice?".into(),
                    answer: text.into(),
                },
            });
        }
        let journal = Journal::read(&text_of(&entries)).unwrap();
        assert_eq!(journal.record.reflections.len(), 1);
        assert_eq!(journal.record.reflections[0].answer, "second thought");
    }
}
