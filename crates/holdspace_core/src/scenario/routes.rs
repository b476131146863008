//! How the customer's lines follow the routes into each step, for authors: which replies
//! lead where, where a line can follow a reply it does not fit, which lines can never be
//! said, and how many replies can be on offer together. Read by `validate`; `explore`
//! shows the same routes walked through the engine.

use std::collections::BTreeSet;

use crate::analysis::intent::Intent;
use crate::engine::lines::{Route, answers};
use crate::engine::state::Band;
use crate::scenario::model::{BandKey, BandLines, Condition, Facts, Next, Reply, Scenario, Step};

/// The replies whose `next` leads into `step` (a `Goto`), in file order.
pub fn incoming<'a>(s: &'a Scenario, step: &str) -> Vec<&'a Reply> {
    s.steps
        .iter()
        .flat_map(|st| st.replies.iter())
        .filter(|r| matches!(&r.next, Next::Goto(t) if t == step))
        .collect()
}

/// Whether the reply asks the customer something (a question they answer with a fact
/// or a story): a line written as the answer is a non-sequitur after anything else.
pub fn asks(reply: &Reply) -> bool {
    reply
        .intents
        .iter()
        .any(|i| matches!(i, Intent::OpenQuestion | Intent::ClosedQuestion))
        || reply.text.trim_end().ends_with('?')
}

/// Whether some line in `lines` is written for `reply` (by its id or one of its intents).
pub fn written_for(lines: &BandLines, reply: &Reply) -> bool {
    let route = Route {
        reply: Some(&reply.id),
        intents: &reply.intents,
    };
    lines.values().flatten().any(|l| answers(l, route).is_some())
}

/// A step whose lines for any route follow both a question and replies that ask nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch<'a> {
    /// The step.
    pub step: &'a Step,
    /// Questions that lead here with no line written for them.
    pub questions: Vec<&'a Reply>,
    /// Other replies that lead here with no line written for them.
    pub others: Vec<&'a Reply>,
}

/// Steps where a line written to answer one route can follow another it does not fit:
/// the step is reached both by a question and by a reply that asks nothing, and neither
/// has lines of its own (`after`, `after_intents`). The order number said after a
/// paraphrase is the case this catches.
pub fn mismatches(s: &Scenario) -> Vec<Mismatch<'_>> {
    let mut out = Vec::new();
    for step in &s.steps {
        if !step.say.values().flatten().any(|l| !l.follows_route()) {
            continue;
        }
        let mut seen = BTreeSet::new();
        let uncovered: Vec<&Reply> = incoming(s, &step.id)
            .into_iter()
            .filter(|r| seen.insert(r.id.as_str()) && !written_for(&step.say, r))
            .collect();
        let (questions, others): (Vec<&Reply>, Vec<&Reply>) = uncovered.into_iter().partition(|r| asks(r));
        if !questions.is_empty() && !others.is_empty() {
            out.push(Mismatch {
                step,
                questions,
                others,
            });
        }
    }
    out
}

/// The bands this customer can be in, given the temperament's escalation range.
pub fn reachable_bands(s: &Scenario) -> Vec<Band> {
    let t = &s.customer.temperament;
    let (lo, hi) = (Band::of(t.min_escalation).index(), Band::of(t.max_escalation).index());
    Band::ALL
        .iter()
        .copied()
        .filter(|b| (lo..=hi).contains(&b.index()))
        .collect()
}

/// A line that can never be said, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unused {
    /// The step.
    pub step: String,
    /// The band key.
    pub key: BandKey,
    /// Why.
    pub why: String,
    /// The reply id the line names, where that is the problem (to locate it).
    pub reply: Option<String>,
}

/// Step lines that can never be said: written for a band this customer never reaches,
/// under `Any` when every band they reach has lines of its own, or written to follow a
/// reply that never leads to the step.
pub fn unused_lines(s: &Scenario) -> Vec<Unused> {
    let bands = reachable_bands(s);
    let mut out = Vec::new();
    for step in &s.steps {
        let into: Vec<&Reply> = incoming(s, &step.id);
        for (key, list) in &step.say {
            match key.band() {
                Some(band) if !bands.contains(&band) => out.push(Unused {
                    step: step.id.clone(),
                    key: *key,
                    why: format!(
                        "this customer's escalation stays within {:.2}–{:.2}, so they are never {}",
                        s.customer.temperament.min_escalation,
                        s.customer.temperament.max_escalation,
                        band.label()
                    ),
                    reply: None,
                }),
                None if !list.is_empty()
                    && bands.iter().all(|b| {
                        step.say
                            .get(&BandKey::of(*b))
                            .is_some_and(|own| own.iter().any(|l| !l.follows_route()))
                    })
                    && list.iter().all(|l| !l.follows_route()) =>
                {
                    out.push(Unused {
                        step: step.id.clone(),
                        key: *key,
                        why: "every band this customer can be in has lines of its own".to_owned(),
                        reply: None,
                    });
                }
                _ => {}
            }
            for line in list {
                for id in &line.after {
                    let exists = s.steps.iter().flat_map(|st| st.replies.iter()).any(|r| &r.id == id);
                    if exists && !into.iter().any(|r| &r.id == id) {
                        out.push(Unused {
                            step: step.id.clone(),
                            key: *key,
                            why: format!("it follows the reply \"{id}\", which never leads to this step"),
                            reply: Some(id.clone()),
                        });
                    }
                }
            }
        }
    }
    out
}

/// How many of a step's replies can be on offer together: the fewest and the most over
/// every situation their `requires` tell apart, with a situation giving each.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferedTogether {
    /// The fewest on offer at once, and when.
    pub fewest: (usize, String),
    /// The most on offer at once, and when.
    pub most: (usize, String),
}

/// One situation a step can be met in, as far as its replies' `requires` can tell.
#[derive(Debug, Clone)]
struct Situation {
    revealed: bool,
    addressed: bool,
    escalation: f32,
    trust: f32,
    turns: u32,
    visited: BTreeSet<String>,
}

impl Situation {
    fn holds(&self, c: &Condition) -> bool {
        let visited = |id: &str| self.visited.contains(id);
        c.holds(&Facts {
            revealed: self.revealed,
            addressed: self.addressed,
            escalation: self.escalation,
            trust: self.trust,
            turns: self.turns,
            visited: &visited,
        })
    }

    fn describe(&self, conditions: &[&Condition]) -> String {
        let mut parts = vec![match (self.revealed, self.addressed) {
            (false, _) => "the need is hidden".to_owned(),
            (true, false) => "the need is out, not yet met".to_owned(),
            (true, true) => "the need is out and met".to_owned(),
        }];
        let has = |f: fn(&Condition) -> bool| conditions.iter().any(|c| f(c));
        if has(|c| matches!(c, Condition::EscalationAtLeast(_) | Condition::EscalationBelow(_))) {
            parts.push(format!("escalation {:.2}", self.escalation));
        }
        if has(|c| matches!(c, Condition::TrustAtLeast(_) | Condition::TrustBelow(_))) {
            parts.push(format!("trust {:.2}", self.trust));
        }
        if has(|c| matches!(c, Condition::TurnsAtLeast(_))) {
            parts.push(format!("{} turns taken", self.turns));
        }
        for c in conditions {
            if let Condition::Visited(id) = c {
                let seen = if self.visited.contains(id) { "" } else { "not " };
                parts.push(format!("\"{id}\" {seen}visited"));
            }
        }
        parts.dedup();
        parts.join(", ")
    }
}

/// Values either side of every threshold, so each comparison can come out both ways.
fn sample_points(thresholds: impl Iterator<Item = f32>, lowest: f32, highest: f32) -> Vec<f32> {
    let mut points = vec![lowest, highest];
    for t in thresholds {
        points.push(t);
        points.push(t - 0.001);
    }
    points.retain(|p| (lowest..=highest).contains(p));
    points.sort_by(f32::total_cmp);
    points.dedup();
    points
}

/// The fewest and the most of `step`'s replies on offer at once (see [`OfferedTogether`]).
pub fn offered_together(s: &Scenario, step: &Step) -> OfferedTogether {
    let conditions: Vec<&Condition> = step.replies.iter().flat_map(|r| r.requires.iter()).collect();
    let t = &s.customer.temperament;
    let escalations = sample_points(
        conditions.iter().filter_map(|c| match c {
            Condition::EscalationAtLeast(x) | Condition::EscalationBelow(x) => Some(*x),
            _ => None,
        }),
        t.min_escalation,
        t.max_escalation,
    );
    let trusts = sample_points(
        conditions.iter().filter_map(|c| match c {
            Condition::TrustAtLeast(x) | Condition::TrustBelow(x) => Some(*x),
            _ => None,
        }),
        0.0,
        1.0,
    );
    let mut turns: Vec<u32> = vec![0, s.max_turns];
    for c in &conditions {
        if let Condition::TurnsAtLeast(n) = c {
            turns.extend([*n, n.saturating_sub(1)]);
        }
    }
    turns.sort_unstable();
    turns.dedup();
    let places: Vec<&String> = conditions
        .iter()
        .filter_map(|c| match c {
            Condition::Visited(id) => Some(id),
            _ => None,
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let needs = if s.hidden_need.addressed_by.is_empty() {
        vec![(false, false), (true, false)]
    } else {
        vec![(false, false), (true, false), (true, true)]
    };
    let mut fewest: Option<(usize, String)> = None;
    let mut most: Option<(usize, String)> = None;
    // A handful of values each: a step's replies name few conditions.
    for &(revealed, addressed) in &needs {
        for &escalation in &escalations {
            for &trust in &trusts {
                for &turn in &turns {
                    for mask in 0..(1u32 << places.len().min(8)) {
                        let situation = Situation {
                            revealed,
                            addressed,
                            escalation,
                            trust,
                            turns: turn,
                            visited: places
                                .iter()
                                .enumerate()
                                .filter(|(i, _)| mask & (1 << i) != 0)
                                .map(|(_, p)| (*p).clone())
                                .collect(),
                        };
                        let n = step
                            .replies
                            .iter()
                            .filter(|r| r.requires.iter().all(|c| situation.holds(c)))
                            .count();
                        if fewest.as_ref().is_none_or(|(f, _)| n < *f) {
                            fewest = Some((n, situation.describe(&conditions)));
                        }
                        if most.as_ref().is_none_or(|(m, _)| n > *m) {
                            most = Some((n, situation.describe(&conditions)));
                        }
                    }
                }
            }
        }
    }
    let none = || (0, String::new());
    OfferedTogether {
        fewest: fewest.unwrap_or_else(none),
        most: most.unwrap_or_else(none),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load::parse_ron;

    fn shipped(id: &str) -> Scenario {
        let path = format!("{}/../../scenarios/{id}.ron", env!("CARGO_MANIFEST_DIR"));
        let source = std::fs::read_to_string(&path).expect("shipped scenario");
        parse_ron(&source).expect("parses")
    }

    #[test]
    fn a_question_and_a_paraphrase_into_one_line_is_a_mismatch_until_each_has_its_line() {
        let mut s = shipped("delivery_bereavement");
        for step in &mut s.steps {
            for list in step.say.values_mut() {
                list.retain(|l| !l.follows_route());
            }
        }
        s.steps.iter_mut().for_each(|st| st.say.retain(|_, l| !l.is_empty()));
        let found = mismatches(&s);
        let details = found
            .iter()
            .find(|m| m.step.id == "details")
            .expect("details is flagged");
        assert!(details.questions.iter().any(|r| r.id == "order_number"));
        assert!(details.others.iter().any(|r| r.id == "paraphrase_late"));
        assert!(mismatches(&shipped("delivery_bereavement")).is_empty());
    }

    #[test]
    fn gated_replies_are_counted_by_what_can_be_offered_together() {
        let s = shipped("delivery_bereavement");
        for step in &s.steps {
            let together = offered_together(&s, step);
            assert!(together.fewest.0 >= 2, "{}: {:?}", step.id, together);
            assert!(together.most.0 <= 5, "{}: {:?}", step.id, together);
        }
        let mut gated = s.steps[0].clone();
        gated.replies[0].requires = vec![Condition::NeedRevealed];
        gated.replies[1].requires = vec![Condition::NeedRevealed];
        gated.replies[2].requires = vec![Condition::NeedRevealed];
        let together = offered_together(&s, &gated);
        assert_eq!(together.fewest.0, 1);
        assert_eq!(together.fewest.1, "the need is hidden");
        assert_eq!(together.most.0, 4);
    }
}
