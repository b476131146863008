//! A real browser drives the console: headless Chromium, spoken to over the DevTools
//! protocol, opens the live page while a scripted session runs, sees the turns arrive,
//! clicks "Nudge up", and the engine and the journal take the nudge; then it opens the
//! cohort page over a seeded cohort and reads the counts. Screenshots of both pages (at a
//! laptop and a tablet width) go to `$HOLDSPACE_CONSOLE_SHOTS` when it is set.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

use crate::scripted::{CohortSize, seed_cohort};
use crate::server::{ConsoleConfig, start};
use crate::testing::{all_scenarios, scenario, scripted};

/// Headless Chromium with its DevTools endpoint, closed when dropped.
struct Browser {
    child: Child,
    socket: WebSocket<TcpStream>,
    next_id: u64,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    fn launch(profile: &Path) -> Browser {
        let child = Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                "about:blank",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium starts (install the chromium package: bash scripts/test.sh does)");
        // Chromium writes the port it chose, and the browser endpoint's path, here.
        let port_file = profile.join("DevToolsActivePort");
        let deadline = Instant::now() + Duration::from_secs(60);
        let port = loop {
            if let Some(p) = std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|t| t.lines().next().and_then(|l| l.trim().parse::<u16>().ok()))
            {
                break p;
            }
            assert!(Instant::now() < deadline, "chromium did not open its DevTools port");
            std::thread::sleep(Duration::from_millis(100));
        };
        // A page to drive: the blank one it opened.
        let list: Vec<Value> = serde_json::from_str(
            &ureq::get(&format!("http://127.0.0.1:{port}/json/list"))
                .call()
                .unwrap()
                .into_body()
                .read_to_string()
                .unwrap(),
        )
        .unwrap();
        let page = list
            .iter()
            .find(|t| t["type"] == "page")
            .and_then(|t| t["webSocketDebuggerUrl"].as_str())
            .expect("a page target")
            .to_owned();
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (socket, _) = tungstenite::client(page.as_str(), stream).unwrap();
        let mut browser = Browser {
            child,
            socket,
            next_id: 0,
        };
        browser.call("Page.enable", json!({}));
        browser
    }

    /// Sends a DevTools command and waits for its answer (events in between are skipped).
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let text = json!({ "id": id, "method": method, "params": params }).to_string();
        self.socket.send(Message::text(text)).unwrap();
        loop {
            let message = self.socket.read().unwrap();
            let Ok(text) = message.to_text() else { continue };
            let Ok(v) = serde_json::from_str::<Value>(text) else {
                continue;
            };
            if v["id"] == id {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
        }
    }

    /// Evaluates JavaScript in the page and returns its value.
    fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        r["result"]["value"].clone()
    }

    fn open(&mut self, url: &str, width: u32, height: u32) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false }),
        );
        self.call("Page.navigate", json!({ "url": url }));
    }

    /// Waits until `expression` is true in the page.
    fn wait_for(&mut self, expression: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if self.eval(&format!("Boolean({expression})")) == json!(true) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&mut self, name: &str) -> Vec<u8> {
        let r = self.call(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": false }),
        );
        let png = base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().unwrap())
            .unwrap();
        if let Some(dir) = std::env::var_os("HOLDSPACE_CONSOLE_SHOTS").map(PathBuf::from) {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(name), &png).unwrap();
        }
        png
    }
}

#[test]
fn chromium_watches_a_live_session_nudges_it_and_reads_the_cohort() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let scenarios = all_scenarios();
    seed_cohort(
        &data,
        &scenarios,
        CohortSize {
            trainees: 6,
            sessions: 4,
        },
        21,
    )
    .unwrap();

    // A scripted session runs on its own thread, as the app's would: it takes a turn now
    // and then and applies whatever the coach sends.
    let sc = scenario("delivery_bereavement");
    let run = scripted(&data, &sc, "sam").0;
    let console = start(ConsoleConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        data: data.clone(),
        scenarios,
        access: None,
    })
    .unwrap();
    let steering = console.hub().attach(&run.id, "sam", &run.journal_path);
    let journal_path = run.journal_path.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let session = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut run = run;
            let mut lines = [
                "Oh no, I'm sorry. What happened with the parcel?",
                "So it was meant to arrive on Tuesday and it still hasn't come?",
                "Take your time. What was in it?",
            ]
            .into_iter();
            let mut next_turn = Instant::now() + Duration::from_millis(800);
            while !stop.load(Ordering::Relaxed) {
                for command in steering.take() {
                    run.apply(command);
                }
                if Instant::now() >= next_turn
                    && let Some(line) = lines.next()
                {
                    run.say(line).unwrap();
                    next_turn = Instant::now() + Duration::from_millis(600);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            run
        })
    };

    let base = format!("http://{}", console.addr());
    let mut browser = Browser::launch(&dir.path().join("chromium"));

    browser.open(&format!("{base}/"), 1280, 860);
    browser.wait_for(
        "document.querySelectorAll('#feed li[data-kind=trainee]').length >= 3",
        "three trainee turns on the live page",
    );
    assert_eq!(
        browser.eval("document.getElementById('status').dataset.turns"),
        json!("3")
    );
    assert_eq!(
        browser.eval("document.getElementById('role').textContent"),
        json!("Coach")
    );
    let heard = browser.eval("document.querySelector('#feed li[data-kind=trainee] .chip').textContent");
    assert!(
        heard.as_str().is_some_and(|h| !h.is_empty()),
        "what the engine heard is shown: {heard}"
    );
    let before: f64 = browser
        .eval("document.getElementById('esc').dataset.value")
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    browser.eval("document.getElementById('nudge_up').click()");
    browser.wait_for(
        "document.querySelector('#feed li[data-kind=coach]')",
        "the nudge in the conversation",
    );
    browser.wait_for(
        &format!("parseFloat(document.getElementById('esc').dataset.value) > {before}"),
        "escalation to rise on the page",
    );
    browser.wait_for(
        "document.querySelector('#curve circle[data-coach]')",
        "the nudge on the curve",
    );
    browser.wait_for(
        "document.getElementById('steer-msg').textContent === 'Done.'",
        "the console to say the nudge was applied",
    );
    let live_png = browser.screenshot("console-live.png");

    stop.store(true, Ordering::Relaxed);
    let run = session.join().unwrap();
    assert!(
        f64::from(run.session.escalation()) > before,
        "the engine moved: {before} → {}",
        run.session.escalation()
    );
    let journal = std::fs::read_to_string(&journal_path).unwrap();
    let coach_lines: Vec<Value> = journal
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["entry"] == "coach")
        .collect();
    assert_eq!(coach_lines.len(), 1, "{journal}");
    assert_eq!(coach_lines[0]["coach"]["action"]["action"], "nudge_up");
    assert_eq!(coach_lines[0]["coach"]["after_turn"], 3);

    // The cohort: six seeded trainees with four sessions each, and Sam's live one.
    browser.open(&format!("{base}/cohort"), 1280, 900);
    browser.wait_for(
        "document.getElementById('totals').dataset.trainees",
        "the cohort totals",
    );
    assert_eq!(
        browser.eval("document.getElementById('totals').dataset.trainees"),
        json!("7")
    );
    assert_eq!(
        browser.eval("document.getElementById('totals').dataset.sessions"),
        json!("25")
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('#trainees tbody tr').length"),
        json!(7)
    );
    let first = browser.eval("document.querySelector('#trainees tbody tr td:nth-child(2)').textContent");
    assert_eq!(first, json!("1"), "sam (sorted first) has one session");
    let cohort_png = browser.screenshot("console-cohort.png");

    // Filtered to one trainee, at a tablet's width.
    browser.open(&format!("{base}/cohort?profile=trainee-003"), 820, 1180);
    browser.wait_for(
        "document.getElementById('totals').dataset.sessions === '4'",
        "the filtered cohort",
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('#trainees tbody tr').length"),
        json!(1)
    );
    let width = browser.eval("document.documentElement.scrollWidth");
    assert!(
        width.as_u64().is_some_and(|w| w <= 820),
        "no sideways scrolling on a tablet: {width}"
    );
    browser.screenshot("console-cohort-tablet.png");
    browser.open(&format!("{base}/"), 820, 1180);
    browser.wait_for(
        "document.querySelectorAll('#feed li').length > 3",
        "the live page at tablet width",
    );
    let width = browser.eval("document.documentElement.scrollWidth");
    assert!(
        width.as_u64().is_some_and(|w| w <= 820),
        "no sideways scrolling on a tablet: {width}"
    );
    browser.screenshot("console-live-tablet.png");

    // The screenshots are pictures of the pages, not blank frames.
    for png in [live_png, cohort_png] {
        assert!(png.len() > 20_000, "a screenshot with content: {} bytes", png.len());
    }
}
