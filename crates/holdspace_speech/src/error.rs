//! Errors from recognising speech.

/// What went wrong while listening.
#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    /// The acoustic model or dictionary could not be loaded.
    #[error("speech model unavailable: {0}")]
    Model(String),
    /// The grammar or a word could not be given to the recogniser.
    #[error("speech grammar refused: {0}")]
    Grammar(String),
    /// Decoding failed.
    #[error("speech decoding failed: {0}")]
    Decode(String),
    /// Audio could not be read, captured or converted.
    #[error("audio: {0}")]
    Audio(String),
}
