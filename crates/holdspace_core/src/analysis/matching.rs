//! Matching free words to the replies on offer, by meaning.
//!
//! A reply matches only when what was said means what the reply means: the words are
//! close to the reply's text, phrasings or examples (never one shared word), and the
//! moves heard agree with the reply's (a refusal never matches a fix, a harmless reply
//! is never taken as a harmful one, nor the other way round).

use crate::analysis::disowning::statements;
use crate::analysis::intent::Intent;
use crate::analysis::text::content_stems;
use crate::analysis::{Analysis, Layer, MatchEvidence, Understanding};
use crate::scenario::model::Reply;

/// Closeness (0..1) a reply needs to be taken as what was meant, when the moves heard
/// agree with it.
pub const MATCH_AT: f32 = 0.4;
/// Closeness a reply needs when none of its moves were heard (but none contradict it).
pub const MATCH_WITHOUT_MOVES_AT: f32 = 0.6;
/// Closeness in meaning (the encoder's cosine) a reply needs when the moves agree. The
/// plain encoder puts a paraphrase in other words at 0.5–0.7 from the authored text; on
/// the training rows 0.55 matched best (0.70 missed paraphrases, 0.50 took near misses).
pub const MEANING_AT: f32 = 0.55;
/// Closeness in meaning a reply needs when none of its moves were heard.
pub const MEANING_WITHOUT_MOVES_AT: f32 = 0.8;

/// How close two texts are in content: the mean of how much of the target was said
/// (coverage) and the Dice overlap of both. 0 with fewer than two shared content
/// words, unless the target has only one or two and all of them were said in a short reply.
pub fn closeness(said: &[String], target: &[String]) -> f32 {
    closeness_of(&Said::all(said), target)
}

/// What was said, for closeness: the stems said as moves, and how many were said in all.
struct Said<'a> {
    /// The stems that can match (not those of what the trainee said they will not do).
    moves: &'a [String],
    /// How many stems were said in all: a reply is no shorter, nor closer to a short
    /// reply, for words set aside.
    len: usize,
}

impl<'a> Said<'a> {
    /// Every stem said counts.
    fn all(stems: &'a [String]) -> Self {
        Self {
            moves: stems,
            len: stems.len(),
        }
    }
}

/// [`closeness`] of what was said to a target.
fn closeness_of(said: &Said, target: &[String]) -> f32 {
    if said.len == 0 || target.is_empty() {
        return 0.0;
    }
    let shared = target.iter().filter(|t| said.moves.contains(t)).count();
    let short_and_whole = target.len() <= 2 && shared == target.len() && said.len <= 3;
    if shared < 2 && !short_and_whole {
        return 0.0;
    }
    let coverage = shared as f32 / target.len() as f32;
    let dice = 2.0 * shared as f32 / (said.len + target.len()) as f32;
    0.5 * coverage + 0.5 * dice
}

/// Whether the moves heard can be the reply's moves. ([`scores`] also takes the moves
/// as the ear hears them in the reply's own text, where they differ from its author's:
/// [`Understanding::heard_in_replies`].)
pub fn consistent(reply: &[Intent], heard: &[Intent]) -> bool {
    let harm = |v: &[Intent]| v.iter().copied().filter(|i| i.is_harmful()).collect::<Vec<_>>();
    let (reply_harm, heard_harm) = (harm(reply), harm(heard));
    match (reply_harm.is_empty(), heard_harm.is_empty()) {
        // Harm heard, the reply has none: "I can't unlock it" is not "that's you unlocked".
        (true, false) => false,
        // The reply is harmful and nothing harmful was heard: never accuse.
        (false, true) => false,
        (false, false) => reply_harm.iter().any(|i| heard_harm.contains(i)),
        (true, true) => true,
    }
}

/// An apology is said or it is not: a reply that apologises is not what was meant by
/// words with no apology in them, however close in topic ("you said it's nothing, but
/// Jean's clearly a big part of it" is not "I'm sorry about Jean").
pub fn apologises_if_it_must(reply: &[Intent], heard: &[Intent]) -> bool {
    !reply.contains(&Intent::Apology) || heard.contains(&Intent::Apology)
}

/// How one reply on offer scores against what was said.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// The reply's id.
    pub reply: String,
    /// 0..1 closeness to its nearest text, phrasing or example (rounded to 3 decimals).
    pub similarity: f32,
    /// That nearest text.
    pub like: String,
    /// Whether the moves heard can be its moves.
    pub consistent: bool,
    /// Whether at least one of its moves was heard.
    pub agrees: bool,
    /// Closeness in meaning from the sentence encoder (absent without it), and the text
    /// it was closest to.
    pub meaning: Option<(f32, String)>,
}

impl Score {
    /// The closeness it needs to be taken as meant.
    pub fn threshold(&self) -> f32 {
        if self.agrees { MATCH_AT } else { MATCH_WITHOUT_MOVES_AT }
    }

    /// The closeness in meaning it needs.
    pub fn meaning_threshold(&self) -> f32 {
        if self.agrees {
            MEANING_AT
        } else {
            MEANING_WITHOUT_MOVES_AT
        }
    }

    /// Whether its meaning alone is close enough.
    pub fn close_in_meaning(&self) -> bool {
        self.meaning
            .as_ref()
            .is_some_and(|(m, _)| *m >= self.meaning_threshold())
    }

    /// Whether it is close enough (in words or in meaning) and consistent.
    pub fn qualifies(&self) -> bool {
        self.consistent && (self.similarity >= self.threshold() || self.close_in_meaning())
    }

    /// How strongly it is the one meant, for choosing among several that qualify.
    fn rank(&self) -> f32 {
        let meaning = self.meaning.as_ref().map_or(0.0, |(m, _)| *m);
        self.similarity.max(meaning) + if self.agrees { 0.05 } else { 0.0 }
    }
}

/// Every offered reply's score against what was said, in offer order.
pub fn scores(
    offered: &[&Reply],
    analysis: &Analysis,
    said: &str,
    understanding: Option<&Understanding>,
) -> Vec<Score> {
    let all_stems = content_stems(said);
    let move_stems = stems_said(said, &all_stems);
    let said_stems = Said {
        moves: &move_stems,
        len: all_stems.len(),
    };
    offered
        .iter()
        .map(|reply| {
            let agrees = reply.intents.iter().any(|i| analysis.intents.contains(i));
            let texts = std::iter::once(&reply.text)
                .chain(reply.phrasings.iter())
                .chain(reply.examples.iter());
            let mut best = (0.0_f32, reply.text.clone());
            for text in texts {
                // When the moves agree, saying one sentence of a longer reply is saying
                // it: "That must be really frustrating." is the first half of the
                // assumptive reply, and all of its move.
                let parts = if agrees { sentences_of(text) } else { Vec::new() };
                for part in std::iter::once(text.as_str()).chain(parts.iter().map(String::as_str)) {
                    let c = closeness_of(&said_stems, &content_stems(part));
                    if c > best.0 {
                        best = (c, part.to_owned());
                    }
                }
            }
            Score {
                reply: reply.id.clone(),
                similarity: round3(best.0),
                like: best.1,
                consistent: (consistent(&reply.intents, &analysis.intents)
                    || understanding
                        .and_then(|u| u.heard_in_replies.iter().find(|(id, _)| *id == reply.id))
                        .is_some_and(|(_, in_text)| consistent(in_text, &analysis.intents)))
                    && apologises_if_it_must(&reply.intents, &analysis.intents),
                agrees,
                meaning: understanding.and_then(|u| {
                    u.replies
                        .iter()
                        .find(|(id, _, _)| *id == reply.id)
                        .map(|(_, m, like)| (*m, like.clone()))
                }),
            }
        })
        .collect()
}

/// The content stems of what was said as moves: the words of a statement saying what
/// the trainee will not do ("I won't just say sorry again") name a move not made, and
/// matching on them would credit it.
fn stems_said(said: &str, all: &[String]) -> Vec<String> {
    let statements = statements(said);
    if !statements.iter().any(|s| s.refrains) {
        return all.to_vec();
    }
    let kept: Vec<String> = statements.iter().filter(|s| !s.refrains).map(|s| s.text()).collect();
    content_stems(&kept.join(" "))
}

/// The offered reply that free words most likely meant, if any is close enough.
pub fn best_match(
    offered: &[&Reply],
    analysis: &Analysis,
    said: &str,
    understanding: Option<&Understanding>,
) -> Option<MatchEvidence> {
    if analysis.intents.contains(&Intent::Silence) || analysis.intents.contains(&Intent::OffTopic) {
        return None;
    }
    // Agreeing moves break near-ties in favour of the reply that does what was heard.
    let mut best: Option<Score> = None;
    for score in scores(offered, analysis, said, understanding) {
        if score.qualifies() && best.as_ref().is_none_or(|b| score.rank() > b.rank()) {
            best = Some(score);
        }
    }
    best.map(|s| {
        let by_words = s.similarity >= s.threshold();
        match (by_words, s.meaning) {
            (false, Some((m, like))) => MatchEvidence {
                reply: s.reply,
                similarity: m,
                like,
                layer: Layer::Encoder,
            },
            _ => MatchEvidence {
                reply: s.reply,
                similarity: s.similarity,
                like: s.like,
                layer: Layer::Overlap,
            },
        }
    })
}

/// The sentences of a text, when it has more than one.
fn sentences_of(text: &str) -> Vec<String> {
    let parts: Vec<String> = text
        .split(['.', '?', '!'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    if parts.len() > 1 { parts } else { Vec::new() }
}

/// Rounds to three decimals so a threshold decides the same on every machine.
fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lexicon;
    use crate::analysis::analyse;
    use crate::scenario::model::Next;

    fn reply(id: &str, text: &str, intents: &[Intent]) -> Reply {
        Reply {
            id: id.to_owned(),
            text: text.to_owned(),
            phrasings: Vec::new(),
            examples: Vec::new(),
            intents: intents.to_vec(),
            effect: Default::default(),
            next: Next::Finish,
            requires: Vec::new(),
            answer: Default::default(),
            coach: String::new(),
        }
    }

    fn matched(said: &str, offered: &[Reply]) -> Option<String> {
        let refs: Vec<&Reply> = offered.iter().collect();
        let a = analyse(said, &Lexicon::builtin(), "", &[]);
        best_match(&refs, &a, said, None).map(|m| m.reply)
    }

    #[test]
    fn a_refusal_never_matches_the_fix() {
        let offered = [
            reply("unlock", "Right, I'll unlock your account now.", &[Intent::Solution]),
            reply(
                "wall",
                "I can't do anything without the card reader.",
                &[Intent::PolicyWall],
            ),
        ];
        assert_eq!(matched("I'm not permitted to unlock your account", &offered), None);
        assert_eq!(
            matched("okay I'll unlock the account for you now", &offered).as_deref(),
            Some("unlock")
        );
    }

    #[test]
    fn one_shared_word_is_not_a_match() {
        let offered = [reply(
            "ask_friday",
            "What's happening on Friday?",
            &[Intent::OpenQuestion],
        )];
        assert_eq!(matched("Do you work on Friday?", &offered), None);
    }

    #[test]
    fn a_harmless_reply_is_never_taken_as_a_harmful_one() {
        let offered = [reply(
            "calm",
            "There's no need to get upset, it's only a few days late.",
            &[Intent::Minimising],
        )];
        assert_eq!(matched("I'm sorry it's a few days late", &offered), None);
    }

    #[test]
    fn an_apology_must_be_said_to_match_a_reply_that_apologises() {
        let offered = [reply(
            "sorry_box",
            "I'm so sorry the box keeps switching itself off.",
            &[Intent::Apology],
        )];
        assert_eq!(matched("so the box keeps switching itself off", &offered), None);
        assert_eq!(
            matched("I'm so sorry the box keeps switching itself off", &offered).as_deref(),
            Some("sorry_box")
        );
    }

    #[test]
    fn what_the_trainee_will_not_do_is_not_said() {
        let offered = [reply(
            "sorry_again",
            "I'm really sorry about all of this. I do apologise.",
            &[Intent::Apology],
        )];
        assert_eq!(
            matched(
                "I won't just say I'm really sorry about all of this again, you've had enough of that",
                &offered
            ),
            None
        );
        assert_eq!(
            matched("honestly, I'm really sorry about all of this", &offered).as_deref(),
            Some("sorry_again")
        );
    }
}
