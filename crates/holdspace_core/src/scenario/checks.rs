//! The author's `checks:`: utterances with what the engine must hear in them, run by
//! `holdspace validate` and reported at the check's line and column when the engine
//! hears something else.

use std::sync::Arc;

use crate::analysis::TurnInput;
use crate::engine::Listener;
use crate::engine::state::Disclosure;
use crate::scenario::diagnostic::Diagnostic;
use crate::scenario::load::LoadedScenario;
use crate::scenario::model::Check;
use crate::scenario::probe::probe;

/// Where a check's `say:` text sits in the source (the whole file when not found).
fn span_of(check: &Check, source: &str) -> std::ops::Range<usize> {
    let escaped = check.say.replace('"', "\\\"");
    source
        .find(&format!("\"{escaped}\""))
        .map_or(0..0, |at| at..at + escaped.len() + 2)
}

/// Runs every check of a scenario; one error per check the engine hears differently.
pub fn run(scenario: &Arc<LoadedScenario>, source: &str, listener: Option<&dyn Listener>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for check in &scenario.scenario.checks {
        let span = span_of(check, source);
        // A check of a reply written for after the reveal is tried with the need out.
        let revealed = check
            .reply
            .as_deref()
            .and_then(|r| scenario.reply(r))
            .is_some_and(|(_, r)| r.requires.contains(&crate::scenario::model::Condition::NeedRevealed));
        let disclosure = if revealed {
            Disclosure::Revealed
        } else {
            Disclosure::Hidden
        };
        let Some(u) = probe(
            scenario,
            &check.step,
            disclosure,
            TurnInput::say(check.say.clone()),
            listener,
        ) else {
            out.push(Diagnostic::error(
                format!("check: no step \"{}\"", check.step),
                span,
                "unknown step",
            ));
            continue;
        };
        let mut wrong = Vec::new();
        if let Some(intents) = &check.intents {
            let mut want = intents.clone();
            want.sort_unstable();
            want.dedup();
            if u.analysis.intents != want {
                let names = |v: &[crate::Intent]| v.iter().map(|i| i.name()).collect::<Vec<_>>().join(", ");
                wrong.push(format!(
                    "heard [{}], expected [{}]",
                    names(&u.analysis.intents),
                    names(&want)
                ));
            }
        }
        if let Some(reply) = &check.reply {
            let want = (!reply.is_empty()).then_some(reply.as_str());
            if u.reply.as_deref() != want {
                wrong.push(format!(
                    "matched {}, expected {}",
                    u.reply.as_deref().unwrap_or("no reply"),
                    want.unwrap_or("no reply")
                ));
            }
        }
        if let Some(direction) = check.direction
            && u.direction != direction
        {
            wrong.push(format!("{}, expected {}", u.direction.name(), direction.name()));
        }
        if !wrong.is_empty() {
            out.push(
                Diagnostic::error(
                    format!("check at \"{}\": {}", check.step, wrong.join("; ")),
                    span,
                    "heard differently",
                )
                .with_help(format!(
                    "see why with: holdspace understand {} --step {} \"{}\"",
                    scenario.scenario.id, check.step, check.say
                )),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lexicon;
    use crate::scenario::load::check;

    #[test]
    fn a_failing_check_is_reported_at_its_line() {
        // The shipped checks are written for the app, which hears with the encoder: the
        // core test replaces them with two the lexicon alone can judge.
        let shipped = include_str!("../../../../scenarios/delivery_bereavement.ron");
        let start = shipped.find("    checks: [").expect("the example has checks");
        let end = start + shipped[start..].find("\n    ],\n").expect("closed") + "\n    ],\n".len();
        let source = format!(
            "{}{}{}",
            &shipped[..start],
            "    checks: [\n        Check(step: \"opening\", say: \"What's happening on Friday?\", reply: Some(\"order_number\")),\n        Check(step: \"opening\", say: \"Calm down.\", direction: Some(Escalates)),\n    ],\n",
            &shipped[end..]
        );
        let loaded = Arc::new(check(&source, &Lexicon::builtin()).scenario.expect("loads"));
        let problems = run(&loaded, &source, None);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let (line, _) = crate::scenario::diagnostic::line_col(&source, problems[0].span.start);
        assert!(source.lines().nth(line - 1).is_some_and(|l| l.contains("Friday")));
        assert!(
            problems[0]
                .message
                .contains("matched ask_friday, expected order_number")
        );
    }
}
