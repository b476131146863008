//! The escalation engine: a pull-based, seeded session over a loaded scenario.
//!
//! `Session::new` returns the opening events; each `respond` takes one trainee turn and
//! returns what happened. No clock, no I/O: the same scenario, seed and inputs give the
//! same events, byte for byte, which is what makes records replayable and testable.

pub mod coach;
pub mod events;
#[cfg(test)]
mod golden_tests;
pub mod journal;
pub mod lines;
mod reactions;
pub mod record;
#[cfg(test)]
mod robustness_tests;
pub mod state;

use std::sync::Arc;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::analysis::intent::Intent;
use crate::analysis::matching;
use crate::analysis::text::{content_stems, stem, words};
use crate::analysis::{Analysis, Layer, TurnInput, analyse};
use crate::engine::events::{Answering, Cause, OfferedReply, Reason, SessionEvent, Spoken, StateChange};
use crate::engine::lines::{Route, not_heard_line, pick_line};
use crate::engine::record::{OutcomeRecord, SessionRecord, StatePoint, TurnRecord};
use crate::engine::state::{Band, Disclosure};
use crate::scenario::load::LoadedScenario;
use crate::scenario::model::{BandLines, Condition, Facts, Line, Next, Outcome, Reply, Step, Trigger};

/// Guided (options shown) or open (free speech only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Mode {
    /// 2–5 options are shown; the trainee says one in their own words or clicks it.
    #[default]
    Guided,
    /// No options; free speech is matched to the scenario's replies by intent and wording.
    Open,
}

/// Why a turn was refused. The session is unchanged when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TurnError {
    /// The conversation has already ended.
    #[error("the session has ended")]
    Ended,
    /// The chosen option is not on offer at this step.
    #[error("reply \"{0}\" is not on offer here (offered: {1})")]
    NotOffered(String, String),
    /// The coach asked for a cue, and the customer has given every cue they have.
    #[error("the customer has no cue left to give")]
    NoCueLeft,
    /// The coach sent a hint with no words.
    #[error("a hint needs some words")]
    EmptyHint,
}

/// Rises in escalation are damped by up to this fraction at full trust.
const TRUST_DAMPING: f32 = 0.4;

/// The session's random stream. ChaCha8's output is fixed for a seed across releases,
/// which keeps old records replayable; it is not `Clone` upstream (to stop accidental
/// stream reuse), but a session copy for retry-from-here or exploration must continue
/// the same stream, so the copy is rebuilt from the seed and position.
#[derive(Debug)]
struct Stream(ChaCha8Rng);

impl Clone for Stream {
    fn clone(&self) -> Self {
        let mut rng = ChaCha8Rng::from_seed(self.0.get_seed());
        rng.set_stream(self.0.get_stream());
        rng.set_word_pos(self.0.get_word_pos());
        Stream(rng)
    }
}

/// Hears meaning in a trainee's words before the engine does: the sentence encoder of
/// `holdspace_understanding`. The core runs no model; whoever has one fills the turn's
/// [`crate::analysis::Understanding`] through this, with the session as it stands (the
/// replies on offer, what the customer just said).
pub trait Listener {
    /// What the words mean here, or `None` when the listener cannot tell.
    fn understand(&self, session: &Session, text: &str) -> Option<crate::analysis::Understanding>;

    /// Gets ready for the next reply (the replies now on offer), so that hearing it
    /// costs only the reply itself. Called after each turn, as the engine answers; may
    /// do its work in the background (the next [`Self::understand`] waits for it).
    /// Does nothing by default.
    fn prepare(&self, _session: &Session) {}

    /// Waits until the work [`Self::prepare`] started has finished (a benchmark that
    /// times the reply alone, as a trainee who answers after the customer waits it).
    /// Returns at once by default.
    fn ready(&self) {}
}

/// What one turn was heard as.
struct Heard {
    /// The reply given (clicked) or matched (words), if any.
    reply: Option<Reply>,
    /// The moves found, with their evidence.
    analysis: Analysis,
    /// The words read: what was said, or a bare click's option text.
    words: String,
}

/// One conversation in progress.
#[derive(Debug, Clone)]
pub struct Session {
    scenario: Arc<LoadedScenario>,
    mode: Mode,
    seed: u64,
    rng: Stream,
    escalation: f32,
    trust: f32,
    disclosure: Disclosure,
    addressed: bool,
    step: usize,
    turn: u32,
    visited: Vec<bool>,
    last_line: String,
    last_cue: Option<String>,
    last_from_step: bool,
    cues: Vec<CueProgress>,
    apologies: u32,
    /// Turns in which a fix or action was promised.
    promises: u32,
    /// How often each reply has been chosen, for diminishing returns on repeats.
    chosen: std::collections::BTreeMap<String, u32>,
    outcome: Option<OutcomeRecord>,
    turns: Vec<TurnRecord>,
    events: Vec<SessionEvent>,
    /// What a coach did, in order (see [`coach`]).
    coached: Vec<coach::CoachRecord>,
}

#[derive(Debug, Clone)]
struct CueProgress {
    id: String,
    noticed: bool,
}

impl Session {
    /// Starts a conversation; returns the session and its opening events (the first line
    /// and, in guided mode, the first options).
    pub fn new(scenario: Arc<LoadedScenario>, seed: u64, mode: Mode) -> (Session, Vec<SessionEvent>) {
        let temperament = &scenario.scenario.customer.temperament;
        let start = scenario.step_index(&scenario.scenario.start).unwrap_or(0);
        let mut session = Session {
            mode,
            seed,
            rng: Stream(ChaCha8Rng::seed_from_u64(seed)),
            escalation: round4(temperament.start_escalation.clamp(0.0, 1.0)),
            trust: round4(temperament.start_trust.clamp(0.0, 1.0)),
            disclosure: Disclosure::Hidden,
            addressed: false,
            step: start,
            turn: 0,
            visited: vec![false; scenario.scenario.steps.len()],
            last_line: String::new(),
            last_cue: None,
            last_from_step: false,
            cues: Vec::new(),
            apologies: 0,
            promises: 0,
            chosen: std::collections::BTreeMap::new(),
            outcome: None,
            turns: Vec::new(),
            events: Vec::new(),
            coached: Vec::new(),
            scenario,
        };
        if let Some(v) = session.visited.get_mut(start) {
            *v = true;
        }
        let mut out = Vec::new();
        session.speak_step(Route::default(), &mut out);
        session.offer(&mut out);
        session.events.extend(out.iter().cloned());
        (session, out)
    }

    /// A session as if the customer had just reached `step` (for authoring tools and
    /// evaluation: "what would they hear if I said this here?"): the step's line is said
    /// in the band the customer starts in, with the hidden need at `disclosure`. `None`
    /// when there is no such step.
    pub fn at_step(
        scenario: Arc<LoadedScenario>,
        seed: u64,
        mode: Mode,
        step: &str,
        disclosure: Disclosure,
    ) -> Option<(Session, Vec<SessionEvent>)> {
        let index = scenario.step_index(step)?;
        let (mut session, _) = Session::new(scenario, seed, mode);
        session.step = index;
        if let Some(v) = session.visited.get_mut(index) {
            *v = true;
        }
        session.disclosure = disclosure;
        session.events.clear();
        let mut out = Vec::new();
        session.speak_step(Route::default(), &mut out);
        session.offer(&mut out);
        session.events.extend(out.iter().cloned());
        Some((session, out))
    }

    /// What the customer last said (what a reply answers and a paraphrase reflects).
    pub fn last_line(&self) -> &str {
        &self.last_line
    }

    /// The scenario this session runs.
    pub fn scenario(&self) -> &Arc<LoadedScenario> {
        &self.scenario
    }

    /// Current escalation, 0..1.
    pub fn escalation(&self) -> f32 {
        self.escalation
    }

    /// Current trust, 0..1.
    pub fn trust(&self) -> f32 {
        self.trust
    }

    /// Current band.
    pub fn band(&self) -> Band {
        Band::of(self.escalation)
    }

    /// How far the hidden need has come out.
    pub fn disclosure(&self) -> Disclosure {
        self.disclosure
    }

    /// Ids of the cues the trainee has picked up, in the order they were given.
    pub fn cues_noticed(&self) -> impl Iterator<Item = &str> {
        self.cues.iter().filter(|c| c.noticed).map(|c| c.id.as_str())
    }

    /// Whether the hidden need has been met.
    pub fn need_addressed(&self) -> bool {
        self.addressed
    }

    /// Trainee turns taken so far.
    pub fn turn(&self) -> u32 {
        self.turn
    }

    /// The id of the step the customer is at.
    pub fn step_id(&self) -> &str {
        self.current_step().map(|s| s.id.as_str()).unwrap_or_default()
    }

    /// The session's mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The outcome, once the session has ended.
    pub fn outcome(&self) -> Option<&OutcomeRecord> {
        self.outcome.as_ref()
    }

    /// Whether the conversation is over.
    pub fn is_ended(&self) -> bool {
        self.outcome.is_some()
    }

    /// Replies available at this step (in open mode too, where they are not shown).
    pub fn available_replies(&self) -> Vec<&Reply> {
        match (self.is_ended(), self.current_step()) {
            (false, Some(step)) => step.replies.iter().filter(|r| self.all_hold(&r.requires)).collect(),
            _ => Vec::new(),
        }
    }

    /// The latest completed turn (cheaper than `record()` for journaling each turn).
    pub fn last_turn(&self) -> Option<&TurnRecord> {
        self.turns.last()
    }

    /// The turns taken so far, in order.
    pub fn turns(&self) -> &[TurnRecord] {
        &self.turns
    }

    /// Everything so far, ready to save: usable mid-session (a crash journal) and, once
    /// ended, with its outcome.
    pub fn record(&self) -> SessionRecord {
        let temperament = &self.scenario.scenario.customer.temperament;
        let start_e = round4(temperament.start_escalation.clamp(0.0, 1.0));
        SessionRecord {
            format: crate::engine::record::RECORD_FORMAT,
            scenario_id: self.scenario.scenario.id.clone(),
            scenario_title: self.scenario.scenario.title.clone(),
            seed: self.seed,
            mode: self.mode,
            start: StatePoint {
                escalation: start_e,
                trust: round4(temperament.start_trust.clamp(0.0, 1.0)),
                band: Band::of(start_e),
            },
            turns: self.turns.clone(),
            events: self.events.clone(),
            outcome: self.outcome.clone(),
            reflections: Vec::new(),
            coach: self.coached.clone(),
        }
    }

    /// Rebuilds a whole recorded session, the coach's actions included, each at the turn
    /// it followed: the same record comes out, byte for byte.
    pub fn replay_record(
        scenario: Arc<LoadedScenario>,
        record: &SessionRecord,
    ) -> Result<(Session, Vec<SessionEvent>), TurnError> {
        let (mut session, mut last) = Session::new(scenario, record.seed, record.mode);
        let mut coach = record.coach.iter().peekable();
        for turn in &record.turns {
            while let Some(c) = coach.next_if(|c| c.after_turn < turn.turn) {
                session.coach(c.action.clone())?;
            }
            last = session.respond(turn.input.clone())?;
        }
        for c in coach {
            last = session.coach(c.action.clone())?;
        }
        Ok((session, last))
    }

    /// Rebuilds a session by replaying `inputs` from the start with the same seed and mode:
    /// the state (random stream included) is exactly what the original had after those
    /// turns. Returns the session and what the customer last said and offered, ready to
    /// show: "retry from this turn".
    pub fn replay(
        scenario: Arc<LoadedScenario>,
        seed: u64,
        mode: Mode,
        inputs: &[TurnInput],
    ) -> Result<(Session, Vec<SessionEvent>), TurnError> {
        let (mut session, mut last) = Session::new(scenario, seed, mode);
        for input in inputs {
            last = session.respond(input.clone())?;
        }
        // Only the customer's side is shown again; the reply analysis belongs to the past turn.
        last.retain(|e| matches!(e, SessionEvent::CustomerSpoke(_) | SessionEvent::OptionsOffered { .. }));
        Ok((session, last))
    }

    /// Takes the last turn back, as a trainee who corrects themselves does ("no, sorry, I
    /// meant…"): the session becomes exactly what it was before that turn, random stream
    /// included (it is replayed from the start with the same seed and the turns before).
    /// Returns the turn taken back and what the customer had last said and offered; `None`
    /// when no turn has been taken.
    pub fn take_back(&mut self) -> Result<Option<(TurnRecord, Vec<SessionEvent>)>, TurnError> {
        let Some((last, before)) = self.turns.split_last() else {
            return Ok(None);
        };
        let last = last.clone();
        let mut record = self.record();
        record.turns.truncate(before.len());
        // What the coach did after the taken turn goes with it; what they did before stays.
        record.coach.retain(|c| c.after_turn < last.turn);
        let (session, mut shown) = Session::replay_record(Arc::clone(&self.scenario), &record)?;
        shown.retain(|e| matches!(e, SessionEvent::CustomerSpoke(_) | SessionEvent::OptionsOffered { .. }));
        *self = session;
        Ok(Some((last, shown)))
    }

    /// Takes one trainee turn, first letting `listener` hear the words (when there are
    /// words, no understanding came with them, and they were not a bare click): the one
    /// path for typed, clicked and spoken turns, in open and guided mode.
    pub fn respond_with(
        &mut self,
        mut input: TurnInput,
        listener: Option<&dyn Listener>,
    ) -> Result<Vec<SessionEvent>, TurnError> {
        if input.understanding.is_none()
            && !input.text.trim().is_empty()
            && let Some(listener) = listener
        {
            input.understanding = listener.understand(self, &input.text);
        }
        let events = self.respond(input)?;
        if let Some(listener) = listener {
            listener.prepare(self);
        }
        Ok(events)
    }

    /// Takes one trainee turn and returns what happened, in named phases: which reply it
    /// was (`chosen_reply`), what was heard in it (`interpret`), what moved the customer
    /// (`weigh`), then the state changes, whether they open up, the record, and where the
    /// call goes next and what they say (`route`).
    pub fn respond(&mut self, input: TurnInput) -> Result<Vec<SessionEvent>, TurnError> {
        if self.is_ended() {
            return Err(TurnError::Ended);
        }
        let scenario = Arc::clone(&self.scenario);
        let Some(step) = self.current_step().cloned() else {
            return Err(TurnError::Ended);
        };
        let chosen = self.chosen_reply(&step, &input)?;

        self.turn += 1;
        let turn = self.turn;
        let heard = self.interpret(&scenario, &step, &input, chosen);
        let mut out = vec![SessionEvent::ReplyInterpreted {
            turn,
            reply: heard.reply.as_ref().map(|r| r.id.clone()),
            analysis: heard.analysis.clone(),
        }];

        let (mut reasons, noticed) = self.weigh(&scenario, &input, &heard);
        let before = self.point();
        self.apply(&mut reasons);
        let after = self.point();
        out.push(SessionEvent::EscalationChanged(StateChange::between(
            turn,
            before,
            after,
            reasons.clone(),
        )));
        for cue in &noticed {
            out.push(SessionEvent::CueNoticed { turn, cue: cue.clone() });
        }

        // Does the customer open up?
        let reply = heard.reply.as_ref();
        let revealed_now = self.try_reveal(reply, &heard.analysis, !noticed.is_empty());
        if let Some(by) = &revealed_now {
            out.push(SessionEvent::NeedRevealed { turn, by: by.clone() });
        }
        if let Some(r) = reply
            && self.disclosure == Disclosure::Revealed
            && !self.addressed
            && scenario.scenario.hidden_need.addressed_by.contains(&r.id)
        {
            self.addressed = true;
            out.push(SessionEvent::NeedAddressed {
                turn,
                reply: r.id.clone(),
            });
        }

        self.turns.push(TurnRecord {
            turn,
            step: step.id.clone(),
            customer_said: self.last_line.clone(),
            customer_cue: self.last_cue.clone(),
            input: input.clone(),
            reply: reply.map(|r| r.id.clone()),
            reply_text: reply.map(|r| r.text.clone()),
            analysis: heard.analysis.clone(),
            reasons,
            before,
            after,
            cues_noticed: noticed,
            revealed: revealed_now.is_some(),
        });

        let stream = heard.analysis.misheard.then(|| self.rng.clone());
        self.route(&scenario, &heard, revealed_now.is_some(), &mut out);
        // A turn the customer did not hear leaves the customer's own ups and downs where
        // they were: the turns after it go as if it had not been.
        if let Some(stream) = stream {
            self.rng = stream;
        }
        self.events.extend(out.iter().cloned());
        Ok(out)
    }

    /// The offered reply a click (or the guided recogniser) named, if any; an error when
    /// it is not on offer.
    fn chosen_reply<'s>(&self, step: &'s Step, input: &TurnInput) -> Result<Option<&'s Reply>, TurnError> {
        let Some(id) = &input.chosen_option else {
            return Ok(None);
        };
        let offered: Vec<&Reply> = step.replies.iter().filter(|r| self.all_hold(&r.requires)).collect();
        match offered.iter().find(|r| &r.id == id) {
            Some(r) => Ok(Some(*r)),
            None => {
                let ids: Vec<&str> = offered.iter().map(|r| r.id.as_str()).collect();
                Err(TurnError::NotOffered(id.clone(), ids.join(", ")))
            }
        }
    }

    /// What the turn was heard as: the words read (the option's text for a bare click),
    /// the moves found in them with their evidence, and the reply they gave or matched.
    fn interpret(&self, scenario: &LoadedScenario, step: &Step, input: &TurnInput, chosen: Option<&Reply>) -> Heard {
        let offered: Vec<&Reply> = step.replies.iter().filter(|r| self.all_hold(&r.requires)).collect();
        let clicked_without_words = chosen.is_some() && input.text.trim().is_empty();
        let words_said = if clicked_without_words {
            chosen.map(|r| r.text.clone()).unwrap_or_default()
        } else {
            input.text.clone()
        };
        // Key points describe the step's own line; after a reveal or a "sorry?" the
        // paraphrase is measured against what the customer actually said last.
        let key_points: &[String] = if self.last_from_step { &step.key_points } else { &[] };
        let mut analysis = analyse(&words_said, &scenario.lexicon, &self.last_line, key_points);
        let understanding = input.understanding.as_ref().filter(|_| !clicked_without_words);
        if let Some(u) = understanding {
            analysis.hear_meaning(&words_said, u);
        }
        let reply: Option<Reply> = match chosen {
            Some(r) => Some(r.clone()),
            None => {
                let found = matching::best_match(&offered, &analysis, &words_said, understanding);
                let reply = found
                    .as_ref()
                    .and_then(|m| offered.iter().find(|r| r.id == m.reply))
                    .map(|r| (*r).clone());
                analysis.matched = found;
                reply
            }
        };
        // Credit only what was said: a picked option (clicked, or said and picked by the
        // guided-mode recogniser) carries the author's intents; free words carry only
        // what was heard in them, whichever reply they matched.
        if let Some(r) = chosen {
            if clicked_without_words {
                analysis.intents.clear();
                analysis.evidence.clear();
                analysis.layers.clear();
            }
            for intent in &r.intents {
                analysis.add(*intent, Layer::Option, format!("the option \"{}\"", r.text));
            }
        }
        if input.delivery.fillers.is_none() && clicked_without_words {
            analysis.fillers = 0;
        }
        // An open question is about them ("how's that left you?"): only a statement or a
        // closed question with nothing of the call in it is taken as off-topic.
        if reply.is_none()
            && analysis.intents.iter().all(|i| *i == Intent::ClosedQuestion)
            && crate::analysis::topic::off_topic(&words_said, scenario.vocabulary())
        {
            analysis.add(
                Intent::OffTopic,
                Layer::Context,
                "nothing in it about them or their problem".to_owned(),
            );
        }
        // Unsure words that match nothing are taken as misheard: the customer asks
        // "Sorry?" and nothing moves, rather than reacting to words never said.
        analysis.misheard = reply.is_none()
            && input.confidence.is_some_and(|c| c < TurnInput::MISHEARD)
            && !analysis.intents.contains(&Intent::Silence);
        Heard {
            reply,
            analysis,
            words: words_said,
        }
    }

    /// Everything that moves the customer this turn, in one place and in this order: the
    /// moves heard (each intent's effect), the moment (stock lines, repeated promises,
    /// saying it again), the author's effect for this reply, the delivery, a reply given
    /// before counting for less, the cues picked up, and the customer's own variation.
    /// Returns the reasons and the cues noticed.
    fn weigh(&mut self, scenario: &LoadedScenario, input: &TurnInput, heard: &Heard) -> (Vec<Reason>, Vec<String>) {
        let (analysis, reply) = (&heard.analysis, heard.reply.as_ref());
        let disclosing = self.last_cue.is_some() || self.disclosure != Disclosure::Hidden;
        let mut reasons = if analysis.misheard {
            Vec::new()
        } else {
            let effects = &self.scenario.scenario.intent_effects;
            let effect_of = |i: Intent| effects.get(&i).copied().unwrap_or_else(|| i.default_effect());
            let mut r = reactions::intent_reasons(analysis, &heard.words, effect_of, &mut self.apologies);
            let moment = reactions::Moment {
                upset: self.band() >= Band::Frustrated,
                disclosing,
                passed_cue: self.passed_cue(&heard.words),
                promises: self.promises,
                need_addressed: self.addressed,
            };
            r.extend(reactions::moment_reasons(analysis, reply, &moment));
            if analysis.intents.contains(&Intent::Solution) {
                self.promises += 1;
            }
            r
        };
        if let Some(r) = reply
            && (r.effect.escalation != 0.0 || r.effect.trust != 0.0)
        {
            let note = if r.coach.is_empty() {
                "how this reply lands with this customer".to_owned()
            } else {
                r.coach.clone()
            };
            reasons.push(Reason {
                cause: Cause::Reply(r.id.clone()),
                escalation: r.effect.escalation,
                trust: r.effect.trust,
                note,
            });
        }
        // The customer was opening up when they showed a cue or once the need is out.
        if !analysis.misheard {
            reasons.extend(reactions::delivery_reasons(
                input,
                analysis,
                &scenario.scenario.delivery,
                disclosing,
            ));
        }
        if let Some(r) = reply {
            let before = self.chosen.entry(r.id.clone()).or_insert(0);
            reactions::said_before(&mut reasons, *before);
            *before += 1;
        }
        let noticed = if analysis.misheard {
            Vec::new()
        } else {
            self.notice_cues(reply, analysis, &heard.words)
        };
        for cue in &noticed {
            reasons.push(reactions::cue_noticed(cue, &self.cue_description(cue)));
        }
        let variation = scenario.scenario.customer.temperament.variation.abs();
        if variation > 0.0 && !analysis.misheard {
            // Drawn on every heard turn, so the stream stays in step whatever the turn was.
            let wobble = self.rng.0.random_range(-variation..=variation);
            reasons.push(Reason {
                cause: Cause::Variation,
                escalation: wobble,
                trust: 0.0,
                note: "the customer's own ups and downs".to_owned(),
            });
        }
        (reasons, noticed)
    }

    /// Where the call goes next and what the customer says: an outcome that can happen at
    /// any time comes first (they hang up whatever you were about to say), then the
    /// reply's own destination, then the clock; then the reveal line, the ending, or the
    /// next step's line (or, for words that matched nothing, a line for why) and options.
    fn route(&mut self, scenario: &LoadedScenario, heard: &Heard, revealed_now: bool, out: &mut Vec<SessionEvent>) {
        let (analysis, reply) = (&heard.analysis, heard.reply.as_ref());
        let said = Route {
            reply: reply.map(|r| r.id.as_str()),
            intents: &analysis.intents,
        };
        let mut ending = self.first_outcome(Trigger::Anytime);
        // An outcome at any time (they hang up) cuts off even their answer to the reply.
        let cut_off = ending.is_some();
        let mut goto = None;
        if ending.is_none() {
            match reply.map(|r| &r.next) {
                Some(Next::End(id)) => ending = scenario.outcome(id).cloned(),
                // The customer has just said the most important thing in the call: it gets an
                // answer. A reply that would have wrapped up continues where the need leads.
                Some(Next::Finish) if revealed_now => {
                    goto = scenario
                        .scenario
                        .hidden_need
                        .after_reveal
                        .as_deref()
                        .and_then(|id| scenario.step_index(id));
                }
                Some(Next::Finish) => ending = self.first_outcome(Trigger::OnFinish),
                Some(Next::Goto(id)) => goto = scenario.step_index(id),
                None => {}
            }
            if revealed_now
                && let Some(step) = scenario.scenario.hidden_need.after_reveal.as_deref()
                && matches!(reply.map(|r| &r.next), Some(Next::Goto(_)) | None)
            {
                goto = scenario.step_index(step);
            }
        }
        // Turns the customer did not hear are not the trainee's to lose: only heard ones
        // count towards the call's length.
        let heard_turns = self.turns.iter().filter(|t| !t.analysis.misheard).count();
        if ending.is_none() && heard_turns >= scenario.scenario.max_turns as usize {
            ending = self.first_outcome(Trigger::OnTimeout);
        }

        // The customer's own answer to the reply comes first ("Yes, that's it."), then
        // whatever the call does next.
        if let Some(r) = reply
            && !cut_off
            && !analysis.misheard
            && !r.answer.is_empty()
        {
            let answer = Answering::Reply(r.id.clone());
            self.speak_lines(&r.answer, &format!("answer/{}", r.id), said, Some(answer), out);
        }
        if revealed_now {
            let line = scenario.scenario.hidden_need.revealed_line.clone();
            self.say(&line, "need/revealed".to_owned(), None, out);
        }
        if let Some(outcome) = ending {
            self.end(&outcome, out);
        } else {
            let stayed = goto.is_none() && reply.is_none();
            if let Some(next) = goto {
                self.step = next;
                if let Some(v) = self.visited.get_mut(next) {
                    *v = true;
                }
            }
            // The reveal line stands in for the next step's line: the customer has just said
            // the most important thing in the conversation and waits for an answer to it.
            if !revealed_now {
                // Words that matched no reply: misheard ("Sorry?"), off-topic (they react in
                // character), or understood but not written for here (a reaction in their
                // band). Silence and anything without lines of its own get the step again.
                let s = &scenario.scenario;
                let heard_something = analysis.intents.iter().any(|i| *i != Intent::Silence);
                let lines = if !stayed {
                    None
                } else if analysis.misheard {
                    Some((&s.unclear, "unclear"))
                } else if analysis.intents.contains(&Intent::OffTopic) {
                    Some((&s.off_topic, "off_topic"))
                } else if heard_something {
                    Some((&s.generic, "generic"))
                } else {
                    None
                };
                // "Sorry?" asks for the same words again: what the customer said before it
                // stays what a paraphrase is measured against.
                let before = (self.last_line.clone(), self.last_cue.clone(), self.last_from_step);
                match lines.filter(|(l, _)| !l.is_empty()) {
                    Some((lines, prefix)) => self.speak_lines(lines, prefix, said, None, out),
                    None if analysis.misheard => {
                        let line = Line {
                            text: not_heard_line(self.band()).to_owned(),
                            ..Line::default()
                        };
                        self.say(&line, "unclear/default".to_owned(), None, out);
                    }
                    None => self.speak_step(said, out),
                }
                if analysis.misheard {
                    (self.last_line, self.last_cue, self.last_from_step) = before;
                }
            }
            self.offer(out);
        }
    }

    fn current_step(&self) -> Option<&Step> {
        self.scenario.scenario.steps.get(self.step)
    }

    fn point(&self) -> StatePoint {
        StatePoint {
            escalation: self.escalation,
            trust: self.trust,
            band: self.band(),
        }
    }

    /// Scales each reason by the customer's temperament, then applies the sum.
    fn apply(&mut self, reasons: &mut [Reason]) {
        let t = &self.scenario.scenario.customer.temperament;
        let damping = 1.0 - TRUST_DAMPING * self.trust;
        let mut de = 0.0;
        let mut dt = 0.0;
        for r in reasons.iter_mut() {
            if r.escalation > 0.0 {
                r.escalation *= t.volatility * damping;
            } else {
                r.escalation *= t.receptiveness;
            }
            r.escalation = round4(r.escalation);
            r.trust = round4(r.trust);
            de += r.escalation;
            dt += r.trust;
        }
        let (lo, hi) = self.escalation_limits();
        self.escalation = round4((self.escalation + de).clamp(lo, hi));
        self.trust = round4((self.trust + dt).clamp(0.0, 1.0));
    }

    /// The lowest and highest escalation the customer's temperament allows.
    fn escalation_limits(&self) -> (f32, f32) {
        let t = &self.scenario.scenario.customer.temperament;
        let lo = t.min_escalation.clamp(0.0, 1.0);
        (lo, t.max_escalation.clamp(0.0, 1.0).max(lo))
    }

    fn notice_cues(&mut self, reply: Option<&Reply>, analysis: &Analysis, said: &str) -> Vec<String> {
        let listening = analysis.intents.iter().any(|i| i.is_listening());
        let said_stems = content_stems(said);
        let mut noticed = Vec::new();
        for progress in self.cues.iter_mut().filter(|c| !c.noticed) {
            let Some(cue) = self.scenario.cue(&progress.id) else {
                continue;
            };
            let by_reply = reply.is_some_and(|r| cue.responded_by.contains(&r.id));
            let by_words = listening && mentions_any(&cue.keywords, &said_stems);
            if by_reply || by_words {
                progress.noticed = true;
                noticed.push(progress.id.clone());
            }
        }
        noticed
    }

    /// Whether the customer's last line carried a cue that these words pass by: they say
    /// none of its keywords, after the opening line (see [`reactions::Moment`]).
    fn passed_cue(&self, said: &str) -> bool {
        let opening = self.scenario.step_index(&self.scenario.scenario.start) == Some(self.step);
        let Some(cue) = self.last_cue.as_deref().and_then(|id| self.scenario.cue(id)) else {
            return false;
        };
        !opening && !mentions_any(&cue.keywords, &content_stems(said))
    }

    fn cue_description(&self, id: &str) -> String {
        self.scenario
            .cue(id)
            .map(|c| c.description.clone())
            .unwrap_or_else(|| id.to_owned())
    }

    fn try_reveal(&mut self, reply: Option<&Reply>, analysis: &Analysis, noticed_cue: bool) -> Option<String> {
        let need = &self.scenario.scenario.hidden_need;
        let rule = &need.reveal;
        if self.disclosure == Disclosure::Revealed || (rule.after_cue && self.disclosure != Disclosure::Hinted) {
            return None;
        }
        let by = if let Some(r) = reply.filter(|r| rule.options.contains(&r.id)) {
            format!("your reply \"{}\"", r.text)
        } else if let Some(i) = analysis.intents.iter().find(|i| rule.intents.contains(i)) {
            i.label().to_owned()
        } else if noticed_cue && rule.on_cue_response {
            "picking up on what they hinted at".to_owned()
        } else {
            return None;
        };
        if self.trust < rule.min_trust || self.escalation > rule.max_escalation {
            return None;
        }
        self.disclosure = Disclosure::Revealed;
        Some(by)
    }

    fn holds(&self, condition: &Condition) -> bool {
        let visited = |id: &str| {
            self.scenario
                .step_index(id)
                .and_then(|i| self.visited.get(i).copied())
                .unwrap_or(false)
        };
        condition.holds(&Facts {
            revealed: self.disclosure == Disclosure::Revealed,
            addressed: self.addressed,
            escalation: self.escalation,
            trust: self.trust,
            turns: self.turn,
            visited: &visited,
        })
    }

    fn all_hold(&self, conditions: &[Condition]) -> bool {
        conditions.iter().all(|c| self.holds(c))
    }

    /// The first outcome for `trigger` whose conditions hold. For `OnFinish` and
    /// `OnTimeout` the last such outcome is the fallback (the validator warns when the
    /// last `OnFinish` one is not a catch-all), so a finished conversation always ends.
    fn first_outcome(&self, trigger: Trigger) -> Option<Outcome> {
        let mut candidates = self.scenario.scenario.outcomes.iter().filter(|o| o.trigger == trigger);
        let found = candidates.clone().find(|o| self.all_hold(&o.when));
        match (found, trigger) {
            (Some(o), _) => Some(o.clone()),
            (None, Trigger::OnFinish | Trigger::OnTimeout) => candidates.next_back().cloned(),
            (None, _) => None,
        }
    }

    fn end(&mut self, outcome: &Outcome, out: &mut Vec<SessionEvent>) {
        if let Some(line) = &outcome.line {
            self.say(line, format!("outcome/{}", outcome.id), None, out);
        }
        self.outcome = Some(OutcomeRecord {
            id: outcome.id.clone(),
            kind: outcome.kind,
            title: outcome.title.clone(),
            debrief: outcome.debrief.clone(),
        });
        out.push(SessionEvent::SessionEnded {
            turn: self.turn,
            outcome: outcome.id.clone(),
            kind: outcome.kind,
            title: outcome.title.clone(),
        });
    }

    /// Says the current step's line that fits `route` (see [`lines::pick_line`]).
    fn speak_step(&mut self, route: Route<'_>, out: &mut Vec<SessionEvent>) {
        let Some(step) = self.current_step() else {
            return;
        };
        let (lines, id) = (step.say.clone(), step.id.clone());
        self.speak_lines(&lines, &id, route, None, out);
        self.last_from_step = true;
    }

    /// Says one of `lines` (ids `prefix/band/index`); `answering` stands for why when the
    /// line picked was not written for a route of its own.
    fn speak_lines(
        &mut self,
        lines: &BandLines,
        prefix: &str,
        route: Route<'_>,
        answering: Option<Answering>,
        out: &mut Vec<SessionEvent>,
    ) {
        if let Some(picked) = pick_line(lines, self.band(), self.disclosure, route, &mut self.rng.0) {
            let id = format!("{prefix}/{}/{}", picked.key.label(), picked.index);
            self.say(&picked.line, id, picked.answering.or(answering), out);
        }
    }

    fn say(&mut self, line: &Line, line_id: String, answering: Option<Answering>, out: &mut Vec<SessionEvent>) {
        if let Some(cue) = &line.cue {
            if !self.cues.iter().any(|c| &c.id == cue) {
                self.cues.push(CueProgress {
                    id: cue.clone(),
                    noticed: false,
                });
            }
            if self.disclosure == Disclosure::Hidden {
                self.disclosure = Disclosure::Hinted;
                out.push(SessionEvent::NeedHinted {
                    turn: self.turn,
                    cue: cue.clone(),
                });
            }
        }
        self.last_line = line.text.clone();
        self.last_cue = line.cue.clone();
        self.last_from_step = false;
        out.push(SessionEvent::CustomerSpoke(Spoken {
            turn: self.turn,
            line_id,
            text: line.text.clone(),
            band: self.band(),
            tags: line.tags.clone(),
            cue: line.cue.clone(),
            answering,
        }));
    }

    fn offer(&self, out: &mut Vec<SessionEvent>) {
        if self.mode != Mode::Guided || self.is_ended() {
            return;
        }
        let options = self
            .available_replies()
            .into_iter()
            .map(|r| OfferedReply {
                id: r.id.clone(),
                text: r.text.clone(),
            })
            .collect();
        out.push(SessionEvent::OptionsOffered {
            turn: self.turn + 1,
            options,
        });
    }
}

/// Rounds to four decimals so records stay readable and comparisons exact.
pub(crate) fn round4(x: f32) -> f32 {
    (x * 10_000.0).round() / 10_000.0
}

/// Whether any word of any keyword is among the stems said.
fn mentions_any(keywords: &[String], said_stems: &[String]) -> bool {
    keywords
        .iter()
        .any(|k| words(k).iter().any(|w| said_stems.contains(&stem(w))))
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
