//! The records crate's error type: every failure names the file it concerns.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// Something went wrong reading or writing records.
#[derive(Debug, Error)]
pub enum RecordsError {
    /// A file or folder could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A journal could not be read.
    #[error("{}: {source}", path.display())]
    Journal {
        /// The journal.
        path: PathBuf,
        /// What was wrong.
        source: holdspace_core::engine::journal::JournalError,
    },
    /// A JSON or RON file could not be read.
    #[error("{}: {message}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What was wrong, with line and column where known.
        message: String,
    },
    /// A profile name that cannot be a folder name.
    #[error(
        "\"{0}\" cannot be a profile name: use letters, digits, spaces, '.', '_' or '-' (at most 64, not starting with '.')"
    )]
    BadProfile(String),
    /// No such session.
    #[error("no session \"{id}\" for profile \"{profile}\"")]
    NoSession {
        /// Profile.
        profile: String,
        /// Session id asked for.
        id: String,
    },
    /// Statements failed the xAPI/cmi5 check (a bug: they are never written or sent).
    #[error("xAPI statements do not conform: {0}")]
    Statements(String),
}

/// Wraps an `io::Error` with its path.
pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RecordsError + '_ {
    move |source| RecordsError::Io {
        path: path.to_path_buf(),
        source,
    }
}
