//! What moves the customer, in one place: the default effect of each move a trainee can
//! make, and the reactions the engine adds to it: to the moves heard (a "but" that takes
//! them back, paraphrase quality, apologies wearing out), to the moment (saying it again,
//! a stock line to someone upset, another promise, a procedural question after a hint),
//! to the delivery (pace, pauses, loudness, talking over them, fillers, eye contact), to
//! a reply given before, and to a cue picked up. Scenarios scale these per customer
//! (intent effects, delivery sensitivities, temperament); the engine's `weigh` phase
//! calls them in order.

use crate::analysis::intent::Intent;
use crate::analysis::{Analysis, Gaze, Layer, TurnInput};
use crate::engine::events::{Cause, Reason};
use crate::scenario::model::{DeliverySensitivity, Effect, Reply};

impl Intent {
    /// The effect on a typical customer, from contact-centre practice: listening and
    /// reflecting calm and build trust; telling people how they feel, minimising and
    /// policy walls escalate. Scenarios override these per customer.
    pub fn default_effect(self) -> Effect {
        let (escalation, trust) = match self {
            Intent::Acknowledge => (-0.06, 0.06),
            Intent::Paraphrase => (-0.10, 0.10),
            Intent::OpenQuestion => (-0.05, 0.06),
            Intent::ClosedQuestion => (0.0, 0.0),
            Intent::Apology => (-0.04, 0.02),
            Intent::AssumptiveEmpathy => (0.08, -0.06),
            Intent::Minimising => (0.15, -0.12),
            Intent::PolicyWall => (0.14, -0.10),
            Intent::Blame => (0.15, -0.12),
            Intent::TakeYourTime => (-0.07, 0.06),
            Intent::Solution => (-0.06, 0.04),
            Intent::Transfer => (0.05, -0.05),
            Intent::Silence => (0.04, -0.03),
            // Small on its own; the moment adds its cost (an upset customer hears a
            // script as not being listened to).
            Intent::Scripted => (0.03, -0.03),
            Intent::OffTopic => (0.08, -0.06),
        };
        Effect { escalation, trust }
    }
}

/// What the engine knows about the moment a reply lands in.
#[derive(Debug, Clone, Copy)]
pub(super) struct Moment {
    /// The customer is frustrated or worse.
    pub upset: bool,
    /// They showed a cue or the need is out: they are opening up.
    pub disclosing: bool,
    /// Their last line hinted at something (a cue) and the reply passed it by: it says
    /// nothing the cue is about, and it is not the customer's first line (where a plain
    /// identity question is the expected start of a call).
    pub passed_cue: bool,
    /// Turns in which a fix was promised before this one.
    pub promises: u32,
    /// The hidden need has been addressed.
    pub need_addressed: bool,
}

/// Each move heard, at its effect on this customer (`effect_of`: the scenario's
/// override, else [`Intent::default_effect`]), with the note the debrief shows. A move
/// taken back by a "but", or said beside a harm, counts for half; a paraphrase by how much it reflects; an
/// apology less each time (`apologies` counts them across the session).
pub(super) fn intent_reasons(
    analysis: &Analysis,
    said: &str,
    effect_of: impl Fn(Intent) -> Effect,
    apologies: &mut u32,
) -> Vec<Reason> {
    let mut reasons = Vec::new();
    // A harm in the reply is what the customer hears ("I'm so sorry, I know exactly how
    // you feel"): the help beside it counts for half, as a "but" takes help back.
    let harmed = analysis
        .intents
        .iter()
        .find(|i| i.is_harmful() && !analysis.undercut.contains(i));
    for intent in &analysis.intents {
        let mut effect = effect_of(*intent);
        let evidence = analysis
            .evidence
            .iter()
            .find(|(i, _)| i == intent)
            .map(|(_, e)| e.clone())
            .unwrap_or_default();
        let mut note = match (evidence.is_empty(), analysis.layer_of(*intent)) {
            (true, _) => intent.label().to_owned(),
            (false, Some(Layer::Option)) => format!("{} ({evidence})", intent.label()),
            (false, Some(Layer::Encoder)) => format!("heard as {} by its meaning, {evidence}", intent.label()),
            (false, _) => format!("heard as {}: {evidence}", intent.label()),
        };
        // "Sorry, but…": what the "but" takes back counts for half.
        if analysis.undercut.contains(intent) {
            effect.escalation *= 0.5;
            effect.trust *= 0.5;
            note.push_str(", taken back by the \"but\" that followed");
        } else if let Some(harm) = harmed.filter(|_| intent.is_helpful()) {
            effect.escalation *= 0.5;
            effect.trust *= 0.5;
            note.push_str(&format!(", for half: {} came with it", harm.label()));
        }
        match intent {
            // A close, accurate paraphrase calms more than a loose one.
            Intent::Paraphrase => {
                let quality = 0.5 + 0.5 * analysis.paraphrase;
                effect.escalation *= quality;
                effect.trust *= quality;
                note.push_str(&format!(
                    ", reflecting {:.0}% of what they said",
                    analysis.paraphrase * 100.0
                ));
            }
            // Apologies wear out: each one after the first in the session counts 0.6× the last.
            Intent::Apology => {
                let factor = 0.6_f32.powi(i32::try_from(*apologies).unwrap_or(i32::MAX));
                if *apologies > 0 {
                    note.push_str(", again: each repeat counts for less");
                }
                effect.escalation *= factor;
                effect.trust *= factor;
                *apologies += 1;
            }
            _ => {}
        }
        if said.trim().is_empty() && *intent == Intent::Silence {
            note = "you said nothing".to_owned();
        }
        reasons.push(Reason {
            cause: Cause::Intent(*intent),
            escalation: effect.escalation,
            trust: effect.trust,
            note,
        });
    }
    reasons
}

/// What the moment makes of a reply, whatever its intents: a stock line to someone
/// who is upset or opening up, the same promise again, a procedural question straight
/// after a hint.
pub(super) fn moment_reasons(analysis: &Analysis, reply: Option<&Reply>, moment: &Moment) -> Vec<Reason> {
    let mut out = Vec::new();
    let mut push = |escalation: f32, trust: f32, note: String| {
        out.push(Reason {
            cause: Cause::Moment,
            escalation,
            trust,
            note,
        });
    };
    let has = |i: Intent| analysis.intents.contains(&i);
    if let Some(words) = &analysis.repeats {
        push(
            0.05,
            -0.03,
            format!("telling them again (\"{words}\"): it says they were not listening the first time"),
        );
    }
    if has(Intent::Scripted) && (moment.upset || moment.disclosing) {
        push(0.05, -0.04, "a stock line to someone who wants to be heard".to_owned());
    }
    if has(Intent::Solution) && moment.promises >= 2 && !moment.need_addressed {
        let n = moment.promises;
        push(
            (0.03 * (n - 1) as f32).min(0.09),
            -0.03,
            format!("another promise: they have heard {n} already this call"),
        );
    }
    let only_procedure = has(Intent::ClosedQuestion) && !analysis.intents.iter().any(|i| i.is_helpful());
    if only_procedure && moment.passed_cue && reply.is_none_or(|r| r.intents.iter().all(|i| !i.is_listening())) {
        push(
            0.03,
            -0.02,
            "a procedural question straight after they hinted at something".to_owned(),
        );
    }
    out
}

/// A reply given before wins less each time: its calming effects are scaled by 0.6 per
/// earlier time (its harms are not softened).
pub(super) fn said_before(reasons: &mut [Reason], times: u32) {
    if times == 0 {
        return;
    }
    let factor = 0.6_f32.powi(i32::try_from(times).unwrap_or(i32::MAX));
    for reason in reasons.iter_mut().filter(|x| x.escalation < 0.0 || x.trust > 0.0) {
        if reason.escalation < 0.0 {
            reason.escalation *= factor;
        }
        if reason.trust > 0.0 {
            reason.trust *= factor;
        }
        reason.note.push_str(" (said before: it counts for less)");
    }
}

/// Picking up on what the customer hinted at.
pub(super) fn cue_noticed(cue: &str, description: &str) -> Reason {
    Reason {
        cause: Cause::CueNoticed(cue.to_owned()),
        escalation: -0.04,
        trust: 0.08,
        note: format!("you picked up on what they hinted at ({description})"),
    }
}

/// Delivery effects on a typical listener, scaled by the customer's sensitivities.
pub(super) fn delivery_reasons(
    input: &TurnInput,
    analysis: &Analysis,
    s: &DeliverySensitivity,
    disclosing: bool,
) -> Vec<Reason> {
    let d = &input.delivery;
    let mut out = Vec::new();
    let mut push = |cause: Cause, escalation: f32, trust: f32, note: String| {
        if escalation != 0.0 || trust != 0.0 {
            out.push(Reason {
                cause,
                escalation,
                trust,
                note,
            });
        }
    };
    if let Some(wpm) = d.words_per_min.filter(|w| *w > 170.0) {
        let over = ((wpm - 170.0) / 40.0).min(2.0);
        push(
            Cause::Pace,
            0.05 * over * s.pace,
            -0.02 * over * s.pace,
            format!("you spoke fast ({wpm:.0} words a minute); it sounds like you want them gone"),
        );
    }
    if let Some(pause) = d.pause_before_s.filter(|p| *p < 0.2) {
        push(
            Cause::Rushed,
            0.03 * s.pace,
            -0.02 * s.pace,
            format!("you came straight in ({pause:.1} s after they stopped), before they felt heard"),
        );
    }
    if let Some(pause) = d.pause_before_s.filter(|p| *p > 6.0) {
        let over = ((pause - 6.0) / 6.0).min(2.0);
        push(
            Cause::LongPause,
            0.04 * over * s.silence,
            -0.02 * over * s.silence,
            format!("{pause:.0} s of dead air before you answered"),
        );
    }
    // Against the trainee's own usual level when there is one (a microphone's gain says
    // nothing about how loud a person is), else against typical headset levels.
    let raised_quiet = match (d.loudness_vs_baseline_db, d.loudness_db) {
        (Some(rel), _) => Some((
            (rel - 6.0) / 6.0,
            rel < -10.0,
            format!("{rel:+.0} dB against your usual"),
        )),
        (None, Some(db)) => Some(((db + 12.0) / 6.0, db < -36.0, format!("{db:.0} dBFS"))),
        (None, None) => None,
    };
    if let Some((over, quiet, measured)) = raised_quiet {
        if over > 0.0 {
            let over = over.clamp(0.25, 2.0);
            push(
                Cause::Loudness,
                0.07 * over * s.loudness,
                -0.04 * over * s.loudness,
                format!("your voice was raised ({measured})"),
            );
        } else if quiet {
            push(
                Cause::Quiet,
                0.02 * s.loudness,
                -0.03 * s.loudness,
                format!("you were hard to hear ({measured})"),
            );
        }
    }
    if d.interrupted {
        push(
            Cause::Interruption,
            0.08 * s.interruptions,
            -0.06 * s.interruptions,
            "you talked over them".to_owned(),
        );
    }
    if let Some(talked) = d.cut_off_after_s {
        // Someone who had to cut in to be heard feels talked at, whatever the words were.
        push(
            Cause::TalkedOn,
            0.05 * s.interruptions,
            -0.04 * s.interruptions,
            format!("you talked for {talked:.0} s without handing them the turn, until they cut in"),
        );
    }
    let fillers = d.fillers.unwrap_or(analysis.fillers);
    if fillers >= 3 {
        let n = (fillers - 2).min(4) as f32;
        push(
            Cause::Fillers,
            0.01 * n * s.fillers,
            -0.015 * n * s.fillers,
            format!("{fillers} filler words (\"um\", \"you know\") made you sound unsure"),
        );
    }
    if let Some(gaze) = d.gaze {
        let listening = gaze.while_listening;
        let away = |v: Option<f32>, below: f32| v.is_some_and(|v| v < below);
        if disclosing && away(listening, Gaze::LOOKED_AWAY) {
            let pct = listening.unwrap_or_default() * 100.0;
            push(
                Cause::LookedAway,
                0.04 * s.eye_contact,
                -0.04 * s.eye_contact,
                format!("you looked away while they were opening up (eyes on them {pct:.0} % of the time)"),
            );
        } else if away(listening, 0.25) && away(gaze.while_replying, 0.25) {
            push(
                Cause::LookedAway,
                0.01 * s.eye_contact,
                -0.02 * s.eye_contact,
                "you hardly looked at them".to_owned(),
            );
        } else if disclosing && listening.is_some_and(|v| v >= Gaze::HELD) {
            push(
                Cause::EyeContact,
                0.0,
                0.02 * s.eye_contact,
                "you kept your eyes on them while they opened up".to_owned(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(intents: &[Intent], undercut: &[Intent]) -> f32 {
        let analysis = Analysis {
            intents: intents.to_vec(),
            undercut: undercut.to_vec(),
            ..Analysis::default()
        };
        intent_reasons(&analysis, "words", Intent::default_effect, &mut 0)
            .iter()
            .map(|r| r.escalation)
            .sum()
    }

    /// The harm is what the customer hears (docs/labelling.md, "Direction"): kind words
    /// said with assumptive empathy or a transfer do not make up for it.
    #[test]
    fn help_said_beside_a_harm_does_not_outweigh_it() {
        use Intent::*;
        for moves in [
            &[Acknowledge, AssumptiveEmpathy, TakeYourTime][..],
            &[Apology, Transfer],
            &[Paraphrase, AssumptiveEmpathy],
            &[Solution, Transfer],
        ] {
            assert!(net(moves, &[]) > 0.0, "{moves:?}: {}", net(moves, &[]));
        }
        // Alone, the same help calms.
        assert!(net(&[Acknowledge, TakeYourTime], &[]) < 0.0);
        // Help a "but" took back is not halved twice.
        let taken_back = net(&[Apology, PolicyWall], &[Apology]);
        let beside = net(&[Apology, PolicyWall], &[]);
        assert!((taken_back - beside).abs() < 1e-6);
    }
}
