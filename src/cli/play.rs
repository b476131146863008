//! `holdspace play`: the scenario in the terminal. Lines with the band shown, numbered
//! options (or free text in open mode), then the text debrief.

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use holdspace_core::engine::events::OfferedReply;
use holdspace_core::{Debrief, Mode, SessionEvent, TurnInput};

use holdspace::loader::load_scenario;
use holdspace::records::{Records, RecordsArgs};
use holdspace::report::{bar, debrief_text};

/// `records` is where to save the attempt, when the author asked (`--save`): an author's
/// test runs are not a trainee's training.
pub fn run(
    scenario: &str,
    dir: &Path,
    seed: Option<u64>,
    mode: Mode,
    records: Option<&RecordsArgs>,
    lexicon_only: bool,
) -> Result<ExitCode> {
    let hearing = holdspace::hearing::load(lexicon_only);
    let loaded = load_scenario(scenario, dir)?;
    // A random seed is the one place the clock is welcome: every play differs, and the seed is shown so it can be replayed.
    let seed = seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    let s = &loaded.scenario;
    println!(
        "{} — {} ({}, seed {seed}, {} mode)",
        s.title,
        s.summary,
        s.difficulty.label(),
        if mode == Mode::Open { "open" } else { "guided" }
    );
    println!("Type a number to choose, or type your own words. :q quits.\n");
    let (mut session, events) = holdspace_core::Session::new(loaded.clone(), seed, mode);
    // Records are a bonus here: if they cannot be written, say so and play on.
    let records = records.and_then(|r| {
        Records::open(r)
            .map_err(|e| eprintln!("warning: not recording: {e:#}"))
            .ok()
    });
    let mut journal = records.as_ref().and_then(|r| {
        r.begin(&session.record(), "play", None)
            .map_err(|e| eprintln!("warning: not recording: {e}"))
            .ok()
    });
    let name = s.customer.name.clone();
    let mut options = show(&events, &name);
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    while !session.is_ended() {
        print!(
            "{}> ",
            if mode == Mode::Open {
                "your reply"
            } else {
                "choose or say"
            }
        );
        std::io::stdout().flush()?;
        let Some(line) = lines.next() else { break };
        let line = line?;
        let trimmed = line.trim();
        if trimmed == ":q" {
            break;
        }
        let input = match trimmed.parse::<usize>() {
            Ok(n) if mode == Mode::Guided && (1..=options.len()).contains(&n) => {
                TurnInput::choose(options[n - 1].id.clone())
            }
            _ => TurnInput::say(trimmed),
        };
        match session.respond_with(input, holdspace::hearing::listener(&hearing)) {
            Ok(events) => {
                if let (Some(j), Some(t)) = (journal.as_mut(), session.record().turns.last())
                    && let Err(e) = j.turn(t, &events)
                {
                    eprintln!("warning: this turn was not recorded: {e}");
                }
                let next = show(&events, &name);
                if !next.is_empty() {
                    options = next;
                }
            }
            Err(e) => println!("  ({e})"),
        }
    }
    print!("{}", debrief_text(&Debrief::build(&loaded, &session.record())));
    if let (Some(records), Some(mut j)) = (records, journal) {
        let saved = j
            .end(session.outcome())
            .and_then(|()| records.finish(&j.meta().session_id, Some(&loaded)));
        match saved {
            Ok(out) => {
                println!("\nSaved. Report: {}", out.report.unwrap_or(out.record).display());
                super::simulate::report_sync(&records);
            }
            Err(e) => eprintln!("warning: the session was journaled but not exported: {e}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints events; returns the options offered, if any.
fn show(events: &[SessionEvent], name: &str) -> Vec<OfferedReply> {
    let mut offered = Vec::new();
    for e in events {
        match e {
            SessionEvent::ReplyInterpreted {
                reply: None, analysis, ..
            } => {
                let heard: Vec<String> = analysis.intents.iter().map(|i| i.label().to_owned()).collect();
                println!(
                    "  (heard as: {}; it matched no reply, so {name} stays where they are)",
                    heard.join(", ")
                );
            }
            SessionEvent::EscalationChanged(c) => {
                println!(
                    "  [{} {} → {} {}]",
                    bar(c.from, 10),
                    c.band_from.label(),
                    bar(c.to, 10),
                    c.band_to.label()
                );
                for r in c.reasons.iter().filter(|r| r.escalation.abs() >= 0.02) {
                    println!("     {:+.2} {}", r.escalation, r.note);
                }
            }
            SessionEvent::CustomerSpoke(line) => {
                let tags: Vec<String> = line.tags.iter().map(|t| words_of(&format!("{t:?}"))).collect();
                let tags = if tags.is_empty() {
                    String::new()
                } else {
                    format!("  ({})", tags.join(", "))
                };
                println!("\n{name} [{}]: \"{}\"{tags}", line.band.label(), line.text);
            }
            SessionEvent::OptionsOffered { options, .. } => {
                for (i, o) in options.iter().enumerate() {
                    println!("  {}. {}", i + 1, o.text);
                }
                offered = options.clone();
            }
            SessionEvent::SessionEnded { title, kind, .. } => {
                println!("\n*** {title} ({}) ***", kind.label())
            }
            _ => {}
        }
    }
    offered
}

/// "HandsOnCounter" → "hands on counter".
fn words_of(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}
