//! The customer listening while the trainee talks: at the trainee's pauses a nod or an
//! "uh-huh" (calm, uneasy), stillness (frustrated), a sigh or a shake of the head
//! (angry); as they stop, eyes back on them and a nod, stillness or a breath; and a hostile
//! customer cutting in on a trainee who goes on. The decisions are the core's
//! (`holdspace_core::expression::listening`); this feeds it the microphone's timing and
//! hands the moves to the body and the voice.

use bevy::prelude::*;
use holdspace_core::analysis::intent::Intent;
use holdspace_core::engine::events::Spoken;
use holdspace_core::expression::listening::{ListenerMove, Listening};

use crate::app::AppSystems;
use crate::app::customer::voice::{TraineeStartedSpeaking, VoiceOutput};
use crate::app::screens::Screen;
use crate::app::session::runner::{ActiveSession, CustomerSpoke};
use crate::app::trainee::speech::TraineeTalk;

/// The id of the line a hostile customer cuts in with.
pub const CUT_IN_LINE: &str = "holdspace/cut_in";

/// Something the customer did while listening, for the body and the voice. A cut-in is a
/// line ([`CustomerSpoke`]) and comes with a [`CustomerCutIn`] instead.
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub struct ListenerReacted(pub ListenerMove);

/// The customer cut in on the trainee, this many seconds into their turn: the turn's
/// delivery records it.
#[derive(Message, Debug, Clone, Copy, PartialEq)]
pub struct CustomerCutIn {
    /// Seconds the trainee had been talking.
    pub talked_s: f32,
}

/// The customer's listening memory for this conversation.
#[derive(Resource, Debug, Default)]
pub struct CustomerListening(pub Listening);

/// Registers listening.
pub fn plugin(app: &mut App) {
    app.init_resource::<CustomerListening>()
        .add_message::<ListenerReacted>()
        .add_message::<CustomerCutIn>()
        .add_message::<TraineeTalk>()
        .add_message::<TraineeStartedSpeaking>()
        .add_message::<CustomerSpoke>()
        .add_systems(OnEnter(Screen::Session), |mut l: ResMut<CustomerListening>| {
            *l = CustomerListening::default();
        })
        .add_systems(
            Update,
            listen
                .in_set(AppSystems::Drive)
                .run_if(resource_exists::<ActiveSession>)
                .run_if(in_state(Screen::Session)),
        );
}

/// Follows the trainee's talk and reacts as this customer, in their band, would.
pub fn listen(
    mut listening: ResMut<CustomerListening>,
    mut started: MessageReader<TraineeStartedSpeaking>,
    mut talk: MessageReader<TraineeTalk>,
    active: Res<ActiveSession>,
    voice: Option<Res<VoiceOutput>>,
    mut reacted: MessageWriter<ListenerReacted>,
    mut cut_in: MessageWriter<CustomerCutIn>,
    mut spoke: MessageWriter<CustomerSpoke>,
) {
    if started.read().count() > 0 {
        listening.0.turn_started();
    }
    let session = active.session();
    if session.outcome().is_some() {
        talk.clear();
        return;
    }
    // While they are saying a line themselves they are not listening for pauses.
    let customer_talking = voice.as_ref().is_some_and(|v| v.is_speaking());
    let style = &session.scenario().scenario.customer.listening;
    let band = session.band();
    let quoted_policy = session
        .turns()
        .iter()
        .any(|t| t.analysis.intents.contains(&Intent::PolicyWall));
    for event in talk.read() {
        let made = match *event {
            _ if customer_talking => None,
            TraineeTalk::Paused { talked_s } => listening.0.at_pause(style, band, talked_s),
            TraineeTalk::Talking { talked_s } => {
                let cut = listening.0.while_talking(style, band, talked_s, quoted_policy);
                if cut.is_some() {
                    cut_in.write(CustomerCutIn { talked_s });
                }
                cut
            }
            TraineeTalk::Stopped { talked_s } => listening.0.at_end(band, talked_s),
        };
        match made {
            Some(ListenerMove::CutIn(text)) => {
                spoke.write(CustomerSpoke(Spoken {
                    turn: session.turn(),
                    line_id: CUT_IN_LINE.to_owned(),
                    text,
                    band,
                    tags: Vec::new(),
                    cue: None,
                    answering: None,
                }));
            }
            Some(m) => {
                reacted.write(ListenerReacted(m));
            }
            None => {}
        }
    }
}
