//! The trainee's side: the microphone and what their speech is heard as, scripted turns,
//! taking a reply back, and the one assembled reply every way of answering ends in.

use bevy::prelude::*;

pub mod correction;
pub mod mic;
pub mod reply;
pub mod script;
pub mod speech;
pub mod talk;

/// The trainee: the reply assembler, speech and scripted turns. (Clicks, keys and typing
/// are the HUD's, in `session::hud`.)
pub fn plugin(app: &mut App) {
    app.add_plugins((
        reply::plugin,
        talk::plugin,
        speech::plugin,
        script::plugin,
        correction::plugin,
    ));
}
