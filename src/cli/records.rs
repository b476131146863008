//! `holdspace records …`: what a coach or trainee does with saved sessions: list them,
//! open a debrief (an interrupted session's too), re-export, send queued statements to
//! the LRS, and see progress across attempts with the suggested next scenario.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use holdspace::records::{Records, RecordsArgs, catalogue, scenario_for};
use holdspace::report::{bar, debrief_text};
use holdspace_core::Debrief;
use holdspace_records::export::export;

/// What to do with records.
#[derive(Debug, clap::Subcommand)]
pub enum RecordsCommand {
    /// List the profile's sessions (interrupted ones are marked).
    List,
    /// Print a session's debrief ("latest" for the most recent).
    Show {
        /// Session id, or "latest".
        #[arg(default_value = "latest")]
        session: String,
        /// Print the session record and debrief as JSON instead.
        #[arg(long)]
        json: bool,
    },
    /// (Re)write a session's record.json, statements.json and report.html; print their paths.
    Export {
        /// Session id, or "latest".
        #[arg(default_value = "latest")]
        session: String,
    },
    /// Close sessions cut short by a crash (keeping every turn) and export them.
    Recover,
    /// Send queued xAPI statements to the configured LRS.
    Sync,
    /// Progress per skill across attempts, and the scenario to try next.
    Progress {
        /// Print JSON instead.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: RecordsCommand, args: &RecordsArgs, scenarios: &Path) -> Result<ExitCode> {
    let records = Records::open(args)?;
    for w in &records.warnings {
        eprintln!("warning: {w}");
    }
    let profile = records.profile.clone();
    match command {
        RecordsCommand::List => {
            let (sessions, unreadable) = records.store.sessions(&profile)?;
            if sessions.is_empty() {
                println!(
                    "No sessions for profile \"{profile}\" in {}.",
                    records.store.locations().data.display()
                );
            }
            for s in &sessions {
                let r = s.record();
                let state = match (&r.outcome, s.journal.closed, s.is_interrupted()) {
                    (Some(o), _, _) => o.kind.label().to_owned(),
                    (None, true, _) => "left early".to_owned(),
                    (None, false, true) => "INTERRUPTED (open it with `records show`)".to_owned(),
                    (None, false, false) => "in progress".to_owned(),
                };
                println!("{}  {:<24} {:>2} turns  {state}", s.id, r.scenario_id, r.turns.len());
            }
            for e in unreadable {
                eprintln!("warning: {e}");
            }
        }
        RecordsCommand::Show { session, json } => {
            let s = records.store.session(&profile, &session)?;
            let scenario = scenario_for(&s.record().scenario_id, scenarios).with_context(|| {
                format!(
                    "the debrief needs scenario \"{}\" in {}",
                    s.record().scenario_id,
                    scenarios.display()
                )
            })?;
            let debrief = Debrief::build(&scenario, s.record());
            if json {
                // Serialised as typed structs (not through serde_json::Value, which widens f32 to
                // f64 digits), so it prints exactly what `simulate` prints for the same session.
                let out = holdspace::report::SimulationOutput {
                    record: s.record().clone(),
                    debrief,
                };
                println!("{}", out.to_json()?);
            } else {
                if s.is_interrupted() {
                    println!(
                        "This session was cut short (the app stopped) after {} turn{}; everything said until then was kept.",
                        s.record().turns.len(),
                        if s.record().turns.len() == 1 { "" } else { "s" }
                    );
                }
                print!("{}", debrief_text(&debrief));
            }
        }
        RecordsCommand::Export { session } => {
            let s = records.store.session(&profile, &session)?;
            let scenario = scenario_for(&s.record().scenario_id, scenarios);
            if scenario.is_none() {
                eprintln!(
                    "warning: scenario \"{}\" not found: no HTML report",
                    s.record().scenario_id
                );
            }
            let out = export(&records.store, &s, scenario.as_deref(), &records.settings)?;
            println!("{}", out.record.display());
            println!("{}", out.statements.display());
            if let Some(p) = &out.report {
                println!("{}", p.display());
            }
            if let Some(p) = &out.queued {
                println!("{} (queued for the LRS)", p.display());
            }
        }
        RecordsCommand::Recover => {
            let interrupted = records.interrupted();
            if interrupted.is_empty() {
                println!("Nothing to recover.");
            }
            for s in interrupted {
                records.store.close_interrupted(&s)?;
                let s = records.store.session(&profile, &s.id)?;
                let scenario = scenario_for(&s.record().scenario_id, scenarios);
                export(&records.store, &s, scenario.as_deref(), &records.settings)?;
                println!("{}: {} turns kept", s.id, s.record().turns.len());
            }
        }
        RecordsCommand::Sync => match records.sync() {
            None => println!("No LRS is configured (see docs/records.md)."),
            Some(report) => {
                for id in &report.sent {
                    println!("sent {id}");
                }
                for (id, why) in &report.failed {
                    println!("still queued {id}: {why}");
                }
                if !report.failed.is_empty() {
                    return Ok(ExitCode::FAILURE);
                }
            }
        },
        RecordsCommand::Progress { json } => {
            let progress = holdspace_records::history::progress(&records.store, &profile, &catalogue(scenarios))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&progress)?);
                return Ok(ExitCode::SUCCESS);
            }
            if progress.attempts.is_empty() {
                bail!("no attempts yet for profile \"{profile}\"");
            }
            println!("Progress for {profile}: {} attempts\n", progress.attempts.len());
            for (a, overall) in &progress.attempts {
                let outcome = a.outcome.map_or("cut short", |k| k.label());
                println!(
                    "  {}  {:<24} {}  {:>3.0}%  {outcome}",
                    a.started_at,
                    a.scenario_id,
                    bar(*overall, 10),
                    overall * 100.0
                );
            }
            println!("\nPer skill (first → latest, mean of the last 3):");
            for p in &progress.skills {
                let pct = |v: Option<f32>| v.map_or("  –".to_owned(), |v| format!("{:>3.0}%", v * 100.0));
                println!(
                    "  {:<30} {} → {}   recent {}{}",
                    p.skill.label(),
                    pct(p.first),
                    pct(p.latest),
                    pct(p.recent),
                    if progress.weakest == Some(p.skill) {
                        "   ← weakest"
                    } else {
                        ""
                    }
                );
            }
            if let Some(s) = &progress.suggestion {
                println!("\nTry next: {} ({})\n  {}", s.title, s.scenario_id, s.why);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
