//! Taking a reply back, as people do in conversation: the trainee presses Esc, or says
//! "no, sorry, I meant…", while the customer is starting to answer. The runner then takes
//! the turn back (the engine replays the session without it), the customer stops and says
//! "Go on…", and the journal keeps the turn marked as taken back. So a reply is sent the
//! moment it is finished, with no undo window to wait through, and a slip still costs
//! nothing.

use std::time::{Duration, Instant};

use bevy::prelude::*;
use holdspace_core::SessionEvent;

use crate::app::AppSystems;
use crate::app::customer::voice::{CustomerVoiceStarted, TraineeStartedSpeaking};
use crate::app::screens::Screen;
use crate::app::session::runner::{TurnTaken, TurnTakenBack};
use crate::app::trainee::speech::{ListenState, SpeechInput};

/// How far into the customer's answer a correction still takes the turn back: their
/// first second, when a person would still stop for "no, sorry, I meant…".
pub const FIRST_SECOND: Duration = Duration::from_millis(1000);

/// From the turn to the customer's first sound (the line being voiced, on a slow machine),
/// before the first second starts counting. Without a voice the customer's words show at
/// once, so this is also the whole allowance there.
const TO_FIRST_SOUND: Duration = Duration::from_millis(700);

/// The trainee wants their last reply back.
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub struct TakeBack {
    /// How they asked: "Esc", or the words they said.
    pub by: String,
}

/// While the last reply can still be taken back, and what it was.
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct CorrectionWindow {
    /// Until when (none: nothing to take back).
    pub until: Option<Instant>,
    /// The reply's words, to show with the hint.
    pub text: String,
    /// The trainee started speaking while it was open: their words, once recognised, may
    /// still take the reply back ("no, sorry, I meant…"), however long recognition takes.
    pub heard_in_time: bool,
}

impl CorrectionWindow {
    /// Whether a correction now would take the last reply back.
    pub fn is_open(&self) -> bool {
        self.until.is_some_and(|until| Instant::now() < until)
    }
}

/// Registers the window and the Esc key's half (speech says its own corrections).
pub fn plugin(app: &mut App) {
    app.init_resource::<CorrectionWindow>()
        .add_message::<TakeBack>()
        .add_systems(OnEnter(Screen::Session), close_window)
        .add_systems(
            Update,
            (
                escape_takes_back
                    .in_set(AppSystems::RecordInput)
                    .run_if(in_state(Screen::Session)),
                follow_turns.in_set(AppSystems::Present),
            ),
        );
}

/// A new session has nothing to take back.
fn close_window(mut window: ResMut<CorrectionWindow>) {
    *window = CorrectionWindow::default();
}

/// Opens the window when a turn is taken, starts the first second when the customer's
/// voice does, notes speech begun in time, and closes it once the turn has been taken
/// back.
fn follow_turns(
    mut taken: MessageReader<TurnTaken>,
    mut voiced: MessageReader<CustomerVoiceStarted>,
    mut started: MessageReader<TraineeStartedSpeaking>,
    mut taken_back: MessageReader<TurnTakenBack>,
    mut window: ResMut<CorrectionWindow>,
) {
    let now = Instant::now();
    if let Some(turn) = taken.read().last() {
        // A reply that ended the conversation stands: the debrief is already on its way.
        let ended = turn
            .events
            .iter()
            .any(|e| matches!(e, SessionEvent::SessionEnded { .. }));
        // A click carries no words of its own: show the reply's text.
        let text = match (&turn.turn.input.text, &turn.turn.reply_text) {
            (said, Some(reply)) if said.trim().is_empty() => reply.clone(),
            (said, _) => said.clone(),
        };
        *window = CorrectionWindow {
            until: (!ended).then(|| now + TO_FIRST_SOUND + FIRST_SECOND),
            text,
            heard_in_time: false,
        };
    }
    if voiced.read().last().is_some() && window.is_open() {
        window.until = Some(now + FIRST_SECOND);
    }
    if started.read().count() > 0 && window.is_open() {
        window.heard_in_time = true;
    }
    if taken_back.read().last().is_some() {
        *window = CorrectionWindow::default();
    }
}

/// Esc while the window is open takes the last reply back. (While speech is being heard
/// or recognised, Esc drops that utterance instead: speech handles it.)
fn escape_takes_back(
    keys: Option<Res<ButtonInput<KeyCode>>>,
    speech: Option<Res<SpeechInput>>,
    mut window: ResMut<CorrectionWindow>,
    mut take_back: MessageWriter<TakeBack>,
) {
    if !keys.is_some_and(|k| k.just_pressed(KeyCode::Escape)) || !window.is_open() {
        return;
    }
    let listening = speech.as_ref().is_some_and(|s| {
        matches!(
            s.state,
            ListenState::Hearing | ListenState::Recognising | ListenState::Echo { .. }
        )
    });
    if listening {
        return;
    }
    window.until = None;
    take_back.write(TakeBack { by: "Esc".to_owned() });
}
