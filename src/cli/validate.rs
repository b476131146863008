//! `holdspace validate`: check files and directories, report every problem, never stop at the first bad file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

use holdspace::loader::{LEXICON_FILE, check_file, scenario_paths, shared_lexicon};

pub fn run(paths: &[PathBuf], strict: bool) -> Result<ExitCode> {
    let (mut valid, mut invalid, mut warnings) = (Vec::new(), Vec::new(), 0usize);
    // The sentence encoder, loaded the first time a scenario has `checks:` to run.
    let mut hearing: Option<Option<holdspace_understanding::listener::Hearing>> = None;
    for arg in paths {
        let (dir, files): (&Path, Vec<PathBuf>) = if arg.is_dir() {
            (arg.as_path(), scenario_paths(arg)?)
        } else {
            (
                arg.parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new(".")),
                vec![arg.clone()],
            )
        };
        let shared = match shared_lexicon(dir) {
            Ok(l) => l,
            Err(e) => {
                let (path, source, d) = *e;
                eprintln!("{}", d.render(&path.display().to_string(), &source));
                invalid.push(path);
                continue;
            }
        };
        for path in files {
            if path.file_name().is_some_and(|n| n == LEXICON_FILE) {
                continue; // already checked as the shared lexicon above
            }
            let mut file = check_file(&path, &shared);
            if let Some(loaded) = file.checked.scenario.clone()
                && !loaded.scenario.checks.is_empty()
            {
                let hearing = hearing.get_or_insert_with(|| holdspace::hearing::load(false));
                let loaded = std::sync::Arc::new(loaded);
                let problems =
                    holdspace_core::scenario::checks::run(&loaded, &file.source, holdspace::hearing::listener(hearing));
                if problems.iter().any(|d| d.is_error()) {
                    file.checked.scenario = None;
                }
                file.checked.diagnostics.extend(problems);
            }
            if !file.checked.diagnostics.is_empty() {
                eprintln!("{}", file.render());
            }
            warnings += file.checked.diagnostics.iter().filter(|d| !d.is_error()).count();
            if file.checked.has_errors() {
                invalid.push(path);
            } else {
                let id = file
                    .checked
                    .scenario
                    .as_ref()
                    .map(|s| s.scenario.id.clone())
                    .unwrap_or_default();
                println!("ok    {} ({id})", path.display());
                valid.push(path);
            }
        }
    }
    for path in &invalid {
        println!("FAIL  {}", path.display());
    }
    println!(
        "{} file{} checked: {} valid, {} with errors, {warnings} warning{}",
        valid.len() + invalid.len(),
        plural(valid.len() + invalid.len()),
        valid.len(),
        invalid.len(),
        plural(warnings)
    );
    Ok(if !invalid.is_empty() || (strict && warnings > 0) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
