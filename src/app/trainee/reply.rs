//! The trainee's reply, assembled before the engine sees it. Clicks, number keys, typing,
//! scripted turns and speech each give a [`ReplyGiven`]; this adds what was measured
//! around the reply (whether the trainee talked over the customer, their eye contact in a
//! headset) and sends one complete [`TraineeReplied`], which the runner feeds to the
//! engine unchanged. So every way of replying reaches the engine by one path, and the
//! runner needs to know nothing of microphones or headsets.

use bevy::prelude::*;
use holdspace_core::{Gaze, TurnInput};

use crate::app::AppSystems;
use crate::app::session::runner::TraineeReplied;
use crate::app::trainee::correction::TakeBack;

/// A reply as its source gave it (clicked, pressed, typed, scripted or spoken), before
/// interruption and gaze are added.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct ReplyGiven(pub TurnInput);

/// Set when the trainee started speaking while the customer was still talking; the next
/// reply carries it to the engine as `Delivery::interrupted`, then it clears.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PendingInterruption(pub bool);

/// Eye contact measured so far this turn (in a headset); the next reply carries it to the
/// engine as `Delivery::gaze`. `None` where nothing measures it (the desktop).
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq)]
pub struct PendingGaze(pub Option<Gaze>);

/// Registers the reply message, the measures it gathers and the assembler.
pub fn plugin(app: &mut App) {
    app.init_resource::<PendingInterruption>()
        .init_resource::<PendingGaze>()
        .add_message::<ReplyGiven>()
        .add_message::<TakeBack>()
        .add_message::<TraineeReplied>()
        .add_systems(Update, assemble.in_set(AppSystems::AssembleReply));
}

/// Completes each reply given this frame with the interruption and gaze measured for it.
/// Talking over the customer to take a reply back ("no, sorry, I meant…") is a correction,
/// not an interruption of the reply meant instead.
pub fn assemble(
    mut given: MessageReader<ReplyGiven>,
    mut take_backs: MessageReader<TakeBack>,
    mut interruption: ResMut<PendingInterruption>,
    gaze: Res<PendingGaze>,
    mut replies: MessageWriter<TraineeReplied>,
) {
    if take_backs.read().count() > 0 {
        interruption.0 = false;
    }
    for ReplyGiven(input) in given.read() {
        replies.write(TraineeReplied(complete(input.clone(), &mut interruption, &gaze)));
    }
}

/// `input` with the pending interruption (taken: it belongs to this reply only) and, where
/// the source measured none, the turn's gaze.
fn complete(mut input: TurnInput, interruption: &mut PendingInterruption, gaze: &PendingGaze) -> TurnInput {
    if std::mem::take(&mut interruption.0) {
        input.delivery.interrupted = true;
    }
    if input.delivery.gaze.is_none() {
        input.delivery.gaze = gaze.0;
    }
    input
}
