//! The labelled corpus of trainee replies (see `docs/labelling.md`).
//!
//! One utterance a line, seven tab-separated columns: scenario, step, intents (joined by
//! `+`, `-` for none), direction, reply (`-` for none), tags (comma-separated, `-` for
//! none), text. Lines starting with `#` are comments. The training files and the
//! development set are compiled in, so the benchmark runs from any directory.

use holdspace_core::Intent;
use holdspace_core::scenario::model::Direction;
use thiserror::Error;

/// The training files: tuned on.
pub const TRAIN: &[(&str, &str)] = &[
    (
        "train/billing_hardship.tsv",
        include_str!("../corpus/train/billing_hardship.tsv"),
    ),
    (
        "train/delivery_bereavement.tsv",
        include_str!("../corpus/train/delivery_bereavement.tsv"),
    ),
    (
        "train/locked_out_panic.tsv",
        include_str!("../corpus/train/locked_out_panic.tsv"),
    ),
    (
        "train/loyal_customer_unheard.tsv",
        include_str!("../corpus/train/loyal_customer_unheard.tsv"),
    ),
    (
        "train/repeat_caller_lonely.tsv",
        include_str!("../corpus/train/repeat_caller_lonely.tsv"),
    ),
];

/// The development set: measured on, never tuned on.
pub const DEV: &[(&str, &str)] = &[("dev.tsv", include_str!("../corpus/dev.tsv"))];

/// One labelled utterance.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Where it came from, for messages (`dev.tsv:12`).
    pub origin: String,
    /// Scenario id, or `None` for a context-free row (`*`).
    pub scenario: Option<String>,
    /// Step id, or `None` (`*`).
    pub step: Option<String>,
    /// The intents a trainer hears, sorted.
    pub intents: Vec<Intent>,
    /// Which way a typical customer at that moment moves.
    pub direction: Direction,
    /// The authored reply it is, if any.
    pub reply: Option<String>,
    /// Family tags (`negation`, `own_words`, …).
    pub tags: Vec<String>,
    /// What the trainee said.
    pub text: String,
}

impl Row {
    /// Whether the row carries a tag.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }
}

/// A line of the corpus that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}:{line}: {message}")]
pub struct CorpusError {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses one corpus file.
pub fn parse(file: &str, source: &str) -> Result<Vec<Row>, CorpusError> {
    let mut rows = Vec::new();
    for (index, raw) in source.lines().enumerate() {
        let line = index + 1;
        let err = |message: String| CorpusError {
            file: file.to_owned(),
            line,
            message,
        };
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = raw.split('\t').collect();
        let [scenario, step, intents, direction, reply, tags, text] = cols.as_slice() else {
            return Err(err(format!("expected 7 tab-separated columns, found {}", cols.len())));
        };
        let star = |v: &str| (v != "*").then(|| v.to_owned());
        let dash = |v: &str| (v != "-").then(|| v.to_owned());
        let mut parsed = Vec::new();
        if *intents != "-" {
            for name in intents.split('+') {
                let intent = Intent::from_name(name.trim()).ok_or_else(|| err(format!("unknown intent \"{name}\"")))?;
                if !parsed.contains(&intent) {
                    parsed.push(intent);
                }
            }
        }
        parsed.sort_unstable();
        let direction =
            Direction::from_name(direction).ok_or_else(|| err(format!("unknown direction \"{direction}\"")))?;
        if text.trim().is_empty() {
            return Err(err("empty text".to_owned()));
        }
        rows.push(Row {
            origin: format!("{file}:{line}"),
            scenario: star(scenario),
            step: star(step),
            intents: parsed,
            direction,
            reply: dash(reply),
            tags: if *tags == "-" {
                Vec::new()
            } else {
                tags.split(',').map(|t| t.trim().to_owned()).collect()
            },
            text: (*text).to_owned(),
        });
    }
    Ok(rows)
}

/// Whether a training row is one of the 15 % held out of fitting the encoder, to set
/// thresholds on (FNV-1a of the text, so the split is the same on every machine).
pub fn held_for_thresholds(text: &str) -> bool {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h % 100 < 15
}

/// Parses a set of compiled-in files ([`TRAIN`] or [`DEV`]).
pub fn load(files: &[(&str, &str)]) -> Result<Vec<Row>, CorpusError> {
    let mut out = Vec::new();
    for (file, source) in files {
        out.extend(parse(file, source)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use holdspace_core::analysis::text::words;

    #[test]
    fn the_corpus_parses_and_is_big_enough() {
        let train = load(TRAIN).expect("training files parse");
        let dev = load(DEV).expect("development set parses");
        assert!(train.len() >= 1500, "{} training rows", train.len());
        assert!(dev.len() >= 300, "{} development rows", dev.len());
        let harmful = |i: Intent| train.iter().filter(|r| r.intents.contains(&i)).count();
        for i in [
            Intent::AssumptiveEmpathy,
            Intent::Minimising,
            Intent::PolicyWall,
            Intent::Blame,
            Intent::Transfer,
        ] {
            assert!(harmful(i) >= 100, "{i:?}: {} training rows", harmful(i));
        }
    }

    #[test]
    fn the_development_set_shares_no_utterance_with_training() {
        let train: std::collections::BTreeSet<String> = load(TRAIN)
            .expect("parses")
            .iter()
            .map(|r| words(&r.text).join(" "))
            .collect();
        for row in load(DEV).expect("parses") {
            assert!(
                !train.contains(&words(&row.text).join(" ")),
                "{} is also a training row: {}",
                row.origin,
                row.text
            );
        }
    }

    #[test]
    fn bad_lines_are_located() {
        let e = parse("x.tsv", "# c\nonly\tthree\tcols\n").expect_err("bad");
        assert_eq!((e.line, e.file.as_str()), (2, "x.tsv"));
        let e = parse("x.tsv", "a\tb\tNotAnIntent\tcalms\t-\t-\thi\n").expect_err("bad");
        assert!(e.message.contains("NotAnIntent"));
    }
}
