//! Coverage for authors: walks the scenario's replies (plus silence) through the real
//! engine and reports which outcomes can happen, the calmest and worst paths, and dead ends.
//!
//! States are merged when step, disclosure, cues noticed, turn and escalation/trust
//! (to the nearest 0.05) agree, which keeps the walk small without losing an outcome
//! in practice; a walk that hits the limit says so.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::analysis::TurnInput;
use crate::engine::events::{Answering, SessionEvent};
use crate::engine::lines::{Route, candidates};
use crate::engine::state::Disclosure;
use crate::engine::{Mode, Session};
use crate::scenario::load::LoadedScenario;
use crate::scenario::model::OutcomeKind;

/// The move used for "the trainee says nothing".
pub const SILENCE: &str = "(silence)";

/// What the walk found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExploreReport {
    /// Distinct states expanded.
    pub states: usize,
    /// Conversations that reached an ending.
    pub endings: usize,
    /// The walk stopped at its limit; rare outcomes may be missing.
    pub truncated: bool,
    /// Each outcome, in scenario order.
    pub outcomes: Vec<OutcomeReach>,
    /// The ending path with the lowest peak escalation.
    pub calmest: Option<PathSummary>,
    /// The ending path with the highest peak escalation.
    pub worst: Option<PathSummary>,
    /// The shortest path on which the hidden need comes out.
    pub reveal_path: Option<Vec<String>>,
    /// Places where the conversation has no replies on offer.
    pub dead_ends: Vec<DeadEnd>,
    /// Steps no walk visited.
    pub unvisited_steps: Vec<String>,
    /// Per step, the lines each reply into it can produce there (over every band and
    /// stage the walk met it in), and the replies' own answers.
    pub routes: Vec<StepRoutes>,
}

/// The lines the routes into one step (or one reply's `answer`) can produce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRoutes {
    /// The step id, or `answer/<reply>` for a reply's own answer.
    pub lines_of: String,
    /// Each move that led to a line here, in the order the walk met them.
    pub incoming: Vec<RouteLines>,
}

/// The lines one move into a step can produce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteLines {
    /// The reply id, or `(silence)`.
    pub reply: String,
    /// Line ids, each with what in the route it answers (`None`: a line for any route).
    pub lines: Vec<(String, Option<Answering>)>,
}

/// Whether an outcome can happen, and an example path to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeReach {
    /// Outcome id.
    pub id: String,
    /// Kind.
    pub kind: OutcomeKind,
    /// Number of walked endings that reached it.
    pub endings: usize,
    /// A shortest path to it (reply ids and `(silence)`).
    pub example: Option<Vec<String>>,
}

/// One complete path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathSummary {
    /// Reply ids and `(silence)`, in order.
    pub moves: Vec<String>,
    /// Outcome id.
    pub outcome: String,
    /// Highest escalation on the way.
    pub peak_escalation: f32,
    /// Escalation at the end.
    pub final_escalation: f32,
}

/// A reachable state with nothing on offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadEnd {
    /// The step.
    pub step: String,
    /// A path there.
    pub moves: Vec<String>,
}

type StateKey = (String, Disclosure, bool, u32, i32, i32, Vec<u32>);

fn key(session: &Session) -> StateKey {
    let noticed: Vec<u32> = session
        .record()
        .events
        .iter()
        .filter_map(|e| {
            if let SessionEvent::CueNoticed { turn, .. } = e {
                Some(*turn)
            } else {
                None
            }
        })
        .collect();
    (
        session.step_id().to_owned(),
        session.disclosure(),
        session.need_addressed(),
        session.turn(),
        (session.escalation() * 20.0).round() as i32,
        (session.trust() * 20.0).round() as i32,
        noticed,
    )
}

/// Walks the scenario in guided mode from `seed`, expanding at most `limit` states.
pub fn explore(scenario: Arc<LoadedScenario>, seed: u64, limit: usize) -> ExploreReport {
    let mut report = ExploreReport {
        states: 0,
        endings: 0,
        truncated: false,
        outcomes: scenario
            .scenario
            .outcomes
            .iter()
            .map(|o| OutcomeReach {
                id: o.id.clone(),
                kind: o.kind,
                endings: 0,
                example: None,
            })
            .collect(),
        calmest: None,
        worst: None,
        reveal_path: None,
        dead_ends: Vec::new(),
        unvisited_steps: Vec::new(),
        routes: Vec::new(),
    };
    let mut visited_steps: BTreeSet<String> = BTreeSet::new();
    let mut seen: BTreeSet<StateKey> = BTreeSet::new();
    let (start, _) = Session::new(Arc::clone(&scenario), seed, Mode::Guided);
    let start_peak = start.escalation();
    // Breadth-first, so the first path found to anything is a shortest one.
    let mut queue = std::collections::VecDeque::from([(start, Vec::<String>::new(), start_peak)]);
    while let Some((session, moves, peak)) = queue.pop_front() {
        if report.states >= limit {
            report.truncated = true;
            break;
        }
        if !seen.insert(key(&session)) {
            continue;
        }
        report.states += 1;
        visited_steps.insert(session.step_id().to_owned());
        let replies: Vec<String> = session.available_replies().iter().map(|r| r.id.clone()).collect();
        if replies.is_empty()
            && report.dead_ends.len() < 20
            && !report.dead_ends.iter().any(|d| d.step == session.step_id())
        {
            report.dead_ends.push(DeadEnd {
                step: session.step_id().to_owned(),
                moves: moves.clone(),
            });
        }
        for mv in replies.iter().map(String::as_str).chain([SILENCE]) {
            let mut next = session.clone();
            let input = if mv == SILENCE {
                TurnInput::default()
            } else {
                TurnInput::choose(mv)
            };
            let Ok(events) = next.respond(input) else {
                continue;
            };
            note_routes(&mut report.routes, &scenario, mv, &next, &events);
            let mut path = moves.clone();
            path.push(mv.to_owned());
            let peak = peak.max(next.escalation());
            if report.reveal_path.is_none() && events.iter().any(|e| matches!(e, SessionEvent::NeedRevealed { .. })) {
                report.reveal_path = Some(path.clone());
            }
            match next.outcome() {
                Some(outcome) => record_ending(&mut report, &outcome.id, path, peak, next.escalation()),
                None => queue.push_back((next, path, peak)),
            }
        }
    }
    report.unvisited_steps = scenario
        .scenario
        .steps
        .iter()
        .filter(|s| !visited_steps.contains(&s.id))
        .map(|s| s.id.clone())
        .collect();
    report
}

/// Adds the lines `mv` could have produced to `routes`: for each step line (or reply
/// answer) the move made the customer say, every line the engine could have drawn there.
fn note_routes(
    routes: &mut Vec<StepRoutes>,
    scenario: &LoadedScenario,
    mv: &str,
    after: &Session,
    events: &[SessionEvent],
) {
    let intents = events
        .iter()
        .find_map(|e| match e {
            SessionEvent::ReplyInterpreted { analysis, .. } => Some(analysis.intents.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let route = Route {
        reply: (mv != SILENCE).then_some(mv),
        intents: &intents,
    };
    // The stage the line was picked in: a cue in it moves a hidden need to hinted after.
    let hinted_now = events.iter().any(|e| matches!(e, SessionEvent::NeedHinted { .. }));
    let stage = if hinted_now {
        Disclosure::Hidden
    } else {
        after.disclosure()
    };
    for e in events {
        let SessionEvent::CustomerSpoke(spoken) = e else {
            continue;
        };
        let mut parts = spoken.line_id.rsplitn(3, '/');
        let (Some(_), Some(_), Some(prefix)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let lines = if let Some(reply) = prefix.strip_prefix("answer/") {
            scenario.reply(reply).map(|(_, r)| &r.answer)
        } else {
            scenario.step(prefix).map(|s| &s.say)
        };
        let Some(pool) = lines.and_then(|l| candidates(l, spoken.band, stage, route)) else {
            continue;
        };
        let at = match routes.iter().position(|r| r.lines_of == prefix) {
            Some(at) => at,
            None => {
                routes.push(StepRoutes {
                    lines_of: prefix.to_owned(),
                    incoming: Vec::new(),
                });
                routes.len() - 1
            }
        };
        let incoming = &mut routes[at].incoming;
        let at = match incoming.iter().position(|r| r.reply == mv) {
            Some(at) => at,
            None => {
                incoming.push(RouteLines {
                    reply: mv.to_owned(),
                    lines: Vec::new(),
                });
                incoming.len() - 1
            }
        };
        for (index, answering) in pool.choices {
            let id = format!("{prefix}/{}/{index}", pool.key.label());
            let lines = &mut incoming[at].lines;
            if !lines.iter().any(|(known, _)| known == &id) {
                lines.push((id, answering));
            }
        }
    }
}

fn record_ending(report: &mut ExploreReport, outcome: &str, path: Vec<String>, peak: f32, last: f32) {
    report.endings += 1;
    if let Some(reach) = report.outcomes.iter_mut().find(|o| o.id == outcome) {
        reach.endings += 1;
        if reach.example.is_none() {
            reach.example = Some(path.clone());
        }
    }
    let summary = || PathSummary {
        moves: path.clone(),
        outcome: outcome.to_owned(),
        peak_escalation: peak,
        final_escalation: last,
    };
    if report.calmest.as_ref().is_none_or(|c| peak < c.peak_escalation) {
        report.calmest = Some(summary());
    }
    if report.worst.as_ref().is_none_or(|w| peak > w.peak_escalation) {
        report.worst = Some(summary());
    }
}
