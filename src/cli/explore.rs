//! `holdspace explore`: coverage report for authors.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use holdspace_core::scenario::explore::explore;

use holdspace::loader::load_scenario;

pub fn run(scenario: &str, dir: &Path, seed: u64, limit: usize, json: bool, check: bool) -> Result<ExitCode> {
    let loaded = load_scenario(scenario, dir)?;
    let report = explore(loaded.clone(), seed, limit);
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "Explored \"{}\": {} states, {} endings{}",
            loaded.scenario.id,
            report.states,
            report.endings,
            if report.truncated {
                " (stopped at the limit)"
            } else {
                ""
            }
        );
        println!("\nOutcomes:");
        for o in &report.outcomes {
            match &o.example {
                Some(path) => println!(
                    "  reachable    {:<16} {:<30} {:>6} endings, e.g. {}",
                    o.id,
                    o.kind.label(),
                    o.endings,
                    path.join(" → ")
                ),
                None => println!("  UNREACHABLE  {:<16} {}", o.id, o.kind.label()),
            }
        }
        match &report.reveal_path {
            Some(path) => println!("\nHidden need revealed, shortest path: {}", path.join(" → ")),
            None => println!("\nHidden need: NEVER revealed on any path"),
        }
        for (name, p) in [("Calmest", &report.calmest), ("Worst", &report.worst)] {
            if let Some(p) = p {
                println!(
                    "{name} path (peak escalation {:.2}, ends {}): {}",
                    p.peak_escalation,
                    p.outcome,
                    p.moves.join(" → ")
                );
            }
        }
        if report.dead_ends.is_empty() {
            println!("Dead ends: none");
        } else {
            for d in &report.dead_ends {
                println!(
                    "DEAD END at step \"{}\" (no replies on offer) after: {}",
                    d.step,
                    d.moves.join(" → ")
                );
            }
        }
        if !report.unvisited_steps.is_empty() {
            println!("Steps never visited: {}", report.unvisited_steps.join(", "));
        }
        println!("\nLines by route (what each move into a step can make the customer say there):");
        for step in &report.routes {
            println!("  {}", step.lines_of);
            for route in &step.incoming {
                let lines: Vec<String> = route
                    .lines
                    .iter()
                    .map(|(id, answering)| match answering {
                        Some(a) => format!("{id} ({})", a.describe()),
                        None => id.clone(),
                    })
                    .collect();
                println!("    after {:<24} {}", route.reply, lines.join(", "));
            }
        }
    }
    let problems = report.outcomes.iter().any(|o| o.example.is_none())
        || !report.dead_ends.is_empty()
        || report.reveal_path.is_none();
    Ok(if check && problems {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
