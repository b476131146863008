//! Sending xAPI statements to a learning record store, never losing them.
//!
//! A finished session's statements are first written to `lrs-queue/` (atomically), then
//! sent. A batch leaves the queue only when the store has accepted it (200 or 204) or says
//! it already has those statements (409: the ids are name-based, so a resend after a lost
//! reply is recognised). Anything else (no connection, 5xx, a 401 from a wrong password)
//! leaves the batch queued with the error and an attempt count, for the next start or
//! `holdspace records sync`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::RecordsError;
use crate::error::io;
use crate::paths::write_atomic;
use crate::settings::LrsSettings;

/// The xAPI version this client speaks.
pub const XAPI_VERSION: &str = "1.0.3";
/// How long one POST may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(15);

/// One session's statements waiting to be sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedBatch {
    /// Profile.
    pub profile: String,
    /// Session id.
    pub session_id: String,
    /// The statements, in order.
    pub statements: Vec<Value>,
    /// Sends tried so far.
    #[serde(default)]
    pub attempts: u32,
    /// Why the last try failed.
    #[serde(default)]
    pub last_error: Option<String>,
}

/// What a flush did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlushReport {
    /// Batches the store accepted (session ids).
    pub sent: Vec<String>,
    /// Batches still queued, with why.
    pub failed: Vec<(String, String)>,
}

/// Puts a session's statements in the queue (replacing an older batch for the same session).
pub fn enqueue(queue: &Path, batch: &QueuedBatch) -> Result<PathBuf, RecordsError> {
    let path = queue.join(format!("{}__{}.json", batch.profile, batch.session_id));
    let bytes = serde_json::to_vec_pretty(batch).map_err(|e| RecordsError::Format {
        path: path.clone(),
        message: e.to_string(),
    })?;
    write_atomic(&path, &bytes)?;
    Ok(path)
}

/// Batches in the queue, oldest file name first.
pub fn queued(queue: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(queue)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    out.sort();
    out
}

/// Tries to send every queued batch to `lrs`.
pub fn flush(queue: &Path, lrs: &LrsSettings) -> FlushReport {
    let mut report = FlushReport::default();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{}/statements", lrs.endpoint.trim_end_matches('/'));
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", lrs.username, lrs.password))
    );
    for path in queued(queue) {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut batch: QueuedBatch = match std::fs::read(&path).map_err(io(&path)).and_then(|b| {
            serde_json::from_slice(&b).map_err(|e| RecordsError::Format {
                path: path.clone(),
                message: e.to_string(),
            })
        }) {
            Ok(b) => b,
            Err(e) => {
                report.failed.push((name, e.to_string()));
                continue;
            }
        };
        let outcome = agent
            .post(&url)
            .header("Authorization", &auth)
            .header("X-Experience-API-Version", XAPI_VERSION)
            .header("Content-Type", "application/json")
            .send(serde_json::to_string(&batch.statements).unwrap_or_default().as_str());
        let error = match outcome {
            Ok(mut response) => match response.status().as_u16() {
                200 | 204 | 409 => None,
                status => {
                    let body = response.body_mut().read_to_string().unwrap_or_default();
                    Some(format!(
                        "the LRS answered {status}: {}",
                        body.chars().take(200).collect::<String>()
                    ))
                }
            },
            Err(e) => Some(format!("could not reach {url}: {e}")),
        };
        match error {
            None => match std::fs::remove_file(&path) {
                Ok(()) => report.sent.push(batch.session_id),
                Err(e) => report
                    .failed
                    .push((name, format!("sent, but could not remove from the queue: {e}"))),
            },
            Some(e) => {
                batch.attempts += 1;
                batch.last_error = Some(e.clone());
                // Keeping the count is best effort; the batch itself is already safe on disk.
                let _ = enqueue(queue, &batch);
                report.failed.push((batch.session_id, e));
            }
        }
    }
    report
}
