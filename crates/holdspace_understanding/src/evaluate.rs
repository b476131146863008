//! How well the customer hears trainees: every corpus row is said, typed, to the
//! engine at its step, and what the engine heard is compared with the labels.
//!
//! Measured per row: the intents heard (exact set, and per intent), the direction the
//! customer moved (the turn's reasons without the random variation), the reply it was
//! matched to, whether the customer answered "Sorry?", and the time the turn took.

use std::sync::Arc;
use std::time::Instant;

use holdspace_core::analysis::analyse;
use holdspace_core::scenario::model::{Condition, Direction};
use holdspace_core::scenario::probe::probe;
use holdspace_core::{Disclosure, Intent, Listener, LoadedScenario, TurnInput};

use crate::corpus::Row;

/// What the engine made of one row.
#[derive(Debug, Clone, PartialEq)]
pub struct Heard {
    /// The intents heard, sorted.
    pub intents: Vec<Intent>,
    /// Which way the customer moved (absent for a row without a scenario).
    pub direction: Option<Direction>,
    /// The reply matched.
    pub reply: Option<String>,
    /// The customer answered with an "unclear" line ("Sorry?").
    pub sorry: bool,
    /// Seconds the turn took.
    pub seconds: f64,
}

/// Plays one row through the engine (or, for a row without a scenario, the analysis
/// alone with the shared lexicon).
pub fn hear(row: &Row, scenarios: &[Arc<LoadedScenario>], listener: Option<&dyn Listener>) -> Result<Heard, String> {
    let Some(id) = &row.scenario else {
        let start = Instant::now();
        let a = analyse(&row.text, &holdspace_core::Lexicon::builtin(), "", &[]);
        return Ok(Heard {
            intents: a.intents,
            direction: None,
            reply: None,
            sorry: false,
            seconds: start.elapsed().as_secs_f64(),
        });
    };
    let scenario = scenarios
        .iter()
        .find(|s| &s.scenario.id == id)
        .ok_or_else(|| format!("{}: no scenario \"{id}\"", row.origin))?;
    let step = row.step.as_deref().unwrap_or(&scenario.scenario.start);
    // Replies written for after the reveal are only on offer once the need is out.
    let revealed = row
        .reply
        .as_deref()
        .and_then(|r| scenario.reply(r))
        .is_some_and(|(_, r)| r.requires.contains(&Condition::NeedRevealed));
    let disclosure = if revealed {
        Disclosure::Revealed
    } else {
        Disclosure::Hidden
    };
    // The app readies the ear for a step while the customer is still speaking
    // (`Listener::prepare`); the time measured is the reply's own, as a trainee waits it.
    if let Some(l) = listener
        && let Some((session, _)) =
            holdspace_core::Session::at_step(Arc::clone(scenario), 1, holdspace_core::Mode::Open, step, disclosure)
    {
        l.prepare(&session);
        l.ready();
    }
    let start = Instant::now();
    let understood = probe(scenario, step, disclosure, TurnInput::say(row.text.clone()), listener)
        .ok_or_else(|| format!("{}: no step \"{step}\" in {id}", row.origin))?;
    let heard = Heard {
        intents: understood.analysis.intents,
        direction: Some(understood.direction),
        reply: understood.reply,
        sorry: understood.answer.is_some_and(|s| s.line_id.starts_with("unclear/")),
        seconds: start.elapsed().as_secs_f64(),
    };
    Ok(heard)
}

/// Counts for one intent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Heard and labelled.
    pub true_pos: u32,
    /// Heard, not labelled.
    pub false_pos: u32,
    /// Labelled, not heard.
    pub false_neg: u32,
}

impl Counts {
    /// Share of what was heard that was right (1 when nothing was heard).
    pub fn precision(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_pos)
    }

    /// Share of what was there that was heard (1 when nothing was there).
    pub fn recall(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_neg)
    }

    fn add(&mut self, other: Counts) {
        self.true_pos += other.true_pos;
        self.false_pos += other.false_pos;
        self.false_neg += other.false_neg;
    }
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 { 1.0 } else { f64::from(a) / f64::from(b) }
}

/// The figures over a set of rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Rows measured.
    pub rows: u32,
    /// Rows whose intent set was heard exactly.
    pub exact: u32,
    /// Per intent.
    pub per_intent: Vec<(Intent, Counts)>,
    /// Rows with a scenario (direction and reply are measured on these).
    pub in_context: u32,
    /// Of those, the direction was right.
    pub direction_right: u32,
    /// Of those, the reply (or "none") was right.
    pub reply_right: u32,
    /// Harmful moves, all together (micro-averaged over the harmful intents).
    pub harmful: Counts,
    /// Helpful moves, all together.
    pub helpful: Counts,
    /// Rows with a harmful label that escalated the customer.
    pub harm_escalated: u32,
    /// Rows with a harmful label (in context).
    pub harm_rows: u32,
    /// Turns the customer answered "Sorry?".
    pub sorry: u32,
    /// Rows whose labels are all in scope of negation or quotation (tagged), and right
    /// (direction and no harm heard that was not there).
    pub negation_right: u32,
    /// Rows tagged negation or quotation.
    pub negation_rows: u32,
    /// Seconds per turn, sorted.
    pub seconds: Vec<f64>,
    /// Rows that went wrong, for reading: (origin, text, what was expected, what was heard).
    pub misses: Vec<String>,
}

impl Report {
    /// Measures rows.
    pub fn of(
        rows: &[Row],
        scenarios: &[Arc<LoadedScenario>],
        listener: Option<&dyn Listener>,
    ) -> Result<Report, String> {
        let mut report = Report {
            per_intent: Intent::ALL.iter().map(|i| (*i, Counts::default())).collect(),
            ..Report::default()
        };
        for row in rows {
            let heard = hear(row, scenarios, listener)?;
            report.add(row, &heard);
        }
        report.seconds.sort_by(f64::total_cmp);
        Ok(report)
    }

    fn add(&mut self, row: &Row, heard: &Heard) {
        self.rows += 1;
        self.seconds.push(heard.seconds);
        let exact = heard.intents == row.intents;
        if exact {
            self.exact += 1;
        }
        for (intent, counts) in &mut self.per_intent {
            let (said, got) = (row.intents.contains(intent), heard.intents.contains(intent));
            let c = Counts {
                true_pos: u32::from(said && got),
                false_pos: u32::from(!said && got),
                false_neg: u32::from(said && !got),
            };
            counts.add(c);
            if intent.is_harmful() {
                self.harmful.add(c);
            } else if intent.is_helpful() {
                self.helpful.add(c);
            }
        }
        let mut wrong = Vec::new();
        if !exact {
            wrong.push(format!("intents {:?}", heard.intents));
        }
        if let Some(direction) = heard.direction {
            self.in_context += 1;
            if direction == row.direction {
                self.direction_right += 1;
            } else {
                wrong.push(format!("{} (not {})", direction.name(), row.direction.name()));
            }
            if heard.reply == row.reply {
                self.reply_right += 1;
            } else {
                wrong.push(format!("reply {:?} (not {:?})", heard.reply, row.reply));
            }
            if heard.sorry {
                self.sorry += 1;
            }
            if row.intents.iter().any(|i| i.is_harmful()) {
                self.harm_rows += 1;
                if direction == Direction::Escalates {
                    self.harm_escalated += 1;
                }
            }
            if row.has_tag("negation") || row.has_tag("quotation") {
                self.negation_rows += 1;
                let invented_harm = heard.intents.iter().any(|i| i.is_harmful() && !row.intents.contains(i));
                if direction == row.direction && !invented_harm {
                    self.negation_right += 1;
                }
            }
        }
        if !wrong.is_empty() {
            self.misses.push(format!(
                "{}  \"{}\"  [{} {}]  heard: {}",
                row.origin,
                row.text,
                row.intents.iter().map(|i| i.name()).collect::<Vec<_>>().join("+"),
                row.direction.name(),
                wrong.join("; ")
            ));
        }
    }

    /// A quantile of the per-turn time, in milliseconds.
    pub fn millis(&self, q: f64) -> f64 {
        if self.seconds.is_empty() {
            return 0.0;
        }
        let i = ((self.seconds.len() - 1) as f64 * q).round() as usize;
        self.seconds.get(i).copied().unwrap_or_default() * 1000.0
    }

    /// The headline figures as Markdown table rows (`| measure | value |`).
    pub fn summary_rows(&self) -> Vec<(String, String)> {
        let pct = |a: u32, b: u32| format!("{:.1} %", ratio(a, b) * 100.0);
        let pr = |c: &Counts| {
            format!(
                "recall {:.1} %, precision {:.1} %",
                c.recall() * 100.0,
                c.precision() * 100.0
            )
        };
        vec![
            ("rows".to_owned(), self.rows.to_string()),
            ("exact intent set".to_owned(), pct(self.exact, self.rows)),
            ("direction right".to_owned(), pct(self.direction_right, self.in_context)),
            ("harmful intents".to_owned(), pr(&self.harmful)),
            (
                "harmful replies that escalated".to_owned(),
                format!(
                    "{} of {} ({})",
                    self.harm_escalated,
                    self.harm_rows,
                    pct(self.harm_escalated, self.harm_rows)
                ),
            ),
            ("helpful intents".to_owned(), pr(&self.helpful)),
            ("reply match right".to_owned(), pct(self.reply_right, self.in_context)),
            (
                "\"Sorry?\" on understood text".to_owned(),
                pct(self.sorry, self.in_context),
            ),
            (
                "negation and quotation right".to_owned(),
                format!("{} of {}", self.negation_right, self.negation_rows),
            ),
            (
                "time per utterance".to_owned(),
                format!("p50 {:.2} ms, p95 {:.2} ms", self.millis(0.5), self.millis(0.95)),
            ),
        ]
    }

    /// Per-intent precision and recall as table rows.
    pub fn intent_rows(&self) -> Vec<(String, String)> {
        self.per_intent
            .iter()
            .filter(|(_, c)| c.true_pos + c.false_neg + c.false_pos > 0)
            .map(|(i, c)| {
                (
                    i.name().to_owned(),
                    format!(
                        "recall {:.0} % ({}/{}), precision {:.0} %",
                        c.recall() * 100.0,
                        c.true_pos,
                        c.true_pos + c.false_neg,
                        c.precision() * 100.0
                    ),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{TRAIN, load};

    fn shipped() -> Vec<Arc<LoadedScenario>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let lexicon = holdspace_core::Lexicon::builtin();
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).expect("scenarios/") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "ron") && !path.ends_with("lexicon.ron") {
                let source = std::fs::read_to_string(&path).expect("readable");
                let checked = holdspace_core::check(&source, &lexicon);
                out.push(Arc::new(checked.scenario.expect("loads")));
            }
        }
        out
    }

    #[test]
    fn every_row_names_a_real_step_and_a_reply_at_it() {
        let scenarios = shipped();
        for row in load(TRAIN)
            .expect("parses")
            .iter()
            .chain(&load(crate::corpus::DEV).expect("parses"))
        {
            let Some(id) = &row.scenario else { continue };
            let s = scenarios
                .iter()
                .find(|s| &s.scenario.id == id)
                .expect("scenario exists");
            let step = s.step(row.step.as_deref().unwrap_or_default());
            assert!(step.is_some(), "{}: no step {:?}", row.origin, row.step);
            if let (Some(step), Some(reply)) = (step, &row.reply) {
                assert!(
                    step.replies.iter().any(|r| &r.id == reply),
                    "{}: no reply {reply} at {}",
                    row.origin,
                    step.id
                );
            }
        }
    }

    #[test]
    fn measures_a_row_the_engine_hears_right_and_one_it_does_not() {
        let scenarios = shipped();
        let rows = crate::corpus::parse(
            "t.tsv",
            "delivery_bereavement\topening\tMinimising\tescalates\t-\t-\tcalm down, it's only a parcel\n\
             delivery_bereavement\topening\tOpenQuestion\tcalms\task_friday\t-\tWhat's happening on Friday?\n",
        )
        .expect("parses");
        let report = Report::of(&rows, &scenarios, None).expect("measured");
        assert_eq!(report.rows, 2);
        assert_eq!(report.direction_right, 2, "{:#?}", report.misses);
        assert_eq!(report.harm_escalated, 1);
        assert_eq!(report.reply_right, 2, "{:#?}", report.misses);
    }
}
