//! `holdspace bench`: measured performance of the core (validation and simulation) and
//! of the records on disk (journal, history, exports).
//! Timing uses the wall clock here, at the edge; the core itself never reads a clock.

mod avatar;
mod console;
mod frame;
mod latency;
mod report;
mod speech;
mod startup;
mod understanding;
mod voice;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use holdspace_core::{Mode, Session, TurnInput, check};
use serde::Serialize;

use holdspace::loader::{scenario_paths, shared_lexicon};

use frame::View;
use report::{Machine, Report, Section};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Which {
    /// Validate 100 scenarios and simulate 1,000 and 10,000 turns.
    Core,
    /// Journal a turn (written and synced), read 200 saved attempts, export one session.
    Records,
    /// A third of the shipped lines, neural voice and flite: from being chosen to the
    /// first audio sample (synthesis and mixer), cold, cached in memory and on disk;
    /// synthesis speed; cache size; warming a scenario.
    Voice,
    /// Every shipped line said by the neural voice and transcribed by Whisper: the word
    /// error rate.
    VoiceWords,
    /// Speech recognition on the generated test set (flite and espeak-ng voices): option
    /// accuracy, off-list rejection, word error rate, CPU cost and latency.
    Speech,
    /// The customer avatar's CPU cost per frame (animation and code layers) and its load
    /// time, headless.
    Avatar,
    /// End of the trainee's speech (recorded replies through the microphone twin) to the
    /// recognised text, the engine's decision, the avatar's first visible reaction and
    /// the reply's first audio, in real time.
    Latency,
    /// Frame time of a scripted session rendered offscreen: desktop mono and stereo at a
    /// headset's resolution, CPU and GPU, p50/p95/p99.
    Frame,
    /// Process start to first frame and to the customer's first line (run it on the
    /// release build, under a display), and the peak memory of a whole spoken session.
    Startup,
    /// How well the customer hears trainees, on the development set: intents, direction,
    /// reply matching, "Sorry?" and time per utterance, lexicon alone and with the
    /// tuned sentence encoder (`--quick` leaves out the training files).
    Understanding,
    /// The coach's console under load: 50 watchers of a live session and a cohort of
    /// 200 trainees × 20 sessions, page and data routes p50/p95.
    Console,
    /// Core, records, speech (quick set), latency, frame and startup in one run: the
    /// table in docs/performance.md.
    All,
}

#[derive(Debug, Serialize)]
pub(super) struct Row {
    pub(super) name: String,
    pub(super) runs: usize,
    pub(super) median_ms: f64,
    pub(super) min_ms: f64,
    pub(super) max_ms: f64,
    pub(super) per_item_us: f64,
    /// 95th percentile, for distributions over many items (lines, frames).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) p95_ms: Option<f64>,
    /// 99th percentile, for frame times.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) p99_ms: Option<f64>,
    /// The unit of the figures when it is not milliseconds (the `_ms` fields then hold
    /// that unit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) unit: Option<&'static str>,
}

impl Row {
    /// The figures' unit.
    pub(super) fn unit(&self) -> &'static str {
        self.unit.unwrap_or("ms")
    }
}

const RUNS: usize = 15;
/// Runs of the records workloads: they touch the disk, whose latency swings from run to
/// run (writeback, page cache), and with 15 runs their medians moved by 20–40 % between
/// back-to-back runs; each takes milliseconds, so more runs cost little.
const DISK_RUNS: usize = 101;

fn measure(name: &str, items: usize, f: impl FnMut() -> usize) -> Row {
    measure_n(RUNS, name, items, f)
}

fn measure_n(runs: usize, name: &str, items: usize, mut f: impl FnMut() -> usize) -> Row {
    f(); // warm-up
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    let median = ms[runs / 2];
    Row {
        name: name.to_owned(),
        runs,
        median_ms: median,
        min_ms: ms[0],
        max_ms: ms[runs - 1],
        per_item_us: median * 1000.0 / items as f64,
        p95_ms: None,
        p99_ms: None,
        unit: None,
    }
}

/// Options for `holdspace bench`.
#[derive(Debug, Default)]
pub struct Options {
    /// Write the results as JSON here.
    pub json_out: Option<PathBuf>,
    /// `speech`: the test suite's four voices instead of all nine; `voice`: the neural
    /// voice's first samples only; `understanding`: the development set only.
    pub quick: bool,
    /// `frame`: frames measured per view (default 600; 20 mono and 8 stereo on a
    /// software renderer).
    pub frames: Option<usize>,
    /// `frame`: save what the (left) eye saw last, as PNG, in this folder.
    pub png_dir: Option<PathBuf>,
    /// Regenerate the table in this document (between its markers).
    pub update_doc: Option<PathBuf>,
    /// A previous run's JSON to compare the medians with.
    pub compare: Option<PathBuf>,
}

/// How far a median may move between two runs and still count as the same (the issue's
/// repeatability bar).
const SAME_WITHIN: f64 = 0.2;

pub fn run(which: Which, dir: &Path, options: &Options) -> Result<ExitCode> {
    use report::section;
    let mut report = Report {
        machine: Machine::here(),
        ..Report::default()
    };
    if which == Which::Understanding {
        understanding::run(dir, !options.quick)?;
        return Ok(ExitCode::SUCCESS);
    }
    let wanted = |w: Which| which == Which::All || which == w;
    // A part that fails is reported and the others still run: one broken benchmark
    // must not lose the minutes the rest took.
    let mut failed = Vec::new();
    let mut add = |report: &mut Report, name: &str, rows: Result<Vec<Row>>| match rows {
        Ok(rows) => {
            eprintln!("bench: {name} done");
            report.sections.push(Section {
                name: name.to_owned(),
                rows,
            });
        }
        Err(e) => {
            eprintln!("bench: {name} failed: {e:#}");
            failed.push(format!("{name}: {e:#}"));
        }
    };
    if wanted(Which::Core) {
        add(&mut report, section::CORE, core_rows(dir));
    }
    if wanted(Which::Records) {
        add(&mut report, section::RECORDS, records_rows(dir));
    }
    if wanted(Which::Speech) {
        // `all` uses the quick set: the nine voices take minutes more and move the
        // figures by a few per cent.
        let speech = speech::run(options.quick || matches!(which, Which::All)).map(|(rows, accuracy)| {
            report.accuracy = Some(accuracy);
            rows
        });
        add(&mut report, section::SPEECH, speech);
    }
    if matches!(which, Which::Voice) {
        add(&mut report, section::VOICE, voice::rows(dir, options.quick));
    }
    if matches!(which, Which::VoiceWords) {
        add(&mut report, section::VOICE_WORDS, voice::words_rows(dir));
    }
    if matches!(which, Which::Avatar) {
        add(&mut report, section::AVATAR, avatar::rows());
    }
    if matches!(which, Which::Console) {
        add(&mut report, section::CONSOLE, console::rows(dir));
    }
    if wanted(Which::Latency) {
        add(&mut report, section::LATENCY, latency::rows(dir));
    }
    if wanted(Which::Frame) {
        let frame = (|| -> Result<Vec<Row>> {
            let mut rows = Vec::new();
            for view in [View::Mono, View::Stereo] {
                let png = options.png_dir.as_ref().map(|d| {
                    d.join(match view {
                        View::Mono => "frame-mono.png",
                        View::Stereo => "frame-stereo-left.png",
                    })
                });
                let (mut view_rows, adapter) = frame::measure(dir, view, options.frames, png.as_deref())?;
                report.machine.adapter = Some(adapter);
                rows.append(&mut view_rows);
            }
            Ok(rows)
        })();
        add(&mut report, section::FRAME, frame);
    }
    if wanted(Which::Startup) {
        add(&mut report, section::STARTUP, startup::rows(dir));
    }
    report.print();
    if let Some(path) = &options.json_out {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(previous) = &options.compare {
        report.compare(previous, SAME_WITHIN)?;
    }
    if let Some(doc) = &options.update_doc
        && failed.is_empty()
    {
        report.update_doc(doc)?;
        eprintln!("bench: the table in {} is regenerated", doc.display());
    }
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "bench: {} part(s) failed, so no document was updated:\n  {}",
            failed.len(),
            failed.join("\n  ")
        );
        Ok(ExitCode::FAILURE)
    }
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
    let mut rows = vec![measure_n(DISK_RUNS, "journal one turn (synced)", 1, || {
        turn.as_ref()
            .map_or(0, |t| usize::from(writer.turn(t, &events).is_ok()))
    })];
    rows.push(measure_n(
        DISK_RUNS,
        &format!("read {ATTEMPTS} attempts"),
        ATTEMPTS,
        || holdspace_records::history::attempts(&store, "bench").map_or(0, |a| a.len()),
    ));
    let latest = store.session("bench", "latest")?;
    let settings = Settings::default();
    rows.push(measure_n(DISK_RUNS, "export one session", 1, || {
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
