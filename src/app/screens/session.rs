//! The session screen: the room, the customer and the HUD; when the conversation ends
//! the last line is heard out and stays up for a moment, then the debrief opens.

use bevy::prelude::*;

use crate::app::AppSystems;
use crate::app::customer::voice::VoiceOutput;
use crate::app::screens::Screen;
use crate::app::session::runner::SessionEnded;
use crate::app::session::scene::spawn_room;

/// Seconds the final line stays on screen before the debrief, at least.
const LINGER_SECONDS: f32 = 2.5;
/// The customer's last words are heard out, but never hold the debrief longer than this.
const MAX_WAIT_SECONDS: f32 = 20.0;

/// Counts down from the end of the conversation to the debrief.
#[derive(Resource, Debug)]
pub struct EndingTimer(Timer);

/// Registers the session screen.
pub fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Session), (spawn_room, clear_ending))
        .add_systems(
            Update,
            (
                start_ending.in_set(AppSystems::Present),
                go_to_debrief.in_set(AppSystems::TickTimers),
            )
                .run_if(in_state(Screen::Session)),
        );
}

fn clear_ending(mut commands: Commands) {
    commands.remove_resource::<EndingTimer>();
}

/// Starts the countdown when the engine says the conversation is over.
pub fn start_ending(mut commands: Commands, mut ended: MessageReader<SessionEnded>) {
    if ended.read().last().is_some() {
        commands.insert_resource(EndingTimer(Timer::from_seconds(MAX_WAIT_SECONDS, TimerMode::Once)));
    }
}

/// Opens the debrief when the countdown is over and the customer has finished speaking.
pub fn go_to_debrief(
    time: Res<Time>,
    timer: Option<ResMut<EndingTimer>>,
    voice: Option<Res<VoiceOutput>>,
    mut next: ResMut<NextState<Screen>>,
) {
    let Some(mut timer) = timer else {
        return;
    };
    timer.0.tick(time.delta());
    let talking = voice.is_some_and(|v| v.is_busy());
    let waited = timer.0.elapsed_secs() >= LINGER_SECONDS;
    let overdue = timer.0.elapsed_secs() >= MAX_WAIT_SECONDS;
    if (waited && !talking) || overdue {
        next.set(Screen::Debrief);
    }
}
