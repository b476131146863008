//! Rendering session results for people and programs: the JSON record and the text debrief.

use std::fmt::Write as _;

use anyhow::Result;
use holdspace_core::{Debrief, LoadedScenario, Session, SessionRecord};
use serde::Serialize;

/// What `simulate` prints: the session record with the debrief built from it.
#[derive(Debug, Serialize)]
pub struct SimulationOutput {
    /// Everything the session did.
    pub record: SessionRecord,
    /// What it means (built from the record and the scenario alone).
    pub debrief: Debrief,
}

impl SimulationOutput {
    /// The record of `session` and its debrief.
    pub fn new(scenario: &LoadedScenario, session: &Session) -> SimulationOutput {
        let record = session.record();
        let debrief = Debrief::build(scenario, &record);
        SimulationOutput { record, debrief }
    }

    /// Pretty JSON, stable field order.
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }
}

/// A bar of `width` cells for a 0..1 value.
pub fn bar(value: f32, width: usize) -> String {
    let filled = ((value.clamp(0.0, 1.0) * width as f32).round() as usize).min(width);
    format!("{}{}", "█".repeat(filled), "·".repeat(width - filled))
}

/// The debrief as text for the terminal.
pub fn debrief_text(d: &Debrief) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "\n══ Debrief: {} ══", d.title);
    let _ = writeln!(s, "{}", d.headline());
    if let Some(o) = &d.outcome {
        let _ = writeln!(s, "{}", o.debrief);
    }
    let _ = writeln!(
        s,
        "\nEscalation over the conversation (█ escalation, trust in brackets):"
    );
    for p in &d.curve {
        let _ = writeln!(
            s,
            "  turn {:>2}  {}  {:<10} (trust {:.2})",
            p.turn,
            bar(p.escalation, 20),
            p.band.label(),
            p.trust
        );
    }
    if !d.turning_points.is_empty() {
        let _ = writeln!(s, "\nTurning points:");
        for t in &d.turning_points {
            let _ = writeln!(
                s,
                "  Turn {}: {} → {}",
                t.turn,
                t.before.band.label(),
                t.after.band.label()
            );
            let _ = writeln!(s, "    They said: \"{}\"", t.customer_said);
            let _ = writeln!(s, "    You said:  \"{}\"", t.trainee_said);
            for a in &t.answered {
                let _ = writeln!(s, "    They answered: \"{}\" ({})", a.text, a.why);
            }
            for r in &t.reasons {
                let _ = writeln!(s, "      {:+.2}  {}", r.escalation, r.note);
            }
            if let Some(b) = &t.better_move {
                let _ = writeln!(s, "    A better move here: {b}");
            }
        }
    }
    let unheard: Vec<String> = d
        .turns
        .iter()
        .filter(|t| t.not_heard)
        .map(|t| format!("turn {} (\"{}\")", t.turn, t.trainee_said))
        .collect();
    if !unheard.is_empty() {
        let _ = writeln!(
            s,
            "\nNot heard (the customer asked again; not scored): {}",
            unheard.join(", ")
        );
    }
    let _ = writeln!(s, "\nWhat was really going on: {}", d.hidden_need.summary);
    match d.hidden_need.revealed_on_turn {
        Some(turn) => {
            let by = d.hidden_need.revealed_by.as_deref().unwrap_or("listening");
            let _ = writeln!(
                s,
                "  You found it on turn {turn} ({by}).{}",
                if d.hidden_need.addressed {
                    " And you met it."
                } else {
                    " But you did not act on it."
                }
            );
        }
        None => {
            let _ = writeln!(s, "  You did not find it.");
        }
    }
    for c in &d.cues {
        let status = match (c.shown_after_turn, c.noticed_on_turn) {
            (None, _) => "not given".to_owned(),
            (Some(_), Some(n)) => format!("picked up on turn {n}"),
            (Some(_), None) => "MISSED".to_owned(),
        };
        let _ = writeln!(s, "  Cue: {} [{status}]", c.description);
    }
    let dl = &d.delivery;
    if dl.measured_turns > 0 || dl.fillers > 0 || dl.interruptions > 0 {
        let _ = writeln!(s, "\nDelivery:");
        if let Some(w) = dl.mean_words_per_min {
            let _ = writeln!(s, "  pace {w:.0} words/min");
        }
        if let Some(db) = dl.max_loudness_db {
            let _ = writeln!(s, "  loudest {db:.0} dBFS");
        }
        if let Some(p) = dl.mean_pause_s {
            let _ = writeln!(s, "  mean pause before replying {p:.1} s");
        }
        let _ = writeln!(s, "  interruptions {}, filler words {}", dl.interruptions, dl.fillers);
    }
    let _ = writeln!(s, "\nTo reflect on:");
    for (i, q) in d.reflection.iter().enumerate() {
        let _ = writeln!(s, "  {}. {q}", i + 1);
    }
    s
}
