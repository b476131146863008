//! `holdspace bench console`: the coach's console under load, on this machine. A cohort
//! of 200 trainees × 20 sessions is seeded in a temporary folder; a scripted session
//! takes a turn every 400 ms while 50 watchers follow it over server-sent events; and
//! meanwhile four clients load every page and data route over and over. Reported: the
//! time from a turn being journaled to each watcher receiving it, and each route's time
//! per request (p50/p95), beside the cohort's first (cold) scan.

use std::io::BufRead;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use holdspace_console::ConsoleConfig;
use holdspace_console::scripted::{CohortSize, ScriptedSession, seed_cohort};
use holdspace_core::Mode;
use holdspace_records::{Locations, Store};

use super::Row;
use super::voice::distribution;

/// The cohort: 200 trainees with 20 sessions each.
const COHORT: CohortSize = CohortSize {
    trainees: 200,
    sessions: 20,
};
/// People watching one session at once.
const WATCHERS: usize = 50;
/// Clients loading pages at the same time as the watchers.
const PAGE_CLIENTS: usize = 4;
/// Requests per route per client.
const REQUESTS: usize = 25;

/// Turns the scripted session takes (open mode, natural replies).
const TURNS: &[&str] = &[
    "Hello, I'm sorry to hear that. Can you tell me what's happened?",
    "So the parcel was due on Tuesday and it still hasn't arrived.",
    "Take your time. What's happening on Friday?",
    "I'm so sorry about your mum.",
    "Let me get this sorted for you right now.",
    "I'll book it on our guaranteed courier for Thursday morning.",
    "Is there anything else I can do for you today?",
    "Thank you for telling me.",
];

pub(super) fn rows(dir: &Path) -> Result<Vec<Row>> {
    let scenarios = holdspace::records::all_scenarios(dir);
    if scenarios.is_empty() {
        bail!("no scenarios in {}", dir.display());
    }
    let tmp = tempfile_dir()?;
    let data = tmp.join("data");
    let started = Instant::now();
    let written = seed_cohort(&data, &scenarios, COHORT, 2026)?;
    let seed_s = started.elapsed().as_secs_f64();
    eprintln!("bench console: {written} sessions seeded in {seed_s:.1} s");

    let console = holdspace_console::start(ConsoleConfig {
        addr: "127.0.0.1:0".parse()?,
        data: data.clone(),
        scenarios: scenarios.clone(),
        access: None,
    })?;
    let base = format!("http://{}", console.addr());
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();

    // The first cohort request reads every journal.
    let t = Instant::now();
    let r = agent.get(&format!("{base}/api/cohort")).call()?;
    let _ = r.into_body().read_to_string()?;
    let cold_ms = t.elapsed().as_secs_f64() * 1000.0;

    // The live session.
    let scenario = scenarios
        .iter()
        .find(|s| s.scenario.id == "delivery_bereavement")
        .cloned()
        .context("the bereavement scenario")?;
    let store = Store::new(Locations::resolve(Some(&data), Some(&data.join("settings.ron"))));
    let mut session = ScriptedSession::begin(&store, scenario, "live-trainee", 3, Mode::Open)?;
    let id = session.id.clone();
    let steering = console.hub().attach(&id, "live-trainee", &session.journal_path);

    // Watchers connect first, then the session runs.
    let journaled: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let received: Arc<Mutex<Vec<f64>>> = Arc::default();
    let mut watchers = Vec::new();
    for _ in 0..WATCHERS {
        let url = format!("{base}/api/live/{id}/events");
        let journaled = Arc::clone(&journaled);
        let received = Arc::clone(&received);
        watchers.push(std::thread::spawn(move || watch(&url, &journaled, &received)));
    }
    std::thread::sleep(Duration::from_millis(500));

    let stop = Arc::new(AtomicBool::new(false));
    let pages: Arc<Mutex<std::collections::BTreeMap<&'static str, Vec<f64>>>> = Arc::default();
    let mut clients = Vec::new();
    for c in 0..PAGE_CLIENTS {
        let base = base.clone();
        let id = id.clone();
        let pages = Arc::clone(&pages);
        let stop = Arc::clone(&stop);
        clients.push(std::thread::spawn(move || load_pages(c, &base, &id, &pages, &stop)));
    }

    let turns_taken = {
        let journaled = Arc::clone(&journaled);
        std::thread::spawn(move || -> Result<usize> {
            let mut n = 0;
            for text in TURNS {
                std::thread::sleep(Duration::from_millis(400));
                for command in steering.take() {
                    session.apply(command);
                }
                if session.session.is_ended() {
                    break;
                }
                session.say(text)?;
                n += 1;
                journaled
                    .lock()
                    .map_err(|_| anyhow::anyhow!("poisoned"))?
                    .push(Instant::now());
            }
            session.finish()?;
            Ok(n)
        })
    };
    let turns = turns_taken
        .join()
        .map_err(|_| anyhow::anyhow!("the session thread panicked"))??;
    // Let the last turn reach everyone, then stop the page clients.
    std::thread::sleep(Duration::from_millis(1500));
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        let _ = c.join();
    }
    drop(console);
    for w in watchers {
        let _ = w.join();
    }

    let mut rows = vec![
        single(&format!("seed the cohort: {written} sessions written"), seed_s * 1000.0),
        single("cohort data, first request (reads every journal)", cold_ms),
    ];
    let delays = received.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.clone();
    if delays.len() < turns * WATCHERS {
        bail!(
            "only {} of {} turn deliveries reached the watchers",
            delays.len(),
            turns * WATCHERS
        );
    }
    rows.push(distribution(
        &format!("live: turn journaled → on each of {WATCHERS} watchers ({turns} turns)"),
        delays,
    ));
    for (route, ms) in pages.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.iter() {
        rows.push(distribution(route, ms.clone()));
    }
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(rows)
}

fn single(name: &str, ms: f64) -> Row {
    Row {
        name: name.to_owned(),
        runs: 1,
        median_ms: ms,
        min_ms: ms,
        max_ms: ms,
        per_item_us: f64::NAN,
        p95_ms: None,
        p99_ms: None,
        unit: None,
    }
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("holdspace-bench-console-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// One watcher: follows the event stream and records, for each new turn count, how long
/// after that turn was journaled it arrived.
fn watch(url: &str, journaled: &Mutex<Vec<Instant>>, received: &Mutex<Vec<f64>>) {
    let Ok(response) = ureq::get(url).call() else {
        return;
    };
    let reader = std::io::BufReader::new(response.into_body().into_reader());
    let mut seen = 0usize;
    for line in reader.lines() {
        let Ok(line) = line else { break };
        let Some(data) = line.strip_prefix("data:") else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(data.trim_start()) else {
            continue;
        };
        let turns = v["turns"].as_u64().unwrap_or(0) as usize;
        let now = Instant::now();
        if turns > seen {
            if let Ok(times) = journaled.lock() {
                for t in times.iter().take(turns).skip(seen) {
                    if let Ok(mut r) = received.lock() {
                        r.push(now.duration_since(*t).as_secs_f64() * 1000.0);
                    }
                }
            }
            seen = turns;
        }
        if v["closed"] == true {
            break;
        }
    }
}

/// One page client: every route in turn, until told to stop (at least `REQUESTS` rounds).
fn load_pages(
    client: usize,
    base: &str,
    id: &str,
    pages: &Mutex<std::collections::BTreeMap<&'static str, Vec<f64>>>,
    stop: &AtomicBool,
) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let profile = format!("trainee-{:03}", 17 + client * 40);
    let routes: Vec<(&'static str, String)> = vec![
        ("GET / (live page)", format!("{base}/")),
        ("GET /api/live/{id} (snapshot)", format!("{base}/api/live/{id}")),
        ("GET /cohort (page)", format!("{base}/cohort")),
        ("GET /api/cohort (all sessions)", format!("{base}/api/cohort")),
        (
            "GET /api/cohort?profile=… (one trainee)",
            format!("{base}/api/cohort?profile={profile}"),
        ),
        (
            "GET /api/cohort?scenario=…&from=…&to=…",
            format!("{base}/api/cohort?scenario=delivery_bereavement&from=2026-09-05&to=2026-09-12"),
        ),
        ("GET /cohort.csv (all sessions)", format!("{base}/cohort.csv")),
    ];
    let mut rounds = 0;
    while rounds < REQUESTS || !stop.load(Ordering::Relaxed) {
        for (name, url) in &routes {
            let t = Instant::now();
            let ok = agent
                .get(url)
                .call()
                .ok()
                .filter(|r| r.status() == 200)
                .and_then(|r| r.into_body().read_to_string().ok())
                .is_some();
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if ok && let Ok(mut p) = pages.lock() {
                p.entry(name).or_default().push(ms);
            }
        }
        rounds += 1;
        if rounds >= REQUESTS * 8 {
            break;
        }
    }
}
