//! What a scenario is about, and whether a reply has anything to do with it.
//!
//! A reply that makes no conversational move and shares no content word with the
//! scenario (its lines, replies, persona, issue and need) nor with the ordinary
//! business of a service call is off-topic: "Did you see the match last night?" to a
//! customer whose parcel is late. The customer reacts to that in character.

use std::collections::BTreeSet;

use crate::analysis::text::content_stems;
use crate::scenario::model::{BandLines, Scenario};

/// Words of any service call: asking for details, accounts, contact and payment are on
/// topic in every scenario even when the author never wrote them.
const SERVICE_CALL: &str = "account address amount app bank bill billing booking call callback card case charge \
    check code complaint confirm contact cost credit customer date day days details delivery department email \
    engineer fee help hour hours identity info information issue letter line message minute minutes money month \
    name note number order payment person phone postcode price problem process record reference refund replace \
    replacement security service sort system team text ticket time today tomorrow week name birth problem \
    manager supervisor sorry";

/// Content-word stems of everything a scenario is about.
pub fn vocabulary(scenario: &Scenario) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |text: &str| out.extend(content_stems(text));
    add(SERVICE_CALL);
    add(&scenario.title);
    add(&scenario.summary);
    add(&scenario.presenting_issue);
    add(&scenario.customer.persona);
    add(&scenario.hidden_need.summary);
    add(&scenario.hidden_need.revealed_line.text);
    for cue in &scenario.cues {
        add(&cue.description);
        for k in &cue.keywords {
            add(k);
        }
    }
    let lines = |lines: &BandLines, add: &mut dyn FnMut(&str)| {
        for line in lines.values().flatten() {
            add(&line.text);
        }
    };
    for step in &scenario.steps {
        lines(&step.say, &mut add);
        for point in &step.key_points {
            add(point);
        }
        for reply in &step.replies {
            add(&reply.text);
            for p in reply.phrasings.iter().chain(&reply.examples) {
                add(p);
            }
        }
    }
    for outcome in &scenario.outcomes {
        if let Some(line) = &outcome.line {
            add(&line.text);
        }
    }
    out
}

/// Whether words say nothing about the scenario: at least two content words, and fewer
/// than half of them shared with the scenario or a service call ("last" in "did you see
/// the match last night" is not enough). One unknown word is too little to judge by.
pub fn off_topic(said: &str, vocabulary: &BTreeSet<String>) -> bool {
    let stems = content_stems(said);
    let shared = stems.iter().filter(|s| vocabulary.contains(*s)).count();
    stems.len() >= 2 && shared * 2 < stems.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::shipped;

    #[test]
    fn small_talk_is_off_topic_and_the_call_is_not() {
        let all = shipped();
        let scenario = all
            .iter()
            .find(|s| s.scenario.id == "delivery_bereavement")
            .expect("shipped");
        let v = vocabulary(&scenario.scenario);
        assert!(off_topic("Did you see the match last night?", &v));
        assert!(off_topic("lovely weather we're having up here", &v));
        assert!(!off_topic("how's that left you?", &v));
        assert!(!off_topic("Is the parcel still at the depot?", &v));
        assert!(!off_topic("Can I take your postcode?", &v));
        assert!(!off_topic("What's happening on Friday?", &v));
    }
}
