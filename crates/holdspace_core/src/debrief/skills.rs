//! The four skills the product teaches, scored per session, and progress across attempts
//! with a suggested next scenario for the weakest skill.
//!
//! Scores come from the session record alone (no scenario file needed), so a coach can
//! score records from another machine. Each score is 0..1; a skill a session gave no
//! evidence for (delivery, when every reply was clicked) is left out rather than guessed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::analysis::intent::Intent;
use crate::debrief::DeliverySummary;
use crate::engine::events::SessionEvent;
use crate::engine::journal::instant;
use crate::engine::record::{SessionRecord, TurnRecord};
use crate::scenario::model::OutcomeKind;

/// A skill the scenarios practise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Skill {
    /// Reflecting the customer's words back and asking open questions.
    Listening,
    /// Not claiming to know how they feel, not minimising ("calm down").
    AvoidingAssumptions,
    /// Pace, loudness, pauses, no interrupting, few fillers.
    CalmingDelivery,
    /// Picking up cues and bringing out the thing behind the thing.
    FindingTheNeed,
}

impl Skill {
    /// Every skill, in display order.
    pub const ALL: [Skill; 4] = [
        Skill::Listening,
        Skill::AvoidingAssumptions,
        Skill::CalmingDelivery,
        Skill::FindingTheNeed,
    ];

    /// The name shown to trainees and coaches.
    pub fn label(self) -> &'static str {
        match self {
            Skill::Listening => "Listening and paraphrasing",
            Skill::AvoidingAssumptions => "Avoiding assumptive empathy",
            Skill::CalmingDelivery => "Calming delivery",
            Skill::FindingTheNeed => "Finding the hidden need",
        }
    }

    /// One line on what to practise.
    pub fn advice(self) -> &'static str {
        match self {
            Skill::Listening => {
                "Reflect the customer's own words back before you solve anything, and ask open questions."
            }
            Skill::AvoidingAssumptions => {
                "Ask how it is for them instead of telling them (\"that must be frustrating\"), and never say \"calm down\"."
            }
            Skill::CalmingDelivery => {
                "Slow down, keep your voice level, leave a breath before replying, and let them finish."
            }
            Skill::FindingTheNeed => {
                "Notice the odd detail, the flat \"fine\", the pause, and ask about it: that is where the real need is."
            }
        }
    }
}

/// How much each listening move counts towards the listening score.
fn listening_credit(intent: Intent) -> f32 {
    match intent {
        Intent::Paraphrase => 1.0,
        Intent::OpenQuestion => 0.8,
        Intent::Acknowledge | Intent::TakeYourTime => 0.6,
        _ => 0.0,
    }
}

/// Escalation from delivery that takes the calming-delivery score of a turn to zero.
const DELIVERY_FULL_PENALTY: f32 = 0.15;

/// A session's score per skill (a skill without evidence is absent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SkillScores(pub BTreeMap<Skill, f32>);

impl SkillScores {
    /// Scores a session record.
    pub fn of(record: &SessionRecord) -> SkillScores {
        let mut scores = BTreeMap::new();
        // Turns the customer did not hear are not scored.
        let turns: Vec<&TurnRecord> = record.turns.iter().filter(|t| !t.analysis.misheard).collect();
        if !turns.is_empty() {
            let n = turns.len() as f32;
            let listening: f32 = turns
                .iter()
                .map(|t| {
                    let moves = t
                        .analysis
                        .intents
                        .iter()
                        .map(|i| listening_credit(*i))
                        .fold(0.0, f32::max);
                    moves.max(t.analysis.paraphrase)
                })
                .sum();
            scores.insert(Skill::Listening, listening / n);
            let assumptive = turns
                .iter()
                .filter(|t| {
                    t.analysis
                        .intents
                        .iter()
                        .any(|i| matches!(i, Intent::AssumptiveEmpathy | Intent::Minimising))
                })
                .count() as f32;
            scores.insert(Skill::AvoidingAssumptions, 1.0 - assumptive / n);
        }
        let measured: Vec<f32> = turns
            .iter()
            .filter(|t| {
                let d = &t.input.delivery;
                d.words_per_min.is_some()
                    || d.loudness_db.is_some()
                    || d.pause_before_s.is_some()
                    || d.fillers.is_some()
                    || d.interrupted
                    || d.cut_off_after_s.is_some()
            })
            .map(|t| {
                let pushed: f32 = t
                    .reasons
                    .iter()
                    .filter(|r| r.cause.is_delivery())
                    .map(|r| r.escalation)
                    .sum();
                (1.0 - pushed.max(0.0) / DELIVERY_FULL_PENALTY).clamp(0.0, 1.0)
            })
            .collect();
        if !measured.is_empty() {
            scores.insert(
                Skill::CalmingDelivery,
                measured.iter().sum::<f32>() / measured.len() as f32,
            );
        }
        scores.insert(Skill::FindingTheNeed, need_score(record));
        SkillScores(scores.into_iter().map(|(k, v)| (k, round2(v))).collect())
    }

    /// The score for one skill, if there was evidence.
    pub fn get(&self, skill: Skill) -> Option<f32> {
        self.0.get(&skill).copied()
    }

    /// Per skill, the mean over the attempts that scored it ("your earlier attempts").
    pub fn average<'a>(scores: impl IntoIterator<Item = &'a SkillScores>) -> SkillScores {
        let mut sums: BTreeMap<Skill, (f32, u32)> = BTreeMap::new();
        for s in scores {
            for (skill, v) in &s.0 {
                let e = sums.entry(*skill).or_default();
                e.0 += v;
                e.1 += 1;
            }
        }
        SkillScores(
            sums.into_iter()
                .map(|(k, (sum, n))| (k, round2(sum / n as f32)))
                .collect(),
        )
    }

    /// The rows of the skills table, beside the mean of `earlier` attempts when there
    /// were any: the debrief screen and the coach's report both show these.
    pub fn rows(&self, earlier: &[Attempt]) -> Vec<SkillRow> {
        let before = (!earlier.is_empty()).then(|| SkillScores::average(earlier.iter().map(|a| &a.skills)));
        let percent = |v: Option<f32>| v.map_or_else(|| "no evidence".to_owned(), |v| format!("{:.0}%", v * 100.0));
        Skill::ALL
            .into_iter()
            .map(|skill| SkillRow {
                skill,
                share: self.get(skill),
                now: percent(self.get(skill)),
                before: before.as_ref().map(|b| percent(b.get(skill))),
            })
            .collect()
    }

    /// The mean over the skills scored.
    pub fn overall(&self) -> f32 {
        if self.0.is_empty() {
            return 0.0;
        }
        round2(self.0.values().sum::<f32>() / self.0.len() as f32)
    }
}

/// One row of the skills table.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillRow {
    /// The skill (its label names the row).
    pub skill: Skill,
    /// This attempt's score from 0 to 1, for a bar; `None` without evidence.
    pub share: Option<f32>,
    /// This attempt's score as text ("72%", "no evidence").
    pub now: String,
    /// The mean of earlier attempts as text; `None` on a first attempt.
    pub before: Option<String>,
}

/// Met the need: 1. Found it: 0.7. Otherwise up to 0.5 for the cues picked up.
fn need_score(record: &SessionRecord) -> f32 {
    let (mut revealed, mut addressed) = (false, false);
    let mut shown: Vec<&str> = Vec::new();
    let mut noticed: Vec<&str> = Vec::new();
    for e in &record.events {
        match e {
            SessionEvent::NeedRevealed { .. } => revealed = true,
            SessionEvent::NeedAddressed { .. } => addressed = true,
            SessionEvent::CustomerSpoke(s) => {
                if let Some(c) = &s.cue
                    && !shown.contains(&c.as_str())
                {
                    shown.push(c);
                }
            }
            SessionEvent::CueNoticed { cue, .. } if !noticed.contains(&cue.as_str()) => noticed.push(cue),
            _ => {}
        }
    }
    match (revealed, addressed) {
        (true, true) => 1.0,
        (true, false) => 0.7,
        _ if shown.is_empty() => 0.0,
        _ => 0.5 * noticed.len().min(shown.len()) as f32 / shown.len() as f32,
    }
}

fn round2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

/// One finished (or cut-short) attempt, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// Session id.
    pub session_id: String,
    /// Scenario id.
    pub scenario_id: String,
    /// Start time, RFC 3339: attempts sort by it.
    pub started_at: String,
    /// How it ended (`None`: cut short).
    pub outcome: Option<OutcomeKind>,
    /// Turns taken.
    pub turns: u32,
    /// Scores.
    pub skills: SkillScores,
    /// How the trainee spoke.
    pub delivery: DeliverySummary,
}

impl Attempt {
    /// Summarises a record.
    pub fn of(session_id: &str, started_at: &str, record: &SessionRecord) -> Attempt {
        Attempt {
            session_id: session_id.to_owned(),
            scenario_id: record.scenario_id.clone(),
            started_at: started_at.to_owned(),
            outcome: record.outcome.as_ref().map(|o| o.kind),
            turns: record.turns.len() as u32,
            skills: SkillScores::of(record),
            delivery: DeliverySummary::of(&record.turns),
        }
    }
}

/// A scenario as the suggestion sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The skills it is written to practise (all four when the author named none).
    pub practises: Vec<Skill>,
}

/// How one skill is going.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillProgress {
    /// The skill.
    pub skill: Skill,
    /// Attempts that scored it.
    pub measured: u32,
    /// Its score in the first of those attempts.
    pub first: Option<f32>,
    /// In the latest.
    pub latest: Option<f32>,
    /// Mean over the last [`RECENT`] attempts that scored it.
    pub recent: Option<f32>,
}

/// How many recent attempts the "recent" mean and the weakest skill look at.
pub const RECENT: usize = 3;

/// A scenario to try next, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// Scenario id.
    pub scenario_id: String,
    /// Its title.
    pub title: String,
    /// The skill it targets.
    pub skill: Skill,
    /// Plain-words reason.
    pub why: String,
}

/// A trainee's progress over their attempts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Attempts, oldest first, with their overall score.
    pub attempts: Vec<(Attempt, f32)>,
    /// Per skill, in [`Skill::ALL`] order.
    pub skills: Vec<SkillProgress>,
    /// The skill with the lowest recent mean.
    pub weakest: Option<Skill>,
    /// What to play next.
    pub suggestion: Option<Suggestion>,
}

impl Progress {
    /// Builds progress from attempts (any order) and the scenarios on offer.
    pub fn build(mut attempts: Vec<Attempt>, catalogue: &[ScenarioInfo]) -> Progress {
        attempts.sort_by_cached_key(|a| (instant(&a.started_at), a.started_at.clone(), a.session_id.clone()));
        let skills: Vec<SkillProgress> = Skill::ALL
            .iter()
            .map(|&skill| {
                let scored: Vec<f32> = attempts.iter().filter_map(|a| a.skills.get(skill)).collect();
                let recent = &scored[scored.len().saturating_sub(RECENT)..];
                SkillProgress {
                    skill,
                    measured: scored.len() as u32,
                    first: scored.first().copied(),
                    latest: scored.last().copied(),
                    recent: (!recent.is_empty()).then(|| round2(recent.iter().sum::<f32>() / recent.len() as f32)),
                }
            })
            .collect();
        let weakest = skills
            .iter()
            .filter_map(|p| p.recent.map(|r| (p.skill, r)))
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
            .map(|(s, _)| s);
        let suggestion = weakest.and_then(|skill| suggest(skill, &skills, &attempts, catalogue));
        Progress {
            attempts: attempts
                .into_iter()
                .map(|a| {
                    let overall = a.skills.overall();
                    (a, overall)
                })
                .collect(),
            skills,
            weakest,
            suggestion,
        }
    }
}

/// Among scenarios that practise `skill`, the one this trainee has tried least, then the
/// one where they scored lowest on it, then by id (so the pick is stable).
fn suggest(
    skill: Skill,
    skills: &[SkillProgress],
    attempts: &[Attempt],
    catalogue: &[ScenarioInfo],
) -> Option<Suggestion> {
    let practises = |s: &ScenarioInfo| s.practises.is_empty() || s.practises.contains(&skill);
    let tries = |id: &str| attempts.iter().filter(|a| a.scenario_id == id).count();
    let best_on = |id: &str| {
        attempts
            .iter()
            .filter(|a| a.scenario_id == id)
            .filter_map(|a| a.skills.get(skill))
            .fold(f32::NEG_INFINITY, f32::max)
    };
    // Named practice beats "practises everything by default".
    let pick = catalogue.iter().filter(|s| practises(s)).min_by(|a, b| {
        a.practises
            .is_empty()
            .cmp(&b.practises.is_empty())
            .then(tries(&a.id).cmp(&tries(&b.id)))
            .then(best_on(&a.id).total_cmp(&best_on(&b.id)))
            .then(a.id.cmp(&b.id))
    })?;
    let recent = skills
        .iter()
        .find(|p| p.skill == skill)
        .and_then(|p| p.recent)
        .unwrap_or(0.0);
    let tried = tries(&pick.id);
    let history = if tried == 0 {
        "you have not tried it yet".to_owned()
    } else {
        format!("you have tried it {tried} time{}", if tried == 1 { "" } else { "s" })
    };
    Some(Suggestion {
        scenario_id: pick.id.clone(),
        title: pick.title.clone(),
        skill,
        why: format!(
            "{} is your weakest skill lately ({:.0}%). \"{}\" practises it, and {history}. {}",
            skill.label(),
            recent * 100.0,
            pick.title,
            skill.advice()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Delivery, TurnInput};
    use crate::engine::{Mode, Session};
    use crate::testing::by_id;

    fn play(seed: u64, turns: &[TurnInput]) -> SessionRecord {
        let (mut s, _) = Session::new(by_id("delivery_bereavement"), seed, Mode::Guided);
        for t in turns {
            if s.is_ended() {
                break;
            }
            s.respond(t.clone()).expect("accepted");
        }
        s.record()
    }

    fn shouted(text: &str) -> TurnInput {
        TurnInput {
            text: text.to_owned(),
            chosen_option: None,
            delivery: Delivery {
                words_per_min: Some(230.0),
                loudness_db: Some(-4.0),
                pause_before_s: Some(0.0),
                interrupted: true,
                fillers: Some(2),
                ..Delivery::default()
            },
            confidence: None,
            understanding: None,
        }
    }

    #[test]
    fn the_skills_table_has_a_row_per_skill_and_compares_only_with_earlier_attempts() {
        let record = play(1, &[shouted("Calm down, it's just a parcel.")]);
        let scores = SkillScores::of(&record);
        let first = scores.rows(&[]);
        assert_eq!(first.iter().map(|r| r.skill).collect::<Vec<_>>(), Skill::ALL.to_vec());
        assert!(
            first.iter().all(|r| r.before.is_none()),
            "nothing to compare on a first attempt"
        );
        let listening = &first[0];
        assert_eq!(
            listening.now,
            format!("{:.0}%", scores.get(listening.skill).unwrap_or(0.0) * 100.0)
        );
        let earlier = Attempt::of("s1", "2026-12-01T10:00:00Z", &record);
        let again = scores.rows(std::slice::from_ref(&earlier));
        for row in &again {
            assert_eq!(
                row.before.as_ref(),
                Some(&row.now),
                "the same record before and now: {row:?}"
            );
        }
        let never = SkillScores::default().rows(&[]);
        assert!(never.iter().all(|r| r.share.is_none() && r.now == "no evidence"));
    }

    #[test]
    fn listening_that_finds_the_need_outscores_rushing_to_fix() {
        let good = SkillScores::of(&play(
            1,
            &[
                TurnInput::say(
                    "So it was meant to come on Tuesday, the tracking says out for delivery, and you need it by Friday.",
                ),
                TurnInput::say(
                    "You said it doesn't matter why, but it sounds like it does. Would you tell me what it's for?",
                ),
                TurnInput::choose("guarantee_and_call"),
            ],
        ));
        let poor = SkillScores::of(&play(
            1,
            &[
                shouted("Calm down, that must be really frustrating."),
                shouted("It's our policy, there's nothing I can do."),
            ],
        ));
        assert_eq!(good.get(Skill::FindingTheNeed), Some(1.0));
        assert!(
            good.get(Skill::Listening) > poor.get(Skill::Listening),
            "{good:?} vs {poor:?}"
        );
        assert!(good.get(Skill::AvoidingAssumptions) > poor.get(Skill::AvoidingAssumptions));
        assert_eq!(good.get(Skill::CalmingDelivery), None, "no turn was measured");
        assert!(poor.get(Skill::CalmingDelivery).is_some_and(|d| d < 0.5), "{poor:?}");
        assert!(good.overall() > poor.overall());
    }

    #[test]
    fn the_weakest_skill_picks_an_untried_scenario_that_practises_it() {
        let mut strong = SkillScores::default();
        for s in Skill::ALL {
            strong.0.insert(s, 0.9);
        }
        let mut weak_need = strong.clone();
        weak_need.0.insert(Skill::FindingTheNeed, 0.2);
        let attempts = vec![
            Attempt {
                session_id: "b".into(),
                scenario_id: "billing".into(),
                started_at: "2026-11-02T00:00:00Z".into(),
                outcome: Some(OutcomeKind::SurfaceOnly),
                turns: 4,
                skills: weak_need,
                delivery: DeliverySummary::default(),
            },
            Attempt {
                session_id: "a".into(),
                scenario_id: "delivery".into(),
                started_at: "2026-11-01T00:00:00Z".into(),
                outcome: Some(OutcomeKind::Resolved),
                turns: 4,
                skills: strong,
                delivery: DeliverySummary::default(),
            },
        ];
        let info = |id: &str, practises: Vec<Skill>| ScenarioInfo {
            id: id.into(),
            title: id.to_uppercase(),
            practises,
        };
        let catalogue = vec![
            info("billing", vec![Skill::FindingTheNeed]),
            info("delivery", vec![Skill::FindingTheNeed, Skill::Listening]),
            info("lonely", vec![Skill::FindingTheNeed]),
            info("locked_out", vec![Skill::CalmingDelivery]),
        ];
        let progress = Progress::build(attempts, &catalogue);
        assert_eq!(progress.attempts[0].0.session_id, "a", "oldest first");
        assert_eq!(progress.weakest, Some(Skill::FindingTheNeed));
        let need = &progress.skills[3];
        assert_eq!(
            (need.first, need.latest, need.recent),
            (Some(0.9), Some(0.2), Some(0.55))
        );
        let s = progress.suggestion.expect("a suggestion");
        assert_eq!(s.scenario_id, "lonely", "untried and practises the need: {}", s.why);
        assert!(s.why.contains("not tried"), "{}", s.why);
    }

    #[test]
    fn no_attempts_means_no_weakest_skill_and_no_suggestion() {
        let p = Progress::build(Vec::new(), &[]);
        assert_eq!((p.weakest, p.suggestion), (None, None));
        assert!(p.skills.iter().all(|s| s.measured == 0));
    }
}
