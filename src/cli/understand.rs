//! `holdspace understand`: what the customer hears in some words at a step, and why:
//! the author's way to see how open mode will take a reply before a trainee says it.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, bail};
use holdspace_core::scenario::probe::probe;
use holdspace_core::{Disclosure, TurnInput};

use holdspace::loader::load_scenario;

pub fn run(
    scenario: &str,
    dir: &Path,
    text: &str,
    step: Option<&str>,
    revealed: bool,
    lexicon_only: bool,
) -> Result<ExitCode> {
    let hearing = holdspace::hearing::load(lexicon_only);
    let loaded = load_scenario(scenario, dir)?;
    let step = step.unwrap_or(&loaded.scenario.start);
    let disclosure = if revealed {
        Disclosure::Revealed
    } else {
        Disclosure::Hidden
    };
    let Some(u) = probe(
        &loaded,
        step,
        disclosure,
        TurnInput::say(text),
        holdspace::hearing::listener(&hearing),
    ) else {
        let steps: Vec<&str> = loaded.scenario.steps.iter().map(|s| s.id.as_str()).collect();
        bail!(
            "no step \"{step}\" in {} (steps: {})",
            loaded.scenario.id,
            steps.join(", ")
        );
    };
    let name = &loaded.scenario.customer.name;
    println!("At \"{step}\", {name} has just said: \"{}\"", u.customer_said);
    println!("You say: \"{text}\"\n");
    println!("Heard:");
    if u.analysis.intents.is_empty() {
        println!("  nothing the engine recognises");
    }
    for intent in &u.analysis.intents {
        let layer = u.analysis.layer_of(*intent).map_or("", |l| l.describe());
        let evidence = u.analysis.evidence_for(*intent).unwrap_or_default();
        println!("  {:<28} from {layer}: {evidence}", intent.label());
    }
    for (intent, why) in &u.analysis.set_aside {
        println!("  (not counted: {} {why})", intent.label());
    }
    for intent in &u.analysis.undercut {
        println!("  ({} is taken back by the \"but\" after it)", intent.label());
    }
    if let Some(m) = &u.analysis.matched {
        println!(
            "  matched by {}: {:.3}, like \"{}\"",
            m.layer.describe(),
            m.similarity,
            m.like
        );
    }
    if u.analysis.paraphrase > 0.0 {
        println!(
            "  reflects {:.0} % of what they said ({})",
            u.analysis.paraphrase * 100.0,
            u.analysis.reflected.join(", ")
        );
    }
    println!("\nReplies on offer (closeness to the nearest text or example):");
    for s in &u.scores {
        let verdict = match (s.consistent, s.qualifies()) {
            (false, _) => "moves disagree".to_owned(),
            (true, true) => "close enough".to_owned(),
            (true, false) => format!("needs {:.2}", s.threshold()),
        };
        let mark = if u.reply.as_deref() == Some(s.reply.as_str()) {
            "→"
        } else {
            " "
        };
        println!(
            "  {mark} {:<24} words {:.3}  {verdict:<16} like \"{}\"",
            s.reply, s.similarity, s.like
        );
        if let Some((m, like)) = &s.meaning {
            println!(
                "    {:<24} meaning {m:.3} (needs {:.2}) like \"{like}\"",
                "",
                s.meaning_threshold()
            );
        }
    }
    match &u.reply {
        Some(r) => println!("\nMatched: {r}"),
        None => println!("\nMatched: none (the customer stays at this step)"),
    }
    println!("\n{name} {} ({:+.3}):", u.direction.name(), u.moved);
    for r in &u.reasons {
        println!("  {:+.3}  {}", r.escalation, r.note);
    }
    if let Some(answer) = &u.answer {
        println!("\n{name} answers ({}): \"{}\"", answer.line_id, answer.text);
    }
    Ok(ExitCode::SUCCESS)
}
