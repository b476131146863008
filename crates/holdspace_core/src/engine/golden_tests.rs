//! Golden transcripts: every shipped scenario played along fixed paths (the first reply on
//! offer each turn, then the last), with everything the engine reported written out as
//! plain text in `tests/golden/<scenario>.txt`. A change to what moves the customer shows
//! up as a diff in review, line by line, instead of as a number in a failing assert.
//!
//! After an intended change: `HOLDSPACE_BLESS=1 cargo test -p holdspace_core golden`
//! rewrites the files; read the diff before committing it.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use crate::TurnInput;
use crate::engine::events::SessionEvent;
use crate::engine::{Mode, Session};
use crate::scenario::load::LoadedScenario;
use crate::testing::shipped;

/// The seed every golden path is played with.
const SEED: u64 = 11;
/// Turns before a path gives up (every shipped scenario ends sooner on both paths).
const MAX_TURNS: usize = 12;

fn golden_dir() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden")
}

/// Which reply a path picks from those on offer.
#[derive(Clone, Copy)]
enum Pick {
    First,
    Last,
}

/// Plays one path and writes what happened.
fn play(scenario: &Arc<LoadedScenario>, pick: Pick, out: &mut String) {
    let (mut session, mut events) = Session::new(Arc::clone(scenario), SEED, Mode::Guided);
    let name = match pick {
        Pick::First => "first reply on offer",
        Pick::Last => "last reply on offer",
    };
    let _ = writeln!(out, "## path: {name} (seed {SEED})\n");
    describe(&events, out);
    for _ in 0..MAX_TURNS {
        if session.outcome().is_some() {
            break;
        }
        let offered = session.available_replies();
        let chosen = match pick {
            Pick::First => offered.first(),
            Pick::Last => offered.last(),
        };
        let Some(reply) = chosen else { break };
        let (id, text) = (reply.id.clone(), reply.text.clone());
        let _ = writeln!(out, "\ntrainee  @{id}: \"{text}\"");
        events = match session.respond(TurnInput::choose(id.clone())) {
            Ok(events) => events,
            Err(e) => {
                let _ = writeln!(out, "refused: {e}");
                break;
            }
        };
        describe(&events, out);
    }
    let _ = writeln!(out);
}

/// One line per thing the engine reported, numbers to three decimals.
fn describe(events: &[SessionEvent], out: &mut String) {
    for event in events {
        let _ = match event {
            SessionEvent::CustomerSpoke(s) => {
                let answering = s.answering.as_ref().map(|a| format!(" ({a:?})")).unwrap_or_default();
                writeln!(out, "customer [{:?}] {}{answering}: \"{}\"", s.band, s.line_id, s.text)
            }
            SessionEvent::ReplyInterpreted { reply, analysis, .. } => writeln!(
                out,
                "heard    {:?} as {}",
                analysis.intents,
                reply.as_deref().unwrap_or("(no reply)")
            ),
            SessionEvent::EscalationChanged(c) => {
                let _ = writeln!(
                    out,
                    "moved    escalation {:.3} -> {:.3}, trust {:.3} -> {:.3}, {:?} -> {:?}",
                    c.from, c.to, c.trust_from, c.trust_to, c.band_from, c.band_to
                );
                for r in &c.reasons {
                    let _ = writeln!(out, "         {:+.3} / {:+.3}  {}", r.escalation, r.trust, r.note);
                }
                Ok(())
            }
            SessionEvent::CueNoticed { cue, .. } => writeln!(out, "cue      noticed: {cue}"),
            SessionEvent::NeedHinted { cue, .. } => writeln!(out, "need     hinted by cue {cue}"),
            SessionEvent::NeedRevealed { by, .. } => writeln!(out, "need     revealed by {by}"),
            SessionEvent::NeedAddressed { reply, .. } => writeln!(out, "need     addressed by {reply}"),
            SessionEvent::OptionsOffered { options, .. } => writeln!(
                out,
                "offered  {}",
                options.iter().map(|o| o.id.as_str()).collect::<Vec<_>>().join(", ")
            ),
            SessionEvent::SessionEnded { outcome, kind, .. } => writeln!(out, "ended    {outcome} ({kind:?})"),
            SessionEvent::Coached { action, .. } => writeln!(out, "coach    {action:?}"),
        };
    }
}

/// The transcript of both paths through a scenario.
fn transcript(scenario: &Arc<LoadedScenario>) -> String {
    let mut out = format!(
        "# Golden transcript: {} ({})\n# Rewrite with HOLDSPACE_BLESS=1 after an intended change; review the diff.\n\n",
        scenario.scenario.title, scenario.scenario.id
    );
    play(scenario, Pick::First, &mut out);
    play(scenario, Pick::Last, &mut out);
    out
}

#[test]
fn golden_transcripts_of_every_shipped_scenario_are_unchanged() {
    let bless = std::env::var_os("HOLDSPACE_BLESS").is_some();
    let mut changed = Vec::new();
    for scenario in shipped() {
        let text = transcript(&scenario);
        // Played twice: the transcript is a function of scenario, seed and inputs.
        assert_eq!(
            text,
            transcript(&scenario),
            "{}: not deterministic",
            scenario.scenario.id
        );
        let path = golden_dir().join(format!("{}.txt", scenario.scenario.id));
        if bless {
            std::fs::create_dir_all(golden_dir()).expect("tests/golden can be made");
            std::fs::write(&path, &text).expect("golden file written");
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected != text {
            let first = expected
                .lines()
                .zip(text.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| expected.lines().count().min(text.lines().count()));
            changed.push(format!(
                "{}: first difference at line {}:\n  golden: {}\n  now:    {}",
                path.display(),
                first + 1,
                expected.lines().nth(first).unwrap_or("(end)"),
                text.lines().nth(first).unwrap_or("(end)")
            ));
        }
    }
    assert!(
        changed.is_empty(),
        "the engine now behaves differently; if intended, rerun with HOLDSPACE_BLESS=1 and review the diff:\n{}",
        changed.join("\n")
    );
}
