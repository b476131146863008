//! `holdspace bench`: measured performance of the core (validation and simulation) and
//! of the records on disk (journal, history, exports).
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
    /// Journal a turn (written and synced), read 200 saved attempts, export one session.
    Records,
    /// Every shipped line: from being chosen to its first audio sample (synthesis and
    /// mixer), cold and cached, and synthesis speed.
    Voice,
    /// Speech recognition on the generated test set (flite and espeak-ng voices): option
    /// accuracy, off-list rejection, word error rate, CPU cost and latency.
    Speech,
    /// The customer avatar's CPU cost per frame (animation and code layers) and its load
    /// time, headless.
    Avatar,
}

#[derive(Debug, Serialize)]
pub(super) struct Row {
    pub(super) name: String,
    pub(super) runs: usize,
    pub(super) median_ms: f64,
    pub(super) min_ms: f64,
    pub(super) max_ms: f64,
    pub(super) per_item_us: f64,
    /// 95th percentile, for distributions over many items (lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) p95_ms: Option<f64>,
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
        p95_ms: None,
    }
}

pub fn run(which: Which, dir: &Path, json_out: Option<&Path>, quick: bool) -> Result<ExitCode> {
    let mut speech = None;
    let rows = match which {
        Which::Core => core_rows(dir)?,
        Which::Records => records_rows(dir)?,
        Which::Voice => super::bench_voice::rows(dir)?,
        Which::Avatar => super::bench_avatar::rows()?,
        Which::Speech => {
            let (rows, accuracy) = super::bench_speech::run(quick)?;
            speech = Some(accuracy);
            rows
        }
    };
    println!(
        "{:<52} {:>6} {:>10} {:>9} {:>9} {:>9} {:>12}",
        "benchmark", "runs", "median ms", "p95 ms", "min ms", "max ms", "per item µs"
    );
    for r in &rows {
        let p95 = r.p95_ms.map_or("-".to_owned(), |v| format!("{v:.2}"));
        let per_item = if r.per_item_us.is_finite() {
            format!("{:.1}", r.per_item_us)
        } else {
            "-".to_owned()
        };
        println!(
            "{:<52} {:>6} {:>10.2} {:>9} {:>9.2} {:>9.2} {:>12}",
            r.name, r.runs, r.median_ms, p95, r.min_ms, r.max_ms, per_item
        );
    }
    if let Some(a) = &speech {
        super::bench_speech::print(a);
    }
    if let Some(path) = json_out {
        let json = match &speech {
            Some(a) => serde_json::to_string_pretty(&serde_json::json!({ "timings": rows, "accuracy": a }))?,
            None => serde_json::to_string_pretty(&rows)?,
        };
        std::fs::write(path, json)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Saved attempts in the history benchmark (a busy trainee's year).
const ATTEMPTS: usize = 200;

/// Records on this machine's disk, in a temporary folder: the cost of a synced journal
/// line (paid once per turn, before the customer answers), of reading a trainee's
/// history, and of the end-of-session exports.
fn records_rows(dir: &Path) -> Result<Vec<Row>> {
    use holdspace_records::store::NewSession;
    use holdspace_records::{Locations, Settings, Store};
    let scenario = holdspace::loader::load_scenario("delivery_bereavement", dir)?;
    let tmp = std::env::temp_dir().join(format!("holdspace-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let store = Store::new(Locations::resolve(Some(&tmp), Some(&tmp.join("none.ron"))));
    let new = || NewSession {
        profile: "bench",
        origin: "bench",
        retried_from: None,
    };
    let script = ["order_number", "check_tracking", "express_thursday"];
    let play = |store: &Store| -> Result<String> {
        let (mut session, _) = Session::new(scenario.clone(), 1, Mode::Guided);
        let mut writer = store.begin(&session.record(), new())?;
        for id in script {
            let events = session.respond(TurnInput::choose(id))?;
            if let Some(t) = session.last_turn() {
                writer.turn(t, &events)?;
            }
        }
        writer.end(session.outcome())?;
        Ok(writer.meta().session_id.clone())
    };
    for _ in 0..ATTEMPTS {
        play(&store)?;
    }
    let (mut session, _) = Session::new(scenario.clone(), 1, Mode::Guided);
    let mut writer = store.begin(&session.record(), new())?;
    let events = session.respond(TurnInput::choose("order_number"))?;
    let turn = session.last_turn().cloned();
    let mut rows = vec![measure("journal one turn (synced)", 1, || {
        turn.as_ref()
            .map_or(0, |t| usize::from(writer.turn(t, &events).is_ok()))
    })];
    rows.push(measure(&format!("read {ATTEMPTS} attempts"), ATTEMPTS, || {
        holdspace_records::history::attempts(&store, "bench").map_or(0, |a| a.len())
    }));
    let latest = store.session("bench", "latest")?;
    let settings = Settings::default();
    rows.push(measure("export one session", 1, || {
        usize::from(holdspace_records::export::export(&store, &latest, Some(&scenario), &settings).is_ok())
    }));
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(rows)
}

fn core_rows(dir: &Path) -> Result<Vec<Row>> {
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
    Ok(rows)
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
