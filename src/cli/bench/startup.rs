//! `holdspace bench startup`: this same executable started as the desktop app (a window
//! on the display, under Xvfb on a server), timed from just before the process is
//! spawned to the milestones it prints with `--marks`: the first frame presented, the
//! customer posed, their first line said and its audio started. Then one whole session
//! said through the speech path (recorded replies, Whisper loaded) to the debrief, for
//! the process's peak memory.
//!
//! Run it on the release build: the debug build's start-up is not what users see.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use holdspace::app::dev::marks::{PREFIX, unix_ms};
use holdspace_speech::testset::TestVoice;

use super::Row;
use super::voice::distribution;

/// Cold-ish starts measured (the first also pays the disk cache).
const STARTS: usize = 3;
/// The milestones a start waits for, in the order they come.
const MILESTONES: [(&str, &str); 4] = [
    ("first_frame", "process start → first frame presented"),
    ("customer_ready", "process start → customer posed"),
    ("first_line", "process start → first line said"),
    ("first_voice", "process start → first line's audio"),
];

/// Kills the child when dropped, whatever happened.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the app with `args` and collects its marks (name → Unix ms) until `done` says
/// it has what it needs, the process exits, or `limit` passes. Returns the marks and the
/// start time.
fn marks(
    args: &[String],
    limit: Duration,
    done: impl Fn(&HashMap<String, f64>) -> bool,
) -> Result<(HashMap<String, f64>, f64)> {
    let exe = std::env::current_exe().context("cannot find this executable")?;
    let started = unix_ms();
    let child = Command::new(&exe)
        .arg("run")
        .args(args)
        .arg("--marks")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", exe.display()))?;
    let mut child = Reaped(child);
    let stderr = child.0.stderr.take().context("no standard error from the app")?;
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut found = HashMap::new();
    let mut tail = Vec::new();
    let deadline = std::time::Instant::now() + limit;
    while !done(&found) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            bail!(
                "the app did not reach its milestones within {limit:?} (has {:?}); its last lines:\n{}",
                found.keys().collect::<Vec<_>>(),
                tail.join("\n")
            );
        }
        match rx.recv_timeout(left) {
            Ok(line) => {
                if let Some(rest) = line.strip_prefix(PREFIX)
                    && let Some((name, value)) = rest.trim().split_once(' ')
                    && let Ok(v) = value.trim().parse::<f64>()
                {
                    found.insert(name.to_owned(), v);
                } else {
                    tail.push(line);
                    if tail.len() > 20 {
                        tail.remove(0);
                    }
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.0.wait().ok();
                if done(&found) {
                    break;
                }
                bail!(
                    "the app exited ({status:?}) before its milestones (has {:?}); its last lines:\n{}",
                    found.keys().collect::<Vec<_>>(),
                    tail.join("\n")
                );
            }
        }
    }
    Ok((found, started))
}

/// Records, settings and profile in a scratch folder, so the bench leaves the trainee's
/// records alone.
fn scratch_args(scratch: &Path) -> Vec<String> {
    vec![
        "--data-dir".into(),
        scratch.display().to_string(),
        "--settings".into(),
        scratch.join("settings.ron").display().to_string(),
        "--profile".into(),
        "bench".into(),
    ]
}

/// The session both measurements start: the scenario, a fixed seed, no sound card.
fn session_args(dir: &Path) -> Vec<String> {
    vec![
        "--scenarios".into(),
        dir.display().to_string(),
        "--scenario".into(),
        super::latency::SCENARIO.into(),
        "--seed".into(),
        "3".into(),
        "--no-audio".into(),
    ]
}

pub(super) fn rows(dir: &Path) -> Result<Vec<Row>> {
    if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
        bail!("start-up is measured in a window: run under a display (xvfb-run -a holdspace bench startup)");
    }
    if cfg!(debug_assertions) {
        eprintln!("startup: this is a debug build; start-up figures are for the release build");
    }
    let scratch = std::env::temp_dir().join(format!("holdspace-bench-startup-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let base: Vec<String> = session_args(dir)
        .into_iter()
        .chain(["--listen".to_owned(), "off".to_owned()])
        .chain(scratch_args(&scratch))
        .collect();
    let mut series: Vec<Vec<f64>> = vec![Vec::new(); MILESTONES.len()];
    for _ in 0..STARTS {
        let (found, started) = marks(&base, Duration::from_secs(120), |m| {
            MILESTONES.iter().all(|(name, _)| m.contains_key(*name))
        })?;
        for (i, (name, _)) in MILESTONES.iter().enumerate() {
            if let Some(at) = found.get(*name) {
                series[i].push(at - started);
            }
        }
    }
    let mut rows: Vec<Row> = MILESTONES
        .iter()
        .zip(series)
        .map(|((_, label), ms)| distribution(label, ms))
        .collect();
    rows.push(peak_rss(dir, &scratch)?);
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(rows)
}

/// One whole session said through the microphone twin, to the debrief: the process's
/// peak resident memory, in MiB.
fn peak_rss(dir: &Path, scratch: &Path) -> Result<Row> {
    let scenario = holdspace::loader::load_scenario(super::latency::SCENARIO, dir)?;
    let voice = TestVoice::Flite {
        voice: "awb",
        pitch_hz: 115.0,
        pace: 1.0,
    };
    let mut files: Vec<PathBuf> = Vec::new();
    for (i, (_, text)) in super::latency::first_replies(&scenario, 3).iter().enumerate() {
        let audio = voice.say(text).map_err(|e| anyhow::anyhow!("{}: {e}", voice.label()))?;
        let path = scratch.join(format!("turn{i}.wav"));
        holdspace_voice::wav::write_mono(&path, 16_000, &audio)?;
        files.push(path);
    }
    let mut args = session_args(dir);
    args.extend(
        [
            "--exit-after-debrief",
            // A small window: on a software renderer a full-size frame with the avatar
            // takes seconds, and the session would take many minutes; memory hardly
            // depends on the window's size.
            "--size",
            "480x270",
            "--mic-wav",
        ]
        .map(String::from),
    );
    args.extend(files.iter().map(|f| f.display().to_string()));
    args.extend(scratch_args(scratch));
    let (found, _) = marks(&args, Duration::from_secs(240), |m| m.contains_key("peak_rss_kib"))?;
    let mib = found.get("peak_rss_kib").copied().unwrap_or(f64::NAN) / 1024.0;
    Ok(Row {
        name: "peak memory of a whole spoken session".to_owned(),
        runs: 1,
        median_ms: mib,
        min_ms: mib,
        max_ms: mib,
        per_item_us: f64::NAN,
        p95_ms: None,
        p99_ms: None,
        unit: Some("MiB"),
    })
}
