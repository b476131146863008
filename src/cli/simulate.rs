//! `holdspace simulate`: scripted turns in, the session record as JSON out (byte-identical for the same arguments).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use holdspace_core::scenario::script::parse_script;
use holdspace_core::{Mode, Session};

use holdspace::loader::load_scenario;
use holdspace::records::{Records, RecordsArgs};
use holdspace::report::SimulationOutput;

pub fn run(
    scenario: &str,
    dir: &Path,
    seed: u64,
    inputs: &Path,
    mode: Mode,
    out: Option<&Path>,
    save: Option<&RecordsArgs>,
    lexicon_only: bool,
) -> Result<ExitCode> {
    let hearing = holdspace::hearing::load(lexicon_only);
    let loaded = load_scenario(scenario, dir)?;
    let text = std::fs::read_to_string(inputs).with_context(|| format!("cannot read {}", inputs.display()))?;
    let turns = parse_script(&text).with_context(|| format!("in {}", inputs.display()))?;
    let (mut session, _) = Session::new(loaded.clone(), seed, mode);
    let records = save.map(Records::open).transpose()?;
    let mut journal = match &records {
        Some(r) => Some(r.begin(&session.record(), "simulate", None)?),
        None => None,
    };
    for (i, turn) in turns.into_iter().enumerate() {
        if session.is_ended() {
            eprintln!(
                "note: the session ended before turn {} of the script; the rest was not used",
                i + 1
            );
            break;
        }
        let events = session
            .respond_with(turn, holdspace::hearing::listener(&hearing))
            .with_context(|| format!("turn {} of {}", i + 1, inputs.display()))?;
        if let (Some(j), Some(t)) = (journal.as_mut(), session.record().turns.last()) {
            j.turn(t, &events)?;
        }
    }
    if let (Some(records), Some(mut j)) = (&records, journal.take()) {
        j.end(session.outcome())?;
        let exported = records.finish(&j.meta().session_id, Some(&loaded))?;
        eprintln!(
            "saved {}",
            exported.record.parent().unwrap_or(&exported.record).display()
        );
    }
    let json = SimulationOutput::new(&loaded, &session).to_json()?;
    match out {
        Some(path) => std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?,
        None => println!("{json}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Sends queued statements now (an LRS being down is not an error: they stay queued).
pub fn report_sync(records: &Records) {
    if let Some(report) = records.sync() {
        for id in &report.sent {
            eprintln!("sent {id} to the LRS");
        }
        for (id, why) in &report.failed {
            eprintln!("warning: {id} stays queued for the LRS: {why}");
        }
    }
}
