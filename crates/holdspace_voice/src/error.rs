//! Errors from synthesising, reading and playing the customer's voice.

use std::path::PathBuf;

/// What went wrong while voicing a line.
#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    /// The scenario names a voice this build does not have.
    #[error(
        "unknown voice {0:?} (flite: slt, rms, awb, kal; Kokoro: af_heart, bf_emma, bm_george and the other English voices)"
    )]
    UnknownVoice(String),
    /// The text cannot be passed to the synthesiser.
    #[error("cannot synthesise this text: {0}")]
    Text(String),
    /// The synthesiser failed.
    #[error("speech synthesis failed: {0}")]
    Synthesis(String),
    /// A recorded line could not be read.
    #[error("cannot read the recorded line {path}: {message}")]
    Recording {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A WAV file could not be written.
    #[error("cannot write {path}: {message}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The neural voice (Kokoro) could not be loaded or run.
    #[error("neural voice: {0}")]
    Neural(String),
    /// No audio device could be opened, or the mixer refused a sound.
    #[error("audio playback unavailable: {0}")]
    Playback(String),
}
