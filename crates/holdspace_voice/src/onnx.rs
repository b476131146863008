//! The one ONNX Runtime environment of the process, shared by every model that runs
//! through it (the customer's neural voice here, the end-of-turn model in
//! `holdspace_speech`). ONNX Runtime allows one environment per process for its whole
//! life, and `ort` refuses a second, so it is made once, by whichever model opens first,
//! from the library `scripts/turn-model.sh` unpacks (ort's `load-dynamic`: nothing is
//! downloaded or linked when the app builds).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ort::environment::Environment;

/// The ONNX Runtime library's file name.
pub const RUNTIME_FILE: &str = "libonnxruntime.so.1.32.0";

/// Where the set-up steps put models: `$HOLDSPACE_MODELS`, else `~/.cache/holdspace/models`.
pub fn models_dir() -> PathBuf {
    std::env::var_os("HOLDSPACE_MODELS")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/holdspace/models")))
        .unwrap_or_else(|| PathBuf::from("models"))
}

/// The runtime library the set-up unpacks (beside the end-of-turn model).
pub fn default_runtime() -> PathBuf {
    models_dir().join("turn").join(RUNTIME_FILE)
}

/// The process's environment, loading the runtime from `runtime` the first time. Later
/// calls return the same environment whatever path they give.
pub fn environment(runtime: &Path) -> Result<Environment, String> {
    static ENV: OnceLock<Result<Environment, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        if !runtime.is_file() {
            return Err(format!(
                "{} is missing (bash scripts/turn-model.sh unpacks it)",
                runtime.display()
            ));
        }
        ort::init_from(runtime)
            .map_err(|e| format!("ONNX Runtime could not be loaded from {}: {e}", runtime.display()))?
            .with_name("holdspace")
            .build()
            .map_err(|e| format!("ONNX Runtime did not start: {e}"))
    })
    .clone()
}
