//! `holdspace bench`: measured performance of the core (validation and simulation).
//! Timing uses the wall clock here, at the edge; the core itself never reads a clock.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use clap::ValueEnum;
use holdspace_core::{Mode, Session, TurnInput, check};
use serde::Serialize;

use holdspace::loader::{scenario_paths, shared_lexicon};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Which {
    /// Validate 100 scenarios and simulate 1,000 and 10,000 turns.
    Core,
}

#[derive(Debug, Serialize)]
struct Row {
    name: String,
    runs: usize,
    median_ms: f64,
    min_ms: f64,
    max_ms: f64,
    per_item_us: f64,
}

const RUNS: usize = 15;

fn measure(name: &str, items: usize, mut f: impl FnMut() -> usize) -> Row {
    f(); // warm-up
    let mut ms: Vec<f64> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    let median = ms[RUNS / 2];
    Row {
        name: name.to_owned(),
        runs: RUNS,
        median_ms: median,
        min_ms: ms[0],
        max_ms: ms[RUNS - 1],
        per_item_us: median * 1000.0 / items as f64,
    }
}

pub fn run(which: Which, dir: &Path, json_out: Option<&Path>) -> Result<ExitCode> {
    let Which::Core = which;
    let shared = match shared_lexicon(dir) {
        Ok(l) => l,
        Err(e) => bail!("{}: {}", e.0.display(), e.2.message),
    };
    let sources: Vec<String> = scenario_paths(dir)?
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    if sources.is_empty() {
        bail!("no scenarios in {}", dir.display());
    }
    let hundred: Vec<&String> = sources.iter().cycle().take(100).collect();
    let loaded: Vec<_> = sources
        .iter()
        .filter_map(|s| check(s, &shared).scenario.map(std::sync::Arc::new))
        .collect();
    let mut rows = vec![measure("validate 100 scenarios", 100, || {
        hundred.iter().filter(|s| !check(s, &shared).has_errors()).count()
    })];
    for turns in [1_000usize, 10_000] {
        rows.push(measure(&format!("simulate {turns} turns"), turns, || {
            simulate(&loaded, turns)
        }));
    }
    println!(
        "{:<28} {:>6} {:>12} {:>10} {:>10} {:>14}",
        "benchmark", "runs", "median ms", "min ms", "max ms", "per item µs"
    );
    for r in &rows {
        println!(
            "{:<28} {:>6} {:>12.2} {:>10.2} {:>10.2} {:>14.1}",
            r.name, r.runs, r.median_ms, r.min_ms, r.max_ms, r.per_item_us
        );
    }
    if let Some(path) = json_out {
        std::fs::write(path, serde_json::to_string_pretty(&rows)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Plays `turns` turns across the scenarios: each session picks replies round-robin
/// with typed words every third turn (so the text analyser runs too), restarting
/// whenever a session ends.
fn simulate(scenarios: &[std::sync::Arc<holdspace_core::LoadedScenario>], turns: usize) -> usize {
    let mut done = 0;
    let mut seed = 0u64;
    while done < turns {
        let scenario = &scenarios[seed as usize % scenarios.len()];
        let (mut session, _) = Session::new(
            scenario.clone(),
            seed,
            if seed.is_multiple_of(2) {
                Mode::Guided
            } else {
                Mode::Open
            },
        );
        seed += 1;
        while !session.is_ended() && done < turns {
            let replies = session.available_replies();
            let input = match replies.get(done % replies.len().max(1)) {
                Some(r) if done % 3 != 0 => TurnInput::choose(r.id.clone()),
                Some(r) => TurnInput::say(r.phrasings.first().unwrap_or(&r.text).clone()),
                None => TurnInput::default(),
            };
            if session.respond(input).is_err() {
                break;
            }
            done += 1;
        }
    }
    done
}
