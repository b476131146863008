//! The conversation: the runner that alone drives the engine, the ear it hears meaning
//! with, the journal each turn is written to, the coach's console, the HUD and the room.

use bevy::prelude::*;

pub mod coach;
pub mod ear;
pub mod hud;
pub mod journal;
pub mod runner;
pub mod scene;

/// The conversation's plugins: ear, runner, journal and HUD.
pub fn plugin(app: &mut App) {
    app.add_plugins((ear::plugin, runner::plugin, journal::plugin, coach::plugin, hud::plugin));
}
