//! Session records end to end through the `holdspace` command: saved attempts and
//! progress, xAPI statements delivered to a learning record store (and kept while it is
//! down), and the HTML report rendered by a real browser.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::{Shot, holdspace, root, scratch, text};

/// `--data-dir`, `--settings` and `--profile` for a test's own records.
fn records_args(dir: &Path, profile: &str) -> Vec<String> {
    vec![
        "--data-dir".into(),
        dir.join("data").to_string_lossy().into_owned(),
        "--settings".into(),
        dir.join("settings.ron").to_string_lossy().into_owned(),
        "--profile".into(),
        profile.into(),
    ]
}

fn run(args: &[String]) -> (bool, String, String) {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = holdspace(&refs);
    let (stdout, stderr) = text(&out);
    (out.status.success(), stdout, stderr)
}

/// Saves one scripted attempt with `simulate --save`.
fn save_attempt(dir: &Path, profile: &str, script: &str, seed: u64) {
    let script_path = dir.join(format!("script-{seed}.txt"));
    std::fs::write(&script_path, script).expect("script written");
    let mut args: Vec<String> = [
        "simulate",
        "delivery_bereavement",
        "--seed",
        &seed.to_string(),
        "--inputs",
        script_path.to_str().expect("utf-8"),
        "--out",
        dir.join("out.json").to_str().expect("utf-8"),
        "--save",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    args.extend(records_args(dir, profile));
    let (ok, _, stderr) = run(&args);
    assert!(ok, "simulate --save failed: {stderr}");
}

fn session_dirs(dir: &Path, profile: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir.join("data/profiles").join(profile).join("sessions"))
        .expect("sessions folder")
        .map(|e| e.expect("entry").path())
        .collect();
    out.sort();
    out
}

const LISTENING: &str = include_str!("../fixtures/scripts/bereavement_listening.txt");
const RUSHED: &str = include_str!("../fixtures/scripts/bereavement_rushed.txt");
/// Fixes the parcel politely, never asks about Friday: resolved on the surface only.
const SURFACE: &str = "@order_number\n@check_tracking\n@express_thursday\n";

#[test]
fn progress_ranks_three_attempts_by_quality_and_suggests_a_scenario_for_the_weakest_skill() {
    let dir = scratch("records_progress");
    // Oldest first: the rushed attempt, the surface fix, then the listening one.
    for (i, script) in [RUSHED, SURFACE, LISTENING].into_iter().enumerate() {
        save_attempt(&dir, "sam", script, 3 + i as u64);
    }
    let mut args = vec!["records".to_owned(), "progress".to_owned(), "--json".to_owned()];
    args.extend(records_args(&dir, "sam"));
    let (ok, stdout, stderr) = run(&args);
    assert!(ok, "{stderr}");
    let progress: Value = serde_json::from_str(&stdout).expect("progress JSON");
    let attempts = progress["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 3);
    let overall: Vec<f64> = attempts.iter().map(|a| a[1].as_f64().expect("score")).collect();
    let outcomes: Vec<&str> = attempts
        .iter()
        .map(|a| a[0]["outcome"].as_str().expect("outcome"))
        .collect();
    assert_eq!(outcomes, ["HungUp", "SurfaceOnly", "Resolved"]);
    assert!(
        overall[0] < overall[1] && overall[1] < overall[2],
        "rushed < surface fix < listening: {overall:?}"
    );
    let weakest = progress["weakest"].as_str().expect("a weakest skill");
    let suggestion = &progress["suggestion"];
    assert_eq!(suggestion["skill"], weakest);
    let suggested = suggestion["scenario_id"].as_str().expect("a scenario");
    assert_ne!(suggested, "delivery_bereavement", "an untried scenario comes first");
    let file = std::fs::read_to_string(root().join("scenarios").join(format!("{suggested}.ron"))).expect("scenario");
    assert!(
        file.lines()
            .any(|l| l.trim_start().starts_with("practises:") && l.contains(weakest)),
        "{suggested} practises {weakest}"
    );

    // The same as a person reads it.
    let mut args = vec!["records".to_owned(), "progress".to_owned()];
    args.extend(records_args(&dir, "sam"));
    let (_, stdout, _) = run(&args);
    assert!(stdout.contains("← weakest") && stdout.contains("Try next:"), "{stdout}");
}

/// A clearly minimal stand-in for a learning record store: it accepts `POST …/statements`
/// over HTTP/1.1, keeps each request, and answers 200 with the statement ids. No LRS can be
/// installed from the registries this project builds from, so this checks the requests
/// the client makes instead (the statements themselves are checked against xAPI and cmi5).
struct MinimalLrsReceiver {
    requests: Arc<Mutex<Vec<ReceivedRequest>>>,
}

#[derive(Debug, Clone)]
struct ReceivedRequest {
    line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl ReceivedRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl MinimalLrsReceiver {
    fn start(listener: TcpListener) -> MinimalLrsReceiver {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let mut headers = Vec::new();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        headers.push((k.trim().to_owned(), v.trim().to_owned()));
                    }
                }
                let len = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.parse::<usize>().ok())
                    .unwrap_or(0);
                let mut body = vec![0; len];
                let _ = reader.read_exact(&mut body);
                let ids: Vec<Value> = serde_json::from_slice::<Vec<Value>>(&body)
                    .unwrap_or_default()
                    .iter()
                    .map(|s| s["id"].clone())
                    .collect();
                let reply = serde_json::to_string(&ids).unwrap_or_default();
                kept.lock().expect("lock").push(ReceivedRequest {
                    line: line.trim().to_owned(),
                    headers,
                    body,
                });
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Experience-API-Version: 1.0.3\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                    reply.len()
                );
            }
        });
        MinimalLrsReceiver { requests }
    }

    fn received(&self) -> Vec<ReceivedRequest> {
        self.requests.lock().expect("lock").clone()
    }
}

fn queue_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join("data/lrs-queue"))
        .map(|entries| entries.map(|e| e.expect("entry").path()).collect())
        .unwrap_or_default()
}

#[test]
fn statements_wait_in_the_queue_while_the_lrs_is_down_and_arrive_when_it_is_back() {
    let dir = scratch("records_lrs");
    // A port that is free now and refuses connections until the receiver binds it.
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    std::fs::write(
        dir.join("settings.ron"),
        format!(
            "(lrs: (endpoint: \"http://127.0.0.1:{port}/xapi/\", username: \"holdspace-key\", password: \"s3cret\"), xapi: (home_page: \"https://training.example.org\", activity_base: \"https://training.example.org/holdspace\"))"
        ),
    )
    .expect("settings written");

    save_attempt(&dir, "sam", LISTENING, 11);
    let queued = queue_files(&dir);
    assert_eq!(
        queued.len(),
        1,
        "the statements wait in the queue while the LRS is down"
    );
    let mut sync = vec!["records".to_owned(), "sync".to_owned()];
    sync.extend(records_args(&dir, "sam"));
    let (ok, stdout, _) = run(&sync);
    assert!(!ok, "sync reports the failure: {stdout}");
    assert!(stdout.contains("still queued"), "{stdout}");
    let batch: Value = serde_json::from_slice(&std::fs::read(&queued[0]).expect("queued batch")).expect("JSON");
    assert!(batch["attempts"].as_u64().unwrap_or(0) >= 1, "{batch}");
    assert!(
        batch["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("could not reach")),
        "{batch}"
    );

    // The LRS comes back on the same port.
    let receiver = MinimalLrsReceiver::start(TcpListener::bind(("127.0.0.1", port)).expect("rebind"));
    let (ok, stdout, stderr) = run(&sync);
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("sent"), "{stdout}");
    assert!(queue_files(&dir).is_empty(), "a delivered batch leaves the queue");

    let requests = receiver.received();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = &requests[0];
    assert_eq!(r.line, "POST /xapi/statements HTTP/1.1");
    assert_eq!(r.header("X-Experience-API-Version"), Some("1.0.3"));
    assert!(
        r.header("Content-Type")
            .is_some_and(|c| c.starts_with("application/json"))
    );
    // base64("holdspace-key:s3cret")
    assert_eq!(r.header("Authorization"), Some("Basic aG9sZHNwYWNlLWtleTpzM2NyZXQ="));
    let statements: Vec<Value> = serde_json::from_slice(&r.body).expect("a JSON array of statements");
    assert_eq!(
        holdspace_core::debrief::xapi::problems(&statements),
        Vec::<String>::new()
    );
    let verbs: Vec<&str> = statements
        .iter()
        .map(|s| s["verb"]["display"]["en"].as_str().expect("verb"))
        .collect();
    assert_eq!(
        verbs,
        [
            "initialized",
            "answered",
            "answered",
            "answered",
            "completed",
            "passed",
            "terminated"
        ]
    );
    assert_eq!(
        statements[0]["actor"]["account"]["homePage"],
        "https://training.example.org"
    );
    assert!(statements[1]["object"]["id"].as_str().is_some_and(|id| {
        id.starts_with("https://training.example.org/holdspace/scenarios/delivery_bereavement/steps/")
    }));

    // The file export is the same statements.
    let session = session_dirs(&dir, "sam").pop().expect("a session");
    let exported: Vec<Value> =
        serde_json::from_slice(&std::fs::read(session.join("statements.json")).expect("statements.json"))
            .expect("JSON");
    assert_eq!(exported, statements);
}

#[test]
fn the_html_report_opens_in_chromium_and_shows_the_chart() {
    let dir = scratch("records_report");
    save_attempt(&dir, "sam", RUSHED, 3);
    let session = session_dirs(&dir, "sam").pop().expect("a session");
    let report = session.join("report.html");
    let html = std::fs::read_to_string(&report).expect("report.html");
    assert!(html.contains("<svg") && html.contains("Every turn") && html.contains("What was really going on"));
    assert!(!html.contains("<script"), "self-contained, no scripts");

    let png = dir.join("report.png");
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1100,1400",
        ])
        .arg(format!("--user-data-dir={}", dir.join("chromium-profile").display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", report.display()))
        .output()
        .expect("chromium starts (install the chromium package: bash scripts/test.sh does)");
    assert!(png.is_file(), "no screenshot: {}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::copy(&png, root().join("target/report.png"));
    let shot = Shot::open(&png);
    // The chart sits in the upper half of the page: its band-coloured points and the trust line.
    let top = [0.0, 0.0, 1.0, 0.5];
    let pixels = (shot.width * shot.height / 2) as f32;
    let hostile = shot.share(top, [219, 56, 56], 12) * pixels;
    let angry = shot.share(top, [237, 125, 64], 12) * pixels;
    let trust = shot.share(top, [91, 143, 214], 12) * pixels;
    assert!(
        hostile > 50.0 && angry > 50.0,
        "band-coloured points: hostile {hostile}, angry {angry}"
    );
    assert!(trust > 100.0, "the trust line is drawn: {trust}");
}
