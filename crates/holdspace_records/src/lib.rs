//! Holdspace's session records on disk.
//!
//! - [`store`]: one folder per trainee profile in the user's data directory, one folder per
//!   session, each with a journal that is appended and synced turn by turn, so a crash,
//!   power cut or `kill -9` loses nothing that was said.
//! - [`export`]: the finished record as JSON, xAPI statements and a self-contained HTML report.
//! - [`lrs`]: the optional upload of statements to a learning record store, through a queue
//!   on disk that survives the store being down.
//! - [`history`]: attempts per trainee, progress per skill and the suggested next scenario.
//!
//! No Bevy: the app, the command line and the tests all use it the same way.

pub mod error;
pub mod export;
pub mod history;
pub mod html;
pub mod journal_file;
pub mod lrs;
pub mod paths;
pub mod settings;
pub mod store;

pub use error::RecordsError;
pub use journal_file::JournalWriter;
pub use paths::Locations;
pub use settings::Settings;
pub use store::{Store, StoredSession};
