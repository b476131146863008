//! `holdspace console`: the coach's console on its own, over a records folder.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use holdspace::records::{RecordsArgs, all_scenarios};
use holdspace_console::ConsoleConfig;
use holdspace_records::Locations;

pub fn run(listen: SocketAddr, records: &RecordsArgs, scenarios: &Path) -> Result<ExitCode> {
    let locations = Locations::resolve(records.data_dir.as_deref(), records.settings.as_deref());
    let scenarios = all_scenarios(scenarios);
    println!(
        "Serving the records in {} ({} scenarios known).",
        locations.data.display(),
        scenarios.len()
    );
    let console = holdspace_console::start(ConsoleConfig {
        addr: listen,
        data: locations.data.clone(),
        scenarios,
        access: None,
    })
    .context("the coach console did not start")?;
    println!("{}", console.banner());
    println!("Stop it with Ctrl+C.");
    console.wait();
    Ok(ExitCode::SUCCESS)
}
