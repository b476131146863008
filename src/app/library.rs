//! The scenario library the app offers: every file in the scenarios folder, valid or
//! not, re-read when a file changes so authors see their edits (and their mistakes)
//! on the select screen without restarting.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use bevy::prelude::*;
use holdspace_core::LoadedScenario;

use crate::loader::{LEXICON_FILE, check_file, scenario_paths, shared_lexicon};

/// One file in the library.
#[derive(Debug, Clone)]
pub struct LibraryEntry {
    /// Where it was read from.
    pub path: PathBuf,
    /// Loaded, or why not.
    pub status: EntryStatus,
}

/// Whether a file can be played.
#[derive(Debug, Clone)]
pub enum EntryStatus {
    /// Valid (perhaps with warnings).
    Ready(Arc<LoadedScenario>),
    /// Broken: the first diagnostic's headline (`path:line:col: error: …`) and the full report.
    Broken {
        /// One line.
        headline: String,
        /// Every diagnostic, rendered.
        report: String,
    },
}

/// All scenarios in a folder.
#[derive(Resource, Debug, Clone, Default)]
pub struct ScenarioLibrary {
    /// The folder.
    pub dir: PathBuf,
    /// Files in name order.
    pub entries: Vec<LibraryEntry>,
    /// Bumped on every reload, so screens know to redraw.
    pub generation: u64,
    stamps: Vec<(PathBuf, Option<(SystemTime, u64)>)>,
}

impl ScenarioLibrary {
    /// Reads every scenario in `dir`. A missing folder gives an empty library with one
    /// broken entry saying so, rather than an error: the app still opens.
    pub fn load(dir: &Path) -> ScenarioLibrary {
        let mut library = ScenarioLibrary {
            dir: dir.to_owned(),
            ..ScenarioLibrary::default()
        };
        library.reload();
        library
    }

    /// A ready scenario by id.
    pub fn find(&self, id: &str) -> Option<Arc<LoadedScenario>> {
        self.entries.iter().find_map(|e| match &e.status {
            EntryStatus::Ready(s) if s.scenario.id == id => Some(Arc::clone(s)),
            _ => None,
        })
    }

    /// The file a ready scenario was read from.
    pub fn path_of(&self, id: &str) -> Option<&Path> {
        self.entries.iter().find_map(|e| match &e.status {
            EntryStatus::Ready(s) if s.scenario.id == id => Some(e.path.as_path()),
            _ => None,
        })
    }

    /// Re-reads the folder if any file was added, removed or modified; returns whether it did.
    pub fn refresh(&mut self) -> bool {
        if self.current_stamps() == self.stamps {
            return false;
        }
        self.reload();
        true
    }

    /// Modification time and size of each file: an edit changes at least one of them
    /// even on file systems with coarse timestamps.
    fn current_stamps(&self) -> Vec<(PathBuf, Option<(SystemTime, u64)>)> {
        let mut paths = scenario_paths(&self.dir).unwrap_or_default();
        paths.push(self.dir.join(LEXICON_FILE));
        paths
            .into_iter()
            .map(|p| {
                let stamp = std::fs::metadata(&p).and_then(|m| Ok((m.modified()?, m.len()))).ok();
                (p, stamp)
            })
            .collect()
    }

    fn reload(&mut self) {
        self.stamps = self.current_stamps();
        self.generation += 1;
        self.entries.clear();
        let shared = match shared_lexicon(&self.dir) {
            Ok(l) => l,
            Err(e) => {
                let (path, source, d) = *e;
                let name = path.display().to_string();
                self.entries.push(LibraryEntry {
                    path,
                    status: EntryStatus::Broken {
                        headline: d.headline(&name, &source),
                        report: d.render(&name, &source),
                    },
                });
                holdspace_core::Lexicon::builtin()
            }
        };
        let paths = match scenario_paths(&self.dir) {
            Ok(p) => p,
            Err(e) => {
                self.entries.push(LibraryEntry {
                    path: self.dir.clone(),
                    status: EntryStatus::Broken {
                        headline: format!("{e:#}"),
                        report: format!("{e:#}"),
                    },
                });
                return;
            }
        };
        for path in paths {
            let file = check_file(&path, &shared);
            let name = path.display().to_string();
            let status = match &file.checked.scenario {
                Some(s) => EntryStatus::Ready(Arc::new(s.clone())),
                None => {
                    let first = file.checked.diagnostics.iter().find(|d| d.is_error());
                    EntryStatus::Broken {
                        headline: first
                            .map(|d| d.headline(&name, &file.source))
                            .unwrap_or_else(|| format!("{name}: cannot be loaded")),
                        report: file.render(),
                    }
                }
            };
            self.entries.push(LibraryEntry { path, status });
        }
    }
}
