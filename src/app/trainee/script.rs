//! Scripted turns (`--script`): the same file format as `holdspace simulate`, fed to the
//! session one turn every few frames, so a headless run plays a whole conversation
//! through exactly the path a trainee's clicks take.

use std::collections::VecDeque;

use bevy::prelude::*;
use holdspace_core::TurnInput;

use crate::app::AppSystems;
use crate::app::screens::Screen;
use crate::app::session::runner::ActiveSession;
use crate::app::trainee::reply::ReplyGiven;

/// The scripted turns the run was started with.
#[derive(Resource, Debug, Clone)]
pub struct ScriptSettings {
    /// Turns to play, one every [`ScriptSettings::interval`] frames.
    pub turns: Vec<TurnInput>,
    /// Frames between scripted turns (time for the scene to react and be seen).
    pub interval: u32,
}

impl Default for ScriptSettings {
    fn default() -> Self {
        ScriptSettings {
            turns: Vec::new(),
            interval: 6,
        }
    }
}

/// Turns still to play, and frames until the next.
#[derive(Resource, Debug, Default)]
pub struct ScriptPlayer {
    turns: VecDeque<TurnInput>,
    wait: u32,
}

/// Registers the script player when there is a script.
pub fn plugin(app: &mut App) {
    app.init_resource::<ScriptSettings>()
        .add_systems(Startup, load_script)
        .add_systems(
            Update,
            play_script
                .in_set(AppSystems::RecordInput)
                .run_if(in_state(Screen::Session).and_then(resource_exists::<ScriptPlayer>)),
        );
}

fn load_script(mut commands: Commands, settings: Res<ScriptSettings>) {
    if !settings.turns.is_empty() {
        commands.insert_resource(ScriptPlayer {
            turns: settings.turns.iter().cloned().collect(),
            wait: settings.interval,
        });
    }
}

/// Sends the next scripted turn when its frame comes.
pub fn play_script(
    mut player: ResMut<ScriptPlayer>,
    settings: Res<ScriptSettings>,
    active: Res<ActiveSession>,
    mut replies: MessageWriter<ReplyGiven>,
) {
    if active.session().is_ended() {
        return;
    }
    if player.wait > 0 {
        player.wait -= 1;
        return;
    }
    if let Some(turn) = player.turns.pop_front() {
        replies.write(ReplyGiven(turn));
        player.wait = settings.interval;
    }
}
