//! `holdspace simulate`: scripted turns in, the session record as JSON out (byte-identical for the same arguments).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use holdspace_core::script::parse_script;
use holdspace_core::{Mode, Session};

use holdspace::loader::load_scenario;
use holdspace::report::SimulationOutput;

pub fn run(scenario: &str, dir: &Path, seed: u64, inputs: &Path, mode: Mode, out: Option<&Path>) -> Result<ExitCode> {
    let loaded = load_scenario(scenario, dir)?;
    let text = std::fs::read_to_string(inputs).with_context(|| format!("cannot read {}", inputs.display()))?;
    let turns = parse_script(&text).with_context(|| format!("in {}", inputs.display()))?;
    let (mut session, _) = Session::new(loaded.clone(), seed, mode);
    for (i, turn) in turns.into_iter().enumerate() {
        if session.is_ended() {
            eprintln!(
                "note: the session ended before turn {} of the script; the rest was not used",
                i + 1
            );
            break;
        }
        session
            .respond(turn)
            .with_context(|| format!("turn {} of {}", i + 1, inputs.display()))?;
    }
    let json = SimulationOutput::new(&loaded, &session).to_json()?;
    match out {
        Some(path) => std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?,
        None => println!("{json}"),
    }
    Ok(ExitCode::SUCCESS)
}
