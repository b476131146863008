//! Debrief data: what a finished (or interrupted) session means for the trainee.
//!
//! Built from a [`SessionRecord`] and its scenario alone, so a coach can rebuild the
//! debrief from a saved record on another machine.

pub mod skills;
pub mod xapi;

use serde::{Deserialize, Serialize};

use crate::analysis::Delivery;
use crate::analysis::intent::Intent;
use crate::engine::events::{Cause, Reason, SessionEvent};
use crate::engine::record::{OutcomeRecord, SessionRecord, StatePoint, TurnRecord};
use crate::engine::state::Band;
use crate::scenario::load::LoadedScenario;
use crate::scenario::model::{Effect, OutcomeKind};

/// Turns whose escalation moved at least this much are turning-point candidates.
const TURNING_THRESHOLD: f32 = 0.08;
/// At most this many turning points are shown.
const MAX_TURNING_POINTS: usize = 3;

/// Everything the debrief screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Debrief {
    /// Scenario id.
    pub scenario_id: String,
    /// Scenario title.
    pub title: String,
    /// The customer's name.
    pub customer: String,
    /// How it ended (`None` if the session was cut short).
    pub outcome: Option<OutcomeRecord>,
    /// Escalation and trust before the first reply (turn 0) and after each turn.
    pub curve: Vec<CurvePoint>,
    /// The highest escalation reached.
    pub peak_escalation: f32,
    /// Every turn in detail, in order (the chart's points open these).
    pub turns: Vec<TurningPoint>,
    /// The biggest moves, in turn order.
    pub turning_points: Vec<TurningPoint>,
    /// Each cue the customer gave, and whether the trainee picked it up.
    pub cues: Vec<CueReport>,
    /// The hidden need and whether it was found.
    pub hidden_need: NeedReport,
    /// How the trainee spoke.
    pub delivery: DeliverySummary,
    /// How often each move was used.
    pub intents_used: Vec<(Intent, u32)>,
    /// Questions to reflect on: the author's, then ones drawn from this session.
    pub reflection: Vec<String>,
    /// What a coach watching the session did, in order ("your coach nudged Margaret
    /// here"), so the trainee knows which moves were theirs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coach: Vec<CoachNote>,
}

/// One thing the coach did, for the debrief and the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoachNote {
    /// Trainee turns taken when the coach acted.
    pub after_turn: u32,
    /// In plain words: "After turn 2, your coach nudged Margaret to be more upset."
    pub text: String,
}

/// The coach's actions in plain words; a pause followed by its resume is one note.
fn coach_notes(record: &SessionRecord, name: &str) -> Vec<CoachNote> {
    use crate::engine::coach::CoachAction;
    let mut out: Vec<CoachNote> = Vec::new();
    for (i, c) in record.coach.iter().enumerate() {
        if c.action == CoachAction::Resume && i > 0 && record.coach[i - 1].action == CoachAction::Pause {
            continue;
        }
        let when = if c.after_turn == 0 {
            "Before your first reply".to_owned()
        } else {
            format!("After turn {}", c.after_turn)
        };
        let resumed = record.coach.get(i + 1).is_some_and(|n| n.action == CoachAction::Resume);
        let what = match &c.action {
            CoachAction::Pause if resumed => "paused the session and resumed it".to_owned(),
            other => other.describe(name),
        };
        out.push(CoachNote {
            after_turn: c.after_turn,
            text: format!("{when}, your coach {what}."),
        });
    }
    out
}

/// One point of the escalation/trust curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// 0 for the start.
    pub turn: u32,
    /// Escalation after the turn.
    pub escalation: f32,
    /// Trust after the turn.
    pub trust: f32,
    /// Band after the turn.
    pub band: Band,
}

/// One turn in detail; the turning points are the turns where the customer's state moved a lot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurningPoint {
    /// Turn number.
    pub turn: u32,
    /// What the customer had said.
    pub customer_said: String,
    /// What the trainee said.
    pub trainee_said: String,
    /// How they said it (empty for a clicked or typed turn).
    pub delivery: Delivery,
    /// The reply it was taken as (`None`: it matched none).
    pub reply: Option<String>,
    /// State before.
    pub before: StatePoint,
    /// State after.
    pub after: StatePoint,
    /// The biggest contributions, largest first.
    pub reasons: Vec<Reason>,
    /// For a turn that escalated: a reply the scenario suggests instead, and why.
    pub better_move: Option<String>,
    /// The customer did not catch the words (recognition was unsure) and asked again: the
    /// turn moved nothing and is not scored.
    #[serde(default)]
    pub not_heard: bool,
    /// What the customer said back that was written for this turn's route, and why in
    /// plain words ("written for paraphrasing"); empty when every line they
    /// said was one for any route.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answered: Vec<AnsweredLine>,
}

/// A customer line said in answer to what the trainee did (see [`TurningPoint::answered`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnsweredLine {
    /// The line's id.
    pub line_id: String,
    /// The words.
    pub text: String,
    /// Why this line, in plain words.
    pub why: String,
}

/// A cue and what happened to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CueReport {
    /// Cue id.
    pub id: String,
    /// What a good listener would have noticed.
    pub description: String,
    /// The turn after which the customer first gave it (0 = the opening), if they did.
    pub shown_after_turn: Option<u32>,
    /// The turn on which the trainee picked it up, if they did.
    pub noticed_on_turn: Option<u32>,
}

/// The hidden need and what came of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeedReport {
    /// What was really going on.
    pub summary: String,
    /// The turn it came out, if it did.
    pub revealed_on_turn: Option<u32>,
    /// What opened the customer up.
    pub revealed_by: Option<String>,
    /// Whether the trainee then met it.
    pub addressed: bool,
}

/// Delivery over the measured turns (typed or clicked turns have no measurements).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeliverySummary {
    /// Turns with at least one measurement.
    pub measured_turns: u32,
    /// Mean speaking rate.
    pub mean_words_per_min: Option<f32>,
    /// Loudest reply, dBFS.
    pub max_loudness_db: Option<f32>,
    /// Mean pause before replying.
    pub mean_pause_s: Option<f32>,
    /// Times the trainee talked over the customer.
    pub interruptions: u32,
    /// Filler words in all.
    pub fillers: u32,
    /// Times the customer cut in because the trainee talked on.
    #[serde(default)]
    pub cut_offs: u32,
}

impl Debrief {
    /// Builds the debrief for a record of `scenario`.
    pub fn build(scenario: &LoadedScenario, record: &SessionRecord) -> Debrief {
        let s = &scenario.scenario;
        let name = first_name(&s.customer.name);
        let mut curve = vec![CurvePoint {
            turn: 0,
            escalation: record.start.escalation,
            trust: record.start.trust,
            band: record.start.band,
        }];
        curve.extend(record.turns.iter().map(|t| CurvePoint {
            turn: t.turn,
            escalation: t.after.escalation,
            trust: t.after.trust,
            band: t.after.band,
        }));
        let peak_escalation = curve.iter().map(|p| p.escalation).fold(0.0, f32::max);

        let mut candidates: Vec<&TurnRecord> = record
            .turns
            .iter()
            .filter(|t| !t.analysis.misheard && (t.after.escalation - t.before.escalation).abs() >= TURNING_THRESHOLD)
            .collect();
        candidates.sort_by(|a, b| delta(b).abs().total_cmp(&delta(a).abs()).then(a.turn.cmp(&b.turn)));
        candidates.truncate(MAX_TURNING_POINTS);
        candidates.sort_by_key(|t| t.turn);
        let turning_points = candidates
            .into_iter()
            .map(|t| turning_point(scenario, record, t))
            .collect();
        let turns = record
            .turns
            .iter()
            .map(|t| turning_point(scenario, record, t))
            .collect();

        let mut cues: Vec<CueReport> = s
            .cues
            .iter()
            .map(|c| CueReport {
                id: c.id.clone(),
                description: c.description.clone(),
                shown_after_turn: None,
                noticed_on_turn: None,
            })
            .collect();
        let mut need = NeedReport {
            summary: s.hidden_need.summary.clone(),
            revealed_on_turn: None,
            revealed_by: None,
            addressed: false,
        };
        for event in &record.events {
            match event {
                SessionEvent::CustomerSpoke(spoken) => {
                    if let Some(c) = spoken.cue.as_ref().and_then(|id| cues.iter_mut().find(|c| &c.id == id)) {
                        c.shown_after_turn.get_or_insert(spoken.turn);
                    }
                }
                SessionEvent::CueNoticed { turn, cue } => {
                    if let Some(c) = cues.iter_mut().find(|c| &c.id == cue) {
                        c.noticed_on_turn.get_or_insert(*turn);
                    }
                }
                SessionEvent::NeedRevealed { turn, by } => {
                    need.revealed_on_turn = Some(*turn);
                    need.revealed_by = Some(by.clone());
                }
                SessionEvent::NeedAddressed { .. } => need.addressed = true,
                _ => {}
            }
        }

        let delivery = delivery_summary(&record.turns);
        let mut intents_used: Vec<(Intent, u32)> = Vec::new();
        for t in record.turns.iter().filter(|t| !t.analysis.misheard) {
            for i in &t.analysis.intents {
                match intents_used.iter_mut().find(|(j, _)| j == i) {
                    Some((_, n)) => *n += 1,
                    None => intents_used.push((*i, 1)),
                }
            }
        }
        intents_used.sort();

        let mut reflection = s.reflection.clone();
        reflection.extend(generated_prompts(record, &name, &cues, &need, &delivery));

        Debrief {
            scenario_id: s.id.clone(),
            title: s.title.clone(),
            customer: s.customer.name.clone(),
            outcome: record.outcome.clone(),
            curve,
            peak_escalation,
            turns,
            turning_points,
            cues,
            hidden_need: need,
            delivery,
            intents_used,
            reflection,
            coach: coach_notes(record, &name),
        }
    }

    /// The outcome in plain words, for the top of the debrief.
    pub fn headline(&self) -> String {
        match &self.outcome {
            Some(o) => format!("{} ({})", o.title, o.kind.label()),
            None => "Session not finished".to_owned(),
        }
    }

    /// Whether the session ended with the presenting issue fixed but the need missed.
    pub fn surface_only(&self) -> bool {
        self.outcome
            .as_ref()
            .is_some_and(|o| o.kind == OutcomeKind::SurfaceOnly)
    }
}

fn first_name(full: &str) -> String {
    full.split_whitespace().next().unwrap_or(full).to_owned()
}

fn delta(t: &TurnRecord) -> f32 {
    t.after.escalation - t.before.escalation
}

fn turning_point(scenario: &LoadedScenario, record: &SessionRecord, t: &TurnRecord) -> TurningPoint {
    let mut reasons: Vec<Reason> = t
        .reasons
        .iter()
        .filter(|r| r.cause != Cause::Variation)
        .cloned()
        .collect();
    reasons.sort_by(|a, b| b.escalation.abs().total_cmp(&a.escalation.abs()));
    reasons.truncate(3);
    let better_move = if delta(t) > 0.0 { better_move(scenario, t) } else { None };
    TurningPoint {
        turn: t.turn,
        customer_said: t.customer_said.clone(),
        trainee_said: t.words().to_owned(),
        delivery: t.input.delivery.clone(),
        reply: t.reply.clone(),
        before: t.before,
        after: t.after,
        reasons,
        better_move,
        not_heard: t.analysis.misheard,
        answered: record
            .events
            .iter()
            .filter_map(|e| match e {
                SessionEvent::CustomerSpoke(s) if s.turn == t.turn => s.answering.as_ref().map(|a| AnsweredLine {
                    line_id: s.line_id.clone(),
                    text: s.text.clone(),
                    why: a.describe(),
                }),
                _ => None,
            })
            .collect(),
    }
}

/// The reply at the same step that the scenario's effects say would have calmed most.
fn better_move(scenario: &LoadedScenario, t: &TurnRecord) -> Option<String> {
    let step = scenario.step(&t.step)?;
    let estimate = |intents: &[Intent], extra: Effect| -> f32 {
        intents
            .iter()
            .map(|i| scenario.intent_effect(*i).escalation)
            .sum::<f32>()
            + extra.escalation
    };
    let best = step
        .replies
        .iter()
        .filter(|r| Some(&r.id) != t.reply.as_ref())
        .min_by(|a, b| estimate(&a.intents, a.effect).total_cmp(&estimate(&b.intents, b.effect)))?;
    let said = estimate(&t.analysis.intents, Effect::default());
    if estimate(&best.intents, best.effect) >= said {
        return None;
    }
    Some(if best.coach.is_empty() {
        format!("\"{}\"", best.text)
    } else {
        format!("\"{}\" ({})", best.text, best.coach)
    })
}

impl DeliverySummary {
    /// Summarises the delivery of `turns`.
    pub fn of(turns: &[TurnRecord]) -> DeliverySummary {
        delivery_summary(turns)
    }

    /// The mean of several attempts' summaries ("your earlier attempts"); `None` when there
    /// are none. Measurements average over the attempts that had them.
    pub fn average<'a>(summaries: impl IntoIterator<Item = &'a DeliverySummary>) -> Option<DeliveryAverage> {
        let all: Vec<&DeliverySummary> = summaries.into_iter().collect();
        if all.is_empty() {
            return None;
        }
        let mean = |f: fn(&DeliverySummary) -> Option<f32>| {
            let v: Vec<f32> = all.iter().filter_map(|d| f(d)).collect();
            (!v.is_empty()).then(|| v.iter().sum::<f32>() / v.len() as f32)
        };
        let n = all.len() as f32;
        Some(DeliveryAverage {
            attempts: all.len() as u32,
            words_per_min: mean(|d| d.mean_words_per_min),
            max_loudness_db: mean(|d| d.max_loudness_db),
            pause_s: mean(|d| d.mean_pause_s),
            interruptions: all.iter().map(|d| d.interruptions as f32).sum::<f32>() / n,
            cut_offs: all.iter().map(|d| d.cut_offs as f32).sum::<f32>() / n,
            fillers: all.iter().map(|d| d.fillers as f32).sum::<f32>() / n,
        })
    }
}

/// One row of "how you spoke", as the debrief screen and the coach's report both show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    /// What is measured ("Pace").
    pub name: &'static str,
    /// This attempt, with its unit ("142 wpm", "not measured").
    pub now: String,
    /// The mean of earlier attempts; `None` on a first attempt.
    pub before: Option<String>,
}

impl DeliverySummary {
    /// The rows of "how you spoke", beside the mean of `earlier` attempts when there were any.
    pub fn rows(&self, earlier: Option<&DeliveryAverage>) -> Vec<DeliveryRow> {
        let measured = |v: Option<f32>, unit: &str, digits: usize| {
            v.map_or_else(|| "not measured".to_owned(), |v| format!("{v:.digits$}{unit}"))
        };
        let count = |v: f32| format!("{v:.1}");
        vec![
            DeliveryRow {
                name: "Pace",
                now: measured(self.mean_words_per_min, " wpm", 0),
                before: earlier.map(|e| measured(e.words_per_min, " wpm", 0)),
            },
            DeliveryRow {
                name: "Loudest reply",
                now: measured(self.max_loudness_db, " dBFS", 0),
                before: earlier.map(|e| measured(e.max_loudness_db, " dBFS", 0)),
            },
            DeliveryRow {
                name: "Pause before replying",
                now: measured(self.mean_pause_s, " s", 1),
                before: earlier.map(|e| measured(e.pause_s, " s", 1)),
            },
            DeliveryRow {
                name: "Talked over the customer",
                now: self.interruptions.to_string(),
                before: earlier.map(|e| count(e.interruptions)),
            },
            DeliveryRow {
                name: "Customer cut in on you",
                now: self.cut_offs.to_string(),
                before: earlier.map(|e| count(e.cut_offs)),
            },
            DeliveryRow {
                name: "Filler words",
                now: self.fillers.to_string(),
                before: earlier.map(|e| count(e.fillers)),
            },
        ]
    }
}

/// Delivery averaged over several attempts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeliveryAverage {
    /// Attempts averaged.
    pub attempts: u32,
    /// Mean speaking rate (attempts that measured it).
    pub words_per_min: Option<f32>,
    /// Mean of each attempt's loudest reply, dBFS.
    pub max_loudness_db: Option<f32>,
    /// Mean pause before replying.
    pub pause_s: Option<f32>,
    /// Interruptions per attempt.
    pub interruptions: f32,
    /// Times cut off per attempt.
    #[serde(default)]
    pub cut_offs: f32,
    /// Filler words per attempt.
    pub fillers: f32,
}

fn delivery_summary(turns: &[TurnRecord]) -> DeliverySummary {
    let mut summary = DeliverySummary::default();
    let (mut wpm, mut wpm_n, mut pause, mut pause_n) = (0.0, 0u32, 0.0, 0u32);
    // A turn the customer did not hear is not scored, its delivery included.
    for t in turns.iter().filter(|t| !t.analysis.misheard) {
        let d = &t.input.delivery;
        let measured =
            d.words_per_min.is_some() || d.loudness_db.is_some() || d.pause_before_s.is_some() || d.fillers.is_some();
        if measured {
            summary.measured_turns += 1;
        }
        if let Some(w) = d.words_per_min {
            wpm += w;
            wpm_n += 1;
        }
        if let Some(p) = d.pause_before_s {
            pause += p;
            pause_n += 1;
        }
        if let Some(db) = d.loudness_db {
            summary.max_loudness_db = Some(summary.max_loudness_db.map_or(db, |m: f32| m.max(db)));
        }
        summary.interruptions += u32::from(d.interrupted);
        summary.cut_offs += u32::from(d.cut_off_after_s.is_some());
        summary.fillers = summary.fillers.saturating_add(d.fillers.unwrap_or(t.analysis.fillers));
    }
    summary.mean_words_per_min = (wpm_n > 0).then(|| crate::engine::round4(wpm / wpm_n as f32));
    summary.mean_pause_s = (pause_n > 0).then(|| crate::engine::round4(pause / pause_n as f32));
    summary
}

fn generated_prompts(
    record: &SessionRecord,
    name: &str,
    cues: &[CueReport],
    need: &NeedReport,
    delivery: &DeliverySummary,
) -> Vec<String> {
    let mut prompts = Vec::new();
    if let Some(t) = record
        .turns
        .iter()
        .filter(|t| delta(t) >= TURNING_THRESHOLD)
        .max_by(|a, b| delta(a).total_cmp(&delta(b)))
    {
        prompts.push(format!(
            "On turn {}, {name} went from {} to {} after you said \"{}\". What do you think {name} heard in that?",
            t.turn,
            t.before.band.label(),
            t.after.band.label(),
            t.words()
        ));
    }
    for cue in cues
        .iter()
        .filter(|c| c.shown_after_turn.is_some() && c.noticed_on_turn.is_none())
    {
        prompts.push(format!(
            "{name} gave a cue you did not pick up: {}. What might have been behind it, and what open question could have invited it?",
            lower_first(&cue.description)
        ));
    }
    match (need.revealed_on_turn, need.addressed) {
        (Some(turn), _) => prompts.push(format!(
            "On turn {turn}, {name} told you what was really going on. What did you do just before that, and how could you get there sooner?"
        )),
        (None, _) => prompts.push(format!(
            "You dealt with what {name} rang about. What else might {name} have needed from this conversation, and what did they say that pointed to it?"
        )),
    }
    if delivery.interruptions > 0 {
        prompts.push(format!(
            "You talked over {name} {} time{}. What were you trying to achieve, and what did it cost?",
            delivery.interruptions,
            if delivery.interruptions == 1 { "" } else { "s" }
        ));
    }
    prompts
}

fn lower_first(s: &str) -> String {
    let trimmed = s.trim_end_matches('.');
    let mut chars = trimmed.chars();
    match chars.next() {
        Some(c) if !trimmed.starts_with("I ") => c.to_lowercase().chain(chars).collect(),
        _ => trimmed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn how_you_spoke_reads_the_same_wherever_it_is_shown() {
        let now = DeliverySummary {
            measured_turns: 2,
            mean_words_per_min: Some(141.6),
            max_loudness_db: Some(-18.4),
            mean_pause_s: None,
            interruptions: 1,
            fillers: 3,
            cut_offs: 0,
        };
        let first = now.rows(None);
        assert_eq!(
            first.iter().map(|r| r.name).collect::<Vec<_>>(),
            [
                "Pace",
                "Loudest reply",
                "Pause before replying",
                "Talked over the customer",
                "Customer cut in on you",
                "Filler words"
            ]
        );
        assert_eq!(first[0].now, "142 wpm");
        assert_eq!(first[2].now, "not measured");
        assert!(
            first.iter().all(|r| r.before.is_none()),
            "nothing to compare on a first attempt"
        );
        let earlier = DeliverySummary::average([&now, &DeliverySummary::default()]);
        let second = now.rows(earlier.as_ref());
        assert_eq!(second[3].before.as_deref(), Some("0.5"));
        assert_eq!(second[0].before.as_deref(), Some("142 wpm"));
    }
}
