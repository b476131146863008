//! Holdspace's app and file edges, shared by the `holdspace` binary and the integration
//! tests: the scenario loader (the only file-system access to scenarios), result
//! rendering, the door to session records, and the Bevy desktop app.

pub mod app;
pub mod hearing;
pub mod loader;
pub mod records;
pub mod report;
