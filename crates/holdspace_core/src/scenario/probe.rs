//! "What would the customer hear if I said this here?": one turn tried at a step, with
//! everything the engine decided and why. Authoring tools (`holdspace understand`, the
//! `checks:` that `validate` runs) and the understanding benchmark all ask it this way,
//! so they see exactly what a trainee's turn would.

use std::sync::Arc;

use crate::analysis::matching::{Score, scores};
use crate::analysis::{Analysis, TurnInput};
use crate::engine::events::{Cause, Reason, SessionEvent, Spoken};
use crate::engine::state::Disclosure;
use crate::engine::{Listener, Mode, Session};
use crate::scenario::load::LoadedScenario;
use crate::scenario::model::Direction;

/// What one turn at a step was heard as, and what it did.
#[derive(Debug, Clone, PartialEq)]
pub struct Understood {
    /// What the customer had just said.
    pub customer_said: String,
    /// What the engine heard.
    pub analysis: Analysis,
    /// The reply matched, if any.
    pub reply: Option<String>,
    /// Every reply on offer scored against the words.
    pub scores: Vec<Score>,
    /// The reasons the customer moved (the random variation left out).
    pub reasons: Vec<Reason>,
    /// The sum of the reasons' escalation.
    pub moved: f32,
    /// Which way that is.
    pub direction: Direction,
    /// What the customer said next, if they spoke.
    pub answer: Option<Spoken>,
}

/// Tries `input` at `step` (the customer having just said the step's line, in the band
/// they start in, with the hidden need at `disclosure`). `None` when there is no such step.
pub fn probe(
    scenario: &Arc<LoadedScenario>,
    step: &str,
    disclosure: Disclosure,
    input: TurnInput,
    listener: Option<&dyn Listener>,
) -> Option<Understood> {
    let (mut session, opening) = Session::at_step(Arc::clone(scenario), 1, Mode::Open, step, disclosure)?;
    let customer_said = opening
        .iter()
        .find_map(|e| match e {
            SessionEvent::CustomerSpoke(s) => Some(s.text.clone()),
            _ => None,
        })
        .unwrap_or_default();
    if let Some(l) = listener {
        l.prepare(&session);
    }
    let offered = session.available_replies().into_iter().cloned().collect::<Vec<_>>();
    let text = input.text.clone();
    let mut input = input;
    if input.understanding.is_none()
        && let Some(l) = listener
    {
        input.understanding = l.understand(&session, &text);
    }
    let understanding = input.understanding.clone();
    let events = session.respond(input).ok()?;
    let mut out = Understood {
        customer_said,
        analysis: Analysis::default(),
        reply: None,
        scores: Vec::new(),
        reasons: Vec::new(),
        moved: 0.0,
        direction: Direction::Neutral,
        answer: None,
    };
    for event in events {
        match event {
            SessionEvent::ReplyInterpreted { reply, analysis, .. } => {
                let refs: Vec<&crate::scenario::model::Reply> = offered.iter().collect();
                out.scores = scores(&refs, &analysis, &text, understanding.as_ref());
                out.analysis = analysis;
                out.reply = reply;
            }
            SessionEvent::EscalationChanged(change) => {
                out.reasons = change
                    .reasons
                    .into_iter()
                    .filter(|r| r.cause != Cause::Variation)
                    .collect();
                out.moved = out.reasons.iter().map(|r| r.escalation).sum();
                out.direction = Direction::of(out.moved);
            }
            SessionEvent::CustomerSpoke(s) if out.answer.is_none() => out.answer = Some(s),
            _ => {}
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::intent::Intent;
    use crate::testing::shipped;

    fn margaret() -> Arc<LoadedScenario> {
        shipped()
            .into_iter()
            .find(|s| s.scenario.id == "delivery_bereavement")
            .expect("shipped")
    }

    #[test]
    fn a_probe_says_what_was_heard_and_where_it_leads() {
        let u = probe(
            &margaret(),
            "details",
            Disclosure::Hidden,
            TurnInput::say("There's no need to get upset, it's only a few days late."),
            None,
        )
        .expect("step exists");
        assert!(u.customer_said.contains("4 4 7 1"), "{}", u.customer_said);
        assert!(u.analysis.intents.contains(&Intent::Minimising));
        assert_eq!(u.reply.as_deref(), Some("calm_down"));
        assert_eq!(u.direction, Direction::Escalates);
        assert!(u.answer.is_some());
    }

    #[test]
    fn no_such_step_is_none() {
        assert!(probe(&margaret(), "nowhere", Disclosure::Hidden, TurnInput::say("hi"), None).is_none());
    }
}
