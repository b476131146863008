//! Reading scenarios from disk: the only place the authoring tools touch the file system.
//!
//! A bad file never stops the others: each file is read and checked on its own and
//! comes back with its diagnostics.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use holdspace_core::scenario::load::parse_lexicon;
use holdspace_core::{Checked, Diagnostic, Lexicon, LoadedScenario, check};

/// The shared lexicon's file name, looked for beside the scenarios.
pub const LEXICON_FILE: &str = "lexicon.ron";
/// Where scenarios live by default.
pub const DEFAULT_DIR: &str = "scenarios";

/// One scenario file and what checking it found.
pub struct ScenarioFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its text (empty if it could not be read).
    pub source: String,
    /// The check result.
    pub checked: Checked,
}

impl ScenarioFile {
    /// Every diagnostic rendered compiler-style.
    pub fn render(&self) -> String {
        let path = self.path.display().to_string();
        self.checked
            .diagnostics
            .iter()
            .map(|d| d.render(&path, &self.source))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The shared lexicon for scenarios in `dir`: its `lexicon.ron` if present, else the
/// copy built into this binary. A broken lexicon file is an error, not a silent fallback.
pub fn shared_lexicon(dir: &Path) -> Result<Lexicon, Box<(PathBuf, String, Diagnostic)>> {
    let path = dir.join(LEXICON_FILE);
    match std::fs::read_to_string(&path) {
        Ok(source) => parse_lexicon(&source).map_err(|d| Box::new((path, source, d))),
        Err(_) => Ok(Lexicon::builtin()),
    }
}

/// Reads and checks one scenario file.
pub fn check_file(path: &Path, shared: &Lexicon) -> ScenarioFile {
    match std::fs::read_to_string(path) {
        Ok(source) => {
            let mut checked = check(&source, shared);
            if let Some(loaded) = &checked.scenario {
                let folder = path.parent().unwrap_or(Path::new("."));
                checked
                    .diagnostics
                    .extend(recorded_audio_problems(&loaded.scenario, folder, &source));
                checked.diagnostics.extend(unspeakable_words(&loaded.scenario, &source));
                checked.diagnostics.extend(unvoiceable_words(&loaded.scenario, &source));
            }
            ScenarioFile {
                path: path.to_owned(),
                source,
                checked,
            }
        }
        Err(e) => ScenarioFile {
            path: path.to_owned(),
            source: String::new(),
            checked: Checked {
                scenario: None,
                diagnostics: vec![Diagnostic::error(
                    format!("cannot read the file: {e}"),
                    0..0,
                    "unreadable",
                )],
            },
        },
    }
}

/// The file a line's `audio` names, beside the scenario file `scenario_file`, if it
/// exists and stays inside that folder. The validator already refuses `..` and absolute
/// paths; this also refuses a link inside the folder that points out of it.
pub fn recording_file(scenario_file: &Path, audio: &str) -> Option<PathBuf> {
    if holdspace_core::scenario::validate::audio_path_problem(audio).is_some() {
        return None;
    }
    let folder = scenario_file.parent().unwrap_or(Path::new("."));
    let file = folder.join(audio);
    let (real_folder, real_file) = (std::fs::canonicalize(folder).ok()?, std::fs::canonicalize(&file).ok()?);
    (real_file.starts_with(&real_folder) && real_file.is_file()).then_some(file)
}

/// Warnings for recorded lines whose file is missing or is not readable audio. They are
/// warnings, not errors: the app falls back to the synthesised voice for that line.
fn recorded_audio_problems(scenario: &holdspace_core::Scenario, folder: &Path, source: &str) -> Vec<Diagnostic> {
    let at = holdspace_core::scenario::locate::Locator::new(source);
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for line in scenario.lines() {
        let Some(audio) = &line.line.audio else { continue };
        // Paths the validator refused are already errors; each file is checked once.
        if holdspace_core::scenario::validate::audio_path_problem(audio).is_some() || !seen.insert(audio.clone()) {
            continue;
        }
        let file = folder.join(audio);
        let inside = std::fs::canonicalize(folder)
            .ok()
            .zip(std::fs::canonicalize(&file).ok())
            .is_none_or(|(f, real)| real.starts_with(f));
        let problem = match holdspace_voice::wav::read_mono(&file) {
            Ok(_) if inside => continue,
            Ok(_) => format!("recorded audio \"{audio}\" is a link that leads out of the scenario's folder"),
            Err(_) if !file.exists() => format!("recorded audio \"{audio}\" not found at {}", file.display()),
            Err(e) => format!("recorded audio \"{audio}\" cannot be played: {e}"),
        };
        let span = at.find(&[holdspace_core::scenario::locate::Anchor::KeyValue("audio", audio)]);
        out.push(
            Diagnostic::warning(problem, span, "the synthesised voice is used instead")
                .with_help("put a 16-bit PCM .wav file at that path, relative to the scenario's folder"),
        );
    }
    out
}

/// The pronouncing dictionary speech recognition listens with, read once per process.
fn speech_dictionary() -> Option<&'static holdspace_speech::Dictionary> {
    static DICTIONARY: std::sync::OnceLock<Option<holdspace_speech::Dictionary>> = std::sync::OnceLock::new();
    DICTIONARY
        .get_or_init(|| holdspace_speech::Dictionary::load(Path::new(holdspace_speech::pronounce::DEBIAN_DICT)).ok())
        .as_ref()
}

/// Errors for option words the recogniser could never hear: a reply's text or phrasing
/// with a word that is neither in the pronouncing dictionary nor derivable from it
/// (possessive, plural, compound). Without the dictionary installed, nothing is checked.
fn unspeakable_words(scenario: &holdspace_core::Scenario, source: &str) -> Vec<Diagnostic> {
    let Some(dictionary) = speech_dictionary() else {
        return Vec::new();
    };
    let at = holdspace_core::scenario::locate::Locator::new(source);
    let mut out = Vec::new();
    for step in &scenario.steps {
        for reply in &step.replies {
            for said in std::iter::once(&reply.text).chain(&reply.phrasings) {
                let missing: Vec<String> = holdspace_core::analysis::spoken::spoken_words(said)
                    .into_iter()
                    .filter(|w| dictionary.phones(w).is_none())
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                let quoted = format!("\"{}\"", said.replace('\\', "\\\\").replace('"', "\\\""));
                let span = source
                    .find(&quoted)
                    .map(|start| start..start + quoted.len())
                    .unwrap_or_else(|| at.find(&[holdspace_core::scenario::locate::Anchor::KeyValue("id", &reply.id)]));
                let words = missing
                    .iter()
                    .map(|w| format!("\"{w}\""))
                    .collect::<Vec<_>>()
                    .join(", ");
                out.push(
                    Diagnostic::error(
                        format!("reply \"{}\" uses {words}, which speech recognition cannot hear (not in the pronouncing dictionary)", reply.id),
                        span,
                        "unknown to the recogniser",
                    )
                    .with_help("use a common spelling or another word; names and codes can be spelled out (\"H X 4\")"),
                );
            }
        }
    }
    out
}

/// Warnings for customer lines with a word the neural voice's lexicon cannot pronounce
/// (it would be spelled out letter by letter). Only for a neural voice, and only when it
/// is installed.
fn unvoiceable_words(scenario: &holdspace_core::Scenario, source: &str) -> Vec<Diagnostic> {
    let voice = &scenario.customer.voice;
    if !voice.is_neural() {
        return Vec::new();
    }
    let Some(lexicon) = holdspace_voice::kokoro::installed_lexicon(&voice.voice) else {
        return Vec::new();
    };
    let at = holdspace_core::scenario::locate::Locator::new(source);
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for line in scenario.lines() {
        let text = &line.line.text;
        if !seen.insert(text.clone()) {
            continue;
        }
        let unknown = lexicon
            .phonemes(&holdspace_voice::render::spoken_form(&voice.respelled(text)))
            .unknown;
        if unknown.is_empty() {
            continue;
        }
        let quoted = format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""));
        let span = source
            .find(&quoted)
            .map(|start| start..start + quoted.len())
            .unwrap_or_else(|| at.find(&[holdspace_core::scenario::locate::Anchor::Key("customer")]));
        let words = unknown
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(
            Diagnostic::warning(
                format!("line {} says {words}, which the customer's voice cannot pronounce and would spell out", line.id),
                span,
                "not in the voice's lexicon",
            )
            .with_help("add it to the voice's `say_as` with ordinary words that sound like it, e.g. `say_as: {\"Sade\": \"Shar day\"}`; codes can be spaced (\"H X 4\")"),
        );
    }
    out
}

/// Scenario files in a directory (`*.ron` except the lexicon), sorted by name.
pub fn scenario_paths(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron") && p.file_name().is_some_and(|n| n != LEXICON_FILE))
        .collect();
    paths.sort();
    Ok(paths)
}

/// Finds and loads one scenario by path or by id (looked up in `dir`).
pub fn load_scenario(arg: &str, dir: &Path) -> Result<Arc<LoadedScenario>> {
    load_scenario_file(arg, dir).map(|(_, s)| s)
}

/// As [`load_scenario`], with the file it was read from (recorded lines are found
/// beside it).
pub fn load_scenario_file(arg: &str, dir: &Path) -> Result<(PathBuf, Arc<LoadedScenario>)> {
    let as_path = Path::new(arg);
    let path = if as_path.is_file() {
        as_path.to_owned()
    } else {
        let by_name = dir.join(format!("{arg}.ron"));
        if by_name.is_file() {
            by_name
        } else {
            find_by_id(arg, dir)?
        }
    };
    let lexicon_dir = path.parent().unwrap_or(dir);
    let shared = match shared_lexicon(lexicon_dir) {
        Ok(l) => l,
        Err(e) => {
            let (p, source, d) = *e;
            bail!("{}", d.render(&p.display().to_string(), &source))
        }
    };
    let file = check_file(&path, &shared);
    match file.checked.scenario {
        Some(s) => Ok((path, Arc::new(s))),
        None => bail!("{} has errors:\n{}", path.display(), file.render()),
    }
}

fn find_by_id(id: &str, dir: &Path) -> Result<PathBuf> {
    let shared = Lexicon::builtin();
    let mut known = Vec::new();
    for path in scenario_paths(dir)? {
        let file = check_file(&path, &shared);
        if let Some(s) = &file.checked.scenario {
            if s.scenario.id == id {
                return Ok(path);
            }
            known.push(s.scenario.id.clone());
        }
    }
    bail!(
        "no scenario \"{id}\" (not a file, and not an id in {}; known: {})",
        dir.display(),
        known.join(", ")
    )
}
