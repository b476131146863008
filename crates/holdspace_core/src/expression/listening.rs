//! How the customer listens while the trainee talks: what they do at the trainee's
//! pauses (a nod, "uh-huh", "yeah"; a sigh or a shake of the head once angry; nothing when
//! frustrated), how they react the moment the trainee stops (a small nod while calm, else
//! a breath before answering, and a flash of the brows either way), and when a hostile
//! customer has heard enough and cuts in.
//!
//! People listen out loud: in conversation the listener gives a backchannel at most
//! pauses of a long turn, and a listener who gives none reads as cold or not listening.
//! Angry listeners stop giving them and show impatience instead; a hostile one talks over
//! a speaker who goes on, above all one repeating a rule they have already rejected.
//!
//! Pure and deterministic: the app reports pauses and talking time from the microphone
//! and plays what comes back; the same pauses always give the same moves.

use serde::{Deserialize, Serialize};

use crate::engine::state::Band;

/// The shortest gap between two reactions at pauses: a nod at every breath is mockery.
pub const MIN_GAP_S: f32 = 2.0;
/// Angry listeners react less often (a sigh every breath would be a parody).
const ANGRY_GAP_S: f32 = 4.0;
/// A silence inside a turn this long is a pause a listener reacts at.
pub const PAUSE_S: f32 = 0.25;
/// After a policy answer earlier in the call, a hostile customer's patience is this
/// share of the usual: they will not sit through the rule a second time.
const POLICY_PATIENCE: f32 = 0.5;

/// How a customer listens, set per customer in the scenario (`customer.listening`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ListeningStyle {
    /// What they say at the trainee's pauses while calm or uneasy, in turn.
    pub backchannels: Vec<String>,
    /// How often a reaction at a pause is spoken rather than a nod: 0 (nods only) … 1
    /// (always a word).
    pub vocal: f32,
    /// Whether a hostile customer cuts in on a trainee who goes on.
    pub cuts_in: bool,
    /// Seconds of talk a hostile customer sits through before cutting in (half that once
    /// the trainee has quoted policy at them).
    pub patience_s: f32,
    /// What they say when they cut in, in turn.
    pub cut_in_lines: Vec<String>,
}

impl Default for ListeningStyle {
    fn default() -> Self {
        ListeningStyle {
            // Words the synthesiser says as people do: flite spells "mm" out as letters.
            backchannels: vec!["Uh-huh.".to_owned(), "Yeah.".to_owned(), "Right.".to_owned()],
            vocal: 0.5,
            cuts_in: true,
            patience_s: 12.0,
            cut_in_lines: vec![
                "No. Stop. You're not listening to me.".to_owned(),
                "I've heard all that. Just answer me.".to_owned(),
            ],
        }
    }
}

/// Something the customer does while the trainee talks or as they stop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListenerMove {
    /// A small nod.
    Nod,
    /// A backchannel word ("Uh-huh.", "Yeah.").
    Say(String),
    /// An audible, impatient sigh.
    Sigh,
    /// A shake of the head.
    ShakeHead,
    /// A quick in-breath: about to answer.
    Breath,
    /// They talk over the trainee with this line.
    CutIn(String),
}

impl ListenerMove {
    /// Whether this is a backchannel proper: a sign of listening (a nod or a word).
    pub fn is_backchannel(&self) -> bool {
        matches!(self, ListenerMove::Nod | ListenerMove::Say(_))
    }
}

/// The listener's memory within a call: when they last reacted, what they said last,
/// and whether they already cut into the trainee's current turn.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listening {
    /// Talk time (seconds into the current turn) of the last reaction, if any this turn.
    last_at: Option<f32>,
    /// Spoken share owed: a word is said each time it reaches one.
    vocal_credit: f32,
    /// Backchannels said so far (picks the next word).
    words: usize,
    /// Angry reactions so far (alternates sigh and head shake).
    impatient: usize,
    /// Cut-ins so far (picks the next line).
    cut_ins: usize,
    /// Cut in during this turn already.
    cut_in_now: bool,
}

impl Listening {
    /// The trainee started a new turn.
    pub fn turn_started(&mut self) {
        self.last_at = None;
        self.cut_in_now = false;
    }

    /// The trainee paused `talked_s` seconds into their turn: what the customer does.
    pub fn at_pause(&mut self, style: &ListeningStyle, band: Band, talked_s: f32) -> Option<ListenerMove> {
        let gap = match band {
            Band::Calm | Band::Uneasy => MIN_GAP_S,
            Band::Frustrated => return None,
            Band::Angry | Band::Hostile => ANGRY_GAP_S,
        };
        // Not in the first moments of a turn (nothing has been said to react to), and not
        // again straight after the last reaction.
        let since = talked_s - self.last_at.unwrap_or(0.0);
        if since < gap {
            return None;
        }
        self.last_at = Some(talked_s);
        if band >= Band::Angry {
            self.impatient += 1;
            return Some(if self.impatient % 2 == 1 {
                ListenerMove::Sigh
            } else {
                ListenerMove::ShakeHead
            });
        }
        self.vocal_credit += style.vocal.clamp(0.0, 1.0);
        if self.vocal_credit >= 1.0 && !style.backchannels.is_empty() {
            self.vocal_credit -= 1.0;
            let word = style.backchannels[self.words % style.backchannels.len()].clone();
            self.words += 1;
            Some(ListenerMove::Say(word))
        } else {
            Some(ListenerMove::Nod)
        }
    }

    /// The trainee has been talking for `talked_s` seconds without stopping: whether a
    /// hostile customer cuts in now. `quoted_policy` is whether the trainee already gave
    /// them a policy answer in this call. Once per turn.
    pub fn while_talking(
        &mut self,
        style: &ListeningStyle,
        band: Band,
        talked_s: f32,
        quoted_policy: bool,
    ) -> Option<ListenerMove> {
        if band != Band::Hostile || !style.cuts_in || self.cut_in_now || style.cut_in_lines.is_empty() {
            return None;
        }
        let patience = if quoted_policy {
            style.patience_s * POLICY_PATIENCE
        } else {
            style.patience_s
        };
        if talked_s < patience {
            return None;
        }
        self.cut_in_now = true;
        let line = style.cut_in_lines[self.cut_ins % style.cut_in_lines.len()].clone();
        self.cut_ins += 1;
        Some(ListenerMove::CutIn(line))
    }

    /// The trainee stopped talking `talked_s` seconds into their turn: the customer's
    /// first reaction, before any answer (eyes come back to the trainee whatever the band;
    /// the app does that). No second nod straight after one at the last pause.
    pub fn at_end(&mut self, band: Band, talked_s: f32) -> Option<ListenerMove> {
        let just_reacted = self.last_at.is_some_and(|at| talked_s - at < MIN_GAP_S / 2.0);
        self.last_at = None;
        match band {
            Band::Calm | Band::Uneasy => (!just_reacted).then_some(ListenerMove::Nod),
            // No nod: a breath to answer, and otherwise stillness.
            Band::Frustrated | Band::Angry | Band::Hostile => Some(ListenerMove::Breath),
        }
    }
}

/// The brows' part in the reaction the moment the trainee stops: a quick raise while calm
/// or uneasy (attention: "go on, I'm with you"), a brief knit once frustrated or worse
/// (about to object). It comes and goes in about two thirds of a second on top of the
/// mood's own brows; listeners' brow flashes are that short, and a held one reads as
/// surprise.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BrowFlash {
    elapsed: f32,
    raise: bool,
    active: bool,
}

/// Seconds to the peak, at the peak, and back.
const BROW_RISE_S: f32 = 0.12;
const BROW_HOLD_S: f32 = 0.2;
const BROW_FALL_S: f32 = 0.35;
/// Peak weight of the raise (inner and outer brows) and of the knit.
const BROW_RAISE: f32 = 0.35;
const BROW_KNIT: f32 = 0.3;

/// What a [`BrowFlash`] adds to the face this frame.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BrowOffset {
    /// Added to `browInnerUp`.
    pub inner_up: f32,
    /// Added to `browOuterUp` (both sides).
    pub outer_up: f32,
    /// Added to `browDown` (both sides).
    pub down: f32,
}

impl BrowFlash {
    /// A flash for a customer in `band` as the trainee stops.
    pub fn start(band: Band) -> BrowFlash {
        BrowFlash {
            elapsed: 0.0,
            raise: matches!(band, Band::Calm | Band::Uneasy),
            active: true,
        }
    }

    /// Advances by `dt` seconds and returns this frame's offset (zero once over).
    pub fn step(&mut self, dt: f32) -> BrowOffset {
        if !self.active {
            return BrowOffset::default();
        }
        self.elapsed += dt.max(0.0);
        let t = self.elapsed;
        let level = if t < BROW_RISE_S {
            t / BROW_RISE_S
        } else if t < BROW_RISE_S + BROW_HOLD_S {
            1.0
        } else {
            1.0 - (t - BROW_RISE_S - BROW_HOLD_S) / BROW_FALL_S
        };
        if level <= 0.0 {
            self.active = false;
            return BrowOffset::default();
        }
        if self.raise {
            BrowOffset {
                inner_up: BROW_RAISE * level,
                outer_up: BROW_RAISE * level,
                down: 0.0,
            }
        } else {
            BrowOffset {
                inner_up: 0.0,
                outer_up: 0.0,
                down: BROW_KNIT * level,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pauses every 1.5 s through a 15 s turn: the moves made at them.
    fn moves_at_pauses(band: Band, style: &ListeningStyle) -> Vec<ListenerMove> {
        let mut l = Listening::default();
        l.turn_started();
        (1..=10)
            .filter_map(|i| l.at_pause(style, band, i as f32 * 1.5))
            .collect()
    }

    #[test]
    fn backchannels_come_at_pauses_in_calm_bands_and_not_when_angry() {
        let style = ListeningStyle::default();
        for band in [Band::Calm, Band::Uneasy] {
            let moves = moves_at_pauses(band, &style);
            assert!(moves.len() >= 4, "{band:?}: {moves:?}");
            assert!(moves.iter().all(ListenerMove::is_backchannel), "{moves:?}");
            assert!(moves.iter().any(|m| matches!(m, ListenerMove::Say(_))), "words too");
            assert!(moves.contains(&ListenerMove::Nod), "and nods");
        }
        assert!(
            moves_at_pauses(Band::Frustrated, &style).is_empty(),
            "frustrated: still"
        );
        for band in [Band::Angry, Band::Hostile] {
            let moves = moves_at_pauses(band, &style);
            assert!(!moves.is_empty(), "{band:?} shows impatience");
            assert!(!moves.iter().any(ListenerMove::is_backchannel), "{band:?}: {moves:?}");
        }
    }

    #[test]
    fn reactions_are_spaced_and_not_at_the_first_words() {
        let style = ListeningStyle::default();
        let mut l = Listening::default();
        assert_eq!(l.at_pause(&style, Band::Calm, 0.8), None, "too early");
        assert!(l.at_pause(&style, Band::Calm, 2.1).is_some());
        assert_eq!(l.at_pause(&style, Band::Calm, 3.0), None, "too soon after the last");
        assert!(l.at_pause(&style, Band::Calm, 4.2).is_some());
    }

    #[test]
    fn the_author_sets_the_words_and_how_often_they_are_said() {
        let quiet = ListeningStyle {
            vocal: 0.0,
            ..ListeningStyle::default()
        };
        assert!(
            moves_at_pauses(Band::Calm, &quiet)
                .iter()
                .all(|m| *m == ListenerMove::Nod)
        );
        let chatty = ListeningStyle {
            vocal: 1.0,
            backchannels: vec!["Aye.".to_owned(), "I see.".to_owned()],
            ..ListeningStyle::default()
        };
        let moves = moves_at_pauses(Band::Calm, &chatty);
        assert_eq!(moves[0], ListenerMove::Say("Aye.".to_owned()));
        assert_eq!(moves[1], ListenerMove::Say("I see.".to_owned()));
        assert_eq!(moves[2], ListenerMove::Say("Aye.".to_owned()));
    }

    #[test]
    fn a_hostile_customer_cuts_into_a_long_monologue_once_and_sooner_after_policy() {
        let style = ListeningStyle::default();
        let mut l = Listening::default();
        l.turn_started();
        assert_eq!(l.while_talking(&style, Band::Hostile, 8.0, false), None);
        let cut = l.while_talking(&style, Band::Hostile, 12.5, false);
        assert!(matches!(cut, Some(ListenerMove::CutIn(_))), "{cut:?}");
        assert_eq!(l.while_talking(&style, Band::Hostile, 14.0, false), None, "once a turn");
        l.turn_started();
        assert!(
            l.while_talking(&style, Band::Hostile, 6.5, true).is_some(),
            "policy again: half the patience"
        );
        for band in [Band::Calm, Band::Uneasy, Band::Frustrated, Band::Angry] {
            let mut l = Listening::default();
            assert_eq!(
                l.while_talking(&style, band, 60.0, true),
                None,
                "{band:?} lets them finish"
            );
        }
        let polite = ListeningStyle {
            cuts_in: false,
            ..ListeningStyle::default()
        };
        assert_eq!(
            Listening::default().while_talking(&polite, Band::Hostile, 60.0, true),
            None
        );
    }

    #[test]
    fn the_end_of_speech_gets_a_reaction_by_band() {
        let mut l = Listening::default();
        assert_eq!(l.at_end(Band::Calm, 3.0), Some(ListenerMove::Nod));
        assert_eq!(l.at_end(Band::Frustrated, 3.0), Some(ListenerMove::Breath), "no nod");
        assert_eq!(l.at_end(Band::Hostile, 3.0), Some(ListenerMove::Breath));
        let style = ListeningStyle::default();
        assert!(l.at_pause(&style, Band::Calm, 2.6).is_some());
        assert_eq!(l.at_end(Band::Calm, 3.0), None, "one nod, not two");
    }

    #[test]
    fn the_brows_flash_up_when_calm_and_knit_when_angry_and_then_let_go() {
        let run = |band| {
            let mut flash = BrowFlash::start(band);
            (0..60).map(|_| flash.step(1.0 / 60.0)).collect::<Vec<BrowOffset>>()
        };
        let calm = run(Band::Calm);
        let peak = calm.iter().map(|o| o.inner_up).fold(0.0, f32::max);
        assert!((peak - BROW_RAISE).abs() < 1e-3, "{peak}");
        assert!(calm.iter().all(|o| o.down == 0.0));
        // Up within a few frames (it is part of reacting within 150 ms), gone in under a second.
        assert!(calm[5].inner_up > 0.5 * BROW_RAISE, "{:?}", calm[5]);
        assert_eq!(calm[59], BrowOffset::default());
        let angry = run(Band::Angry);
        assert!(angry.iter().any(|o| o.down > 0.25) && angry.iter().all(|o| o.inner_up == 0.0));
        assert_eq!(BrowFlash::default().step(0.1), BrowOffset::default());
    }
}
