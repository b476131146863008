//! Prints the understanding figures and every miss on the training files, for an author
//! tuning the lexicon or the matcher: `cargo run -p holdspace_understanding --example
//! misses [train|calibrate|dev|PROBES.tsv] [FILTER]`. Tune on `train` only; `dev` is for
//! measuring (the benchmark, `holdspace bench understanding`, reports it). A `.tsv` path
//! runs an author's own probe rows, in the corpus's columns.

use std::sync::Arc;

use holdspace_understanding::corpus::{DEV, TRAIN, load};
use holdspace_understanding::evaluate::Report;

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let set = args.next().unwrap_or_else(|| "train".to_owned());
    let filter = args.next().unwrap_or_default();
    // A path to a `.tsv` of the corpus's columns: an author's own probe rows.
    let mut rows = if set.ends_with(".tsv") {
        let source = std::fs::read_to_string(&set).map_err(|e| format!("{set}: {e}"))?;
        holdspace_understanding::corpus::parse(&set, &source).map_err(|e| e.to_string())?
    } else {
        load(if set == "dev" { DEV } else { TRAIN }).map_err(|e| e.to_string())?
    };
    // `calibrate`: only the training rows held out of fitting the encoder.
    if set == "calibrate" {
        rows.retain(|r| holdspace_understanding::corpus::held_for_thresholds(&r.text));
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let lexicon = std::fs::read_to_string(dir.join("lexicon.ron"))
        .ok()
        .and_then(|s| holdspace_core::scenario::load::parse_lexicon(&s).ok())
        .unwrap_or_else(holdspace_core::Lexicon::builtin);
    let mut scenarios = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|e| e == "ron") && !path.ends_with("lexicon.ron") {
            let source = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
            let checked = holdspace_core::check(&source, &lexicon);
            let loaded = checked
                .scenario
                .ok_or_else(|| format!("{} does not load", path.display()))?;
            scenarios.push(Arc::new(loaded));
        }
    }
    // HOLDSPACE_ADAPTER=DIR compares another adapter (tune_encoder --frozen DIR).
    let loaded = match std::env::var_os("HOLDSPACE_ADAPTER") {
        Some(dir) => {
            let dir = std::path::PathBuf::from(dir);
            let bytes = std::fs::read(dir.join("intent-adapter.safetensors")).map_err(|e| e.to_string())?;
            let json = std::fs::read_to_string(dir.join("intent-adapter.json")).map_err(|e| e.to_string())?;
            holdspace_understanding::listener::Hearing::with_adapter(&bytes, &json)
        }
        None => holdspace_understanding::listener::Hearing::load(),
    };
    let hearing = match loaded {
        Ok(h) => Some(h),
        Err(e) => {
            eprintln!("lexicon only: {e}");
            None
        }
    };
    let listener = if std::env::var_os("LEXICON_ONLY").is_some() {
        None
    } else {
        hearing.as_ref().map(|h| h as &dyn holdspace_core::Listener)
    };
    let report = Report::of(&rows, &scenarios, listener)?;
    for miss in report.misses.iter().filter(|m| m.contains(&filter)) {
        println!("{miss}");
    }
    for (k, v) in report.summary_rows().into_iter().chain(report.intent_rows()) {
        println!("{k:32} {v}");
    }
    Ok(())
}
