//! The one integration-test binary: runs the `holdspace` command as users and CI do,
//! and drives the app's plugins headless. One binary keeps link time and disk down
//! (each extra one links Bevy again); each concern is a module:
//! `cli_validate` (diagnostics and exit codes), `cli_simulate` (records and determinism),
//! `cli_tools` (play, graph, explore), `app_runner` (the scenario-runner adapter under
//! `MinimalPlugins`), `app_render` (the real app under Xvfb + lavapipe, judged by its PNGs),
//! `records` (journals, exports, the LRS queue, the HTML report in Chromium, progress).

#![allow(
    clippy::expect_used,
    reason = "a failing test should stop with a message saying what broke"
)]

mod app_library;
mod app_render;
mod app_runner;
mod cli_simulate;
mod cli_tools;
mod cli_validate;
mod records;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root (tests run the binary against the shipped files).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `holdspace` with arguments from the repository root.
pub fn holdspace(args: &[&str]) -> Output {
    holdspace_with_stdin(args, "")
}

/// Runs `holdspace` feeding `stdin`.
pub fn holdspace_with_stdin(args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_holdspace"))
        .args(args)
        .envs(isolated_records())
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("holdspace starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin written");
    child.wait_with_output().expect("holdspace finishes")
}

/// Environment that keeps a test's records out of the user's data folder (tests that
/// look at records pass their own `--data-dir`, which wins).
pub fn isolated_records() -> [(&'static str, PathBuf); 2] {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("records_default");
    [
        ("HOLDSPACE_DATA_DIR", dir.join("data")),
        ("HOLDSPACE_SETTINGS", dir.join("no-settings.ron")),
    ]
}

/// Standard output and error as text.
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A fresh scratch directory under the target directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Ids of the shipped scenarios (file stems).
pub fn shipped_ids() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(root().join("scenarios"))
        .expect("scenarios/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron") && !p.ends_with("lexicon.ron"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    ids.sort();
    ids
}

/// Copies the shipped scenarios (and lexicon) into `dir`, for tests that add a bad file.
pub fn copy_shipped(dir: &Path) {
    for entry in std::fs::read_dir(root().join("scenarios")).expect("scenarios/") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copied");
    }
}
