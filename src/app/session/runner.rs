//! The scenario-runner adapter: owns the core `Session`, turns trainee replies into
//! engine calls and engine events into Bevy messages. Everything else (scene, HUD,
//! debrief) reacts to these messages or reads the session through
//! [`ActiveSession::session`]; nothing else can change the engine (the field is private).
//! Replies arrive complete from `app::reply`; each turn taken goes out as a [`TurnTaken`],
//! which `app::journal` writes to disk, and each turn taken back as a [`TurnTakenBack`].

use std::sync::Arc;

use bevy::prelude::*;
use holdspace_core::Band;
use holdspace_core::engine::coach::CoachAction;
use holdspace_core::engine::events::{OfferedReply, Spoken, StateChange};
use holdspace_core::engine::journal::RetriedFrom;
use holdspace_core::engine::record::TurnRecord;
use holdspace_core::scenario::model::OutcomeKind;
use holdspace_core::{Analysis, LoadedScenario, Mode, Session, SessionEvent, SessionRecord, TurnError, TurnInput};
use holdspace_records::JournalWriter;

use crate::app::AppSystems;
use crate::app::notice::Notice;
use crate::app::trainee::correction::TakeBack;

/// The conversation in progress.
#[derive(Resource)]
pub struct ActiveSession {
    /// The engine: only the runner drives it; everything else reads it through
    /// [`ActiveSession::session`].
    session: Session,
    /// Events produced but not yet sent as messages (the opening line waits here).
    pending: Vec<SessionEvent>,
    /// Where the session is being written (see `app::journal`).
    pub journal: JournalState,
    /// For a retry: the session and turn it branched from.
    pub retried_from: Option<RetriedFrom>,
}

/// The session's journal on disk.
#[derive(Debug, Default)]
pub enum JournalState {
    /// Not opened yet (opened on the next update).
    #[default]
    NotStarted,
    /// Being appended to, turn by turn.
    Open(JournalWriter),
    /// Ended and exported; the session id.
    Closed(String),
    /// Not recorded (no records folder could be used; the trainee was told).
    Off,
}

impl ActiveSession {
    /// Starts a conversation; its opening events go out on the next update.
    pub fn start(scenario: Arc<LoadedScenario>, seed: u64, mode: Mode) -> ActiveSession {
        let (session, pending) = Session::new(scenario, seed, mode);
        ActiveSession {
            session,
            pending,
            journal: JournalState::NotStarted,
            retried_from: None,
        }
    }

    /// Restarts a recorded session at `turn` (1-based): the turns before it are replayed
    /// with the same seed, so the customer is exactly where they were, and the line they
    /// said before that turn goes out again on the next update.
    pub fn retry(
        scenario: Arc<LoadedScenario>,
        record: &SessionRecord,
        turn: u32,
        from_session: Option<String>,
    ) -> Result<ActiveSession, TurnError> {
        let before = turn.saturating_sub(1) as usize;
        let inputs = record.inputs();
        let (session, pending) =
            Session::replay(scenario, record.seed, record.mode, &inputs[..before.min(inputs.len())])?;
        Ok(ActiveSession {
            session,
            pending,
            journal: JournalState::NotStarted,
            retried_from: from_session.map(|session_id| RetriedFrom { session_id, turn }),
        })
    }

    /// The session id of its journal, once opened.
    pub fn session_id(&self) -> Option<&str> {
        match &self.journal {
            JournalState::Open(w) => Some(&w.meta().session_id),
            JournalState::Closed(id) => Some(id),
            _ => None,
        }
    }

    /// The engine, to read (band, escalation, record…). Only the runner's systems change it.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The scenario being played.
    pub fn scenario(&self) -> &Arc<LoadedScenario> {
        self.session.scenario()
    }

    /// Applies a coach's action: the engine takes it, the journal records it, and what
    /// it caused (a line, a mood change, the end) goes out on the next update like a
    /// turn's events. Returns the events; refused, with nothing changed, as the engine
    /// refuses.
    pub fn coach(&mut self, action: CoachAction) -> Result<Vec<SessionEvent>, TurnError> {
        let events = self.session.coach(action)?;
        if let (JournalState::Open(writer), Some(record)) = (&mut self.journal, self.session.coached().last())
            && let Err(e) = writer.coach(record, &events)
        {
            // The action stands (the trainee has seen it); the journal says what it lost.
            warn!("the coach's action could not be saved: {e}");
        }
        self.pending.extend(events.iter().cloned());
        Ok(events)
    }
}

/// The trainee replied (clicked, pressed a number key, typed, spoke or a script played a
/// turn), complete with the interruption and gaze measured around it: the runner's only
/// input, assembled by `app::reply`.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct TraineeReplied(pub TurnInput);

/// The engine refused a reply (not on offer, or the session has ended); nothing changed.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct ReplyRefused(pub String);

/// The customer said a line.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct CustomerSpoke(pub Spoken);

/// The engine read the trainee's reply.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct ReplyInterpreted {
    /// The reply it was taken as.
    pub reply: Option<String>,
    /// What was found in the words.
    pub analysis: Analysis,
}

/// Escalation and trust moved, with the reasons.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct EscalationChanged(pub StateChange);

/// The trainee picked up a cue.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct CueNoticed(pub String);

/// The customer gave their first cue.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct NeedHinted(pub String);

/// The hidden need came out.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct NeedRevealed(pub String);

/// The trainee met the hidden need.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct NeedAddressed(pub String);

/// Replies on offer for the next turn (guided mode).
#[derive(Message, Debug, Clone, PartialEq)]
pub struct OptionsOffered(pub Vec<OfferedReply>);

/// The conversation is over.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct SessionEnded {
    /// Outcome id.
    pub outcome: String,
    /// Kind of ending.
    pub kind: OutcomeKind,
    /// Title.
    pub title: String,
}

/// Registers the messages and the driver system.
pub fn plugin(app: &mut App) {
    app.init_resource::<crate::app::session::ear::Ear>()
        .add_message::<Notice>()
        .add_message::<TurnTaken>()
        .add_message::<TurnTakenBack>()
        // Written by `trainee::correction` and speech; registered here too, as the reader.
        .add_message::<TakeBack>()
        .add_message::<TraineeReplied>()
        .add_message::<ReplyRefused>()
        .add_message::<CustomerSpoke>()
        .add_message::<ReplyInterpreted>()
        .add_message::<EscalationChanged>()
        .add_message::<CueNoticed>()
        .add_message::<NeedHinted>()
        .add_message::<NeedRevealed>()
        .add_message::<NeedAddressed>()
        .add_message::<OptionsOffered>()
        .add_message::<SessionEnded>()
        .add_systems(
            Update,
            drive_session
                .in_set(AppSystems::Drive)
                .run_if(resource_exists::<ActiveSession>),
        );
}

/// Session messages, grouped so the driver stays within Bevy's system-parameter limit.
#[derive(bevy::ecs::system::SystemParam)]
pub struct SessionWriters<'w> {
    spoke: MessageWriter<'w, CustomerSpoke>,
    interpreted: MessageWriter<'w, ReplyInterpreted>,
    changed: MessageWriter<'w, EscalationChanged>,
    noticed: MessageWriter<'w, CueNoticed>,
    hinted: MessageWriter<'w, NeedHinted>,
    revealed: MessageWriter<'w, NeedRevealed>,
    addressed: MessageWriter<'w, NeedAddressed>,
    offered: MessageWriter<'w, OptionsOffered>,
    ended: MessageWriter<'w, SessionEnded>,
}

impl SessionWriters<'_> {
    fn send(&mut self, event: SessionEvent) {
        match event {
            SessionEvent::CustomerSpoke(s) => {
                self.spoke.write(CustomerSpoke(s));
            }
            SessionEvent::ReplyInterpreted { reply, analysis, .. } => {
                self.interpreted.write(ReplyInterpreted { reply, analysis });
            }
            SessionEvent::EscalationChanged(c) => {
                self.changed.write(EscalationChanged(c));
            }
            SessionEvent::CueNoticed { cue, .. } => {
                self.noticed.write(CueNoticed(cue));
            }
            SessionEvent::NeedHinted { cue, .. } => {
                self.hinted.write(NeedHinted(cue));
            }
            SessionEvent::NeedRevealed { by, .. } => {
                self.revealed.write(NeedRevealed(by));
            }
            SessionEvent::NeedAddressed { reply, .. } => {
                self.addressed.write(NeedAddressed(reply));
            }
            SessionEvent::OptionsOffered { options, .. } => {
                self.offered.write(OptionsOffered(options));
            }
            SessionEvent::SessionEnded {
                outcome, kind, title, ..
            } => {
                self.ended.write(SessionEnded { outcome, kind, title });
            }
            // The coach's own messages go out from `session::coach`, which applied them.
            SessionEvent::Coached { .. } => {}
        }
    }
}

/// A turn the engine took: the turn as recorded and everything it reported, for the
/// journal (a turn on screen is a turn on disk).
#[derive(Message, Debug, Clone, PartialEq)]
pub struct TurnTaken {
    /// The turn, as the session record holds it.
    pub turn: TurnRecord,
    /// What the engine reported for it, in order.
    pub events: Vec<SessionEvent>,
}

/// The trainee took their last turn back: the engine is as if it had not been taken.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct TurnTakenBack {
    /// The turn taken back, as it was recorded.
    pub turn: TurnRecord,
    /// How they asked ("Esc", or their words).
    pub by: String,
}

/// The id of the customer's line when a reply is taken back.
pub const GO_ON_LINE: &str = "holdspace/go_on";

/// What the customer says, stopping, when the trainee takes their reply back: an invitation
/// while they are still listening, curt once they are angry.
fn go_on(band: Band) -> &'static str {
    match band {
        Band::Calm | Band::Uneasy => "Go on...",
        Band::Frustrated => "Go on, then.",
        Band::Angry | Band::Hostile => "What?",
    }
}

/// Feeds replies to the engine and re-emits what the engine reports, in order. A reply
/// taken back is undone first, so the reply meant instead (said in the same breath)
/// follows it.
pub fn drive_session(
    mut active: ResMut<ActiveSession>,
    mut take_backs: MessageReader<TakeBack>,
    mut replies: MessageReader<TraineeReplied>,
    mut refused: MessageWriter<ReplyRefused>,
    mut taken: MessageWriter<TurnTaken>,
    mut taken_back: MessageWriter<TurnTakenBack>,
    ear: Res<crate::app::session::ear::Ear>,
    paused: Option<Res<crate::app::session::coach::CoachPause>>,
    mut out: SessionWriters,
) {
    // Most frames carry no reply: leave the resource untouched so its change flag means something.
    if replies.is_empty() && take_backs.is_empty() && active.pending.is_empty() {
        return;
    }
    for TakeBack { by } in take_backs.read() {
        take_back(&mut active, by, &mut taken_back, &mut refused, &mut out);
    }
    // The opening line is being sent: get the ear ready for the first reply.
    if active.session.turn() == 0
        && !active.pending.is_empty()
        && let Some(listener) = ear.listener()
    {
        listener.prepare(&active.session);
    }
    for TraineeReplied(input) in replies.read() {
        if paused.as_ref().is_some_and(|p| p.0) {
            refused.write(ReplyRefused(
                "your coach has paused the session; say it again once they resume".to_owned(),
            ));
            continue;
        }
        match active.session.respond_with(input.clone(), ear.listener()) {
            Ok(events) => {
                if let Some(turn) = active.session.last_turn() {
                    taken.write(TurnTaken {
                        turn: turn.clone(),
                        events: events.clone(),
                    });
                }
                active.pending.extend(events);
            }
            Err(e) => {
                refused.write(ReplyRefused(e.to_string()));
            }
        }
    }
    for event in std::mem::take(&mut active.pending) {
        out.send(event);
    }
}

/// Takes the last turn back: the engine replays the session without it, the customer
/// stops with a "Go on…", the meter and the options go back to before it.
fn take_back(
    active: &mut ActiveSession,
    by: &str,
    taken_back: &mut MessageWriter<TurnTakenBack>,
    refused: &mut MessageWriter<ReplyRefused>,
    out: &mut SessionWriters,
) {
    let shown = match active.session.take_back() {
        Ok(Some((turn, shown))) => {
            // The change the turn made, reversed, for whatever shows the customer's state.
            out.changed.write(EscalationChanged(StateChange::between(
                turn.turn,
                turn.after,
                turn.before,
                Vec::new(),
            )));
            taken_back.write(TurnTakenBack {
                turn,
                by: by.to_owned(),
            });
            shown
        }
        Ok(None) => return,
        Err(e) => {
            refused.write(ReplyRefused(format!("the reply could not be taken back: {e}")));
            return;
        }
    };
    // Anything the turn had queued (its answer, if not sent yet) is void now.
    active.pending.clear();
    let band = active.session.band();
    active.pending.push(SessionEvent::CustomerSpoke(Spoken {
        turn: active.session.turn(),
        line_id: GO_ON_LINE.to_owned(),
        text: go_on(band).to_owned(),
        band,
        tags: Vec::new(),
        cue: None,
        answering: None,
    }));
    active.pending.extend(
        shown
            .into_iter()
            .filter(|e| matches!(e, SessionEvent::OptionsOffered { .. })),
    );
}
