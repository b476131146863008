//! Scripted turns (`--script`): the same file format as `holdspace simulate`, fed to the
//! session one turn every few frames, so a headless run plays a whole conversation
//! through exactly the path a trainee's clicks take.

use std::collections::VecDeque;

use bevy::prelude::*;
use holdspace_core::TurnInput;

use crate::app::AppSystems;
use crate::app::config::AppConfig;
use crate::app::screens::Screen;
use crate::app::session::runner::ActiveSession;
use crate::app::trainee::reply::ReplyGiven;

/// Turns still to play, and frames until the next.
#[derive(Resource, Debug, Default)]
pub struct ScriptPlayer {
    turns: VecDeque<TurnInput>,
    wait: u32,
}

/// Registers the script player when there is a script.
pub fn plugin(app: &mut App) {
    app.add_systems(Startup, load_script).add_systems(
        Update,
        play_script
            .in_set(AppSystems::RecordInput)
            .run_if(in_state(Screen::Session).and_then(resource_exists::<ScriptPlayer>)),
    );
}

fn load_script(mut commands: Commands, config: Res<AppConfig>) {
    if !config.script.is_empty() {
        commands.insert_resource(ScriptPlayer {
            turns: config.script.iter().cloned().collect(),
            wait: config.script_interval,
        });
    }
}

/// Sends the next scripted turn when its frame comes.
pub fn play_script(
    mut player: ResMut<ScriptPlayer>,
    config: Res<AppConfig>,
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
        player.wait = config.script_interval;
    }
}
