//! Command-line interface: argument types and dispatch to one module per subcommand.

mod bench;
mod console;
mod explore;
mod graph;
mod play;
mod records;
mod run;
mod say;
mod sheet;
mod simulate;
mod understand;
mod validate;
mod voices;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};
use holdspace_core::Mode;

/// Holdspace: practise de-escalation with a customer who reacts to what you say and how.
#[derive(Debug, Parser)]
#[command(name = "holdspace", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Open the desktop app (the default when no command is given).
    Run(Box<run::RunArgs>),
    /// Check scenario files (or every scenario in a directory); exit 0 when all are valid.
    Validate {
        /// Files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Also fail on warnings.
        #[arg(long)]
        strict: bool,
    },
    /// Run scripted turns and print the session record (with its debrief) as JSON.
    Simulate {
        /// Scenario file or id.
        scenario: String,
        /// Seed for the customer's variation.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Script of turns (see docs/authoring.md, "Scripted turns").
        #[arg(long)]
        inputs: PathBuf,
        /// Open mode (free text matched to replies) instead of guided.
        #[arg(long)]
        open: bool,
        /// Write the JSON here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also save it as an attempt in the trainee's records (journal and exports).
        #[arg(long)]
        save: bool,
        /// Hear words through the lexicon alone, without the sentence encoder.
        #[arg(long)]
        lexicon_only: bool,
        #[command(flatten)]
        records: holdspace::records::RecordsArgs,
        #[command(flatten)]
        dir: ScenarioDir,
    },
    /// Play a scenario in the terminal: the author's quick loop.
    Play {
        /// Scenario file or id.
        #[arg(default_value = "delivery_bereavement")]
        scenario: String,
        /// Seed for the customer's variation (random if omitted).
        #[arg(long)]
        seed: Option<u64>,
        /// Open mode: no options, type your own replies.
        #[arg(long)]
        open: bool,
        /// Save the session in the trainee's records (an author's test runs are not saved
        /// unless asked).
        #[arg(long)]
        save: bool,
        /// Hear words through the lexicon alone, without the sentence encoder.
        #[arg(long)]
        lexicon_only: bool,
        #[command(flatten)]
        records: holdspace::records::RecordsArgs,
        #[command(flatten)]
        dir: ScenarioDir,
    },
    /// Print what the customer hears in some words at a step: the intents and the layer
    /// and evidence for each, the reply they would match with its closeness, and which
    /// way the customer would move.
    Understand {
        /// Scenario file or id.
        scenario: String,
        /// What the trainee says.
        text: String,
        /// The step the customer is at (default: the scenario's first).
        #[arg(long)]
        step: Option<String>,
        /// As if the hidden need had already come out.
        #[arg(long)]
        revealed: bool,
        /// Hear words through the lexicon alone, without the sentence encoder.
        #[arg(long)]
        lexicon_only: bool,
        #[command(flatten)]
        dir: ScenarioDir,
    },
    /// Saved sessions: list, open a debrief, export, send to the LRS, progress.
    Records {
        #[command(subcommand)]
        command: records::RecordsCommand,
        #[command(flatten)]
        records: holdspace::records::RecordsArgs,
        #[command(flatten)]
        dir: ScenarioDir,
    },
    /// Voice a customer line exactly as the app says it and write it as WAV.
    Say {
        #[command(flatten)]
        args: say::SayArgs,
        #[command(flatten)]
        dir: ScenarioDir,
    },
    /// The customer's voices: warm the line cache, compare flite with the neural voice,
    /// list them.
    Voices {
        #[command(subcommand)]
        command: voices::VoicesCommand,
        #[command(flatten)]
        dir: ScenarioDir,
    },
    /// Render every avatar look in five states (calm, frustrated, angry, hostile, need
    /// revealed) offscreen into one contact sheet, checking each panel shows the customer.
    ContactSheet {
        /// Folder the sheet (avatar-states.png) is written to.
        #[arg(long, default_value = "target/contact-sheet")]
        out: PathBuf,
        /// Folder of the avatar GLBs (default: where scripts/avatar.sh builds them).
        #[arg(long)]
        avatars: Option<PathBuf>,
        /// Only this look (repeatable): older_female, adult_male, young_female, older_male.
        #[arg(long = "look")]
        looks: Vec<String>,
    },
    /// Print the scenario's steps and replies as a Mermaid or Graphviz graph.
    Graph {
        /// Scenario file or id.
        scenario: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormatArg::Mermaid)]
        format: GraphFormatArg,
        #[command(flatten)]
        dir: ScenarioDir,
    },
    /// Walk every reply path (bounded) and report outcomes, calmest/worst paths and dead ends.
    Explore {
        /// Scenario file or id.
        scenario: String,
        /// Seed for the customer's variation.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Most states to expand.
        #[arg(long, default_value_t = 200_000)]
        limit: usize,
        /// Print JSON instead of a report.
        #[arg(long)]
        json: bool,
        /// Exit non-zero when an outcome is unreachable, the need is never revealed, or there are dead ends.
        #[arg(long)]
        check: bool,
        #[command(flatten)]
        dir: ScenarioDir,
    },
    /// Serve the coach's console for a records folder: the cohort, each session's report,
    /// and live any session a Holdspace on this machine is writing there (to steer one,
    /// start the app with `run --console`).
    Console {
        /// The address to listen on. Loopback needs no token; any other address prints a
        /// coach token and a read-only viewer token.
        #[arg(long, value_name = "ADDR", default_value = run::CONSOLE_DEFAULT)]
        listen: std::net::SocketAddr,
        #[command(flatten)]
        records: holdspace::records::RecordsArgs,
        #[command(flatten)]
        dir: ScenarioDir,
    },
    /// Run benchmarks and print a table (and JSON with --json-out).
    Bench {
        /// Which benchmark.
        #[arg(value_enum, default_value_t = bench::Which::Core)]
        which: bench::Which,
        /// Write results as JSON here.
        #[arg(long)]
        json_out: Option<PathBuf>,
        /// `speech`: the test suite's four voices instead of all nine; `voice`: the
        /// neural voice's first samples only; `understanding`: the development set only.
        #[arg(long)]
        quick: bool,
        /// `frame`: frames measured per view (default 600; 20 mono and 8 stereo on a
        /// software renderer such as lavapipe).
        #[arg(long)]
        frames: Option<usize>,
        /// `frame`: save the last frame each view rendered as PNG in this folder.
        #[arg(long, value_name = "DIR")]
        png_dir: Option<PathBuf>,
        /// Regenerate the results table in this document (between its bench markers),
        /// e.g. docs/performance.md.
        #[arg(long, value_name = "FILE")]
        update_doc: Option<PathBuf>,
        /// Compare the medians with a previous run's JSON (flags moves over 20 %).
        #[arg(long, value_name = "JSON")]
        compare: Option<PathBuf>,
        #[command(flatten)]
        dir: ScenarioDir,
    },
}

/// Where scenario ids are looked up.
#[derive(Debug, clap::Args)]
struct ScenarioDir {
    /// Directory of scenarios (for ids and the shared lexicon).
    #[arg(long = "scenarios", global = true, default_value = holdspace::loader::DEFAULT_DIR)]
    path: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum GraphFormatArg {
    Mermaid,
    Dot,
}

fn mode(open: bool) -> Mode {
    if open { Mode::Open } else { Mode::Guided }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command.unwrap_or_else(|| Command::Run(Box::default())) {
        Command::Run(args) => run::run(*args),
        Command::Validate { paths, strict } => validate::run(&paths, strict),
        Command::Simulate {
            scenario,
            seed,
            inputs,
            open,
            out,
            save,
            lexicon_only,
            records,
            dir,
        } => simulate::run(
            &scenario,
            &dir.path,
            seed,
            &inputs,
            mode(open),
            out.as_deref(),
            save.then_some(&records),
            lexicon_only,
        ),
        Command::Play {
            scenario,
            seed,
            open,
            save,
            lexicon_only,
            records,
            dir,
        } => play::run(
            &scenario,
            &dir.path,
            seed,
            mode(open),
            save.then_some(&records),
            lexicon_only,
        ),
        Command::Understand {
            scenario,
            text,
            step,
            revealed,
            lexicon_only,
            dir,
        } => understand::run(&scenario, &dir.path, &text, step.as_deref(), revealed, lexicon_only),
        Command::Records { command, records, dir } => records::run(command, &records, &dir.path),
        Command::Say { args, dir } => say::run(args, &dir.path),
        Command::Voices { command, dir } => voices::run(command, &dir.path),
        Command::ContactSheet { out, avatars, looks } => sheet::run(&out, avatars, &looks),
        Command::Graph { scenario, format, dir } => graph::run(&scenario, &dir.path, format),
        Command::Explore {
            scenario,
            seed,
            limit,
            json,
            check,
            dir,
        } => explore::run(&scenario, &dir.path, seed, limit, json, check),
        Command::Console { listen, records, dir } => console::run(listen, &records, &dir.path),
        Command::Bench {
            which,
            json_out,
            quick,
            frames,
            png_dir,
            update_doc,
            compare,
            dir,
        } => bench::run(
            which,
            &dir.path,
            &bench::Options {
                json_out,
                quick,
                frames,
                png_dir,
                update_doc,
                compare,
            },
        ),
    }
}
