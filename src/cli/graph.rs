//! `holdspace graph`: the scenario as Mermaid or DOT.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use holdspace_core::scenario::graph::{GraphFormat, graph};

use super::GraphFormatArg;
use holdspace::loader::load_scenario;

pub fn run(scenario: &str, dir: &Path, format: GraphFormatArg) -> Result<ExitCode> {
    let loaded = load_scenario(scenario, dir)?;
    let format = match format {
        GraphFormatArg::Mermaid => GraphFormat::Mermaid,
        GraphFormatArg::Dot => GraphFormat::Dot,
    };
    print!("{}", graph(&loaded.scenario, format));
    Ok(ExitCode::SUCCESS)
}
