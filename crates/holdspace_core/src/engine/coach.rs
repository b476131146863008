//! What a coach watching a session can do to it: pause and resume, nudge the customer's
//! mood, have the customer give a cue now, send the trainee a quiet hint, end the session.
//!
//! Each action goes through the engine like a turn does, so it is in the record (with the
//! turn it followed), in the events the debrief reads, and in a replay: the same scenario,
//! seed, turns and coach actions give the same session, byte for byte.

use serde::{Deserialize, Serialize};

use crate::engine::events::{Cause, Reason, SessionEvent, StateChange};
use crate::engine::record::OutcomeRecord;
use crate::engine::state::Disclosure;
use crate::engine::{Session, TurnError, round4};
use crate::scenario::model::{BandKey, Line, OutcomeKind};

/// How far one nudge moves the customer's escalation (a band is 0.2 wide): enough to
/// show on their face and in their voice, not so much that one click makes a scene.
pub const NUDGE: f32 = 0.12;

/// The outcome id of a session the coach ended.
pub const COACH_ENDED: &str = "coach_ended";

/// One thing the coach did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CoachAction {
    /// Stop the conversation where it is (the trainee sees that the coach paused it).
    Pause,
    /// Go on after a pause.
    Resume,
    /// Make the customer more upset.
    NudgeUp,
    /// Calm the customer a little.
    NudgeDown,
    /// The customer gives a cue to the hidden need now (one not yet given).
    GiveCue,
    /// A quiet hint shown to the trainee only.
    Hint {
        /// The hint's words.
        text: String,
    },
    /// End the session here.
    End,
}

impl CoachAction {
    /// What the coach did, in plain words, about `customer` ("nudged Margaret up").
    pub fn describe(&self, customer: &str) -> String {
        match self {
            CoachAction::Pause => "paused the session".to_owned(),
            CoachAction::Resume => "resumed the session".to_owned(),
            CoachAction::NudgeUp => format!("nudged {customer} to be more upset"),
            CoachAction::NudgeDown => format!("nudged {customer} to calm a little"),
            CoachAction::GiveCue => format!("had {customer} give a cue"),
            CoachAction::Hint { text } => format!("sent you a hint: \"{text}\""),
            CoachAction::End => "ended the session".to_owned(),
        }
    }

    /// The longest hint kept: a hint is a nudge, not a script.
    pub const HINT_MAX_CHARS: usize = 200;
}

/// A coach action as the record keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoachRecord {
    /// Trainee turns taken when the coach acted (it applies before the next one).
    pub after_turn: u32,
    /// What the coach did.
    pub action: CoachAction,
}

impl Session {
    /// Applies a coach action; returns what happened (always a
    /// [`SessionEvent::Coached`] first). Refused, with the session unchanged, once the
    /// conversation has ended, or for a cue when none is left to give.
    pub fn coach(&mut self, action: CoachAction) -> Result<Vec<SessionEvent>, TurnError> {
        if self.is_ended() {
            return Err(TurnError::Ended);
        }
        let action = match action {
            CoachAction::Hint { text } => {
                let text: String = text.trim().chars().take(CoachAction::HINT_MAX_CHARS).collect();
                if text.is_empty() {
                    return Err(TurnError::EmptyHint);
                }
                CoachAction::Hint { text }
            }
            other => other,
        };
        let cue_line = if action == CoachAction::GiveCue {
            Some(self.next_cue_line().ok_or(TurnError::NoCueLeft)?)
        } else {
            None
        };
        let turn = self.turn;
        let mut out = vec![SessionEvent::Coached {
            turn,
            action: action.clone(),
        }];
        match &action {
            CoachAction::NudgeUp | CoachAction::NudgeDown => {
                let (lo, hi) = self.escalation_limits();
                let before = self.point();
                // Past the customer's own limits the nudge does nothing: a customer who
                // never calms below "uneasy" does not for a coach either.
                let delta = if action == CoachAction::NudgeUp { NUDGE } else { -NUDGE };
                self.escalation = round4((self.escalation + delta).clamp(lo, hi));
                let after = self.point();
                let name = self.scenario.scenario.customer.name.clone();
                let reason = Reason {
                    cause: Cause::Coach,
                    escalation: round4(after.escalation - before.escalation),
                    trust: 0.0,
                    note: format!("Your coach {}.", action.describe(&name)),
                };
                out.push(SessionEvent::EscalationChanged(StateChange::between(
                    turn,
                    before,
                    after,
                    vec![reason],
                )));
                // Replies that need a calmer (or angrier) customer come and go with the mood.
                self.offer(&mut out);
            }
            CoachAction::GiveCue => {
                if let Some((line, id)) = cue_line {
                    self.say(&line, id, None, &mut out);
                }
            }
            CoachAction::End => {
                let name = self.scenario.scenario.customer.name.clone();
                self.outcome = Some(OutcomeRecord {
                    id: COACH_ENDED.to_owned(),
                    kind: OutcomeKind::Stopped,
                    title: "Stopped by your coach".to_owned(),
                    debrief: format!(
                        "Your coach ended the conversation with {name} here. Talk it through with them: \
                         what were you about to try next?"
                    ),
                });
                out.push(SessionEvent::SessionEnded {
                    turn,
                    outcome: COACH_ENDED.to_owned(),
                    kind: OutcomeKind::Stopped,
                    title: "Stopped by your coach".to_owned(),
                });
            }
            CoachAction::Pause | CoachAction::Resume | CoachAction::Hint { .. } => {}
        }
        self.coached.push(CoachRecord {
            after_turn: turn,
            action,
        });
        self.events.extend(out.iter().cloned());
        Ok(out)
    }

    /// The coach's actions so far, in order.
    pub fn coached(&self) -> &[CoachRecord] {
        &self.coached
    }

    /// A line with a cue the customer has not given yet, for "give a cue now": the
    /// current step's first (in the customer's band, then any band), then the other
    /// steps' in scenario order. With its line id.
    fn next_cue_line(&self) -> Option<(Line, String)> {
        let steps = &self.scenario.scenario.steps;
        let band = self.band();
        let order = std::iter::once(self.step).chain((0..steps.len()).filter(|i| *i != self.step));
        for index in order {
            let Some(step) = steps.get(index) else {
                continue;
            };
            let mut keys: Vec<&BandKey> = step.say.keys().collect();
            // The customer's own band first, so the cue sounds like them now.
            keys.sort_by_key(|k| if k.band() == Some(band) { 0 } else { 1 });
            for key in keys {
                let Some(lines) = step.say.get(key) else {
                    continue;
                };
                for (i, line) in lines.iter().enumerate() {
                    let Some(cue) = &line.cue else {
                        continue;
                    };
                    let given = self.cues.iter().any(|c| &c.id == cue);
                    let fits = line
                        .disclosure
                        .is_none_or(|d| d == self.disclosure || d == Disclosure::Hinted);
                    if !given && fits {
                        return Some((line.clone(), format!("coach/cue/{}/{}/{i}", step.id, key.label())));
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::Mode;
    use crate::analysis::TurnInput;
    use crate::engine::journal::{Journal, SessionMeta};
    use crate::testing::by_id;

    fn meta() -> SessionMeta {
        SessionMeta {
            session_id: "s".into(),
            profile: "p".into(),
            started_at: "2026-12-06T10:00:00Z".into(),
            app_version: "test".into(),
            pid: 1,
            origin: "test".into(),
            retried_from: None,
        }
    }

    #[test]
    fn a_nudge_moves_the_customer_and_is_recorded_with_its_reason() {
        let scenario = by_id("delivery_bereavement");
        let (mut s, _) = Session::new(Arc::clone(&scenario), 3, Mode::Guided);
        let before = s.escalation();
        let events = s.coach(CoachAction::NudgeUp).unwrap();
        assert!(matches!(events[0], SessionEvent::Coached { turn: 0, .. }));
        let change = events
            .iter()
            .find_map(|e| match e {
                SessionEvent::EscalationChanged(c) => Some(c.clone()),
                _ => None,
            })
            .expect("a state change");
        assert!(s.escalation() > before);
        assert_eq!(change.reasons[0].cause, Cause::Coach);
        assert!(change.reasons[0].note.contains("coach"), "{}", change.reasons[0].note);
        s.coach(CoachAction::NudgeDown).unwrap();
        assert!((s.escalation() - before).abs() < 1e-4);
        assert_eq!(s.record().coach.len(), 2);
    }

    #[test]
    fn coach_actions_replay_to_the_same_record_byte_for_byte() {
        let scenario = by_id("delivery_bereavement");
        let run = || {
            let (mut s, _) = Session::new(Arc::clone(&scenario), 11, Mode::Open);
            s.respond(TurnInput::say("I'm sorry, can you tell me what happened?"))
                .unwrap();
            s.coach(CoachAction::NudgeUp).unwrap();
            s.coach(CoachAction::Hint {
                text: "ask about the date".into(),
            })
            .unwrap();
            s.respond(TurnInput::say("So the parcel never came and it mattered for Friday?"))
                .unwrap();
            s.coach(CoachAction::GiveCue).ok();
            s
        };
        let a = run().record();
        let b = run().record();
        let text = serde_json::to_string(&a).unwrap();
        assert_eq!(text, serde_json::to_string(&b).unwrap());
        let (replayed, _) = Session::replay_record(Arc::clone(&scenario), &a).unwrap();
        assert_eq!(serde_json::to_string(&replayed.record()).unwrap(), text);
    }

    #[test]
    fn the_journal_reads_coach_lines_back_into_the_record() {
        let scenario = by_id("delivery_bereavement");
        let (mut s, _) = Session::new(Arc::clone(&scenario), 5, Mode::Guided);
        let mut text = String::new();
        for e in Journal::lines_for(&s.record(), &meta()) {
            if !matches!(e, crate::engine::journal::JournalEntry::End { .. }) {
                text.push_str(&e.to_line().unwrap());
            }
        }
        let events = s.coach(CoachAction::NudgeUp).unwrap();
        let entry = crate::engine::journal::JournalEntry::Coach {
            at_ms: 1200,
            coach: s.coached()[0].clone(),
            events,
        };
        text.push_str(&entry.to_line().unwrap());
        let journal = Journal::read(&text).unwrap();
        assert_eq!(journal.record, s.record());
        assert_eq!(journal.coach_times_ms, vec![1200]);
    }

    #[test]
    fn the_debrief_says_what_the_coach_did_and_when() {
        let scenario = by_id("delivery_bereavement");
        let (mut s, _) = Session::new(Arc::clone(&scenario), 2, Mode::Guided);
        s.coach(CoachAction::Pause).unwrap();
        s.coach(CoachAction::Resume).unwrap();
        s.respond(TurnInput::say("Can you tell me what happened?")).unwrap();
        s.coach(CoachAction::NudgeUp).unwrap();
        let debrief = crate::debrief::Debrief::build(&scenario, &s.record());
        let texts: Vec<&str> = debrief.coach.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(texts.len(), 2, "{texts:?}");
        assert!(texts[0].starts_with("Before your first reply, your coach paused the session and resumed it"));
        assert!(texts[1].starts_with("After turn 1, your coach nudged"), "{}", texts[1]);
    }

    #[test]
    fn ending_stops_the_session_and_nothing_more_is_taken() {
        let scenario = by_id("delivery_bereavement");
        let (mut s, _) = Session::new(scenario, 1, Mode::Guided);
        s.coach(CoachAction::End).unwrap();
        assert!(s.is_ended());
        assert_eq!(s.outcome().map(|o| o.kind), Some(OutcomeKind::Stopped));
        assert_eq!(s.coach(CoachAction::NudgeUp), Err(TurnError::Ended));
        assert_eq!(s.respond(TurnInput::say("hello")), Err(TurnError::Ended));
    }

    #[test]
    fn a_cue_on_demand_is_one_not_yet_given_and_runs_out() {
        let scenario = by_id("delivery_bereavement");
        let (mut s, _) = Session::new(scenario, 1, Mode::Guided);
        let mut given = Vec::new();
        while let Ok(events) = s.coach(CoachAction::GiveCue) {
            let cue = events
                .iter()
                .find_map(|e| match e {
                    SessionEvent::CustomerSpoke(sp) => sp.cue.clone(),
                    _ => None,
                })
                .expect("the customer says a line with a cue");
            assert!(!given.contains(&cue), "{cue} given twice");
            given.push(cue);
            assert!(given.len() < 50);
        }
        assert!(!given.is_empty());
        assert_eq!(s.coach(CoachAction::GiveCue), Err(TurnError::NoCueLeft));
    }

    #[test]
    fn an_empty_hint_is_refused_and_a_long_one_cut() {
        let scenario = by_id("delivery_bereavement");
        let (mut s, _) = Session::new(scenario, 1, Mode::Guided);
        assert_eq!(
            s.coach(CoachAction::Hint { text: "  ".into() }),
            Err(TurnError::EmptyHint)
        );
        s.coach(CoachAction::Hint { text: "x".repeat(500) }).unwrap();
        match &s.coached()[0].action {
            CoachAction::Hint { text } => assert_eq!(text.chars().count(), CoachAction::HINT_MAX_CHARS),
            other => panic!("{other:?}"),
        }
    }
}
