//! The console's HTTP server: routes, access checks and the thread it runs on.
//!
//! The pages and their script and style are compiled into the binary (no CDN: the
//! console works on a training-room network with no internet). Every page is served
//! with a content-security policy that allows only the console's own files, and all data
//! reaches the page as JSON that the script writes as text, never as markup.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use holdspace_core::LoadedScenario;
use holdspace_core::debrief::Debrief;
use holdspace_core::debrief::skills::SkillScores;
use holdspace_core::engine::coach::CoachAction;
use holdspace_records::journal_file::{JOURNAL_FILE, read_journal};
use serde::Deserialize;
use serde_json::json;

use crate::access::{Access, Role};
use crate::cohort::{Cohort, Filter};
use crate::live::LiveHub;

/// How often live journals are checked for new lines.
const REFRESH: Duration = Duration::from_millis(100);
/// How often the data folder is looked at for sessions other programs run.
const DISCOVER: Duration = Duration::from_secs(2);
/// How long a coach action waits for the session to apply it before answering "queued".
const STEER_WAIT: Duration = Duration::from_secs(3);
/// The cookie that carries the token after the first visit.
const COOKIE: &str = "holdspace_token";
/// The header a coach action must carry: a cross-site form cannot set it, so a page on
/// another site cannot steer a session with the coach's cookie.
pub const COACH_HEADER: &str = "x-holdspace-coach";

const LIVE_HTML: &str = include_str!("../assets/live.html");
const COHORT_HTML: &str = include_str!("../assets/cohort.html");
const CSS: &str = include_str!("../assets/console.css");
const COMMON_JS: &str = include_str!("../assets/common.js");
const LIVE_JS: &str = include_str!("../assets/live.js");
const COHORT_JS: &str = include_str!("../assets/cohort.js");

/// What to serve.
#[derive(Clone)]
pub struct ConsoleConfig {
    /// Where to listen. Loopback needs no token; any other address does.
    pub addr: SocketAddr,
    /// The records folder (the cohort, reports, and sessions other programs run).
    pub data: PathBuf,
    /// The scenarios, for names, cues and the hidden need.
    pub scenarios: Vec<Arc<LoadedScenario>>,
    /// The tokens; `None` chooses by address (see [`Access::for_address`]).
    pub access: Option<Access>,
}

/// Why the console could not start.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// The address is taken or not ours.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// No tokens could be made.
    #[error(transparent)]
    Token(#[from] crate::access::TokenError),
    /// The server's thread or runtime could not start.
    #[error("cannot start the console's server: {0}")]
    Runtime(std::io::Error),
}

/// A console serving in the background; it stops when dropped.
pub struct RunningConsole {
    addr: SocketAddr,
    access: Access,
    hub: LiveHub,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    refresher_stop: Arc<std::sync::atomic::AtomicBool>,
}

impl RunningConsole {
    /// The address it listens on (the port chosen, when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The live sessions it shows.
    pub fn hub(&self) -> &LiveHub {
        &self.hub
    }

    /// Its access policy (tokens to print).
    pub fn access(&self) -> &Access {
        &self.access
    }

    /// The address to open as the coach, with the token when one is needed.
    pub fn coach_url(&self) -> String {
        url(self.addr, self.access.coach_token())
    }

    /// The address to give a read-only viewer, when tokens are in use.
    pub fn viewer_url(&self) -> Option<String> {
        self.access.viewer_token().map(|t| url(self.addr, Some(t)))
    }

    /// What to tell the person who started it.
    pub fn banner(&self) -> String {
        match self.viewer_url() {
            None => format!("Coach console: {} (this machine only)", self.coach_url()),
            Some(viewer) => format!(
                "Coach console on {}: anyone on the network who has a token can open it.\n  coach (can steer):  {}\n  viewer (read only): {}",
                self.addr,
                self.coach_url(),
                viewer
            ),
        }
    }

    /// Blocks until the server stops (the CLI's `holdspace console`).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for RunningConsole {
    fn drop(&mut self) {
        self.refresher_stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn url(addr: SocketAddr, token: Option<&str>) -> String {
    // Bound to every address, the way in from a tablet is this machine's name.
    let host = if addr.ip().is_unspecified() {
        let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let name = name.trim();
        format!("{}:{}", if name.is_empty() { "localhost" } else { name }, addr.port())
    } else {
        addr.to_string()
    };
    match token {
        Some(t) => format!("http://{host}/?token={t}"),
        None => format!("http://{host}/"),
    }
}

#[derive(Clone)]
struct AppState {
    access: Access,
    hub: LiveHub,
    cohort: Arc<Cohort>,
}

/// Starts the console on its own thread. Returns once it listens.
pub fn start(config: ConsoleConfig) -> Result<RunningConsole, ConsoleError> {
    let listener = std::net::TcpListener::bind(config.addr).map_err(|source| ConsoleError::Bind {
        addr: config.addr,
        source,
    })?;
    let addr = listener.local_addr().map_err(ConsoleError::Runtime)?;
    listener.set_nonblocking(true).map_err(ConsoleError::Runtime)?;
    let access = match config.access {
        Some(a) => a,
        None => Access::for_address(&addr)?,
    };
    let cohort = Arc::new(Cohort::new(&config.data, config.scenarios.clone()));
    let hub = LiveHub::new(config.scenarios.clone());
    let state = AppState {
        access: access.clone(),
        hub: hub.clone(),
        cohort: Arc::clone(&cohort),
    };

    // Journals are read on a thread of their own: file reads have no place on the
    // server's async workers.
    let refresher_stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let stop = Arc::clone(&refresher_stop);
        let hub = hub.clone();
        let cohort = Arc::clone(&cohort);
        std::thread::Builder::new()
            .name("console-journals".into())
            .spawn(move || refresh_loop(&hub, &cohort, &stop))
            .map_err(ConsoleError::Runtime)?;
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("console")
        .enable_io()
        .enable_time()
        .build()
        .map_err(ConsoleError::Runtime)?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = router(state);
    let thread = std::thread::Builder::new()
        .name("console-server".into())
        .spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                    let _ = stopped.await;
                });
                if let Err(e) = serve.await {
                    eprintln!("the coach console stopped: {e}");
                }
            });
            // Open event streams would keep a graceful shutdown waiting; drop them.
            runtime.shutdown_timeout(Duration::from_millis(200));
        })
        .map_err(ConsoleError::Runtime)?;
    Ok(RunningConsole {
        addr,
        access,
        hub,
        stop: Some(stop),
        thread: Some(thread),
        refresher_stop,
    })
}

fn refresh_loop(hub: &LiveHub, cohort: &Cohort, stop: &std::sync::atomic::AtomicBool) {
    let mut last_discovery: Option<std::time::Instant> = None;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        if last_discovery.is_none_or(|t| t.elapsed() >= DISCOVER) {
            for (id, profile, journal) in cohort.live() {
                hub.watch(&id, &profile, &journal);
            }
            last_discovery = Some(std::time::Instant::now());
        }
        hub.refresh();
        std::thread::sleep(REFRESH);
    }
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(live_page))
        .route("/cohort", get(cohort_page))
        .route(
            "/assets/console.css",
            get(|| async { asset(CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/assets/common.js",
            get(|| async { asset(COMMON_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/assets/live.js",
            get(|| async { asset(LIVE_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/assets/cohort.js",
            get(|| async { asset(COHORT_JS, "text/javascript; charset=utf-8") }),
        )
        .route("/api/whoami", get(whoami))
        .route("/api/live", get(live_list))
        .route("/api/live/{id}", get(live_snapshot))
        .route("/api/live/{id}/events", get(live_events))
        .route("/api/live/{id}/view.png", get(live_view))
        .route("/api/live/{id}/coach", post(coach))
        .route("/api/cohort", get(cohort_data))
        .route("/cohort.csv", get(cohort_csv))
        .route("/report/{profile}/{id}", get(report))
        .fallback(|| async { (StatusCode::NOT_FOUND, "Not found.") })
        .layer(middleware::from_fn_with_state(state.clone(), check_access))
        .with_state(state)
}

/// The token a request carries: `Authorization: Bearer`, `?token=`, or the cookie.
fn presented_token(request: &Request) -> (Option<String>, bool) {
    let from_query = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("token=")).map(str::to_owned));
    if let Some(t) = from_query {
        return (Some(t), true);
    }
    let headers = request.headers();
    if let Some(t) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return (Some(t.trim().to_owned()), false);
    }
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(&format!("{COOKIE}=")).map(str::to_owned));
    (cookie, false)
}

/// Refuses requests without a valid token when one is needed, and moves a token given
/// in the address into a cookie (then out of the address, so it stays out of the
/// browser's history and any referrer).
async fn check_access(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let (token, in_query) = presented_token(&request);
    let role = state.access.role(token.as_deref());
    if role == Role::None {
        let wants_page = !request.uri().path().starts_with("/api/");
        let body = if token.is_some() {
            "This access token is not valid for this console."
        } else {
            "This console needs its access token: open the address printed when it started."
        };
        let mut response = if wants_page {
            (StatusCode::UNAUTHORIZED, body).into_response()
        } else {
            (StatusCode::UNAUTHORIZED, axum::Json(json!({ "error": body }))).into_response()
        };
        secure_headers(response.headers_mut());
        return response;
    }
    if in_query && state.access.needs_token() && request.method() == axum::http::Method::GET {
        let path = request.uri().path().to_owned();
        let rest: Vec<&str> = request
            .uri()
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|kv| !kv.starts_with("token=") && !kv.is_empty())
            .collect();
        let location = if rest.is_empty() {
            path
        } else {
            format!("{path}?{}", rest.join("&"))
        };
        let mut response = Response::builder()
            .status(StatusCode::SEE_OTHER)
            .header(header::LOCATION, location)
            .body(Body::empty())
            .unwrap_or_default();
        if let Some(t) = token.as_deref().filter(|t| !t.is_empty())
            && let Ok(cookie) = HeaderValue::from_str(&format!("{COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict"))
        {
            response.headers_mut().insert(header::SET_COOKIE, cookie);
        }
        secure_headers(response.headers_mut());
        return response;
    }
    request.extensions_mut().insert(role);
    let mut response = next.run(request).await;
    secure_headers(response.headers_mut());
    response
}

fn secure_headers(headers: &mut HeaderMap) {
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
}

fn asset(text: &'static str, kind: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], text).into_response()
}

fn page(html: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
            ),
        ],
        html,
    )
        .into_response()
}

async fn live_page() -> Response {
    page(LIVE_HTML)
}

async fn cohort_page() -> Response {
    page(COHORT_HTML)
}

fn role_of(request_role: Option<axum::Extension<Role>>) -> Role {
    request_role.map_or(Role::None, |r| r.0)
}

async fn whoami(role: Option<axum::Extension<Role>>) -> Response {
    let role = match role_of(role) {
        Role::Coach => "coach",
        Role::Viewer => "viewer",
        Role::None => "none",
    };
    axum::Json(json!({ "role": role })).into_response()
}

async fn live_list(State(state): State<AppState>) -> Response {
    axum::Json(json!({ "sessions": state.hub.list() })).into_response()
}

async fn live_snapshot(State(state): State<AppState>, UrlPath(id): UrlPath<String>) -> Response {
    match state.hub.subscribe(&id) {
        Some(rx) => {
            let text = rx.borrow().clone();
            ([(header::CONTENT_TYPE, "application/json")], text.to_string()).into_response()
        }
        None => not_live(&id),
    }
}

fn not_live(id: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({ "error": format!("no live session \"{id}\"") })),
    )
        .into_response()
}

async fn live_events(State(state): State<AppState>, UrlPath(id): UrlPath<String>) -> Response {
    let Some(rx) = state.hub.subscribe(&id) else {
        return not_live(&id);
    };
    // The current snapshot at once, then each new one as the journal grows.
    let stream = futures_util::stream::unfold((rx, true), |(mut rx, first)| async move {
        if !first && rx.changed().await.is_err() {
            return None;
        }
        let text = rx.borrow_and_update().clone();
        let event = Event::default().event("snapshot").data(text.as_str());
        Some((Ok::<Event, std::convert::Infallible>(event), (rx, false)))
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

async fn live_view(State(state): State<AppState>, UrlPath(id): UrlPath<String>) -> Response {
    match state.hub.view(&id) {
        Some(png) => ([(header::CONTENT_TYPE, "image/png")], png.as_ref().clone()).into_response(),
        None => (StatusCode::NOT_FOUND, "No view from this session.").into_response(),
    }
}

/// A coach action as the page sends it.
#[derive(Debug, Deserialize)]
struct CoachRequest {
    action: String,
    #[serde(default)]
    text: String,
}

async fn coach(
    State(state): State<AppState>,
    role: Option<axum::Extension<Role>>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
    body: axum::body::Bytes,
) -> Response {
    if role_of(role) != Role::Coach {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(json!({ "error": "only the coach can steer a session" })),
        )
            .into_response();
    }
    if !headers.contains_key(COACH_HEADER) {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(json!({ "error": format!("a coach action must carry the {COACH_HEADER} header") })),
        )
            .into_response();
    }
    let request: CoachRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad_request(&format!("not a coach action: {e}")),
    };
    let action = match request.action.as_str() {
        "pause" => CoachAction::Pause,
        "resume" => CoachAction::Resume,
        "nudge_up" => CoachAction::NudgeUp,
        "nudge_down" => CoachAction::NudgeDown,
        "give_cue" => CoachAction::GiveCue,
        "hint" => CoachAction::Hint { text: request.text },
        "end" => CoachAction::End,
        other => return bad_request(&format!("unknown coach action \"{other}\"")),
    };
    let answer = match state.hub.steer(&id, action) {
        Ok(a) => a,
        Err(e) => return (StatusCode::CONFLICT, axum::Json(json!({ "error": e.to_string() }))).into_response(),
    };
    match tokio::time::timeout(STEER_WAIT, answer).await {
        Ok(Ok(Ok(()))) => axum::Json(json!({ "applied": true })).into_response(),
        Ok(Ok(Err(reason))) => (StatusCode::CONFLICT, axum::Json(json!({ "error": reason }))).into_response(),
        Ok(Err(_)) => (
            StatusCode::CONFLICT,
            axum::Json(json!({ "error": "the session closed before it could apply that" })),
        )
            .into_response(),
        // The session is busy (loading, or a long frame): it will apply it when it can.
        Err(_) => (
            StatusCode::ACCEPTED,
            axum::Json(json!({ "applied": false, "queued": true })),
        )
            .into_response(),
    }
}

fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(json!({ "error": message }))).into_response()
}

async fn cohort_data(State(state): State<AppState>, Query(filter): Query<Filter>) -> Response {
    let cohort = Arc::clone(&state.cohort);
    match tokio::task::spawn_blocking(move || cohort.view(&filter)).await {
        Ok(view) => axum::Json(view).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn cohort_csv(State(state): State<AppState>, Query(filter): Query<Filter>) -> Response {
    let cohort = Arc::clone(&state.cohort);
    match tokio::task::spawn_blocking(move || cohort.csv(&filter)).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"holdspace-cohort.csv\"",
                ),
            ],
            csv,
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// A session folder named by a request, only if it is a real session folder inside the
/// data folder: names are checked, and the resolved path must stay inside.
pub fn session_folder(data: &Path, profile: &str, id: &str) -> Option<PathBuf> {
    holdspace_records::paths::check_profile(profile).ok()?;
    let id_ok = !id.is_empty()
        && !id.starts_with('.')
        && id.len() <= 200
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !id_ok {
        return None;
    }
    let dir = data.join("profiles").join(profile).join("sessions").join(id);
    let root = data.canonicalize().ok()?;
    let real = dir.canonicalize().ok()?;
    (real.starts_with(&root) && real.join(JOURNAL_FILE).is_file()).then_some(real)
}

async fn report(State(state): State<AppState>, UrlPath((profile, id)): UrlPath<(String, String)>) -> Response {
    let cohort = Arc::clone(&state.cohort);
    let built = tokio::task::spawn_blocking(move || report_html(&cohort, &profile, &id)).await;
    match built {
        Ok(Ok(html)) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Ok(Err((status, message))) => (status, message).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

fn report_html(cohort: &Cohort, profile: &str, id: &str) -> Result<String, (StatusCode, String)> {
    let Some(dir) = session_folder(cohort.data(), profile, id) else {
        return Err((StatusCode::NOT_FOUND, "No such session.".to_owned()));
    };
    let journal = read_journal(&dir.join(JOURNAL_FILE)).map_err(|e| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("This session's journal cannot be read: {e}"),
        )
    })?;
    let Some(scenario) = cohort
        .scenarios()
        .iter()
        .find(|s| s.scenario.id == journal.record.scenario_id)
    else {
        return Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "The scenario \"{}\" is not in this console's library, so its report cannot be built.",
                journal.record.scenario_id
            ),
        ));
    };
    let debrief = Debrief::build(scenario, &journal.record);
    let skills = SkillScores::of(&journal.record);
    Ok(holdspace_records::html::report(
        &debrief,
        &journal.record,
        &journal.meta,
        &skills,
        &[],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scripted::{CohortSize, seed_cohort};
    use crate::testing::{all_scenarios, scenario, scripted};

    fn serve(data: &Path, access: Option<Access>, addr: &str) -> RunningConsole {
        start(ConsoleConfig {
            addr: addr.parse().unwrap(),
            data: data.to_path_buf(),
            scenarios: all_scenarios(),
            access,
        })
        .unwrap()
    }

    fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into()
    }

    #[test]
    fn beyond_loopback_a_request_without_the_token_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        // Bound to every address: the tokens are needed (the test reaches it on loopback).
        let console = serve(dir.path(), None, "0.0.0.0:0");
        assert!(console.access().needs_token());
        assert!(console.banner().contains("token"));
        let base = format!("http://127.0.0.1:{}", console.addr().port());
        let a = agent();
        for path in ["/", "/cohort", "/api/cohort", "/cohort.csv", "/api/live"] {
            let r = a.get(&format!("{base}{path}")).call().unwrap();
            assert_eq!(r.status(), 401, "{path}");
        }
        let wrong = a
            .get(&format!("{base}/api/cohort"))
            .header("Authorization", "Bearer 0123")
            .call()
            .unwrap();
        assert_eq!(wrong.status(), 401);
        let coach = console.access().coach_token().unwrap().to_owned();
        let ok = a
            .get(&format!("{base}/api/cohort"))
            .header("Authorization", &format!("Bearer {coach}"))
            .call()
            .unwrap();
        assert_eq!(ok.status(), 200);
        // A token in the address becomes a cookie and leaves the address.
        let r = a.get(&format!("{base}/cohort?token={coach}&profile=x")).call().unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers().get("location").unwrap(), "/cohort?profile=x");
        let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
    }

    #[test]
    fn the_viewer_reads_but_cannot_steer_and_the_coach_needs_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let sc = scenario("delivery_bereavement");
        let run = scripted(dir.path(), &sc, "sam");
        let console = serve(dir.path(), Some(Access::with_tokens("c0ach", "v1ewer")), "127.0.0.1:0");
        let steering = console.hub().attach(&run.id, "sam", &run.journal_path);
        let base = format!("http://127.0.0.1:{}", console.addr().port());
        let a = agent();
        let snap = a
            .get(&format!("{base}/api/live/{}", run.id))
            .header("Authorization", "Bearer v1ewer")
            .call()
            .unwrap();
        assert_eq!(snap.status(), 200);
        let url = format!("{base}/api/live/{}/coach", run.id);
        let viewer = a
            .post(&url)
            .header("Authorization", "Bearer v1ewer")
            .header(COACH_HEADER, "1")
            .send(r#"{"action":"nudge_up"}"#)
            .unwrap();
        assert_eq!(viewer.status(), 403);
        let no_header = a
            .post(&url)
            .header("Authorization", "Bearer c0ach")
            .send(r#"{"action":"nudge_up"}"#)
            .unwrap();
        assert_eq!(no_header.status(), 403);
        assert!(steering.take().is_empty(), "nothing reached the session");

        // The trainee's view, once the session sends one.
        let view = format!("{base}/api/live/{}/view.png", run.id);
        let none = a.get(&view).header("Authorization", "Bearer v1ewer").call().unwrap();
        assert_eq!(none.status(), 404);
        steering.set_view(b"\x89PNG fake".to_vec());
        let some = a.get(&view).header("Authorization", "Bearer v1ewer").call().unwrap();
        assert_eq!(some.status(), 200);
        assert_eq!(some.headers().get("content-type").unwrap(), "image/png");
    }

    #[test]
    fn a_path_outside_the_data_folder_cannot_be_read() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        seed_cohort(
            &data,
            &all_scenarios(),
            CohortSize {
                trainees: 1,
                sessions: 1,
            },
            3,
        )
        .unwrap();
        // A secret beside the data folder, shaped like a session.
        let outside = dir.path().join("outside/sessions/secret");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join(JOURNAL_FILE), "secret").unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside"), data.join("profiles/linked")).unwrap();
        let console = serve(&data, None, "127.0.0.1:0");
        let base = format!("http://127.0.0.1:{}", console.addr().port());
        let a = agent();
        for path in [
            "/report/..%2F..%2Foutside/secret",
            "/report/linked/secret",
            "/report/trainee-000/..%2F..%2F..%2Foutside%2Fsessions%2Fsecret",
            "/report/%2E%2E/secret",
            "/assets/..%2F..%2FCargo.toml",
        ] {
            let r = a.get(&format!("{base}{path}")).call().unwrap();
            assert!(r.status() == 404 || r.status() == 400, "{path}: {}", r.status());
            let body = r.into_body().read_to_string().unwrap();
            assert!(
                !body.contains("secret") && !body.contains("[package]"),
                "{path}: {body}"
            );
        }
        // The seeded session's report is there.
        let id = std::fs::read_dir(data.join("profiles/trainee-000/sessions"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .file_name()
            .into_string()
            .unwrap();
        let r = a.get(&format!("{base}/report/trainee-000/{id}")).call().unwrap();
        assert_eq!(r.status(), 200);
    }

    #[test]
    fn a_corrupt_journal_is_reported_and_the_server_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        seed_cohort(
            dir.path(),
            &all_scenarios(),
            CohortSize {
                trainees: 2,
                sessions: 2,
            },
            4,
        )
        .unwrap();
        let sessions = dir.path().join("profiles/trainee-001/sessions");
        let bad = std::fs::read_dir(&sessions).unwrap().next().unwrap().unwrap().path();
        std::fs::write(bad.join(JOURNAL_FILE), "\u{0}\u{1}not a journal\n").unwrap();
        let id = bad.file_name().unwrap().to_str().unwrap().to_owned();
        let console = serve(dir.path(), None, "127.0.0.1:0");
        let base = format!("http://127.0.0.1:{}", console.addr().port());
        let a = agent();
        let text = a
            .get(&format!("{base}/api/cohort"))
            .call()
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap();
        let view: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(view["totals"]["sessions"], 3);
        assert_eq!(view["problems"][0]["id"], id.as_str());
        let r = a.get(&format!("{base}/report/trainee-001/{id}")).call().unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.into_body().read_to_string().unwrap().contains("cannot be read"));
        // And it still answers.
        assert_eq!(a.get(&format!("{base}/cohort")).call().unwrap().status(), 200);
    }
}
