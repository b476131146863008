//! The `holdspace` command: the app (no subcommand, or `run`) and the authoring tools
//! over the pure core (validate, simulate, play, graph, explore, bench). `main` only
//! parses arguments and reports errors.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
